-- Reminders that went out (issue 13 §5): certificates nearing expiry,
-- corrective actions and rectification orders nearing or past their
-- deadline, plans due for revision. One row per thing, due day, lead time,
-- person and channel: the unique key is what makes each go out once, also
-- when several app instances look at the same time.
CREATE TABLE reminders_sent (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    kind      TEXT    NOT NULL,
    subject   TEXT    NOT NULL,
    title     TEXT    NOT NULL,
    unit_id   INTEGER NOT NULL REFERENCES units(id),
    due_on    TEXT    NOT NULL,
    lead_days INTEGER NOT NULL,
    person_id INTEGER NOT NULL REFERENCES people(id),
    channel   TEXT    NOT NULL,
    sent_at   INTEGER NOT NULL,
    UNIQUE (kind, subject, due_on, lead_days, person_id, channel)
);
CREATE INDEX reminders_sent_at ON reminders_sent(sent_at);
