package app

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/astralisops/astralis/api"
	"github.com/astralisops/astralis/internal/auth"
	"github.com/astralisops/astralis/internal/gcal/gcaltest"
	"github.com/astralisops/astralis/internal/ocr/ocrtest"
)

// orgRoutes is the tenant matrix: every organisation-scoped route with the
// least role that may use it and a valid request. A route registered under
// /api/v1/orgs/:org but missing here fails TestTenantMatrix.
var orgRoutes = map[string]struct {
	min  auth.Role
	body any
}{
	"GET /api/v1/orgs/:org":                                      {auth.RoleClient, nil},
	"GET /api/v1/orgs/:org/members":                              {auth.RoleOperator, nil},
	"POST /api/v1/orgs/:org/members":                             {auth.RoleAdmin, map[string]string{"email": "newcomer@example.com", "role": "CLIENT"}},
	"PATCH /api/v1/orgs/:org/members/:user":                      {auth.RoleAdmin, map[string]string{"role": "OPERATOR"}},
	"DELETE /api/v1/orgs/:org/members/:user":                     {auth.RoleAdmin, nil},
	"GET /api/v1/orgs/:org/invitations":                          {auth.RoleAdmin, nil},
	"DELETE /api/v1/orgs/:org/invitations/:id":                   {auth.RoleAdmin, nil},
	"POST /api/v1/orgs/:org/tokens":                              {auth.RoleClient, map[string]string{"name": "matrix"}},
	"GET /api/v1/orgs/:org/tokens":                               {auth.RoleClient, nil},
	"DELETE /api/v1/orgs/:org/tokens/:token":                     {auth.RoleClient, nil},
	"GET /api/v1/orgs/:org/activity":                             {auth.RoleAdmin, nil},
	"POST /api/v1/orgs/:org/pipelines":                           {auth.RoleAdmin, nil}, // body per caller: keys are unique
	"GET /api/v1/orgs/:org/pipelines":                            {auth.RoleOperator, nil},
	"GET /api/v1/orgs/:org/pipelines/:key":                       {auth.RoleOperator, nil},
	"PATCH /api/v1/orgs/:org/pipelines/:key":                     {auth.RoleAdmin, map[string]string{"name": "Renamed", "description": "Still screens"}},
	"DELETE /api/v1/orgs/:org/pipelines/:key":                    {auth.RoleAdmin, nil}, // an empty pipeline made for it
	"POST /api/v1/orgs/:org/routing/examples":                    {auth.RoleAdmin, map[string]any{"examples": []map[string]string{{"text": "my screen is cracked", "pipeline": "repairs"}}}},
	"POST /api/v1/orgs/:org/routing/classify":                    {auth.RoleAdmin, map[string]string{"text": "my screen is cracked"}},
	"GET /api/v1/orgs/:org/routing/settings":                     {auth.RoleAdmin, nil},
	"PUT /api/v1/orgs/:org/routing/settings":                     {auth.RoleAdmin, map[string]any{"threshold": 0.7}},
	"POST /api/v1/orgs/:org/intake":                              {auth.RoleClient, map[string]string{"subject": "matrix", "body": "my screen is cracked"}},
	"GET /api/v1/orgs/:org/intake/:id":                           {auth.RoleClient, nil},
	"GET /api/v1/orgs/:org/intake":                               {auth.RoleClient, nil},
	"GET /api/v1/orgs/:org/dashboard":                            {auth.RoleOperator, nil},
	"POST /api/v1/orgs/:org/items/:id/move":                      {auth.RoleOperator, nil}, // body: the item's own stage
	"PATCH /api/v1/orgs/:org/items/:id":                          {auth.RoleOperator, map[string]string{"title": "Renamed"}},
	"POST /api/v1/orgs/:org/intake/:id/decision":                 {auth.RoleOperator, map[string]string{"action": "reject"}},
	"POST /api/v1/orgs/:org/documents":                           {auth.RoleClient, nil}, // a multipart file per caller
	"GET /api/v1/orgs/:org/documents":                            {auth.RoleClient, nil},
	"GET /api/v1/orgs/:org/documents/:id":                        {auth.RoleClient, nil},
	"GET /api/v1/orgs/:org/documents/:id/pages/:n":               {auth.RoleClient, nil},
	"GET /api/v1/orgs/:org/documents/:id/pages/:n/image":         {auth.RoleClient, nil},
	"POST /api/v1/orgs/:org/documents/:id/review":                {auth.RoleOperator, map[string]any{"fields": map[string]string{"total": "9.99"}}},
	"DELETE /api/v1/orgs/:org/documents/:id":                     {auth.RoleOperator, nil}, // a document made for it
	"PATCH /api/v1/orgs/:org/documents/:id":                      {auth.RoleAdmin, map[string]any{"legal_hold": true}},
	"GET /api/v1/orgs/:org/documents/stats":                      {auth.RoleOperator, nil},
	"GET /api/v1/orgs/:org/documents/settings":                   {auth.RoleOperator, nil},
	"PUT /api/v1/orgs/:org/documents/settings":                   {auth.RoleAdmin, map[string]any{"retention_days": map[string]int{"receipt": 365}}},
	"POST /api/v1/orgs/:org/vendors":                             {auth.RoleOperator, map[string]any{"vendors": []map[string]string{{"name": "Matrix Supplies", "address": "1 Grid Road"}}}},
	"GET /api/v1/orgs/:org/vendors":                              {auth.RoleOperator, nil},
	"POST /api/v1/orgs/:org/services":                            {auth.RoleAdmin, nil}, // body per caller: keys are unique
	"GET /api/v1/orgs/:org/services":                             {auth.RoleClient, nil},
	"GET /api/v1/orgs/:org/services/:key":                        {auth.RoleClient, nil},
	"PUT /api/v1/orgs/:org/services/:key":                        {auth.RoleAdmin, nil},  // body names the operator
	"DELETE /api/v1/orgs/:org/services/:key":                     {auth.RoleAdmin, nil},  // a service made for it
	"GET /api/v1/orgs/:org/services/:key/slots":                  {auth.RoleClient, nil}, // query: a day
	"POST /api/v1/orgs/:org/services/:key/suggest":               {auth.RoleClient, map[string]any{"preferences": "tuesday afternoons, not before 2pm"}},
	"GET /api/v1/orgs/:org/operators/:user_id/availability":      {auth.RoleOperator, nil}, // the caller's own
	"PUT /api/v1/orgs/:org/operators/:user_id/availability":      {auth.RoleOperator, map[string]any{"time_zone": "UTC", "weekly": everyDay("09:00", "17:00")}},
	"POST /api/v1/orgs/:org/events":                              {auth.RoleOperator, map[string]any{"title": "Matrix training", "start": "2030-01-07T09:00:00Z", "end": "2030-01-07T10:00:00Z"}},
	"GET /api/v1/orgs/:org/events":                               {auth.RoleOperator, nil},
	"GET /api/v1/orgs/:org/events/:id":                           {auth.RoleOperator, nil},
	"PUT /api/v1/orgs/:org/events/:id":                           {auth.RoleOperator, map[string]any{"title": "Moved training", "start": "2030-01-08T09:00:00Z", "end": "2030-01-08T10:00:00Z"}},
	"DELETE /api/v1/orgs/:org/events/:id":                        {auth.RoleOperator, nil}, // an event made for it
	"GET /api/v1/orgs/:org/booking-page":                         {auth.RoleAdmin, nil},    // set up before
	"PUT /api/v1/orgs/:org/booking-page":                         {auth.RoleAdmin, map[string]any{"slug": "acme-matrix", "enabled": true}},
	"GET /api/v1/orgs/:org/calendar":                             {auth.RoleOperator, nil}, // query: a day
	"POST /api/v1/orgs/:org/operators/:user_id/calendar-feed":    {auth.RoleOperator, nil}, // the caller's own
	"DELETE /api/v1/orgs/:org/operators/:user_id/calendar-feed":  {auth.RoleOperator, nil}, // the caller's own, made just before
	"GET /api/v1/orgs/:org/operators/:user_id/calendar":          {auth.RoleOperator, nil}, // the caller's own
	"POST /api/v1/orgs/:org/operators/:user_id/calendar/connect": {auth.RoleOperator, nil}, // the caller's own
	"DELETE /api/v1/orgs/:org/operators/:user_id/calendar":       {auth.RoleOperator, nil}, // see refusedPastTheGate
	"GET /api/v1/orgs/:org/calendar-settings":                    {auth.RoleOperator, nil},
	"PUT /api/v1/orgs/:org/calendar-settings":                    {auth.RoleAdmin, map[string]string{"on_event_deleted": "cancel"}},
	"POST /api/v1/orgs/:org/bookings":                            {auth.RoleClient, nil}, // a slot per caller
	"GET /api/v1/orgs/:org/bookings":                             {auth.RoleClient, nil},
	"GET /api/v1/orgs/:org/bookings/:id":                         {auth.RoleClient, nil}, // the caller's own
	"POST /api/v1/orgs/:org/bookings/:id/reschedule":             {auth.RoleClient, nil}, // the caller's own, to a slot per caller
	"POST /api/v1/orgs/:org/bookings/:id/cancel":                 {auth.RoleClient, map[string]string{"reason": "matrix"}},
	"POST /api/v1/orgs/:org/bookings/:id/outcome":                {auth.RoleOperator, map[string]string{"outcome": "completed"}}, // see refusedPastTheGate
}

