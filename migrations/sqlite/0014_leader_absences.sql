-- Leaders' absence reports (领导外出请假报备, issue 15 §4): a leader files
-- the days, where and why, and who deputises; someone else who keeps the
-- unit's duty approves or refuses. Approved, the days are unavailable for
-- duty rosters, the training scheduler and drills, and a published duty
-- the leader holds on them shows as an open slot on the board.
CREATE TABLE leader_absences (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id   INTEGER NOT NULL REFERENCES people(id),
    first_day   TEXT    NOT NULL,
    last_day    TEXT    NOT NULL,
    destination TEXT    NOT NULL,
    reason      TEXT    NOT NULL,
    deputy      TEXT    NOT NULL,
    status      TEXT    NOT NULL,
    filed_by    TEXT    NOT NULL,
    filed_at    INTEGER NOT NULL,
    decided_by  TEXT,
    decided_at  INTEGER
);
CREATE INDEX leader_absences_days ON leader_absences(status, first_day, last_day);
CREATE INDEX leader_absences_person ON leader_absences(person_id);
CREATE TRIGGER data_version_leader_absences_i AFTER INSERT ON leader_absences BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_leader_absences_u AFTER UPDATE ON leader_absences BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_leader_absences_d AFTER DELETE ON leader_absences BEGIN UPDATE data_version SET version = version + 1; END;
