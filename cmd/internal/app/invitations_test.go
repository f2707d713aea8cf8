package app

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestInvitationsDoNotOutliveTheInvitersRights: an invitation can be accepted
// only while its inviter is still an ADMIN (before: an ADMIN invited an
// accomplice as ADMIN, was demoted, and the accomplice joined as ADMIN).
// Demoting or removing an ADMIN revokes their invitations; one whose
// inviter's account was deleted is void.
func TestInvitationsDoNotOutliveTheInvitersRights(t *testing.T) {
	t.Parallel()
	owner, org, s, inbox := setUpShopWithInbox(t)
	orgPath := "/api/v1/orgs/" + org

	// inviteAsAdmin makes a new ADMIN who invites someone as ADMIN; it returns the ADMIN's id
	// and the invitee, signed in, with the mailed token.
	inviteAsAdmin := func(adminEmail, inviteeEmail string) (string, *caller, string) {
		inviter, inviterID := join(t, owner, inbox, org, adminEmail, "ADMIN")
		inviter.must(202, "POST", orgPath+"/members", map[string]string{"email": inviteeEmail, "role": "ADMIN"})
		token := linkToken(t, inbox.WaitFor(t, inviteeEmail, "You are invited"))
		return inviterID, signUpVerified(t, owner.base, inbox, inviteeEmail, "invitee password 1"), token
	}
	refused := func(who string, invitee *caller, token string, status int, problemType string) {
		t.Helper()
		r := invitee.must(status, "POST", "/api/v1/invitations/accept", map[string]string{"token": token})
		if typ, _ := problemFields(t, r); typ != problemType {
			t.Errorf("accepting the invitation of %s: %s, want %s", who, r.body, problemType)
		}
		invitee.must(404, "GET", orgPath, nil)
	}

	demotedID, accomplice, demotedsToken := inviteAsAdmin("mallory@shop.test", "accomplice@elsewhere.test")
	owner.must(200, "PATCH", orgPath+"/members/"+demotedID, map[string]string{"role": "OPERATOR"})
	refused("a demoted ADMIN", accomplice, demotedsToken, 422, "/problems/invalid-input")

	removedID, friend, removedsToken := inviteAsAdmin("trent@shop.test", "friend@elsewhere.test")
	owner.must(204, "DELETE", orgPath+"/members/"+removedID, nil)
	refused("a removed ADMIN", friend, removedsToken, 422, "/problems/invalid-input")

	// No route deletes an account; an operator may, in the database.
	deletedID, guest, deletedsToken := inviteAsAdmin("victor@shop.test", "guest@elsewhere.test")
	if _, err := s.Pool.Exec(t.Context(), "DELETE FROM users WHERE id = $1", deletedID); err != nil {
		t.Fatal(err)
	}
	refused("a deleted account", guest, deletedsToken, 409, "/problems/invitation-void")

	// The list shows only invitations that can still be accepted: none of these.
	var invitations struct {
		Items []struct {
			Email string `json:"email"`
		} `json:"items"`
	}
	owner.must(200, "GET", orgPath+"/invitations", nil).decode(t, &invitations)
	if len(invitations.Items) != 0 {
		t.Errorf("void invitations listed as pending: %+v", invitations.Items)
	}
	// An ADMIN's invitation still works.
	join(t, owner, inbox, org, "welcome@elsewhere.test", "ADMIN")
}