// refusedPastTheGate are routes whose valid request the matrix cannot make
// succeed, answered with these statuses once the role gate let the caller
// through: an outcome needs a booking that has ended, and the matrix's
// bookings lie ahead (and are cancelled by then).
var refusedPastTheGate = map[string][]int{
	"POST /api/v1/orgs/:org/bookings/:id/outcome": {409, 422},
	// No calendar is connected in the matrix (connecting needs Google's consent).
	"DELETE /api/v1/orgs/:org/operators/:user_id/calendar": {404},
}

// everyDay is a weekly availability with the same window every day.
func everyDay(start, end string) map[string]any {
	week := map[string]any{}
	for _, d := range []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"} {
		week[d] = []map[string]string{{"start": start, "end": end}}
	}
	return week
}

// personOnly are the organisation routes an API token may not use, whatever
// its role (README, Security: token scopes). Listed here, not taken from the
// router, so a route dropped from api.PersonOnlyRoutes fails TestTenantMatrix.
var personOnly = map[string]bool{
	"POST /api/v1/orgs/:org/members":           true,
	"PATCH /api/v1/orgs/:org/members/:user":    true,
	"DELETE /api/v1/orgs/:org/members/:user":   true,
	"GET /api/v1/orgs/:org/invitations":        true,
	"DELETE /api/v1/orgs/:org/invitations/:id": true,
	"POST /api/v1/orgs/:org/tokens":            true,
	"DELETE /api/v1/orgs/:org/tokens/:token":   true,
}

