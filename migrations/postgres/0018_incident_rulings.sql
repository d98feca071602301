-- The office's ruling on an incident's facts (核定): the level and the time
-- it happened as established, who ruled, when and why. From then on the
-- 首报's lateness is judged by the ruling, not by what the unit declared;
-- the `late_report` event follows (added or withdrawn, the change log
-- naming the incident).
ALTER TABLE unit_incidents ADD COLUMN ruled_level TEXT;
ALTER TABLE unit_incidents ADD COLUMN ruled_occurred_at BIGINT;
ALTER TABLE unit_incidents ADD COLUMN ruled_by TEXT;
ALTER TABLE unit_incidents ADD COLUMN ruled_at BIGINT;
ALTER TABLE unit_incidents ADD COLUMN ruling_reason TEXT;
