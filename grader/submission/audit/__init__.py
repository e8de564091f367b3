"""The audit of an assignment's public data, before it goes to candidates.

It reads the data files the way a careful candidate would (`tabular`) and screens every
column against the target (`audit.audit_assignment`): associations, outcome-like and
post-outcome columns, informative missingness, identifiers, duplicates across files,
time and group structure, class balance. It runs on the assignment, never on a
submission, so it sits with the inputs; `grader.pipeline.assignment_check` adds it to
the validation of a whole assignment folder.
"""

from grader.submission.audit.audit import audit_assignment, audit_folder
from grader.submission.audit.thresholds import AuditThresholds

__all__ = ["AuditThresholds", "audit_assignment", "audit_folder"]