// TestTenantMatrix calls every organisation-scoped route of the router as an
// outsider (another organisation's ADMIN, by session and by API token), as
// nobody, and as each role, and checks each gets exactly what it may; the
// organisation's own ADMIN token is refused on every person-only route
// (personOnly, which must be what the router declares: api.PersonOnlyRoutes).
func TestTenantMatrix(t *testing.T) {
	t.Parallel()
	smtp, inbox := withSMTP(t)
	base, s := startDev(t, smtp, withGoogleCalendar(gcaltest.New(t)))

	admin := signUpVerified(t, base, inbox, "admin@acme.test", "admin password 1")
	var org struct {
		ID string `json:"id"`
	}
	admin.must(201, "POST", "/api/v1/orgs", map[string]string{"name": "Acme Confidential"}).decode(t, &org)
	callers := map[auth.Role]*caller{auth.RoleAdmin: admin}
	for _, role := range []auth.Role{auth.RoleOperator, auth.RoleClient} {
		callers[role], _ = join(t, admin, inbox, org.ID, strings.ToLower(string(role))+"@acme.test", string(role))
	}
	// Members the ADMIN's calls may change or remove, one per route that needs a :user.
	for _, email := range []string{"patch-me@acme.test", "remove-me@acme.test"} {
		join(t, admin, inbox, org.ID, email, string(auth.RoleClient))
	}
	var members struct {
		Items []struct {
			UserID string `json:"user_id"`
			Email  string `json:"email"`
		} `json:"items"`
	}
	admin.must(200, "GET", "/api/v1/orgs/"+org.ID+"/members", nil).decode(t, &members)
	userIDs := map[string]string{}
	for _, m := range members.Items {
		userIDs[m.Email] = m.UserID
	}
	// Each role revokes a token of its own.
	tokenOf := map[auth.Role]string{}
	for role, c := range callers {
		var tok struct {
			ID string `json:"id"`
		}
		c.must(201, "POST", "/api/v1/orgs/"+org.ID+"/tokens", map[string]string{"name": "to revoke"}).decode(t, &tok)
		tokenOf[role] = tok.ID
	}

	var adminToken struct {
		Token string `json:"token"`
	}
	admin.must(201, "POST", "/api/v1/orgs/"+org.ID+"/tokens", map[string]string{"name": "matrix script", "role": "ADMIN"}).decode(t, &adminToken)
	adminScript := newScript(t, base, adminToken.Token)
	// A pending invitation for the ADMIN to revoke.
	var invitation struct {
		ID string `json:"id"`
	}
	admin.must(202, "POST", "/api/v1/orgs/"+org.ID+"/members", map[string]string{"email": "pending@acme.test", "role": "CLIENT"}).decode(t, &invitation)

	admin.must(201, "POST", "/api/v1/orgs/"+org.ID+"/pipelines", map[string]any{"key": "repairs", "name": "Repairs", "description": "Broken screens and batteries"})
	admin.must(201, "POST", "/api/v1/orgs/"+org.ID+"/pipelines", map[string]any{"key": "billing", "name": "Billing", "description": "Invoices and refunds"})
	// One request per role, each waiting for an operator: CLIENTs may only see their own.
	admin.must(200, "PUT", "/api/v1/orgs/"+org.ID+"/routing/settings", map[string]any{"threshold": 1.0})
	// And one routed request, whose item the move route moves.
	admin.must(200, "PUT", "/api/v1/orgs/"+org.ID+"/routing/settings", map[string]any{"threshold": 0.0})
	var routedSub struct {
		ID string `json:"id"`
	}
	admin.must(202, "POST", "/api/v1/orgs/"+org.ID+"/intake", map[string]string{"subject": "routed one", "body": "my screen is cracked"}).decode(t, &routedSub)
	waitForStatus(t, admin, org.ID, routedSub.ID, "routed")
	var item struct {
		ID, Stage string
	}
	if err := s.Pool.QueryRow(t.Context(), "SELECT id::text, stage_id::text FROM pipeline_items").Scan(&item.ID, &item.Stage); err != nil {
		t.Fatal(err)
	}
	admin.must(200, "PUT", "/api/v1/orgs/"+org.ID+"/routing/settings", map[string]any{"threshold": 1.0})
	// Made after the routed request, so it stays empty for the DELETE route.
	admin.must(201, "POST", "/api/v1/orgs/"+org.ID+"/pipelines", map[string]any{"key": "to-delete", "name": "Empty", "description": "Nothing routes here"})
	intakeOf := map[auth.Role]string{}
	for role, c := range callers {
		var sub struct {
			ID string `json:"id"`
		}
		c.must(202, "POST", "/api/v1/orgs/"+org.ID+"/intake", map[string]string{"subject": "request of " + string(role), "body": "my screen is cracked"}).decode(t, &sub)
		intakeOf[role] = sub.ID
		waitForStatus(t, admin, org.ID, sub.ID, "awaiting_approval")
	}

	// Documents: one per role to read and review (all wait for review), one per role to delete.
	admin.must(200, "PUT", "/api/v1/orgs/"+org.ID+"/documents/settings", map[string]any{"review_threshold": 1})
	documentOf, doomedDocumentOf := map[auth.Role]string{}, map[auth.Role]string{}
	for role, c := range callers {
		for purpose, into := range map[string]map[auth.Role]string{"READ": documentOf, "DELETE": doomedDocumentOf} {
			var up struct{ ID string }
			r := uploadDocument(t, c, org.ID, "r.pdf", ocrtest.TextPDF([]string{"TO " + purpose + " BY " + string(role), "TOTAL 1.00"}), "", nil)
			if r.status != 202 {
				t.Fatalf("upload as %s = %d %s", role, r.status, r.body)
			}
			r.decode(t, &up)
			into[role] = up.ID
			waitForDocument(t, admin, org.ID, up.ID, "needs_review")
		}
	}

	// Scheduling: services named like the pipelines the paths use ("repairs", "to-delete"),
	// offered by the OPERATOR; an event of each staff member's own to read and change, one to delete.
	operatorID := userIDs["operator@acme.test"]
	for _, key := range []string{"repairs", "to-delete"} {
		admin.must(201, "POST", "/api/v1/orgs/"+org.ID+"/services", map[string]any{"key": key, "name": "Service " + key, "duration_minutes": 30, "operators": []string{operatorID}})
	}
	eventOf, doomedEventOf := map[auth.Role]string{}, map[auth.Role]string{}
	for _, role := range []auth.Role{auth.RoleOperator, auth.RoleAdmin} {
		for _, into := range []map[auth.Role]string{eventOf, doomedEventOf} {
			var ev struct{ ID string }
			callers[role].must(201, "POST", "/api/v1/orgs/"+org.ID+"/events", map[string]any{"title": "Own block", "start": "2030-01-09T09:00:00Z", "end": "2030-01-09T10:00:00Z"}).decode(t, &ev)
			into[role] = ev.ID
		}
	}
	eventOf[auth.RoleClient], doomedEventOf[auth.RoleClient] = eventOf[auth.RoleOperator], doomedEventOf[auth.RoleOperator]
	// Bookings: the OPERATOR works every day; each role books one of its own
	// (to read, move and cancel), on slots a week ahead, one hour apart.
	admin.must(200, "PUT", "/api/v1/orgs/"+org.ID+"/operators/"+operatorID+"/availability", map[string]any{"time_zone": "UTC", "weekly": everyDay("09:00", "17:00")})
	ahead := time.Now().UTC().AddDate(0, 0, 7)
	slotAt := func(dayOffset, hour int) time.Time {
		return time.Date(ahead.Year(), ahead.Month(), ahead.Day()+dayOffset, hour, 0, 0, 0, time.UTC)
	}
	for _, role := range []auth.Role{auth.RoleOperator, auth.RoleAdmin} { // a feed of their own to revoke
		callers[role].must(201, "POST", "/api/v1/orgs/"+org.ID+"/operators/"+userIDs[strings.ToLower(string(role))+"@acme.test"]+"/calendar-feed", nil)
	}
	admin.must(200, "PUT", "/api/v1/orgs/"+org.ID+"/booking-page", map[string]any{"slug": "acme-matrix", "enabled": true})
	roleHour := map[auth.Role]int{auth.RoleClient: 9, auth.RoleOperator: 11, auth.RoleAdmin: 13}
	bookingOf := map[auth.Role]string{}
	for role, c := range callers {
		var b struct{ ID string }
		c.must(201, "POST", "/api/v1/orgs/"+org.ID+"/bookings", map[string]any{"service": "repairs", "start": slotAt(0, roleHour[role]),
			"client": map[string]string{"name": "Matrix " + string(role), "email": "matrix@example.com"}}).decode(t, &b)
		bookingOf[role] = b.ID
	}

	outsider := signUpVerified(t, base, inbox, "rival@other.test", "rival password 1")
	var rivalOrg struct {
		ID string `json:"id"`
	}
	outsider.must(201, "POST", "/api/v1/orgs", map[string]string{"name": "Rival"}).decode(t, &rivalOrg)
	var rivalToken struct {
		Token string `json:"token"`
	}
	outsider.must(201, "POST", "/api/v1/orgs/"+rivalOrg.ID+"/tokens", map[string]string{"name": "rival script"}).decode(t, &rivalToken)
	outsiderScript := newScript(t, base, rivalToken.Token)
	anonymous := newBrowser(t, base)

	declared := map[string]bool{}
	for _, key := range api.PersonOnlyRoutes() {
		declared[key] = true
		if !personOnly[key] {
			t.Errorf("api.PersonOnlyRoutes lists %s, which the test does not expect to be person-only", key)
		}
	}
	for key := range personOnly {
		if !declared[key] {
			t.Errorf("%s is person-only, but api.PersonOnlyRoutes does not list it", key)
		}
	}
	deps, err := s.APIDeps()
	if err != nil {
		t.Fatal(err)
	}
	deps.Metrics = prometheus.NewRegistry() // this copy only lists routes; the running one owns the metrics
	router, err := api.NewRouter(deps)
	if err != nil {
		t.Fatal(err)
	}
	covered, calls := 0, 0
	for _, route := range router.Routes() {
		if !strings.HasPrefix(route.Path, "/api/v1/orgs/:org") {
			continue
		}
		key := route.Method + " " + route.Path
		spec, ok := orgRoutes[key]
		if !ok {
			t.Errorf("%s is organisation-scoped but not in the tenant matrix (orgRoutes)", key)
			continue
		}
		covered++
		path := func(role auth.Role) string {
			p := strings.Replace(route.Path, ":org", org.ID, 1)
			target := "remove-me@acme.test"
			if route.Method == "PATCH" {
				target = "patch-me@acme.test"
			}
			p = strings.Replace(p, ":user_id", userIDs[strings.ToLower(string(role))+"@acme.test"], 1)
			p = strings.Replace(p, ":user", userIDs[target], 1)
			if strings.HasSuffix(route.Path, "/slots") || strings.HasSuffix(route.Path, "/calendar") {
				p += "?from=2030-01-07T00:00:00Z&to=2030-01-08T00:00:00Z"
			}
			if strings.Contains(route.Path, "/bookings/:id") {
				p = strings.Replace(p, ":id", bookingOf[role], 1)
			}
			if strings.Contains(route.Path, "/events/:id") {
				if route.Method == "DELETE" {
					p = strings.Replace(p, ":id", doomedEventOf[role], 1)
				}
				p = strings.Replace(p, ":id", eventOf[role], 1)
			}
			if route.Method == "DELETE" && strings.Contains(route.Path, ":key") {
				p = strings.Replace(p, ":key", "to-delete", 1)
			}
			p = strings.Replace(p, ":key", "repairs", 1)
			if strings.Contains(route.Path, "/items/") {
				p = strings.Replace(p, ":id", item.ID, 1)
			}
			if strings.Contains(route.Path, "/invitations/") {
				p = strings.Replace(p, ":id", invitation.ID, 1)
			}
			if strings.Contains(route.Path, "/documents/:id") {
				p = strings.Replace(p, ":n", "1", 1)
				if route.Method == "DELETE" {
					p = strings.Replace(p, ":id", doomedDocumentOf[role], 1)
				}
				p = strings.Replace(p, ":id", documentOf[role], 1)
			}
			p = strings.Replace(p, ":id", intakeOf[role], 1)
			return strings.Replace(p, ":token", tokenOf[role], 1)
		}
		bodyFor := func(role auth.Role) any {
			switch key {
			case "POST /api/v1/orgs/:org/pipelines":
				return map[string]any{"key": "made-by-" + strings.ToLower(string(role)), "name": "Made by " + string(role)}
			case "POST /api/v1/orgs/:org/items/:id/move":
				return map[string]any{"stage_id": item.Stage}
			case "POST /api/v1/orgs/:org/services":
				return map[string]any{"key": "svc-by-" + strings.ToLower(string(role)), "name": "Made by " + string(role), "duration_minutes": 30, "operators": []string{operatorID}}
			case "POST /api/v1/orgs/:org/bookings":
				return map[string]any{"service": "repairs", "start": slotAt(1, roleHour[role]), "client": map[string]string{"name": "New " + string(role), "email": "new@example.com"}}
			case "POST /api/v1/orgs/:org/bookings/:id/reschedule":
				return map[string]any{"start": slotAt(2, roleHour[role])}
			case "PUT /api/v1/orgs/:org/services/:key":
				return map[string]any{"name": "Repairs, renamed", "duration_minutes": 45, "operators": []string{operatorID}}
			}
			return spec.body
		}
		// call makes the route's request as c: a document upload is a multipart file (its own per call).
		call := func(c *caller, p string, role auth.Role) reply {
			if key == "POST /api/v1/orgs/:org/documents" {
				calls++
				pdf := ocrtest.TextPDF([]string{"MATRIX UPLOAD " + strconv.Itoa(calls)})
				return uploadDocument(t, c, strings.TrimPrefix(strings.TrimSuffix(p, "/documents"), "/api/v1/orgs/"), "m.pdf", pdf, "", nil)
			}
			return c.do(route.Method, p, bodyFor(role))
		}

		for name, c := range map[string]*caller{"another org's ADMIN": outsider, "another org's API token": outsiderScript} {
			r := call(c, path(auth.RoleAdmin), auth.RoleAdmin)
			if r.status != 404 {
				t.Errorf("%s as %s = %d, want 404: %s", key, name, r.status, r.body)
			}
			if strings.Contains(string(r.body), "Acme Confidential") || strings.Contains(string(r.body), "acme.test") {
				t.Errorf("%s as %s leaked data: %s", key, name, r.body)
			}
		}
		if r := call(anonymous, path(auth.RoleAdmin), auth.RoleAdmin); r.status != 401 {
			t.Errorf("%s anonymously = %d, want 401", key, r.status)
		}
		if personOnly[key] {
			r := call(adminScript, path(auth.RoleAdmin), auth.RoleAdmin)
			if typ, _ := problemFields(t, r); r.status != 403 || typ != "/problems/session-required" {
				t.Errorf("%s with the organisation's ADMIN token = %d %s, want 403 /problems/session-required", key, r.status, r.body)
			}
		}
		// Least powerful first, so the ADMIN's successful DELETE comes last.
		for _, role := range []auth.Role{auth.RoleClient, auth.RoleOperator, auth.RoleAdmin} {
			r := call(callers[role], path(role), role)
			allowed := role.AtLeast(spec.min)
			switch {
			case allowed && slices.Contains(refusedPastTheGate[key], r.status):
			case allowed && (r.status < 200 || r.status > 299):
				t.Errorf("%s as %s = %d, want success: %s", key, role, r.status, r.body)
			case !allowed && r.status != 403:
				t.Errorf("%s as %s = %d, want 403: %s", key, role, r.status, r.body)
			}
		}
	}
	for key := range personOnly {
		if _, ok := orgRoutes[key]; !ok {
			t.Errorf("personOnly lists %s, which is not in the tenant matrix", key)
		}
	}
	if covered != len(orgRoutes) {
		t.Errorf("the router has %d of the %d organisation-scoped routes in the matrix: the matrix lists routes that do not exist", covered, len(orgRoutes))
	}

	// Data each role sees: a CLIENT's token list holds only its own tokens, an ADMIN's all of them.
	var list struct {
		Items []struct {
			CreatedBy string `json:"created_by"`
		} `json:"items"`
	}
	callers[auth.RoleClient].must(200, "GET", "/api/v1/orgs/"+org.ID+"/tokens", nil).decode(t, &list)
	for _, tok := range list.Items {
		if tok.CreatedBy != userIDs["client@acme.test"] {
			t.Errorf("a CLIENT sees another member's token")
		}
	}
	clientCount := len(list.Items)
	admin.must(200, "GET", "/api/v1/orgs/"+org.ID+"/tokens", nil).decode(t, &list)
	if len(list.Items) <= clientCount {
		t.Errorf("ADMIN sees %d tokens, CLIENT %d: ADMIN should see everyone's", len(list.Items), clientCount)
	}
	// A CLIENT sees only the documents it uploaded: in the list, by id, by page.
	var docs struct {
		Items []struct {
			ID         string `json:"id"`
			UploadedBy string `json:"uploaded_by"`
		} `json:"items"`
	}
	callers[auth.RoleClient].must(200, "GET", "/api/v1/orgs/"+org.ID+"/documents", nil).decode(t, &docs)
	for _, d := range docs.Items {
		if d.UploadedBy != userIDs["client@acme.test"] {
			t.Errorf("a CLIENT lists document %s, uploaded by %s", d.ID, d.UploadedBy)
		}
	}
	if len(docs.Items) == 0 {
		t.Error("a CLIENT lists none of its own documents")
	}
	own := callers[auth.RoleClient].must(200, "GET", "/api/v1/orgs/"+org.ID+"/documents/"+documentOf[auth.RoleClient], nil)
	if !strings.Contains(string(own.body), `"extraction":null`) {
		t.Errorf("a CLIENT sees how its document's fields were read: %s", own.body)
	}
	if staff := admin.must(200, "GET", "/api/v1/orgs/"+org.ID+"/documents/"+documentOf[auth.RoleClient], nil); !strings.Contains(string(staff.body), `"extractor":"builtin"`) {
		t.Errorf("an ADMIN does not see how the fields were read: %s", staff.body)
	}
	callers[auth.RoleClient].must(404, "GET", "/api/v1/orgs/"+org.ID+"/documents/"+documentOf[auth.RoleAdmin], nil)
	callers[auth.RoleClient].must(404, "GET", "/api/v1/orgs/"+org.ID+"/documents/"+documentOf[auth.RoleAdmin]+"/pages/1", nil)
	callers[auth.RoleClient].must(404, "GET", "/api/v1/orgs/"+org.ID+"/documents/"+documentOf[auth.RoleAdmin]+"/pages/1/image", nil)
	// The last ADMIN can be neither demoted nor removed.
	adminID := userIDs["admin@acme.test"]
	admin.must(409, "PATCH", "/api/v1/orgs/"+org.ID+"/members/"+adminID, map[string]string{"role": "CLIENT"})
	admin.must(409, "DELETE", "/api/v1/orgs/"+org.ID+"/members/"+adminID, nil)
	// Garbage ids are 404, never 500.
	admin.must(404, "GET", "/api/v1/orgs/not-a-uuid", nil)
	admin.must(404, "DELETE", "/api/v1/orgs/"+org.ID+"/members/not-a-uuid", nil)
}