// TestAdminsListAndRevokeInvitations: ADMINs see pending invitations (who,
// which role, invited by whom, until when) and revoke them; a revoked
// invitation cannot be accepted (before: there was no such route).
func TestAdminsListAndRevokeInvitations(t *testing.T) {
	t.Parallel()
	owner, org, _, inbox := setUpShopWithInbox(t)
	orgPath := "/api/v1/orgs/" + org
	var me struct {
		ID    string `json:"id"`
		Email string `json:"email"`
	}
	owner.must(200, "GET", "/api/v1/me", nil).decode(t, &me)
	owner.must(202, "POST", orgPath+"/members", map[string]string{"email": "revoked@elsewhere.test", "role": "OPERATOR"})
	owner.must(202, "POST", orgPath+"/members", map[string]string{"email": "kept@elsewhere.test", "role": "CLIENT"})

	type invitation struct {
		ID             string    `json:"id"`
		Email          string    `json:"email"`
		Role           string    `json:"role"`
		InvitedBy      string    `json:"invited_by"`
		InvitedByEmail string    `json:"invited_by_email"`
		CreatedAt      time.Time `json:"created_at"`
		ExpiresAt      time.Time `json:"expires_at"`
	}
	var first, second struct {
		Items      []invitation `json:"items"`
		NextCursor string       `json:"next_cursor"`
	}
	owner.must(200, "GET", orgPath+"/invitations?limit=1", nil).decode(t, &first)
	if len(first.Items) != 1 || first.NextCursor == "" {
		t.Fatalf("first page of one: %+v", first)
	}
	owner.must(200, "GET", orgPath+"/invitations?limit=1&cursor="+first.NextCursor, nil).decode(t, &second)
	if len(second.Items) != 1 || second.NextCursor != "" {
		t.Fatalf("second page of one: %+v", second)
	}
	byEmail := map[string]invitation{}
	for _, inv := range append(first.Items, second.Items...) {
		byEmail[inv.Email] = inv
		if inv.InvitedBy != me.ID || inv.InvitedByEmail != me.Email || !inv.ExpiresAt.After(inv.CreatedAt) {
			t.Errorf("invitation %+v, want one by %s (%s) with its times", inv, me.ID, me.Email)
		}
	}
	revoked, kept := byEmail["revoked@elsewhere.test"], byEmail["kept@elsewhere.test"]
	if revoked.Role != "OPERATOR" || kept.Role != "CLIENT" {
		t.Fatalf("invitations = %+v", byEmail)
	}

	owner.must(204, "DELETE", orgPath+"/invitations/"+revoked.ID, nil)
	owner.must(404, "DELETE", orgPath+"/invitations/"+revoked.ID, nil)
	owner.must(404, "DELETE", orgPath+"/invitations/not-an-id", nil)
	var after struct {
		Items []invitation `json:"items"`
	}
	owner.must(200, "GET", orgPath+"/invitations", nil).decode(t, &after)
	if len(after.Items) != 1 || after.Items[0].ID != kept.ID {
		t.Errorf("after revoking: %+v", after.Items)
	}
	activity := owner.must(200, "GET", orgPath+"/activity?action=org.invitation.revoked", nil)
	if !strings.Contains(string(activity.body), `"target_id":"`+revoked.ID+`"`) || !strings.Contains(string(activity.body), "revoked@elsewhere.test") {
		t.Errorf("the revocation is not in the audit log: %s", activity.body)
	}

	// The mailed link of the revoked invitation no longer works; the other one does.
	invitee := signUpVerified(t, owner.base, inbox, "revoked@elsewhere.test", "invitee password 1")
	r := invitee.must(422, "POST", "/api/v1/invitations/accept", map[string]string{"token": linkToken(t, inbox.WaitFor(t, "revoked@elsewhere.test", "You are invited"))})
	if _, fields := problemFields(t, r); len(fields) != 1 || fields[0] != "token" || !strings.Contains(string(r.body), "revoked") {
		t.Errorf("accepting a revoked invitation: %s", r.body)
	}
	invitee.must(404, "GET", orgPath, nil)
	keeper := signUpVerified(t, owner.base, inbox, "kept@elsewhere.test", "invitee password 1")
	keeper.must(200, "POST", "/api/v1/invitations/accept", map[string]string{"token": linkToken(t, inbox.WaitFor(t, "kept@elsewhere.test", "You are invited"))})
	owner.must(200, "GET", orgPath+"/invitations", nil).decode(t, &after)
	if len(after.Items) != 0 {
		t.Errorf("an accepted invitation is still pending: %+v", after.Items)
	}
}

