-- Live progress of a running job ("cell 7 of 23"): the last code cell the sandbox reported starting,
-- as JSON {"notebook", "notebooks", "cell", "cells"} of ints; cleared when the job is claimed again.
ALTER TABLE jobs ADD COLUMN progress TEXT;
