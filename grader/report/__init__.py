"""The report stage: the report model assembled from findings and scores.

Flags, interview follow-ups, blind-mode redaction and the batch summary rows: content of
the report, never its HTML or CSV form (that is `grader.rendering`).
"""
