"""Leakage facts for the `LEAK` checks: static dataflow, proven or sharpened by the runtime trace.

`analysis.analyse_leakage` runs once per submission (in the evidence stage) and returns
`LeakFinding`s grouped by `LeakKind`; each check in `grader/checks/leakage/` reports the
findings of its kind. A finding found by the dataflow alone has medium (or, when it went
through code the interpreter could not follow, low) confidence; one the trace proves
carries row counts and cells and high confidence. One module per family of leaks:
`preprocessing`, `overlap` (resampling, test rows in training, selection on the test set),
`target`, `structure` (time and groups) and `runtime` (what only the trace shows).
"""
