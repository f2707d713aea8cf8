package app

import (
	"testing"
)

// TestAPITokensCannotManagePeople: an ADMIN's API token does the
// organisation's work but cannot let anyone in, change roles, remove members,
// manage invitations, mint or revoke tokens, so a leaked one cannot create its own
// successors (before: the token invited an outsider as ADMIN, who joined and
// minted a token that outlived the first one).
func TestAPITokensCannotManagePeople(t *testing.T) {
	t.Parallel()
	admin, org, _, inbox := setUpShopWithInbox(t)
	orgPath := "/api/v1/orgs/" + org
	_, benID := join(t, admin, inbox, org, "ben@shop.test", "OPERATOR")
	var pending struct {
		ID string `json:"id"`
	}
	admin.must(202, "POST", orgPath+"/members", map[string]string{"email": "pending@shop.test", "role": "CLIENT"}).decode(t, &pending)
	var tok, other struct {
		ID    string `json:"id"`
		Token string `json:"token"`
	}
	admin.must(201, "POST", orgPath+"/tokens", map[string]string{"name": "admin script", "role": "ADMIN"}).decode(t, &tok)
	admin.must(201, "POST", orgPath+"/tokens", map[string]string{"name": "another script", "role": "CLIENT"}).decode(t, &other)
	script := newScript(t, admin.base, tok.Token)

	for _, call := range []struct {
		method, path string
		body         any
	}{
		{"POST", orgPath + "/members", map[string]string{"email": "outsider@elsewhere.test", "role": "ADMIN"}},
		{"PATCH", orgPath + "/members/" + benID, map[string]string{"role": "ADMIN"}},
		{"DELETE", orgPath + "/members/" + benID, nil},
		{"GET", orgPath + "/invitations", nil},
		{"DELETE", orgPath + "/invitations/" + pending.ID, nil},
		{"POST", orgPath + "/tokens", map[string]string{"name": "successor", "role": "ADMIN"}},
		{"DELETE", orgPath + "/tokens/" + other.ID, nil},
		{"DELETE", orgPath + "/tokens/" + tok.ID, nil},
	} {
		r := script.must(403, call.method, call.path, call.body)
		if typ, _ := problemFields(t, r); typ != "/problems/session-required" {
			t.Errorf("%s %s with an ADMIN token: type %q, want /problems/session-required", call.method, call.path, typ)
		}
	}

	// Nothing changed: Ben is still an OPERATOR, nobody else joined, the invitation stands.
	var members struct {
		Items []struct {
			Email string `json:"email"`
			Role  string `json:"role"`
		} `json:"items"`
	}
	admin.must(200, "GET", orgPath+"/members", nil).decode(t, &members)
	if len(members.Items) != 2 || members.Items[1].Email != "ben@shop.test" || members.Items[1].Role != "OPERATOR" {
		t.Errorf("members after the token's attempts: %+v", members.Items)
	}
	var invitations struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	admin.must(200, "GET", orgPath+"/invitations", nil).decode(t, &invitations)
	if len(invitations.Items) != 1 || invitations.Items[0].ID != pending.ID {
		t.Errorf("pending invitations after the token's attempts: %+v", invitations.Items)
	}
	// Both tokens stand (a list holds only unrevoked ones), and the script's still does its work.
	var tokens struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	admin.must(200, "GET", orgPath+"/tokens", nil).decode(t, &tokens)
	if len(tokens.Items) != 2 {
		t.Errorf("tokens after the script's attempts to revoke them: %+v", tokens.Items)
	}
	newScript(t, admin.base, other.Token).must(200, "GET", orgPath, nil)
	script.must(200, "GET", orgPath+"/pipelines", nil)
	script.must(202, "POST", orgPath+"/intake", map[string]string{"subject": "from the script", "body": "my screen is cracked"})
}

// TestTokenActionsAreAuditedAsTheToken: what an API token does is in the audit
// log under its creator and the token's id (before: only the creator, so the
// token's acts could not be told from theirs), and the log filters by token.
func TestTokenActionsAreAuditedAsTheToken(t *testing.T) {
	t.Parallel()
	admin, org, _, _ := setUpShopWithInbox(t)
	orgPath := "/api/v1/orgs/" + org
	var me struct {
		ID string `json:"id"`
	}
	admin.must(200, "GET", "/api/v1/me", nil).decode(t, &me)
	var tok struct {
		ID    string `json:"id"`
		Token string `json:"token"`
	}
	admin.must(201, "POST", orgPath+"/tokens", map[string]string{"name": "board script", "role": "OPERATOR"}).decode(t, &tok)
	script := newScript(t, admin.base, tok.Token)

	admin.must(200, "PUT", orgPath+"/routing/settings", map[string]any{"threshold": 0.0})
	_, itemPath := routedItemPath(t, admin, org, "my phone screen is cracked")
	admin.must(200, "PATCH", itemPath, map[string]any{"title": "Edited in person"})
	script.must(200, "PATCH", itemPath, map[string]any{"title": "Edited by the script"})

	type event struct {
		ActorID      *string `json:"actor_id"`
		ActorTokenID *string `json:"actor_token_id"`
	}
	var activity struct {
		Items []event `json:"items"`
	}
	admin.must(200, "GET", orgPath+"/activity?action=pipeline.item.updated", nil).decode(t, &activity)
	if len(activity.Items) != 2 {
		t.Fatalf("%d item edits in the audit log, want 2: %+v", len(activity.Items), activity.Items)
	}
	byScript, inPerson := activity.Items[0], activity.Items[1] // newest first
	if byScript.ActorTokenID == nil || *byScript.ActorTokenID != tok.ID || byScript.ActorID == nil || *byScript.ActorID != me.ID {
		t.Errorf("the script's edit is logged as actor %v, token %v; want actor %s, token %s", deref(byScript.ActorID), deref(byScript.ActorTokenID), me.ID, tok.ID)
	}
	if inPerson.ActorTokenID != nil {
		t.Errorf("the edit in person names token %s", *inPerson.ActorTokenID)
	}
	admin.must(200, "GET", orgPath+"/activity?token="+tok.ID, nil).decode(t, &activity)
	if len(activity.Items) != 1 || deref(activity.Items[0].ActorTokenID) != tok.ID {
		t.Errorf("the activity of token %s: %+v", tok.ID, activity.Items)
	}
	if typ, fields := problemFields(t, admin.must(422, "GET", orgPath+"/activity?token=nope", nil)); len(fields) != 1 || fields[0] != "token" {
		t.Errorf("a bad token filter: %s %v", typ, fields)
	}
}

func deref(s *string) string {
	if s == nil {
		return "<null>"
	}
	return *s
}
