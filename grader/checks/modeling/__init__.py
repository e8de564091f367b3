"""Model selection: baselines, comparing model families, tuning inside cross-validation, explaining the choice."""
