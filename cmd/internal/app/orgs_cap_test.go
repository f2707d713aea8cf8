package app

import (
	"strconv"
	"strings"
	"testing"

	"github.com/astralisops/astralis/internal/config"
)

// TestOrganisationsPerUserAreCapped: limits.orgs_per_user caps how many
// organisations one user creates in all (403), whatever the day.
func TestOrganisationsPerUserAreCapped(t *testing.T) {
	smtp, inbox := withSMTP(t)
	base, _ := startDev(t, smtp, func(c *config.Config) { c.Limits.OrgsPerUser = 3 })
	admin := signUpVerified(t, base, inbox, "owner@shop.test", "owner password 1")
	for i := range 3 {
		admin.must(201, "POST", "/api/v1/orgs", map[string]string{"name": "Shop " + strconv.Itoa(i+1)})
	}
	r := admin.do("POST", "/api/v1/orgs", map[string]string{"name": "Shop 4"})
	if typ, _ := problemFields(t, r); r.status != 403 || typ != "/problems/organization-limit" || !strings.Contains(string(r.body), "3 organisations") {
		t.Fatalf("4th organisation with a cap of 3: %d %s; want 403 organization-limit", r.status, r.body)
	}
	var orgs struct {
		Items []struct{} `json:"items"`
	}
	admin.must(200, "GET", "/api/v1/orgs", nil).decode(t, &orgs)
	if len(orgs.Items) != 3 {
		t.Fatalf("%d organisations, want 3", len(orgs.Items))
	}
	signUpVerified(t, base, inbox, "other@shop.test", "other password 1").must(201, "POST", "/api/v1/orgs", map[string]string{"name": "Other Shop"})
}
