-- Training rotations: courses (one checked JSON definition each), rotation
-- plans and their batches, seats (the roster; `taken` on a batch counts
-- them, so that a sign-up takes a seat with one guarded UPDATE), leave,
-- quiz attempts, completions, in-app notifications and rectification
-- orders. Dates are ISO `YYYY-MM-DD` text; instants Unix seconds.

CREATE TABLE courses (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    code       TEXT    NOT NULL UNIQUE,
    title      TEXT    NOT NULL,
    category   TEXT    NOT NULL,
    audience   TEXT    NOT NULL,
    definition TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE training_plans (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    code         TEXT    NOT NULL UNIQUE,
    name         TEXT    NOT NULL,
    year         INTEGER NOT NULL,
    course_id    INTEGER NOT NULL REFERENCES courses(id),
    positions    TEXT    NOT NULL,
    unit_id      INTEGER REFERENCES units(id),
    self_signup  INTEGER NOT NULL DEFAULT 0,
    published    INTEGER NOT NULL DEFAULT 0,
    published_at INTEGER,
    published_by TEXT,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX training_plans_year ON training_plans(year);

CREATE TABLE training_batches (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id    INTEGER NOT NULL REFERENCES training_plans(id),
    code       TEXT    NOT NULL,
    start_on   TEXT    NOT NULL,
    end_on     TEXT    NOT NULL,
    place      TEXT    NOT NULL,
    instructor TEXT    NOT NULL,
    capacity   INTEGER NOT NULL,
    taken      INTEGER NOT NULL DEFAULT 0,
    UNIQUE (plan_id, code),
    CHECK (taken >= 0)
);

CREATE TABLE training_seats (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id         INTEGER NOT NULL REFERENCES training_plans(id),
    batch_id        INTEGER NOT NULL REFERENCES training_batches(id),
    person_id       INTEGER NOT NULL REFERENCES people(id),
    source          TEXT    NOT NULL,
    override_reason TEXT,
    attended        INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    UNIQUE (plan_id, person_id)
);
CREATE INDEX training_seats_batch ON training_seats(batch_id);
CREATE INDEX training_seats_person ON training_seats(person_id);

-- Why the scheduler's last run left someone out.
CREATE TABLE training_unplaced (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id   INTEGER NOT NULL REFERENCES training_plans(id),
    person_id INTEGER NOT NULL REFERENCES people(id),
    reason    TEXT    NOT NULL,
    UNIQUE (plan_id, person_id)
);

CREATE TABLE leave_days (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id  INTEGER NOT NULL REFERENCES people(id),
    start_on   TEXT    NOT NULL,
    end_on     TEXT    NOT NULL,
    reason     TEXT    NOT NULL,
    created_by TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX leave_days_person ON leave_days(person_id);

CREATE TABLE quiz_attempts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id     INTEGER NOT NULL REFERENCES training_plans(id),
    person_id   INTEGER NOT NULL REFERENCES people(id),
    answers     TEXT    NOT NULL,
    right_count INTEGER NOT NULL,
    total       INTEGER NOT NULL,
    percent     INTEGER NOT NULL,
    passed      INTEGER NOT NULL,
    at          INTEGER NOT NULL
);
CREATE INDEX quiz_attempts_plan_person ON quiz_attempts(plan_id, person_id);

CREATE TABLE completions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id      INTEGER NOT NULL REFERENCES training_plans(id),
    course_id    INTEGER NOT NULL REFERENCES courses(id),
    person_id    INTEGER NOT NULL REFERENCES people(id),
    year         INTEGER NOT NULL,
    completed_on TEXT    NOT NULL,
    expires_on   TEXT,
    created_at   INTEGER NOT NULL,
    UNIQUE (plan_id, person_id)
);
CREATE INDEX completions_person ON completions(person_id);
CREATE INDEX completions_year ON completions(year);

CREATE TABLE notifications (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id   INTEGER NOT NULL REFERENCES people(id),
    message_key TEXT    NOT NULL,
    args        TEXT    NOT NULL,
    link        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    read_at     INTEGER
);
CREATE INDEX notifications_person ON notifications(person_id);

CREATE TABLE rectification_orders (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id      INTEGER NOT NULL REFERENCES units(id),
    year         INTEGER NOT NULL,
    reason       TEXT    NOT NULL,
    deadline     TEXT    NOT NULL,
    issued_by    TEXT    NOT NULL,
    issued_at    INTEGER NOT NULL,
    closed_by    TEXT,
    closed_at    INTEGER,
    closing_note TEXT
);
CREATE INDEX rectification_orders_unit ON rectification_orders(unit_id);

-- The secret in a person's calendar feed address.
ALTER TABLE people ADD COLUMN calendar_token TEXT;
CREATE UNIQUE INDEX people_calendar_token ON people(calendar_token);
