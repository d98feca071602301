-- Swaps between two people on a published roster (issue 15 §1): asked by
-- one, accepted by the other, approved or refused by the unit's organizer
-- (neither of the two); either may withdraw it while it is open. Approved,
-- the two slots change hands. Each step is audited.
CREATE TABLE duty_swaps (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    roster_id   INTEGER NOT NULL REFERENCES duty_rosters(id),
    asker_slot  INTEGER NOT NULL REFERENCES duty_slots(id),
    other_slot  INTEGER NOT NULL REFERENCES duty_slots(id),
    asker_id    INTEGER NOT NULL REFERENCES people(id),
    other_id    INTEGER NOT NULL REFERENCES people(id),
    status      TEXT    NOT NULL,
    reason      TEXT    NOT NULL,
    asked_at    INTEGER NOT NULL,
    decided_by  TEXT,
    decided_at  INTEGER
);
CREATE INDEX duty_swaps_roster ON duty_swaps(roster_id, status);
CREATE TRIGGER data_version_duty_swaps_i AFTER INSERT ON duty_swaps BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_duty_swaps_u AFTER UPDATE ON duty_swaps BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_duty_swaps_d AFTER DELETE ON duty_swaps BEGIN UPDATE data_version SET version = version + 1; END;
