-- The annual assessment: schemes (one JSON definition each, checked by the
-- domain before it is stored), entered scores, ratio metrics, events,
-- bonuses, vetoes and incident reports. Events, bonuses, vetoes and
-- metrics belong to a unit and a year; the year's scheme for the unit's
-- kind turns them into points. Points are integers in tenths.

CREATE TABLE assessment_schemes (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    code         TEXT    NOT NULL UNIQUE,
    year         INTEGER NOT NULL,
    name         TEXT    NOT NULL,
    unit_kinds   TEXT    NOT NULL,
    definition   TEXT    NOT NULL,
    published    INTEGER NOT NULL DEFAULT 0,
    published_at INTEGER,
    published_by TEXT,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX assessment_schemes_year ON assessment_schemes(year);

CREATE TABLE assessment_scores (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    scheme_id  INTEGER NOT NULL REFERENCES assessment_schemes(id),
    unit_id    INTEGER NOT NULL REFERENCES units(id),
    indicator  TEXT    NOT NULL,
    points     INTEGER NOT NULL,
    note       TEXT    NOT NULL DEFAULT '',
    updated_by TEXT    NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (scheme_id, unit_id, indicator)
);

CREATE TABLE assessment_metrics (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    year        INTEGER NOT NULL,
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    metric      TEXT    NOT NULL,
    numerator   INTEGER NOT NULL,
    denominator INTEGER NOT NULL,
    updated_by  TEXT    NOT NULL,
    updated_at  INTEGER NOT NULL,
    UNIQUE (year, unit_id, metric)
);

CREATE TABLE incidents (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    level       TEXT    NOT NULL,
    title       TEXT    NOT NULL,
    occurred_at INTEGER NOT NULL,
    reported_at INTEGER NOT NULL,
    reported_by TEXT    NOT NULL,
    created_by  TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX incidents_occurred ON incidents(occurred_at);

CREATE TABLE assessment_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    year        INTEGER NOT NULL,
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    event       TEXT    NOT NULL,
    count       INTEGER NOT NULL,
    occurred_on TEXT    NOT NULL,
    description TEXT    NOT NULL,
    incident_id INTEGER REFERENCES incidents(id),
    created_by  TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX assessment_events_year_unit ON assessment_events(year, unit_id);

CREATE TABLE assessment_bonuses (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    year       INTEGER NOT NULL,
    unit_id    INTEGER NOT NULL REFERENCES units(id),
    points     INTEGER NOT NULL,
    reason     TEXT    NOT NULL,
    created_by TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX assessment_bonuses_year_unit ON assessment_bonuses(year, unit_id);

CREATE TABLE assessment_vetoes (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    year           INTEGER NOT NULL,
    unit_id        INTEGER NOT NULL REFERENCES units(id),
    reason         TEXT    NOT NULL,
    evidence       TEXT    NOT NULL,
    status         TEXT    NOT NULL,
    proposed_by_id INTEGER,
    proposed_by    TEXT    NOT NULL,
    proposed_at    INTEGER NOT NULL,
    decided_by     TEXT,
    decided_at     INTEGER,
    decision_note  TEXT,
    revoked_by     TEXT,
    revoked_at     INTEGER,
    revoke_reason  TEXT
);
CREATE INDEX assessment_vetoes_year_unit ON assessment_vetoes(year, unit_id);
