-- The duty office, part 1 (issue 15 §1): 24-hour duty with a leader on
-- duty (24小时值班、领导带班).
--
-- duty_periods: the district's calendar of holidays and sensitive periods
-- (节假日、敏感时期) the office keeps: a holiday counts as a holiday duty;
-- either kind may ask for more staff and always asks for a leader.
CREATE TABLE duty_periods (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    first_day   TEXT    NOT NULL,
    last_day    TEXT    NOT NULL,
    extra_staff INTEGER NOT NULL,
    created_by  TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX duty_periods_days ON duty_periods(first_day, last_day);

-- A unit stands duty once it has settings: how many staff and leaders a
-- day, and the free days between two duties of one person.
CREATE TABLE duty_settings (
    unit_id         INTEGER PRIMARY KEY REFERENCES units(id),
    staff_per_day   INTEGER NOT NULL,
    leaders_per_day INTEGER NOT NULL,
    min_rest_days   INTEGER NOT NULL,
    updated_by      TEXT    NOT NULL,
    updated_at      INTEGER NOT NULL
);

-- A roster of one unit over a period: a draft until published; published
-- rosters of one unit never cover the same day twice (the service checks
-- it inside the publishing transaction).
CREATE TABLE duty_rosters (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id      INTEGER NOT NULL REFERENCES units(id),
    first_day    TEXT    NOT NULL,
    last_day     TEXT    NOT NULL,
    status       TEXT    NOT NULL,
    created_by   TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    published_by TEXT,
    published_at INTEGER
);
CREATE INDEX duty_rosters_unit ON duty_rosters(unit_id, first_day);

CREATE TABLE duty_slots (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    roster_id INTEGER NOT NULL REFERENCES duty_rosters(id),
    day       TEXT    NOT NULL,
    role      TEXT    NOT NULL,
    person_id INTEGER NOT NULL REFERENCES people(id),
    UNIQUE (roster_id, day, person_id)
);
CREATE INDEX duty_slots_day ON duty_slots(day);
CREATE INDEX duty_slots_person ON duty_slots(person_id, day);

-- Slots nobody could take, with why: `why_json` lists each person of the
-- role who was not on duty that day and the reason.
CREATE TABLE duty_gaps (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    roster_id INTEGER NOT NULL REFERENCES duty_rosters(id),
    day       TEXT    NOT NULL,
    role      TEXT    NOT NULL,
    missing   INTEGER NOT NULL,
    why_json  TEXT    NOT NULL
);
CREATE INDEX duty_gaps_roster ON duty_gaps(roster_id, day);

-- The office's spot checks (值班督导检查). A failed one becomes a
-- `duty_absence` event in the unit's assessment (event_id), unless the
-- year was already published then.
CREATE TABLE duty_checks (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id    INTEGER NOT NULL REFERENCES units(id),
    checked_at INTEGER NOT NULL,
    called     TEXT    NOT NULL,
    answered   INTEGER NOT NULL,
    on_post    TEXT    NOT NULL,
    passed     INTEGER NOT NULL,
    note       TEXT    NOT NULL,
    event_id   INTEGER REFERENCES assessment_events(id),
    created_by TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX duty_checks_at ON duty_checks(checked_at);

-- The record an automatic event came from (`duty_check:12`), shown and
-- linked on the assessment's pages; such an event is changed only there.
ALTER TABLE assessment_events ADD COLUMN source TEXT;
CREATE TRIGGER data_version_duty_periods_i AFTER INSERT ON duty_periods BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_duty_periods_u AFTER UPDATE ON duty_periods BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_duty_periods_d AFTER DELETE ON duty_periods BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_duty_settings_i AFTER INSERT ON duty_settings BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_duty_settings_u AFTER UPDATE ON duty_settings BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_duty_settings_d AFTER DELETE ON duty_settings BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_duty_rosters_i AFTER INSERT ON duty_rosters BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_duty_rosters_u AFTER UPDATE ON duty_rosters BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_duty_rosters_d AFTER DELETE ON duty_rosters BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_duty_slots_i AFTER INSERT ON duty_slots BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_duty_slots_u AFTER UPDATE ON duty_slots BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_duty_slots_d AFTER DELETE ON duty_slots BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_duty_gaps_i AFTER INSERT ON duty_gaps BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_duty_gaps_u AFTER UPDATE ON duty_gaps BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_duty_gaps_d AFTER DELETE ON duty_gaps BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_duty_checks_i AFTER INSERT ON duty_checks BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_duty_checks_u AFTER UPDATE ON duty_checks BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_duty_checks_d AFTER DELETE ON duty_checks BEGIN UPDATE data_version SET version = version + 1; END;
