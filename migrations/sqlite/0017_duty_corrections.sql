-- Corrections in the duty office (after a review of issue 15's work).
--
-- A spot check recorded by mistake is voided with a reason, never deleted:
-- its `duty_absence` event is withdrawn, the change log naming the check.
ALTER TABLE duty_checks ADD COLUMN voided_at INTEGER;
ALTER TABLE duty_checks ADD COLUMN voided_by TEXT;
ALTER TABLE duty_checks ADD COLUMN void_reason TEXT;

-- A changed daily-report rule applies from the next day: the rule in force
-- today stays until then, so a deadline moved earlier at 11:00 never makes
-- units miss a deadline that was not theirs when the day began.
ALTER TABLE daily_report_rules ADD COLUMN next_deadline_minute INTEGER;
ALTER TABLE daily_report_rules ADD COLUMN next_kinds TEXT;
ALTER TABLE daily_report_rules ADD COLUMN next_from TEXT;
