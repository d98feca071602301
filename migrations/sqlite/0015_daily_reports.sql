-- Daily and zero reports (日报告/零报告, issue 15 §2). The district's rule
-- (one row): which unit kinds report every day and by which minute of the
-- day; the first day it applied and the last day settled, so that each
-- day is settled once.
CREATE TABLE daily_report_rules (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    deadline_minute INTEGER NOT NULL,
    kinds           TEXT    NOT NULL,
    effective_from  TEXT    NOT NULL,
    settled_through TEXT,
    updated_by      TEXT    NOT NULL,
    updated_at      INTEGER NOT NULL
);

-- One report a unit a day: a zero report has no counts and no summary.
CREATE TABLE daily_reports (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id      INTEGER NOT NULL REFERENCES units(id),
    day          TEXT    NOT NULL,
    incidents    INTEGER NOT NULL,
    injured      INTEGER NOT NULL,
    dead         INTEGER NOT NULL,
    summary      TEXT    NOT NULL,
    submitted_by TEXT    NOT NULL,
    submitted_at INTEGER NOT NULL,
    UNIQUE (unit_id, day)
);
CREATE INDEX daily_reports_day ON daily_reports(day);

-- A day a unit reported late or not at all (the deadline it missed, as
-- an instant), once (the unique key decides
-- between app instances), with the `missed_zero_report` event it became
-- and, if the office excused it, who, when and why (the event is then
-- withdrawn).
CREATE TABLE daily_report_misses (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id    INTEGER NOT NULL REFERENCES units(id),
    day        TEXT    NOT NULL,
    late       INTEGER NOT NULL,
    deadline   INTEGER NOT NULL,
    event_id   INTEGER REFERENCES assessment_events(id),
    created_at INTEGER NOT NULL,
    excused_by TEXT,
    excused_at INTEGER,
    excuse     TEXT,
    UNIQUE (unit_id, day)
);
CREATE INDEX daily_report_misses_day ON daily_report_misses(day);

-- Reminders the office sent a unit for a day's report.
CREATE TABLE daily_report_reminders (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    day     TEXT    NOT NULL,
    sent_by TEXT    NOT NULL,
    sent_at INTEGER NOT NULL
);
CREATE INDEX daily_report_reminders_day ON daily_report_reminders(day, unit_id);
CREATE TRIGGER data_version_daily_report_rules_i AFTER INSERT ON daily_report_rules BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_daily_report_rules_u AFTER UPDATE ON daily_report_rules BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_daily_report_rules_d AFTER DELETE ON daily_report_rules BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_daily_reports_i AFTER INSERT ON daily_reports BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_daily_reports_u AFTER UPDATE ON daily_reports BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_daily_reports_d AFTER DELETE ON daily_reports BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_daily_report_misses_i AFTER INSERT ON daily_report_misses BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_daily_report_misses_u AFTER UPDATE ON daily_report_misses BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_daily_report_misses_d AFTER DELETE ON daily_report_misses BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_daily_report_reminders_i AFTER INSERT ON daily_report_reminders BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_daily_report_reminders_u AFTER UPDATE ON daily_report_reminders BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_daily_report_reminders_d AFTER DELETE ON daily_report_reminders BEGIN UPDATE data_version SET version = version + 1; END;
