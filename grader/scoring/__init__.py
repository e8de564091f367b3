"""Rubric scoring: from check results to criterion scores, every lost point explained."""
