-- Log-in throttling that races no more (issue 12). An attempt is reserved
-- before its password is checked: in one write transaction the counts of
-- its keys (`user:<name>` and `addr:<client>`) are read and, when they
-- allow it, a row is added under each. A right password deletes them
-- again; what stays is a failure. Rows too old to matter are purged by the
-- next attempt. The failures of 0001, counted after checking, go.
DROP TABLE login_failures;

CREATE TABLE login_attempts (
    id  INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT    NOT NULL CHECK (length(key) <= 64),
    at  INTEGER NOT NULL
);
CREATE INDEX login_attempts_key ON login_attempts(key, at);
CREATE INDEX login_attempts_at ON login_attempts(at);

-- One row per lock slot (a fixed hash of a key into 1024 slots): a
-- reservation takes its keys' rows, in order, for its transaction. On
-- SQLite the write transaction already runs alone; PostgreSQL needs them.
CREATE TABLE login_locks (
    slot INTEGER PRIMARY KEY,
    at   INTEGER NOT NULL
);

-- Calendar feeds of disabled accounts' people stop working (issue 12):
-- from now on disabling drops the token; these were disabled before.
UPDATE people SET calendar_token = NULL
WHERE account_id IN (SELECT id FROM accounts WHERE disabled = 1);
