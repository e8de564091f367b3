"""`python -m thg_executor JOB.json`: run the job, write results, linger for collection."""

import sys

from .runner import main

sys.exit(main())
