"""Facts of the narrative and of how the code is organised, shared by the EDA, docs and quality checks.

`markdown` (prose, headings, the language of reasoning and findings), `scopes` (which user
function each call sits in, and the target's references), `figures` (plotting calls
and figure outputs), `claims` (results the prose states) and `reported` (metric values the
outputs show), both reading metrics and numbers through `metric_text`. Everything is
linear in the size of the notebook and is computed once per submission by
`grader.evidence.build`.
"""
