"""Execution and reproducibility: does the work run, in order, within budget."""
