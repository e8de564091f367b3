"""Data leakage: preprocessing, overlap, test-set reuse, target and structure leaks.

Every check here reads `ctx.leakage` (see `grader.evidence.leakage`), which combines
the static dataflow over the notebook with the runtime trace when the notebook ran
traced in the sandbox.
"""
