"""Tools for the people who write assignments: audit the data, validate the folder.

`audit.audit_assignment` screens the public data against the target before it goes
to candidates; `validate.validate_assignment` checks `assignment.yaml` and its files
and runs the audit; `commands` is the `grader assignment ...` command group.
"""
