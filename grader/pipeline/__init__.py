"""Orchestration: one submission through every stage (`grading`), many at once (`batch`).

Also the result cache, progress displays and `grader lint` (the static checks alone).
This is the only package that calls every stage; the stages never call it.
"""
