"""Code quality: is the notebook's code something a colleague could maintain."""
