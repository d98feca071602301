-- Two-person rules that one person could undo (issue 12). Revoking a
-- confirmed veto and reopening a published year become requests a second
-- person confirms; a plan is approved by someone who did not write it, so
-- each version knows its authors by account, and its document's uploader.

-- A revocation waiting for a second assessor (its reason is kept in
-- revoke_reason); the veto stays confirmed, and counts, meanwhile.
ALTER TABLE assessment_vetoes ADD COLUMN revoke_proposed_by_id BIGINT;
ALTER TABLE assessment_vetoes ADD COLUMN revoke_proposed_by TEXT;
ALTER TABLE assessment_vetoes ADD COLUMN revoke_proposed_at BIGINT;
ALTER TABLE assessment_vetoes ADD COLUMN revoked_by_id BIGINT;

-- A request to reopen a published year; the year stays published until a
-- second scheme manager confirms it.
ALTER TABLE assessment_schemes ADD COLUMN reopen_proposed_by_id BIGINT;
ALTER TABLE assessment_schemes ADD COLUMN reopen_proposed_by TEXT;
ALTER TABLE assessment_schemes ADD COLUMN reopen_proposed_at BIGINT;
ALTER TABLE assessment_schemes ADD COLUMN reopen_reason TEXT;

ALTER TABLE plan_versions ADD COLUMN drafted_by_id BIGINT;
-- Everyone who changed the draft, as |id|id|: an editor stays an author
-- when someone edits after them.
ALTER TABLE plan_versions ADD COLUMN edited_by_ids TEXT NOT NULL DEFAULT '|';
ALTER TABLE plan_versions ADD COLUMN approved_by_id BIGINT;
ALTER TABLE plan_documents ADD COLUMN uploaded_by_id BIGINT;

-- What was stored by user name is matched to its account where one has
-- that name (a command's `system:...` has none).
UPDATE assessment_vetoes
   SET revoked_by_id = (SELECT a.id FROM accounts a WHERE a.username = assessment_vetoes.revoked_by)
 WHERE revoked_by IS NOT NULL;
UPDATE plan_versions
   SET drafted_by_id = (SELECT a.id FROM accounts a WHERE a.username = plan_versions.drafted_by);
UPDATE plan_versions
   SET approved_by_id = (SELECT a.id FROM accounts a WHERE a.username = plan_versions.approved_by)
 WHERE approved_by IS NOT NULL;
UPDATE plan_documents
   SET uploaded_by_id = (SELECT a.id FROM accounts a WHERE a.username = plan_documents.uploaded_by);
