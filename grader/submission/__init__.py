"""The inputs: a candidate's submission (folder, zip or script, all hostile) and the assignment it answers."""
