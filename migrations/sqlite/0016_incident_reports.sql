-- Incident information reports from the units (突发事件信息报告, issue 15
-- §3). The district's minutes from occurrence to 首报, per level; they
-- apply whether or not an assessment scheme exists.
CREATE TABLE incident_deadlines (
    level      TEXT    PRIMARY KEY,
    minutes    INTEGER NOT NULL,
    updated_by TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
);

-- An incident as its unit reported it: the 首报's facts, when it was due
-- (none when the district had set no deadline for its level) and filed, the `late_report` event a late 首报 became, and when its 终报
-- closed it.
CREATE TABLE unit_incidents (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    level       TEXT    NOT NULL,
    title       TEXT    NOT NULL,
    place       TEXT    NOT NULL,
    occurred_at INTEGER NOT NULL,
    due_at      INTEGER,
    reported_at INTEGER NOT NULL,
    reported_by TEXT    NOT NULL,
    event_id    INTEGER REFERENCES assessment_events(id),
    closed_at   INTEGER
);
CREATE INDEX unit_incidents_open ON unit_incidents(closed_at, unit_id);

-- Each report on an incident in order: 首报, 续报, 终报, 核报 (an answer).
CREATE TABLE unit_incident_reports (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id INTEGER NOT NULL REFERENCES unit_incidents(id),
    stage       TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    injured     INTEGER NOT NULL,
    dead        INTEGER NOT NULL,
    filed_by    TEXT    NOT NULL,
    filed_at    INTEGER NOT NULL
);
CREATE INDEX unit_incident_reports_incident ON unit_incident_reports(incident_id);

-- The office's 核报 requests: one waits at a time (the partial unique
-- index decides between requests racing); answered by a report; a late
-- one becomes a `late_report` event once (`late_at` set with it).
CREATE TABLE unit_incident_verifications (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id INTEGER NOT NULL REFERENCES unit_incidents(id),
    question    TEXT    NOT NULL,
    asked_by    TEXT    NOT NULL,
    asked_at    INTEGER NOT NULL,
    due_at      INTEGER NOT NULL,
    answer_id   INTEGER REFERENCES unit_incident_reports(id),
    answered_at INTEGER,
    late_at     INTEGER,
    event_id    INTEGER REFERENCES assessment_events(id)
);
CREATE UNIQUE INDEX unit_incident_verifications_waiting
    ON unit_incident_verifications(incident_id) WHERE answered_at IS NULL;
CREATE INDEX unit_incident_verifications_due ON unit_incident_verifications(due_at);
CREATE TRIGGER data_version_incident_deadlines_i AFTER INSERT ON incident_deadlines BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_incident_deadlines_u AFTER UPDATE ON incident_deadlines BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_incident_deadlines_d AFTER DELETE ON incident_deadlines BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_unit_incidents_i AFTER INSERT ON unit_incidents BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_unit_incidents_u AFTER UPDATE ON unit_incidents BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_unit_incidents_d AFTER DELETE ON unit_incidents BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_unit_incident_reports_i AFTER INSERT ON unit_incident_reports BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_unit_incident_reports_u AFTER UPDATE ON unit_incident_reports BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_unit_incident_reports_d AFTER DELETE ON unit_incident_reports BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_unit_incident_verifications_i AFTER INSERT ON unit_incident_verifications BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_unit_incident_verifications_u AFTER UPDATE ON unit_incident_verifications BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_unit_incident_verifications_d AFTER DELETE ON unit_incident_verifications BEGIN UPDATE data_version SET version = version + 1; END;
