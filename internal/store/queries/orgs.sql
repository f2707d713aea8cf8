-- name: CreateOrganization :one
INSERT INTO organizations (name, created_by) VALUES ($1, $2) RETURNING *;

-- name: CountOrganizationsCreatedBy :one
-- How many organisations the user created, counted while holding the user's
-- row so two concurrent creations cannot both pass the cap.
WITH creator AS (SELECT id FROM users WHERE id = sqlc.arg(user_id)::uuid FOR NO KEY UPDATE)
SELECT count(*) FROM organizations WHERE created_by = (SELECT id FROM creator);

-- name: GetOrganization :one
SELECT * FROM organizations WHERE id = $1;

-- name: ListMyOrganizations :many
SELECT o.id, o.name, o.created_at, m.role
FROM memberships m JOIN organizations o ON o.id = m.org_id
WHERE m.user_id = $1
ORDER BY o.created_at, o.id;

-- name: GetMembership :one
SELECT * FROM memberships WHERE org_id = $1 AND user_id = $2;

-- name: AddMember :one
-- Adding someone who is already a member keeps their role.
INSERT INTO memberships (org_id, user_id, role) VALUES ($1, $2, $3)
ON CONFLICT (org_id, user_id) DO UPDATE SET role = memberships.role
RETURNING *;

-- name: ListMembers :many
SELECT m.user_id, u.email, u.name, m.role, m.created_at
FROM memberships m JOIN users u ON u.id = m.user_id
WHERE m.org_id = $1
ORDER BY m.created_at, m.user_id;

-- name: LockAdmins :many
-- Serialises role changes, removals, invitations and their acceptance in one
-- organisation so two admins cannot demote each other into an organisation
-- without any, nor a demoted admin's invitation slip past the demotion. In one
-- order, so transactions taking them cannot deadlock each other.
SELECT user_id FROM memberships WHERE org_id = $1 AND role = 'ADMIN' ORDER BY user_id FOR UPDATE;

-- name: SetMemberRole :one
UPDATE memberships SET role = $3 WHERE org_id = $1 AND user_id = $2 RETURNING *;

-- name: RemoveMember :execrows
DELETE FROM memberships WHERE org_id = $1 AND user_id = $2;

-- name: CreateInvitation :one
-- Inviting the same address again replaces the pending invitation: a new one in all but id.
INSERT INTO invitations (org_id, email, role, invited_by, expires_at, token_hash) VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (org_id, lower(email)) WHERE accepted_at IS NULL
DO UPDATE SET role = EXCLUDED.role, invited_by = EXCLUDED.invited_by, expires_at = EXCLUDED.expires_at, token_hash = EXCLUDED.token_hash,
    created_at = now()
RETURNING *;

-- name: TakeInvitation :one
-- Accepts a pending, unexpired invitation once; the caller checks the address matches first.
UPDATE invitations SET accepted_at = now()
WHERE token_hash = $1 AND accepted_at IS NULL AND expires_at > now() AND lower(email) = lower(sqlc.arg(email))
RETURNING *;

-- name: ListPendingInvitations :many
-- Invitations that can still be accepted: unexpired, and their inviter still an ADMIN here.
-- Newest first; the cursor is the (created_at, id) of the last row of the previous page.
SELECT i.id, i.email, i.role, i.invited_by, u.email AS inviter_email, i.created_at, i.expires_at
FROM invitations i
JOIN memberships m ON m.org_id = i.org_id AND m.user_id = i.invited_by AND m.role = 'ADMIN'
JOIN users u ON u.id = i.invited_by
WHERE i.org_id = sqlc.arg(org_id) AND i.accepted_at IS NULL AND i.expires_at > now()
  AND (sqlc.narg(before_at)::timestamptz IS NULL OR (i.created_at, i.id) < (sqlc.narg(before_at), sqlc.arg(before_id)::uuid))
ORDER BY i.created_at DESC, i.id DESC
LIMIT sqlc.arg(max_rows);

-- name: DeletePendingInvitation :one
-- Revoking an invitation deletes it: its token stops working and the address can be invited again.
DELETE FROM invitations WHERE id = $1 AND org_id = $2 AND accepted_at IS NULL AND expires_at > now()
RETURNING *;

-- name: DeleteInvitationsBy :many
-- Revokes the pending invitations someone sent in an organisation: they are no longer its ADMIN.
DELETE FROM invitations WHERE org_id = $1 AND invited_by = sqlc.arg(inviter) AND accepted_at IS NULL AND expires_at > now()
RETURNING *;

-- name: GetPendingInvitation :one
SELECT * FROM invitations WHERE token_hash = $1 AND accepted_at IS NULL AND expires_at > now();

-- name: ListAdminEmails :many
SELECT u.email FROM memberships m JOIN users u ON u.id = m.user_id
WHERE m.org_id = $1 AND m.role = 'ADMIN' ORDER BY u.email;
