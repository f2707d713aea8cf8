-- +goose Up
-- An invitation is valid only while its inviter is an ADMIN of the
-- organisation. Until now one whose inviter was demoted or removed was only
-- refused while that lasted, and worked again if they were made ADMIN again;
-- from now on demoting or removing an ADMIN revokes the invitations they sent,
-- and those already void are revoked here, in the audit log like any other.
WITH revoked AS (
    DELETE FROM invitations i
    WHERE i.accepted_at IS NULL AND i.expires_at > now()
      AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.org_id = i.org_id AND m.user_id = i.invited_by AND m.role = 'ADMIN')
    RETURNING i.id, i.org_id, i.email, i.role, i.invited_by
)
INSERT INTO audit_log (org_id, action, target_type, target_id, metadata)
SELECT org_id, 'org.invitation.revoked', 'invitation', id::text,
       jsonb_build_object('email', email, 'role', role, 'invited_by', invited_by, 'reason', 'inviter no longer an ADMIN')
FROM revoked;

-- +goose Down
-- Revoked invitations stay revoked.
SELECT 1;