// TestConcurrentAcceptsOfOneInvitation: an invitation accepted several times
// at once joins its invitee once; the other attempts are told the invitation
// is used (before: those that lost the race answered 500).
func TestConcurrentAcceptsOfOneInvitation(t *testing.T) {
	t.Parallel()
	owner, org, _, inbox := setUpShopWithInbox(t)
	for round := range 3 {
		email := fmt.Sprintf("invitee%d@elsewhere.test", round)
		invitee := signUpVerified(t, owner.base, inbox, email, "invitee password 1")
		owner.must(202, "POST", "/api/v1/orgs/"+org+"/members", map[string]string{"email": email, "role": "CLIENT"})
		token := linkToken(t, inbox.WaitFor(t, email, "You are invited"))
		var wg sync.WaitGroup
		var mu sync.Mutex
		statuses := map[int]int{}
		for range 6 {
			wg.Go(func() {
				r := invitee.do("POST", "/api/v1/invitations/accept", map[string]string{"token": token})
				mu.Lock()
				defer mu.Unlock()
				statuses[r.status]++
				if r.status == 422 && !strings.Contains(string(r.body), `"field":"token"`) {
					t.Errorf("a lost race does not name token: %s", r.body)
				}
			})
		}
		wg.Wait()
		if statuses[200] != 1 || statuses[422] != 5 {
			t.Errorf("6 concurrent accepts of one invitation: %v, want 1 × 200 and 5 × 422", statuses)
		}
	}
}

// TestInvitationsOfADemotedAdminStayVoid: demoting an ADMIN revokes the
// invitations they sent, for good: promoting them again does not bring them
// back (before: the invitation was only hidden while its inviter was not an
// ADMIN, and the invitee joined as ADMIN once the inviter was promoted again).
func TestInvitationsOfADemotedAdminStayVoid(t *testing.T) {
	t.Parallel()
	owner, org, _, inbox := setUpShopWithInbox(t)
	orgPath := "/api/v1/orgs/" + org
	mallory, malloryID := join(t, owner, inbox, org, "mallory@shop.test", "ADMIN")
	var inv struct {
		ID string `json:"id"`
	}
	mallory.must(202, "POST", orgPath+"/members", map[string]string{"email": "accomplice@elsewhere.test", "role": "ADMIN"}).decode(t, &inv)
	token := linkToken(t, inbox.WaitFor(t, "accomplice@elsewhere.test", "You are invited"))
	owner.must(200, "PATCH", orgPath+"/members/"+malloryID, map[string]string{"role": "OPERATOR"})
	owner.must(200, "PATCH", orgPath+"/members/"+malloryID, map[string]string{"role": "ADMIN"})

	accomplice := signUpVerified(t, owner.base, inbox, "accomplice@elsewhere.test", "invitee password 1")
	r := accomplice.must(422, "POST", "/api/v1/invitations/accept", map[string]string{"token": token})
	if _, fields := problemFields(t, r); len(fields) != 1 || fields[0] != "token" {
		t.Errorf("accepting an invitation of an ADMIN demoted since: %s", r.body)
	}
	accomplice.must(404, "GET", orgPath, nil)
	activity := owner.must(200, "GET", orgPath+"/activity?action=org.invitation.revoked", nil)
	if !strings.Contains(string(activity.body), `"target_id":"`+inv.ID+`"`) || !strings.Contains(string(activity.body), "inviter demoted") {
		t.Errorf("the demotion's revocation is not in the audit log: %s", activity.body)
	}
}

// TestReinvitingRenewsTheInvitation: inviting an address again makes its
// invitation new: listed first, with a new creation time and expiry (before:
// it kept the first one's creation time, so it was listed as the oldest).
func TestReinvitingRenewsTheInvitation(t *testing.T) {
	t.Parallel()
	owner, org, _, _ := setUpShopWithInbox(t)
	orgPath := "/api/v1/orgs/" + org
	for _, email := range []string{"first@elsewhere.test", "second@elsewhere.test", "first@elsewhere.test"} {
		owner.must(202, "POST", orgPath+"/members", map[string]string{"email": email, "role": "CLIENT"})
	}
	var list struct {
		Items []struct {
			Email     string    `json:"email"`
			CreatedAt time.Time `json:"created_at"`
			ExpiresAt time.Time `json:"expires_at"`
		} `json:"items"`
	}
	owner.must(200, "GET", orgPath+"/invitations", nil).decode(t, &list)
	if len(list.Items) != 2 || list.Items[0].Email != "first@elsewhere.test" ||
		!list.Items[0].CreatedAt.After(list.Items[1].CreatedAt) || !list.Items[0].ExpiresAt.After(list.Items[1].ExpiresAt) {
		t.Errorf("after inviting first, second, then first again, the invitations (newest first): %+v", list.Items)
	}
}

