-- The data's version (issue 14 section 3): one number that every
-- transaction changing the data moves, so that a page computed from the
-- data (a ranking, the coverage, a calendar month, the home page's counts)
-- can be kept and served again until the data moves, on every app instance
-- that reads this database. Moved by triggers, so no write can forget it:
-- every table except the sessions, the log-in throttle's and the upload
-- staging area (written on every request or sign-in, read by no cached
-- page). A test checks that every other table has its trigger.
--
-- SQLite: a trigger per row and statement kind (SQLite has no statement
-- triggers); writers take turns anyway, so the one row is no contention.
CREATE TABLE data_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO data_version (id, version) VALUES (1, 1);
CREATE TRIGGER data_version_units_i AFTER INSERT ON units BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_units_u AFTER UPDATE ON units BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_units_d AFTER DELETE ON units BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_accounts_i AFTER INSERT ON accounts BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_accounts_u AFTER UPDATE ON accounts BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_accounts_d AFTER DELETE ON accounts BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_account_roles_i AFTER INSERT ON account_roles BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_account_roles_u AFTER UPDATE ON account_roles BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_account_roles_d AFTER DELETE ON account_roles BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_people_i AFTER INSERT ON people BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_people_u AFTER UPDATE ON people BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_people_d AFTER DELETE ON people BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_audit_log_i AFTER INSERT ON audit_log BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_audit_log_u AFTER UPDATE ON audit_log BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_audit_log_d AFTER DELETE ON audit_log BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_meta_i AFTER INSERT ON meta BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_meta_u AFTER UPDATE ON meta BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_meta_d AFTER DELETE ON meta BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_assessment_schemes_i AFTER INSERT ON assessment_schemes BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_assessment_schemes_u AFTER UPDATE ON assessment_schemes BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_assessment_schemes_d AFTER DELETE ON assessment_schemes BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_assessment_scores_i AFTER INSERT ON assessment_scores BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_assessment_scores_u AFTER UPDATE ON assessment_scores BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_assessment_scores_d AFTER DELETE ON assessment_scores BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_assessment_metrics_i AFTER INSERT ON assessment_metrics BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_assessment_metrics_u AFTER UPDATE ON assessment_metrics BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_assessment_metrics_d AFTER DELETE ON assessment_metrics BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_incidents_i AFTER INSERT ON incidents BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_incidents_u AFTER UPDATE ON incidents BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_incidents_d AFTER DELETE ON incidents BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_assessment_events_i AFTER INSERT ON assessment_events BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_assessment_events_u AFTER UPDATE ON assessment_events BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_assessment_events_d AFTER DELETE ON assessment_events BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_assessment_bonuses_i AFTER INSERT ON assessment_bonuses BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_assessment_bonuses_u AFTER UPDATE ON assessment_bonuses BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_assessment_bonuses_d AFTER DELETE ON assessment_bonuses BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_assessment_vetoes_i AFTER INSERT ON assessment_vetoes BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_assessment_vetoes_u AFTER UPDATE ON assessment_vetoes BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_assessment_vetoes_d AFTER DELETE ON assessment_vetoes BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_courses_i AFTER INSERT ON courses BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_courses_u AFTER UPDATE ON courses BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_courses_d AFTER DELETE ON courses BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_training_plans_i AFTER INSERT ON training_plans BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_training_plans_u AFTER UPDATE ON training_plans BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_training_plans_d AFTER DELETE ON training_plans BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_training_batches_i AFTER INSERT ON training_batches BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_training_batches_u AFTER UPDATE ON training_batches BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_training_batches_d AFTER DELETE ON training_batches BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_training_seats_i AFTER INSERT ON training_seats BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_training_seats_u AFTER UPDATE ON training_seats BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_training_seats_d AFTER DELETE ON training_seats BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_training_unplaced_i AFTER INSERT ON training_unplaced BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_training_unplaced_u AFTER UPDATE ON training_unplaced BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_training_unplaced_d AFTER DELETE ON training_unplaced BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_leave_days_i AFTER INSERT ON leave_days BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_leave_days_u AFTER UPDATE ON leave_days BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_leave_days_d AFTER DELETE ON leave_days BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_quiz_attempts_i AFTER INSERT ON quiz_attempts BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_quiz_attempts_u AFTER UPDATE ON quiz_attempts BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_quiz_attempts_d AFTER DELETE ON quiz_attempts BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_completions_i AFTER INSERT ON completions BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_completions_u AFTER UPDATE ON completions BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_completions_d AFTER DELETE ON completions BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_notifications_i AFTER INSERT ON notifications BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_notifications_u AFTER UPDATE ON notifications BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_notifications_d AFTER DELETE ON notifications BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_rectification_orders_i AFTER INSERT ON rectification_orders BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_rectification_orders_u AFTER UPDATE ON rectification_orders BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_rectification_orders_d AFTER DELETE ON rectification_orders BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_emergency_plans_i AFTER INSERT ON emergency_plans BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_emergency_plans_u AFTER UPDATE ON emergency_plans BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_emergency_plans_d AFTER DELETE ON emergency_plans BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_plan_versions_i AFTER INSERT ON plan_versions BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_plan_versions_u AFTER UPDATE ON plan_versions BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_plan_versions_d AFTER DELETE ON plan_versions BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_plan_documents_i AFTER INSERT ON plan_documents BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_plan_documents_u AFTER UPDATE ON plan_documents BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_plan_documents_d AFTER DELETE ON plan_documents BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_drills_i AFTER INSERT ON drills BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_drills_u AFTER UPDATE ON drills BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_drills_d AFTER DELETE ON drills BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_drill_plans_i AFTER INSERT ON drill_plans BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_drill_plans_u AFTER UPDATE ON drill_plans BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_drill_plans_d AFTER DELETE ON drill_plans BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_drill_units_i AFTER INSERT ON drill_units BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_drill_units_u AFTER UPDATE ON drill_units BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_drill_units_d AFTER DELETE ON drill_units BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_drill_people_i AFTER INSERT ON drill_people BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_drill_people_u AFTER UPDATE ON drill_people BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_drill_people_d AFTER DELETE ON drill_people BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_drill_evaluations_i AFTER INSERT ON drill_evaluations BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_drill_evaluations_u AFTER UPDATE ON drill_evaluations BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_drill_evaluations_d AFTER DELETE ON drill_evaluations BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_corrective_actions_i AFTER INSERT ON corrective_actions BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_corrective_actions_u AFTER UPDATE ON corrective_actions BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_corrective_actions_d AFTER DELETE ON corrective_actions BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_registry_entries_i AFTER INSERT ON registry_entries BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_registry_entries_u AFTER UPDATE ON registry_entries BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_registry_entries_d AFTER DELETE ON registry_entries BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_confirmation_drives_i AFTER INSERT ON confirmation_drives BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_confirmation_drives_u AFTER UPDATE ON confirmation_drives BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_confirmation_drives_d AFTER DELETE ON confirmation_drives BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_certificates_i AFTER INSERT ON certificates BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_certificates_u AFTER UPDATE ON certificates BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_certificates_d AFTER DELETE ON certificates BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_certificate_sequences_i AFTER INSERT ON certificate_sequences BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_certificate_sequences_u AFTER UPDATE ON certificate_sequences BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_certificate_sequences_d AFTER DELETE ON certificate_sequences BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_assessment_changes_i AFTER INSERT ON assessment_changes BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_assessment_changes_u AFTER UPDATE ON assessment_changes BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_assessment_changes_d AFTER DELETE ON assessment_changes BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_assessment_seen_i AFTER INSERT ON assessment_seen BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_assessment_seen_u AFTER UPDATE ON assessment_seen BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_assessment_seen_d AFTER DELETE ON assessment_seen BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_assessment_snapshots_i AFTER INSERT ON assessment_snapshots BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_assessment_snapshots_u AFTER UPDATE ON assessment_snapshots BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_assessment_snapshots_d AFTER DELETE ON assessment_snapshots BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_assessment_snapshot_units_i AFTER INSERT ON assessment_snapshot_units BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_assessment_snapshot_units_u AFTER UPDATE ON assessment_snapshot_units BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_assessment_snapshot_units_d AFTER DELETE ON assessment_snapshot_units BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_reminders_sent_i AFTER INSERT ON reminders_sent BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_reminders_sent_u AFTER UPDATE ON reminders_sent BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_reminders_sent_d AFTER DELETE ON reminders_sent BEGIN UPDATE data_version SET version = version + 1; END;
