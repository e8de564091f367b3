"""Documentation: does the notebook tell the story a reviewer can follow."""