// TestAnInvitationSentDuringItsInvitersDemotionDoesNotSurviveIt: an ADMIN's
// invitation that arrives while a demotion of that ADMIN is under way waits
// for it and is refused (before: it passed the role check, was stored after
// the demotion had revoked the inviter's invitations, and the invitee joined
// as ADMIN once the inviter was promoted again). The demotion is staged in
// the database as ChangeRole does it (the ADMIN rows locked, the role
// changed, the inviter's invitations revoked) and held open until the
// invitation has been stored or waits for those rows. The refused invitation
// uses none of the organisation's or the address's invitation quota (before:
// both were counted before the re-check: 1 more hit each).
func TestAnInvitationSentDuringItsInvitersDemotionDoesNotSurviveIt(t *testing.T) {
	t.Parallel()
	owner, org, s, inbox := setUpShopWithInbox(t)
	orgPath := "/api/v1/orgs/" + org
	mallory, malloryID := join(t, owner, inbox, org, "mallory@shop.test", "ADMIN")
	ctx := t.Context()
	quotaUsed := func() (byOrg, byAddress int) {
		t.Helper()
		if err := s.Pool.QueryRow(ctx, `SELECT
			(SELECT coalesce(sum(count), 0) FROM rate_limit_windows WHERE key = 'invite-org:' || $1::text),
			(SELECT coalesce(sum(count), 0) FROM rate_limit_windows WHERE key = 'invite-email:accomplice@elsewhere.test')`, org).Scan(&byOrg, &byAddress); err != nil {
			t.Fatal(err)
		}
		return byOrg, byAddress
	}
	orgBefore, addressBefore := quotaUsed()

	demotion, err := s.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = demotion.Rollback(context.Background()) }()
	if _, err := demotion.Exec(ctx, "SELECT user_id FROM memberships WHERE org_id = $1 AND role = 'ADMIN' FOR UPDATE", org); err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		"UPDATE memberships SET role = 'OPERATOR' WHERE org_id = $1 AND user_id = $2",
		"DELETE FROM invitations WHERE org_id = $1 AND invited_by = $2",
	} {
		if _, err := demotion.Exec(ctx, stmt, org, malloryID); err != nil {
			t.Fatal(err)
		}
	}
	answered := make(chan reply, 1)
	go func() {
		answered <- mallory.do("POST", orgPath+"/members", map[string]string{"email": "accomplice@elsewhere.test", "role": "ADMIN"})
	}()
	var invite reply
	waiting := false
	for !waiting {
		select {
		case invite = <-answered:
			waiting = true // stored already: nothing waits
			answered <- invite
		case <-time.After(10 * time.Millisecond):
			if err := s.Pool.QueryRow(ctx, "SELECT count(*) > 0 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'").Scan(&waiting); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := demotion.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	invite = <-answered
	owner.must(200, "PATCH", orgPath+"/members/"+malloryID, map[string]string{"role": "ADMIN"})

	if typ, _ := problemFields(t, invite); invite.status != 403 || typ != "/problems/forbidden" {
		t.Errorf("an invitation sent while its inviter was being demoted = %d %s, want 403 /problems/forbidden", invite.status, invite.body)
	}
	if byOrg, byAddress := quotaUsed(); invite.status == 403 && (byOrg != orgBefore || byAddress != addressBefore) {
		t.Errorf("the refused invitation used quota: the organisation's %d → %d, the address's %d → %d", orgBefore, byOrg, addressBefore, byAddress)
	}
	if invite.status == 202 {
		accomplice := signUpVerified(t, owner.base, inbox, "accomplice@elsewhere.test", "invitee password 1")
		if r := accomplice.do("POST", "/api/v1/invitations/accept", map[string]string{"token": linkToken(t, inbox.WaitFor(t, "accomplice@elsewhere.test", "You are invited"))}); r.status == 200 {
			t.Errorf("the invitee joined as ADMIN after the inviter was promoted again: %s", r.body)
		}
	}
}
