-- Evidence an office can sign (issue 13): where each metric value came
-- from, overrides kept apart from what the platform computes, a log of
-- every change to a figure an assessment reads, what each assessor last
-- looked at, and the evidence frozen when a year is published.

-- A metric value is computed (by a sync, from the platform's records),
-- entered (a metric nothing computes) or an override (an assessor's value
-- for a computed metric, with a reason; syncs then write only computed_*).
-- source names the record behind the last change (plan:12, drill:3, ...).
ALTER TABLE assessment_metrics ADD COLUMN origin TEXT NOT NULL DEFAULT 'entered';
ALTER TABLE assessment_metrics ADD COLUMN reason TEXT NOT NULL DEFAULT '';
ALTER TABLE assessment_metrics ADD COLUMN computed_numerator INTEGER;
ALTER TABLE assessment_metrics ADD COLUMN computed_denominator INTEGER;
ALTER TABLE assessment_metrics ADD COLUMN computed_at INTEGER;
ALTER TABLE assessment_metrics ADD COLUMN source TEXT NOT NULL DEFAULT '';

-- One row per unit and figure changed: a score, a metric value, an event,
-- a bonus, a veto. Append-only, like the audit log; the results page's
-- "since you last looked" reads it.
CREATE TABLE assessment_changes (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    year    INTEGER NOT NULL,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    item    TEXT    NOT NULL,
    before  TEXT    NOT NULL DEFAULT '',
    after   TEXT    NOT NULL DEFAULT '',
    cause   TEXT    NOT NULL,
    source  TEXT    NOT NULL DEFAULT '',
    actor   TEXT    NOT NULL,
    at      INTEGER NOT NULL
);
CREATE INDEX assessment_changes_year ON assessment_changes(year, id);
CREATE TRIGGER assessment_changes_no_update BEFORE UPDATE ON assessment_changes
BEGIN
    SELECT RAISE(ABORT, 'assessment_changes is append-only');
END;
CREATE TRIGGER assessment_changes_no_delete BEFORE DELETE ON assessment_changes
BEGIN
    SELECT RAISE(ABORT, 'assessment_changes is append-only');
END;

-- What an assessor saw last on a scheme's results: the newest change and
-- every unit's total then (JSON).
CREATE TABLE assessment_seen (
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    scheme_id   INTEGER NOT NULL REFERENCES assessment_schemes(id),
    last_change INTEGER NOT NULL,
    seen_at     INTEGER NOT NULL,
    totals      TEXT    NOT NULL,
    PRIMARY KEY (account_id, scheme_id)
);

-- Publishing freezes what the results used: per unit, the unit as it was,
-- the sheet the rules read, and the detail the explanation shows (JSON).
-- A scheme's snapshot_id names the one its published results read; older
-- snapshots (published, reopened, published again) are kept.
CREATE TABLE assessment_snapshots (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    scheme_id INTEGER NOT NULL REFERENCES assessment_schemes(id),
    taken_at  INTEGER NOT NULL,
    taken_by  TEXT    NOT NULL
);
CREATE TABLE assessment_snapshot_units (
    snapshot_id INTEGER NOT NULL REFERENCES assessment_snapshots(id),
    unit_id     INTEGER NOT NULL,
    unit        TEXT    NOT NULL,
    sheet       TEXT    NOT NULL,
    detail      TEXT    NOT NULL,
    PRIMARY KEY (snapshot_id, unit_id)
);
ALTER TABLE assessment_schemes ADD COLUMN snapshot_id INTEGER;
