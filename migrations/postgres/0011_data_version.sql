-- The data's version (issue 14 section 3): one number that every
-- transaction changing the data moves, so that a page computed from the
-- data (a ranking, the coverage, a calendar month, the home page's counts)
-- can be kept and served again until the data moves, on every app instance
-- that reads this database. Moved by triggers, so no write can forget it:
-- every table except the sessions, the log-in throttle's and the upload
-- staging area (written on every request or sign-in, read by no cached
-- page). A test checks that every other table has its trigger.
--
-- PostgreSQL: a deferred trigger, so that the row is locked only while a
-- transaction commits (taken last and at once released, it cannot close a
-- cycle of waits with the rows a transaction changed), and moved once per
-- transaction (a transaction-local setting remembers it).
CREATE TABLE data_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT  NOT NULL
);
INSERT INTO data_version (id, version) VALUES (1, 1);

CREATE FUNCTION data_version_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('yingji.data_moved', true) IS DISTINCT FROM 'yes' THEN
        UPDATE data_version SET version = version + 1;
        PERFORM set_config('yingji.data_moved', 'yes', true);
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER data_version_units AFTER INSERT OR UPDATE OR DELETE ON units DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_version_move();
CREATE CONSTRAINT TRIGGER data_version_accounts AFTER INSERT OR UPDATE OR DELETE ON accounts DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_version_move();
CREATE CONSTRAINT TRIGGER data_version_account_roles AFTER INSERT OR UPDATE OR DELETE ON account_roles DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_version_move();
CREATE CONSTRAINT TRIGGER data_version_people AFTER INSERT OR UPDATE OR DELETE ON people DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_version_move();
CREATE CONSTRAINT TRIGGER data_version_audit_log AFTER INSERT OR UPDATE OR DELETE ON audit_log DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_version_move();
CREATE CONSTRAINT TRIGGER data_version_meta AFTER INSERT OR UPDATE OR DELETE ON meta DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_version_move();
CREATE CONSTRAINT TRIGGER data_version_assessment_schemes AFTER INSERT OR UPDATE OR DELETE ON assessment_schemes DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_version_move();
CREATE CONSTRAINT TRIGGER data_version_assessment_scores AFTER INSERT OR UPDATE OR DELETE ON assessment_scores DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_version_move();
CREATE CONSTRAINT TRIGGER data_version_assessment_metrics AFTER INSERT OR UPDATE OR DELETE ON assessment_metrics DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_version_move();
CREATE CONSTRAINT TRIGGER data_version_incidents AFTER INSERT OR UPDATE OR DELETE ON incidents DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_version_move();
CREATE CONSTRAINT TRIGGER data_version_assessment_events AFTER INSERT OR UPDATE OR DELETE ON assessment_events DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_version_move();
CREATE CONSTRAINT TRIGGER data_version_assessment_bonuses AFTER INSERT OR UPDATE OR DELETE ON assessment_bonuses DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_version_move();
CREATE CONSTRAINT TRIGGER data_version_assessment_vetoes AFTER INSERT OR UPDATE OR DELETE ON assessment_vetoes DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_version_move();
CREATE CONSTRAINT TRIGGER data_version_courses AFTER INSERT OR UPDATE OR DELETE ON courses DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_version_move();
CREATE CONSTRAINT TRIGGER data_version_training_plans AFTER INSERT OR UPDATE OR DELETE ON training_plans DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_version_move();
CREATE CONSTRAINT TRIGGER data_version_training_batches AFTER INSERT OR UPDATE OR DELETE ON training_batches DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_version_move();
CREATE CONSTRAINT TRIGGER data_version_training_seats AFTER INSERT OR UPDATE OR DELETE ON training_seats DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_version_move();
CREATE CONSTRAINT TRIGGER data_version_training_unplaced AFTER INSERT OR UPDATE OR DELETE ON training_unplaced DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_version_move();
CREATE CONSTRAINT TRIGGER data_version_leave_days AFTER INSERT OR UPDATE OR DELETE ON leave_days DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_version_move();
CREATE CONSTRAINT TRIGGER data_version_quiz_attempts AFTER INSERT OR UPDATE OR DELETE ON quiz_attempts DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_version_move();
CREATE CONSTRAINT TRIGGER data_version_completions AFTER INSERT OR UPDATE OR DELETE ON completions DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_version_move();
CREATE CONSTRAINT TRIGGER data_version_notifications AFTER INSERT OR UPDATE OR DELETE ON notifications DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_version_move();
CREATE CONSTRAINT TRIGGER data_version_rectification_orders AFTER INSERT OR UPDATE OR DELETE ON rectification_orders DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_version_move();
CREATE CONSTRAINT TRIGGER data_version_emergency_plans AFTER INSERT OR UPDATE OR DELETE ON emergency_plans DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_version_move();
CREATE CONSTRAINT TRIGGER data_version_plan_versions AFTER INSERT OR UPDATE OR DELETE ON plan_versions DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_version_move();
CREATE CONSTRAINT TRIGGER data_version_plan_documents AFTER INSERT OR UPDATE OR DELETE ON plan_documents DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_version_move();
CREATE CONSTRAINT TRIGGER data_version_drills AFTER INSERT OR UPDATE OR DELETE ON drills DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_version_move();
CREATE CONSTRAINT TRIGGER data_version_drill_plans AFTER INSERT OR UPDATE OR DELETE ON drill_plans DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_version_move();
CREATE CONSTRAINT TRIGGER data_version_drill_units AFTER INSERT OR UPDATE OR DELETE ON drill_units DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_version_move();
CREATE CONSTRAINT TRIGGER data_version_drill_people AFTER INSERT OR UPDATE OR DELETE ON drill_people DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_version_move();
CREATE CONSTRAINT TRIGGER data_version_drill_evaluations AFTER INSERT OR UPDATE OR DELETE ON drill_evaluations DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_version_move();
CREATE CONSTRAINT TRIGGER data_version_corrective_actions AFTER INSERT OR UPDATE OR DELETE ON corrective_actions DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_version_move();
CREATE CONSTRAINT TRIGGER data_version_registry_entries AFTER INSERT OR UPDATE OR DELETE ON registry_entries DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_version_move();
CREATE CONSTRAINT TRIGGER data_version_confirmation_drives AFTER INSERT OR UPDATE OR DELETE ON confirmation_drives DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_version_move();
CREATE CONSTRAINT TRIGGER data_version_certificates AFTER INSERT OR UPDATE OR DELETE ON certificates DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_version_move();
CREATE CONSTRAINT TRIGGER data_version_certificate_sequences AFTER INSERT OR UPDATE OR DELETE ON certificate_sequences DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_version_move();
CREATE CONSTRAINT TRIGGER data_version_assessment_changes AFTER INSERT OR UPDATE OR DELETE ON assessment_changes DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_version_move();
CREATE CONSTRAINT TRIGGER data_version_assessment_seen AFTER INSERT OR UPDATE OR DELETE ON assessment_seen DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_version_move();
CREATE CONSTRAINT TRIGGER data_version_assessment_snapshots AFTER INSERT OR UPDATE OR DELETE ON assessment_snapshots DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_version_move();
CREATE CONSTRAINT TRIGGER data_version_assessment_snapshot_units AFTER INSERT OR UPDATE OR DELETE ON assessment_snapshot_units DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_version_move();
CREATE CONSTRAINT TRIGGER data_version_reminders_sent AFTER INSERT OR UPDATE OR DELETE ON reminders_sent DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_version_move();
