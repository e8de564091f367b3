"""Pydantic models for assignments, rubrics, execution records, findings and reports.

No I/O and no rendering live here: loaders and renderers sit in their own packages.
"""
