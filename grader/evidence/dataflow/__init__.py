"""Static dataflow over a notebook's code, in cell order, for leakage analysis.

An abstract interpreter walks every statement of every code cell once, in order
(loop bodies twice, so loop-carried facts settle; user functions are inlined at
their call sites). Values are abstract:

- `Data`: a frame, array, series or number derived from data. It knows which rows
  it holds (`tags`: a data source, or one side of a split), which fitted statistics
  or transformers have been applied to it (`taints`), which columns it has, which
  source columns a series derives from, whether it was resampled, and whether it
  is a score computed on some partition;
- `Est`: an estimator object (transformer, model, pipeline, search, resampler,
  splitter), with every fit recorded on it;
- column lists, containers, functions, modules and unknowns.

Events are recorded as the interpreter goes: reads of data sources (`Source`),
splits (`Split`: `train_test_split`, splitter folds, boolean-mask, `.iloc` and
`.sample` cuts), fits (`Fit`: transformers, models, pandas statistics, target
encodings), resampling, predictions, evaluations, cross-validation runs and score
selections (`max`, comparisons, `idxmax`...). `grader.evidence.leakage` turns them
into leak findings. Code the interpreter does not understand passes data through
conservatively (the result holds everything its inputs held) and marks it
`uncertain`, which lowers the confidence of whatever is found through it.

Modules: `catalogue` (what the interpreter knows of libraries), `values` (events and
abstract values), `interpreter` (statements, assignments, the entry point `analyse`),
and the interpreter's rules for `expressions`, `calls` and `methods`.
"""
