"""Grading on many Docker hosts: Celery workers behind a broker (Redis, or RabbitMQ with a Redis result store).

The data flow is explicit and one way per leg:

1. The submitting side (`grader batch --broker`, the web app with `--broker`) packs each
   submission as a size-capped zip, adds the assignment's *public* files (assignment.yaml
   and `public_files`; never `hidden_files` or the holdout labels), the validated rubric and
   the grading options, and publishes one task (`transport.GradeJob`).
2. A worker (`grader worker`) unpacks both archives as hostile input, grades with the same
   `grader.pipeline.grading.Grader` as local grading (sandbox run, every check that does not need the
   hidden labels, scoring, JSON + HTML), records its host name in the report's environment,
   and returns the report folder as a size-capped zip (`transport.GradeOutcome`).
3. The submitting side unpacks that zip as hostile input and, where the assignment has a
   hidden holdout, scores the collected predictions against the labels it alone holds, runs
   the checks that need them, re-scores and re-renders (`remote.settle_holdout`).

Tasks are acknowledged late and rejected when their worker process dies, so a killed
worker's submission is delivered again; a per-task delivery counter in the result store
ends a submission that keeps killing workers as `not graded`, with the reason.
"""
