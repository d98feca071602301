-- Emergency plans (应急预案) and drills (应急演练). A plan belongs to a
-- unit; each revision (修订) is a new version row and the old ones stay
-- readable. The plan document lives in its own table so that lists never
-- read it. A drill's units (the organizer among them), people, plans
-- exercised, evaluation per objective and corrective actions hang off it.
-- Dates are ISO `YYYY-MM-DD` text; instants Unix seconds.

CREATE TABLE emergency_plans (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id    INTEGER NOT NULL REFERENCES units(id),
    kind       TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX emergency_plans_unit ON emergency_plans(unit_id);

CREATE TABLE plan_versions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id      INTEGER NOT NULL REFERENCES emergency_plans(id),
    version      INTEGER NOT NULL,
    status       TEXT    NOT NULL,
    title        TEXT    NOT NULL,
    revise_by    TEXT    NOT NULL,
    summary      TEXT    NOT NULL,
    drafted_by   TEXT    NOT NULL,
    drafted_at   INTEGER NOT NULL,
    approved_by  TEXT,
    approved_at  INTEGER,
    published_by TEXT,
    published_at INTEGER,
    filed_by     TEXT,
    filed_at     INTEGER,
    filed_on     TEXT,
    UNIQUE (plan_id, version)
);

CREATE TABLE plan_documents (
    version_id  INTEGER PRIMARY KEY REFERENCES plan_versions(id),
    file_name   TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    size        INTEGER NOT NULL,
    data        BLOB    NOT NULL,
    uploaded_by TEXT    NOT NULL,
    uploaded_at INTEGER NOT NULL
);

CREATE TABLE drills (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    title             TEXT    NOT NULL,
    scenario          TEXT    NOT NULL,
    format            TEXT    NOT NULL,
    organizer_unit_id INTEGER NOT NULL REFERENCES units(id),
    start_at          INTEGER NOT NULL,
    end_at            INTEGER NOT NULL,
    place             TEXT    NOT NULL,
    objectives        TEXT    NOT NULL,
    status            TEXT    NOT NULL DEFAULT 'planned',
    clash_reason      TEXT,
    clashes           TEXT,
    created_by        TEXT    NOT NULL,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    held_by           TEXT,
    held_at           INTEGER,
    evaluated_by      TEXT,
    evaluated_at      INTEGER,
    CHECK (end_at > start_at)
);
CREATE INDEX drills_start ON drills(start_at);

CREATE TABLE drill_plans (
    drill_id INTEGER NOT NULL REFERENCES drills(id),
    plan_id  INTEGER NOT NULL REFERENCES emergency_plans(id),
    PRIMARY KEY (drill_id, plan_id)
);
CREATE INDEX drill_plans_plan ON drill_plans(plan_id);

CREATE TABLE drill_units (
    drill_id INTEGER NOT NULL REFERENCES drills(id),
    unit_id  INTEGER NOT NULL REFERENCES units(id),
    PRIMARY KEY (drill_id, unit_id)
);
CREATE INDEX drill_units_unit ON drill_units(unit_id);

CREATE TABLE drill_people (
    drill_id  INTEGER NOT NULL REFERENCES drills(id),
    person_id INTEGER NOT NULL REFERENCES people(id),
    attended  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (drill_id, person_id)
);
CREATE INDEX drill_people_person ON drill_people(person_id);

CREATE TABLE drill_evaluations (
    drill_id  INTEGER NOT NULL REFERENCES drills(id),
    objective INTEGER NOT NULL,
    rating    TEXT    NOT NULL,
    findings  TEXT    NOT NULL,
    PRIMARY KEY (drill_id, objective)
);

CREATE TABLE corrective_actions (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    drill_id      INTEGER NOT NULL REFERENCES drills(id),
    description   TEXT    NOT NULL,
    owner_unit_id INTEGER NOT NULL REFERENCES units(id),
    due_on        TEXT    NOT NULL,
    created_by    TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    closed_by     TEXT,
    closed_at     INTEGER,
    closing_note  TEXT
);
CREATE INDEX corrective_actions_owner ON corrective_actions(owner_unit_id);
CREATE INDEX corrective_actions_drill ON corrective_actions(drill_id);

-- The secret in a unit's calendar feed address.
ALTER TABLE units ADD COLUMN calendar_token TEXT;
CREATE UNIQUE INDEX units_calendar_token ON units(calendar_token);
