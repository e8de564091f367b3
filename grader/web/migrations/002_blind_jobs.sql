-- Jobs uploaded with "anonymous" are graded blind (the CLI's --blind): no name, e-mail address or
-- upload path anywhere in the report, report.json included.
ALTER TABLE jobs ADD COLUMN blind INTEGER NOT NULL DEFAULT 0;
