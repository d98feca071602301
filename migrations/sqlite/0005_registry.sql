-- The registry of earthquake-reporting assistants: 防震减灾助理员 (one
-- entry per subdistrict at least) and 灾情速报员 (per village or
-- community), each a person with a role in a unit, confirmed by someone;
-- confirmation drives after a change of staff (换届) clear the
-- confirmations of a subtree; certificates from certifying courses, with
-- a district-wide number sequence per year. Dates are ISO text; instants
-- Unix seconds.

CREATE TABLE registry_entries (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id    INTEGER NOT NULL REFERENCES people(id),
    role         TEXT    NOT NULL,
    unit_id      INTEGER NOT NULL REFERENCES units(id),
    phone        TEXT,
    appointed_on TEXT    NOT NULL,
    confirmed_by TEXT,
    confirmed_at INTEGER,
    created_by   TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    UNIQUE (person_id, role)
);
CREATE INDEX registry_entries_unit ON registry_entries(unit_id);

CREATE TABLE confirmation_drives (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id    INTEGER NOT NULL REFERENCES units(id),
    reason     TEXT    NOT NULL,
    started_by TEXT    NOT NULL,
    started_at INTEGER NOT NULL
);

CREATE TABLE certificates (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    number        TEXT    NOT NULL UNIQUE,
    person_id     INTEGER NOT NULL REFERENCES people(id),
    course_id     INTEGER NOT NULL REFERENCES courses(id),
    completion_id INTEGER REFERENCES completions(id),
    issued_on     TEXT    NOT NULL,
    expires_on    TEXT,
    revoked_at    INTEGER,
    revoked_by    TEXT,
    revoke_reason TEXT,
    created_at    INTEGER NOT NULL
);
CREATE INDEX certificates_person ON certificates(person_id);

CREATE TABLE certificate_sequences (
    year INTEGER PRIMARY KEY,
    last INTEGER NOT NULL
);
