-- +goose Up
-- Who created each organisation, so limits.orgs_per_user can cap how many one
-- user creates. Existing organisations take their creator from the audit log.
ALTER TABLE organizations ADD COLUMN created_by uuid REFERENCES users (id) ON DELETE SET NULL;
UPDATE organizations o SET created_by = a.actor_user_id
FROM audit_log a
WHERE a.org_id = o.id AND a.action = 'org.created' AND a.actor_user_id IS NOT NULL;
CREATE INDEX organizations_created_by_idx ON organizations (created_by);

-- +goose Down
DROP INDEX organizations_created_by_idx;
ALTER TABLE organizations DROP COLUMN created_by;
