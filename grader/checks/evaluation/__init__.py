"""Evaluation methodology: held-out data, cross-validation, stratification, metrics, error analysis, seeds."""
