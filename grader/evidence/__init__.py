"""The evidence stage: everything checks read, computed once per submission.

From the submission, its sandbox run and runtime trace, this stage builds one frozen
`CheckContext`: the code index, the ML facts, the dataflow and leakage analysis, the
narrative and EDA facts, the facts of the runtime trace, pylint's messages and the
predictions scored against the hidden holdout. Nothing here renders or scores a rubric.
"""
