"""The reviewer's desk: what people decide on top of a graded report.

Overrides and notes recorded beside the automatic result (`overrides`), calibration of the
rubric to a team's own scores (`calibrate`, `stats`), and side-by-side comparison of
candidates (`compare`). This stage reads reports and writes nothing; `grader.pipeline.desk`
does the file work and `grader.rendering` draws the pages.
"""
