-- Reviewers, their server-side sessions, and grading jobs.
-- Written in portable SQL (no AUTOINCREMENT, no SQLite-only types) so it runs on PostgreSQL too.
-- Times are Unix seconds; ids are random hex strings made by the application.

CREATE TABLE users (
    id VARCHAR(32) PRIMARY KEY,
    name VARCHAR(100) NOT NULL UNIQUE,
    password_hash VARCHAR(255) NOT NULL,
    created_at DOUBLE PRECISION NOT NULL
);

-- The cookie holds a random token; only its SHA-256 is stored, so a copy of the database logs nobody in.
CREATE TABLE sessions (
    token_hash CHAR(64) PRIMARY KEY,
    user_id VARCHAR(32) NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token VARCHAR(64) NOT NULL,
    created_at DOUBLE PRECISION NOT NULL,
    last_seen_at DOUBLE PRECISION NOT NULL,
    expires_at DOUBLE PRECISION NOT NULL
);

CREATE INDEX sessions_user ON sessions (user_id);

-- state: queued -> running -> done | failed. A running job has an owner (host:pid:nonce) and a lease
-- that the owner renews; a lapsed lease or a dead owner puts it back to queued.
CREATE TABLE jobs (
    id VARCHAR(32) PRIMARY KEY,
    assignment VARCHAR(200) NOT NULL,
    rubric VARCHAR(200),
    candidate VARCHAR(200) NOT NULL,
    submission_name VARCHAR(200) NOT NULL,
    upload_path VARCHAR(1000) NOT NULL,
    created_by VARCHAR(32) REFERENCES users (id) ON DELETE SET NULL,
    state VARCHAR(16) NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    owner VARCHAR(200),
    lease_expires_at DOUBLE PRECISION,
    heartbeat_at DOUBLE PRECISION,
    created_at DOUBLE PRECISION NOT NULL,
    started_at DOUBLE PRECISION,
    finished_at DOUBLE PRECISION,
    result_dir VARCHAR(1000),
    report_status VARCHAR(32),
    score DOUBLE PRECISION,
    max_score DOUBLE PRECISION,
    percent DOUBLE PRECISION,
    band VARCHAR(100),
    flags TEXT,
    error TEXT
);

CREATE INDEX jobs_state ON jobs (state, created_at);

CREATE INDEX jobs_assignment ON jobs (assignment, created_at);
