package app

import (
	"context"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/astralisops/astralis/internal/gcal/gcaltest"
)

// TestConsoleSchedulingAdmin: an ADMIN sets up scheduling in the console and
// books for a client. A service is refused once (a length the API refuses,
// said beside its field), then created, renamed and a spare one deleted after
// a confirmation; an operator's weekly hours are refused twice (a time that is
// no HH:MM, beside its field, before anything is sent; an end before the
// start, beside that window) and saved with a day off; booking for a
// client offers no time on the day off, refuses a bad email beside its field,
// and lands on the new booking's page, where it is moved to another day; the
// month calendar shows it on that day and its grid moves by arrow keys; the
// booking is cancelled after a confirmation. The API agrees at each step;
// axe-core checks every page.
func TestConsoleSchedulingAdmin(t *testing.T) {
	admin, org, _, inbox := setUpShopWithInbox(t) // owner@shop.test, ADMIN
	orgPath := "/api/v1/orgs/" + org
	_, anaID := join(t, admin, inbox, org, "ana@shop.test", "OPERATOR")
	admin.must(201, "POST", orgPath+"/services", map[string]any{"key": "spare", "name": "Spare room", "duration_minutes": 60, "operators": []string{anaID}})

	// All in UTC, the browser's zone too: the day off, the booked day and the day it moves to.
	today := time.Now().UTC()
	dayOff := time.Date(today.Year(), today.Month(), today.Day()+3, 0, 0, 0, 0, time.UTC)
	booked := dayOff.AddDate(0, 0, 1).Add(10 * time.Hour)
	moved := dayOff.AddDate(0, 0, 2).Add(11 * time.Hour)

	b := newChromium(t)
	b.inZone("UTC")
	services := "/orgs/" + org + "/services"
	b.do("open the services", chromedp.Navigate(admin.base+services))
	b.waitFor("sign-in page", `location.pathname === "/sign-in"`)
	b.signIn("owner@shop.test", "owner password 1")
	// Named once the members load (an id before): the page settled, nothing moves under a click.
	b.waitFor("the services", `document.querySelector("table.services tr[data-key=spare]")?.textContent.includes("Test ana@shop.test")`)
	b.checkAccessible("services")
	b.screenshot("services")

	// A new service with a length the API refuses: said beside the length, nothing created.
	b.do("open the new service form", chromedp.Click(`button.new-service`))
	form := `form.service-form`
	b.do("fill in the service", chromedp.WaitVisible(form+` input[name=key]`),
		chromedp.SendKeys(form+` input[name=key]`, "consult"), chromedp.SendKeys(form+` input[name=name]`, "Consultation"))
	b.clear(form + ` input[name=duration_minutes]`)
	b.do("a length of 2 minutes, offered by Ana", chromedp.SendKeys(form+` input[name=duration_minutes]`, "2"),
		chromedp.Click(form+fmt.Sprintf(` input[name=operator][value=%q]`, anaID)), chromedp.Click(form+` button[type=submit]`))
	b.waitFor("the error beside the length", fieldErrorBeside(form+` input[name=duration_minutes]`))
	admin.must(404, "GET", orgPath+"/services/consult", nil)
	b.checkAccessible("services, refused")
	b.screenshot("service-refused")
	b.clear(form + ` input[name=duration_minutes]`)
	b.do("a length of 30 minutes", chromedp.SendKeys(form+` input[name=duration_minutes]`, "30"), chromedp.Click(form+` button[type=submit]`))
	b.waitFor("the service listed", `document.querySelector("table.services tr[data-key=consult]")?.textContent.includes("30 min") && !document.querySelector("form.service-form")`)
	var svc struct {
		Name            string   `json:"name"`
		DurationMinutes int      `json:"duration_minutes"`
		Operators       []string `json:"operators"`
	}
	admin.must(200, "GET", orgPath+"/services/consult", nil).decode(t, &svc)
	if svc.DurationMinutes != 30 || len(svc.Operators) != 1 || svc.Operators[0] != anaID {
		t.Fatalf("the service as the API has it: %+v; want 30 minutes offered by Ana", svc)
	}

	// Renamed (PUT keeps the key), and the spare service deleted after a confirmation.
	b.do("edit it", chromedp.Click(`table.services tr[data-key=consult] button[aria-label^=Edit]`))
	b.clear(form + ` input[name=name]`)
	b.do("rename it", chromedp.SendKeys(form+` input[name=name]`, "Long consultation"), chromedp.Click(form+` button[type=submit]`))
	b.waitFor("renamed", `document.querySelector("table.services tr[data-key=consult] td")?.textContent === "Long consultation"`)
	admin.must(200, "GET", orgPath+"/services/consult", nil).decode(t, &svc)
	if svc.Name != "Long consultation" || svc.DurationMinutes != 30 {
		t.Fatalf("the edited service as the API has it: %+v", svc)
	}
	b.do("delete the spare one", chromedp.Click(`table.services tr[data-key=spare] button[aria-label^=Delete]`))
	b.waitFor("asked to confirm", `!!document.querySelector("table.services tr[data-key=spare] button.danger")`)
	admin.must(200, "GET", orgPath+"/services/spare", nil) // nothing gone before the confirmation
	b.do("confirm", chromedp.Click(`table.services tr[data-key=spare] button.danger`))
	b.waitFor("gone from the list", `!document.querySelector("table.services tr[data-key=spare]") && !!document.querySelector("table.services tr[data-key=consult]")`)
	admin.must(404, "GET", orgPath+"/services/spare", nil)
	b.checkAccessible("services, edited")
	b.screenshot("services-edited")

	// Ana's hours: 09:00–17:00 every day, refused once for a Monday ending before it starts; then a day off.
	b.do("open Ana's hours", chromedp.Navigate(admin.base+"/orgs/"+org+"/operators/"+anaID+"/availability"))
	b.waitFor("her hours, none yet", `!!document.querySelector("form.hours input[name=time_zone]") && document.querySelectorAll(".window").length === 0 &&
		document.querySelector("main h1").textContent === "Working hours of Test ana@shop.test"`)
	b.checkAccessible("working hours, empty")
	b.clear(`form.hours input[name=time_zone]`)
	b.do("UTC", chromedp.SendKeys(`form.hours input[name=time_zone]`, "UTC"))
	for _, day := range []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"} {
		b.do("hours on "+day, chromedp.Click(fmt.Sprintf(`fieldset.windows[data-path="weekly.%s"] button.add-window`, day)))
	}
	// A time that is no HH:MM is said beside its own field, and nothing is sent.
	tueEnd := `fieldset.windows[data-path="weekly.tue"] .window input[name=end]`
	b.clear(tueEnd)
	b.do("Tuesday until 9:00", chromedp.SendKeys(tueEnd, "9:00"), chromedp.Click(`form.hours button[type=submit]`))
	b.waitFor("the error beside Tuesday's end, the focus on it", besideField(tueEnd, "must be a time HH:MM")+
		fmt.Sprintf(` && document.activeElement === document.querySelector(%q)`, tueEnd))
	var unsaved struct {
		Weekly map[string][]map[string]string `json:"weekly"`
	}
	if admin.must(200, "GET", orgPath+"/operators/"+anaID+"/availability", nil).decode(t, &unsaved); len(unsaved.Weekly) != 0 {
		t.Errorf("hours with an unreadable time were saved: %v", unsaved.Weekly)
	}
	b.clear(tueEnd)
	b.do("Tuesday until 17:00", chromedp.SendKeys(tueEnd, "17:00"))
	monEnd := `fieldset.windows[data-path="weekly.mon"] .window input[name=end]`
	b.clear(monEnd)
	b.do("Monday until 08:00", chromedp.SendKeys(monEnd, "08:00"), chromedp.Click(`form.hours button[type=submit]`))
	b.waitFor("the error beside Monday's hours", fieldErrorBeside(`fieldset.windows[data-path="weekly.mon"] .window input[name=start]`))
	b.checkAccessible("working hours, refused")
	b.screenshot("hours-refused")
	b.clear(monEnd)
	b.do("Monday until 17:00", chromedp.SendKeys(monEnd, "17:00"))
	b.do("add a date", chromedp.Click(`button.add-override`))
	b.fill(`fieldset.override input[name=override-date]`, dayOff.Format(time.DateOnly))
	b.waitFor("a day off", `document.querySelector("fieldset.override input[name=override-closed]")?.checked`)
	b.do("save the hours", chromedp.Click(`form.hours button[type=submit]`))
	b.waitFor("saved", `document.querySelector("#hours-saved")?.textContent === "Saved." && !document.querySelector("form.hours .field-error")`)
	var hours struct {
		TimeZone  string                         `json:"time_zone"`
		Weekly    map[string][]map[string]string `json:"weekly"`
		Overrides []struct {
			Date   string `json:"date"`
			Closed bool   `json:"closed"`
		} `json:"overrides"`
	}
	admin.must(200, "GET", orgPath+"/operators/"+anaID+"/availability", nil).decode(t, &hours)
	if hours.TimeZone != "UTC" || len(hours.Weekly) != 7 || hours.Weekly["mon"][0]["end"] != "17:00" || len(hours.Overrides) != 1 ||
		hours.Overrides[0].Date != dayOff.Format(time.DateOnly) || !hours.Overrides[0].Closed {
		t.Fatalf("Ana's hours as the API has them: %+v; want 09:00–17:00 UTC every day and %s off", hours, dayOff.Format(time.DateOnly))
	}
	b.checkAccessible("working hours, saved")
	b.screenshot("hours-saved")

	// Booking for a client: the day off offers nothing; a bad email is refused beside its field.
	b.do("open the bookings", chromedp.Navigate(admin.base+"/orgs/"+org+"/bookings"))
	b.waitFor("no booking yet", `document.querySelector("main").textContent.includes("No booking in the next 30 days")`)
	b.checkAccessible("bookings, none")
	b.do("book for a client", chromedp.Click(`main a[href$="/bookings/new"]`))
	b.waitFor("the free days", fmt.Sprintf(`location.pathname.endsWith("/bookings/new") && !!document.querySelector('#slot-day option[value=%q]')`, booked.Format(time.DateOnly)))
	if eval[bool](b, fmt.Sprintf(`!!document.querySelector('#slot-day option[value=%q]')`, dayOff.Format(time.DateOnly))) {
		t.Errorf("the day off (%s) is offered", dayOff.Format(time.DateOnly))
	}
	b.checkAccessible("book for a client")
	pickSlot(b, booked)
	b.do("the client, with a bad email", chromedp.SendKeys(`form.booking-form input[name=name]`, "Hana"),
		chromedp.SendKeys(`form.booking-form input[name=email]`, "hana at example"), chromedp.Click(`form.booking-form button[type=submit]`))
	b.waitFor("the error beside the email", fieldErrorBeside(`form.booking-form input[name=email]`))
	b.checkAccessible("book for a client, refused")
	b.screenshot("book-refused")
	b.clear(`form.booking-form input[name=email]`)
	b.do("book", chromedp.SendKeys(`form.booking-form input[name=email]`, "hana@example.com"), chromedp.Click(`form.booking-form button[type=submit]`))
	b.waitFor("the new booking's page", `/\/bookings\/[0-9a-f-]{36}$/.test(location.pathname) && document.querySelector("#booking")?.dataset.status === "confirmed"`)
	id := eval[string](b, `location.pathname.split("/").pop()`)
	var bk bookingView
	admin.must(200, "GET", orgPath+"/bookings/"+id, nil).decode(t, &bk)
	if !bk.Start.Equal(booked) || bk.Client.Email != "hana@example.com" || bk.OperatorID != anaID {
		t.Fatalf("the booking as the API has it: %+v; want Hana with Ana at %s", bk, booked)
	}
	b.waitFor("its time shown", `document.querySelector("#booking-when").textContent.includes("10:00")`)
	b.checkAccessible("booking")
	b.screenshot("booking")

	// Moved to another day, as the booking page offers it.
	b.waitFor("its free days", `!!document.querySelector("form.reschedule #slot-day option")`)
	pickSlot(b, moved)
	b.do("move it", chromedp.Click(`form.reschedule button[type=submit]`))
	b.waitFor("moved", `document.querySelector("#moved")?.textContent.includes("11:00") && document.querySelector("#booking-when").textContent.includes("11:00")`)
	admin.must(200, "GET", orgPath+"/bookings/"+id, nil).decode(t, &bk)
	if !bk.Start.Equal(moved) {
		t.Fatalf("after the move the booking starts %s; want %s", bk.Start, moved)
	}
	b.checkAccessible("booking, moved")
	b.screenshot("booking-moved")

	// The month calendar shows it on the new day only; its grid moves by arrow keys.
	today = time.Now().UTC() // now, not when the test began: it may have run into a new month
	b.do("open the month", chromedp.Navigate(admin.base+"/orgs/"+org+"/calendar/month"))
	b.waitFor("this month", fmt.Sprintf(`document.querySelector("table.month")?.dataset.month === %q`, today.Format("2006-01")))
	if moved.Month() != today.Month() {
		b.do("next month", chromedp.Click(`nav.week-nav button:last-child`))
	}
	newDay := fmt.Sprintf(`table.month td[data-day=%q]`, moved.Format(time.DateOnly))
	b.waitFor("the booking on its new day", fmt.Sprintf(`document.querySelector("table.month")?.dataset.month === %q && document.querySelector("table.month")?.getAttribute("aria-busy") === "false" &&
		[...document.querySelectorAll(%q)].some(e => e.textContent.includes("11:00") && e.textContent.includes("consult: Hana"))`, moved.Format("2006-01"), newDay+" li.entry[data-kind=booking]"))
	if n := eval[int](b, fmt.Sprintf(`document.querySelectorAll('table.month td[data-day=%q] li.entry').length`, booked.Format(time.DateOnly))); n != 0 {
		t.Errorf("the old day still shows %d entries", n)
	}
	b.checkAccessible("month")
	b.screenshot("month")
	b.tabTo(`table.month td[tabindex="0"]`)
	from := eval[string](b, `document.activeElement.dataset.day`)
	start, err := time.Parse(time.DateOnly, from)
	if err != nil {
		t.Fatal(err)
	}
	// A week on and a day back, or a week back from the grid's last row.
	week, want := kb.ArrowDown, start.AddDate(0, 0, 6)
	if eval[int](b, `[...document.querySelectorAll("table.month td")].indexOf(document.activeElement)`) >= 35 {
		week, want = kb.ArrowUp, start.AddDate(0, 0, -8)
	}
	// Each press may show another month first (near a month's end), and the focus follows after.
	b.press("a week", week)
	b.waitFor("the focus a week on", fmt.Sprintf(`document.activeElement?.dataset.day === %q`, want.AddDate(0, 0, 1).Format(time.DateOnly)))
	b.press("a day back", kb.ArrowLeft)
	b.waitFor("the focus a week and a day back from "+from, fmt.Sprintf(`document.activeElement?.dataset.day === %q`, want.Format(time.DateOnly)))

	// Opened from the month, and cancelled after a confirmation: the calendar has nothing left.
	b.do("open the booking", chromedp.Click(newDay+" li.entry a"))
	// Its free times load last and push the cancel button down: a click before then could miss it.
	b.waitFor("the booking and its free times", fmt.Sprintf(`location.pathname.endsWith(%q) && document.querySelector("#booking")?.dataset.status === "confirmed" &&
		!!document.querySelector("form.reschedule #slot-day option")`, id))
	b.do("cancel it", chromedp.Click(`section[aria-labelledby=cancel-heading] button.secondary`))
	b.waitFor("asked to confirm", `!!document.querySelector("form.cancel button.danger")`)
	admin.must(200, "GET", orgPath+"/bookings/"+id, nil).decode(t, &bk)
	if bk.Status != "confirmed" {
		t.Fatalf("cancelled before the confirmation: %+v", bk)
	}
	b.do("confirm", chromedp.SendKeys(`form.cancel input[name=reason]`, "the client is ill"), chromedp.Click(`form.cancel button.danger`))
	// The section whose button had the focus is gone: the focus goes to the page's heading.
	b.waitFor("cancelled, the focus on the heading", `document.querySelector("#booking")?.dataset.status === "cancelled" && !document.querySelector("form.reschedule") &&
		document.activeElement === document.querySelector("main h1")`)
	admin.must(200, "GET", orgPath+"/bookings/"+id, nil).decode(t, &bk)
	if bk.Status != "cancelled" {
		t.Fatalf("after the cancellation the booking is %q", bk.Status)
	}
	b.checkAccessible("booking, cancelled")
	b.screenshot("booking-cancelled")
	b.do("the month again", chromedp.Navigate(admin.base+"/orgs/"+org+"/calendar/month?month="+moved.Format("2006-01")))
	b.waitFor("loaded, the day empty", fmt.Sprintf(`document.querySelector("table.month")?.getAttribute("aria-busy") === "false" && !!document.querySelector(%q) && !document.querySelector(%q)`, newDay, newDay+" li.entry"))
	b.checkQuiet()
}

// TestConsoleClientSeesOnlyTheirOwnBookings: two CLIENTs book through the API;
// one of them signs in to the console, where their bookings list only theirs,
// another's booking is plainly not found, and they cancel their own.
func TestConsoleClientSeesOnlyTheirOwnBookings(t *testing.T) {
	admin, org, _, inbox := setUpShopWithInbox(t)
	orgPath := "/api/v1/orgs/" + org
	ana, anaID := join(t, admin, inbox, org, "ana@shop.test", "OPERATOR")
	carl, _ := join(t, admin, inbox, org, "carl@shop.test", "CLIENT")
	dora, _ := join(t, admin, inbox, org, "dora@shop.test", "CLIENT")
	ana.must(200, "PUT", orgPath+"/operators/"+anaID+"/availability", map[string]any{"time_zone": "UTC", "weekly": everyDay("09:00", "17:00")})
	admin.must(201, "POST", orgPath+"/services", map[string]any{"key": "consult", "name": "Consultation", "duration_minutes": 30, "operators": []string{anaID}})
	d := time.Now().UTC().AddDate(0, 0, 5)
	ten := time.Date(d.Year(), d.Month(), d.Day(), 10, 0, 0, 0, time.UTC)
	var mine, theirs bookingView
	carl.must(201, "POST", orgPath+"/bookings", map[string]any{"service": "consult", "start": ten}).decode(t, &mine)
	dora.must(201, "POST", orgPath+"/bookings", map[string]any{"service": "consult", "start": ten.Add(time.Hour)}).decode(t, &theirs)

	b := newChromium(t)
	bookings := "/orgs/" + org + "/bookings"
	b.do("open the bookings", chromedp.Navigate(carl.base+bookings))
	b.waitFor("sign-in page", `location.pathname === "/sign-in"`)
	b.signIn("carl@shop.test", "member password 1")
	b.waitFor("the client's bookings", fmt.Sprintf(`document.querySelector("main h1")?.textContent === "My bookings" && !!document.querySelector('table.bookings tr[data-id=%q]') && !!document.querySelector("nav.orgnav")`, mine.ID))
	if rows := eval[int](b, `document.querySelectorAll("table.bookings tbody tr").length`); rows != 1 {
		t.Errorf("the client's bookings list %d rows; want only their own", rows)
	}
	if eval[bool](b, fmt.Sprintf(`!!document.querySelector('[data-id=%q]') || document.querySelector("main").textContent.includes("dora")`, theirs.ID)) {
		t.Error("the client's bookings show another's")
	}
	if eval[bool](b, `[...document.querySelectorAll("nav.orgnav a")].some(a => a.textContent === "Services" || a.textContent === "Calendar")`) {
		t.Error("a CLIENT is offered the staff's scheduling pages")
	}
	b.checkAccessible("client's bookings")
	b.screenshot("client-bookings")

	b.do("open theirs", chromedp.Click(`table.bookings tbody a`))
	b.waitFor("their booking", fmt.Sprintf(`location.pathname === %q && document.querySelector("#booking")?.dataset.status === "confirmed" && !!document.querySelector("form.reschedule #slot-day option")`, bookings+"/"+mine.ID))
	b.checkAccessible("client's booking")
	b.screenshot("client-booking")

	b.do("open another's booking", chromedp.Navigate(carl.base+bookings+"/"+theirs.ID))
	b.waitFor("not found, plainly", `document.querySelector("main [role=alert]")?.textContent.startsWith("Not found")`)
	if eval[bool](b, `!!document.querySelector("#booking") || document.querySelector("main").textContent.includes("dora")`) {
		t.Error("another's booking is shown to a CLIENT")
	}
	b.checkAccessible("another's booking")
	b.screenshot("client-not-found")

	b.do("back to theirs", chromedp.Navigate(carl.base+bookings+"/"+mine.ID))
	b.waitFor("their booking and its free times", `document.querySelector("#booking")?.dataset.status === "confirmed" && !!document.querySelector("form.reschedule #slot-day option")`)
	b.do("cancel it", chromedp.Click(`section[aria-labelledby=cancel-heading] button.secondary`))
	b.waitFor("asked to confirm", `!!document.querySelector("form.cancel button.danger")`)
	b.do("confirm", chromedp.Click(`form.cancel button.danger`))
	// The section whose button had the focus is gone: the focus goes to the page's heading.
	b.waitFor("cancelled, the focus on the heading", `document.querySelector("#booking")?.dataset.status === "cancelled" && !document.querySelector("form.reschedule") &&
		document.activeElement === document.querySelector("main h1")`)
	carl.must(200, "GET", orgPath+"/bookings/"+mine.ID, nil).decode(t, &mine)
	dora.must(200, "GET", orgPath+"/bookings/"+theirs.ID, nil).decode(t, &theirs)
	if mine.Status != "cancelled" || theirs.Status != "confirmed" {
		t.Fatalf("after the client's cancellation: theirs %q, the other's %q; want cancelled and confirmed", mine.Status, theirs.Status)
	}
	b.checkAccessible("client's booking, cancelled")
	b.screenshot("client-cancelled")
	b.checkQuiet()
}

// TestConsoleBookingPageAndCalendarSettings: an ADMIN opens the public booking
// page from the services page (a bad address refused beside its field first)
// and the API and the page itself agree; their own hours page, from the nav,
// says plainly that Google Calendar is not configured on this server.
func TestConsoleBookingPageAndCalendarSettings(t *testing.T) {
	admin, org, _, _ := setUpShopWithInbox(t)
	var me struct {
		ID string `json:"id"`
	}
	admin.must(200, "GET", "/api/v1/me", nil).decode(t, &me)
	admin.must(404, "GET", "/api/v1/orgs/"+org+"/booking-page", nil)

	b := newChromium(t)
	b.do("open the services", chromedp.Navigate(admin.base+"/orgs/"+org+"/services"))
	b.waitFor("sign-in page", `location.pathname === "/sign-in"`)
	b.signIn("owner@shop.test", "owner password 1")
	b.waitFor("no booking page yet", `!!document.querySelector("form.booking-page input[name=slug]") && !document.querySelector("#booking-page-state") &&
		document.querySelector("main").textContent.includes("No service yet")`)
	b.do("a bad address", chromedp.SendKeys(`form.booking-page input[name=slug]`, "Fix It!"),
		chromedp.Click(`form.booking-page input[name=enabled]`), chromedp.Click(`form.booking-page button[type=submit]`))
	b.waitFor("the error beside the address", fieldErrorBeside(`form.booking-page input[name=slug]`))
	admin.must(404, "GET", "/api/v1/orgs/"+org+"/booking-page", nil)
	b.checkAccessible("services, booking page refused")
	b.screenshot("booking-page-refused")
	b.clear(`form.booking-page input[name=slug]`)
	b.do("a good address", chromedp.SendKeys(`form.booking-page input[name=slug]`, "fixit"), chromedp.Click(`form.booking-page button[type=submit]`))
	b.waitFor("open", `document.querySelector("#booking-page-state a")?.getAttribute("href") === "/book/fixit"`)
	var page struct {
		Slug    string `json:"slug"`
		Enabled bool   `json:"enabled"`
	}
	admin.must(200, "GET", "/api/v1/orgs/"+org+"/booking-page", nil).decode(t, &page)
	if page.Slug != "fixit" || !page.Enabled {
		t.Fatalf("the booking page as the API has it: %+v; want fixit, open", page)
	}
	b.checkAccessible("services, booking page open")
	b.screenshot("booking-page-open")
	b.do("follow the link", chromedp.Click(`#booking-page-state a`))
	b.waitFor("the public page", `location.pathname === "/book/fixit" && document.querySelector("main").textContent.includes("Nothing can be booked here yet")`)

	b.do("back to the console", chromedp.Navigate(admin.base+"/orgs/"+org+"/services"))
	b.do("my hours", chromedp.Click(`nav.orgnav a[href$="/availability"]`))
	b.waitFor("Google Calendar not configured", fmt.Sprintf(`location.pathname.endsWith(%q) &&
		document.querySelector("section.calendar-connection")?.dataset.enabled === "false" &&
		document.querySelector("#google-state")?.textContent.startsWith("Not configured on this server") &&
		!document.querySelector("section.calendar-connection button")`, "/operators/"+me.ID+"/availability"))
	b.checkAccessible("my hours")
	b.screenshot("my-hours")
	b.checkQuiet()
}

// TestConsoleSchedulingRecovers: the scheduling pages after something went
// wrong or a person went somewhere odd. A service deleted while its form is
// open closes the form (no "New service" that would create it again), and the
// focus follows Edit and Cancel; booking for a client forgets the time when
// the operator changes, and a time taken meanwhile is refused plainly with the
// nearest free ones to take instead; a booking's move to a time taken
// meanwhile is refused plainly, the free times are fetched again without it
// and another time moves it; the cancel form takes the focus; bad ?month and
// ?week values show this month and week; the month grid's arrow keys go past
// its edges into the next month with the focus on a day; an operator with no
// saved hours starts in the browser's zone. axe-core checks every new state.
func TestConsoleSchedulingRecovers(t *testing.T) {
	admin, org, _, inbox := setUpShopWithInbox(t) // owner@shop.test, ADMIN
	orgPath := "/api/v1/orgs/" + org
	ana, anaID := join(t, admin, inbox, org, "ana@shop.test", "OPERATOR")
	_, benID := join(t, admin, inbox, org, "ben@shop.test", "OPERATOR") // no hours saved
	ana.must(200, "PUT", orgPath+"/operators/"+anaID+"/availability", map[string]any{"time_zone": "UTC", "weekly": everyDay("09:00", "17:00")})
	admin.must(201, "POST", orgPath+"/services", map[string]any{"key": "consult", "name": "Consultation", "duration_minutes": 30, "operators": []string{anaID, benID}})
	admin.must(201, "POST", orgPath+"/services", map[string]any{"key": "spare", "name": "Spare room", "duration_minutes": 60, "operators": []string{anaID}})
	// takeSlot books at for someone else through the API, as another member of staff would meanwhile.
	takeSlot := func(at time.Time) {
		admin.must(201, "POST", orgPath+"/bookings", map[string]any{"service": "consult", "start": at, "operator": anaID,
			"client": map[string]string{"name": "Walk-in", "email": "walkin@example.com"}})
	}

	// All in UTC until the last step: two days ahead at 10:00 (taken meanwhile), then a day later.
	today := time.Now().UTC()
	d := today.AddDate(0, 0, 2)
	taken := time.Date(d.Year(), d.Month(), d.Day(), 10, 0, 0, 0, time.UTC)
	moveTaken, moveTo := taken.AddDate(0, 0, 1).Add(time.Hour), taken.AddDate(0, 0, 1).Add(2*time.Hour)

	b := newChromium(t)
	b.inZone("UTC")
	b.do("open the services", chromedp.Navigate(admin.base+"/orgs/"+org+"/services"))
	b.waitFor("sign-in page", `location.pathname === "/sign-in"`)
	b.signIn("owner@shop.test", "owner password 1")
	b.waitFor("the services", `document.querySelector("table.services tr[data-key=spare]")?.textContent.includes("Test ana@shop.test")`)

	// Edit takes the focus to the form, Cancel back to Edit; New service likewise.
	b.do("edit the spare room", chromedp.Click(`table.services tr[data-key=spare] button[aria-label^=Edit]`))
	b.waitFor("the focus on the form's heading", `document.activeElement?.id === "service-form-heading" && document.activeElement.textContent === "Edit Spare room"`)
	b.checkAccessible("services, editing")
	b.do("cancel the edit", chromedp.Click(`form.service-form button.secondary`))
	b.waitFor("the focus back on Edit", `!document.querySelector("form.service-form") && document.activeElement?.matches("tr[data-key=spare] button[aria-label^=Edit]")`)
	b.do("open the new service form", chromedp.Click(`button.new-service`))
	b.waitFor("the focus on the new form", `document.activeElement?.id === "service-form-heading"`)
	b.do("cancel it", chromedp.Click(`form.service-form button.secondary`))
	b.waitFor("the focus back on New service", `document.activeElement?.matches("button.new-service")`)

	// Deleting the service being edited closes its form: nothing left to create it again.
	b.do("edit the spare room again", chromedp.Click(`table.services tr[data-key=spare] button[aria-label^=Edit]`))
	b.waitFor("its form", `document.querySelector("#service-form-heading")?.textContent === "Edit Spare room"`)
	b.do("delete it", chromedp.Click(`table.services tr[data-key=spare] button[aria-label^=Delete]`))
	b.do("confirm", chromedp.Click(`table.services tr[data-key=spare] button.danger`))
	b.waitFor("gone, its form closed", `!document.querySelector("table.services tr[data-key=spare]") && !document.querySelector("form.service-form") && !!document.querySelector("button.new-service")`)
	admin.must(404, "GET", orgPath+"/services/spare", nil)
	b.screenshot("recovers-service-deleted")

	// Booking for a client: a time picked, then another operator chosen: the time is forgotten.
	b.do("book for a client", chromedp.Navigate(admin.base+"/orgs/"+org+"/bookings/new"))
	b.waitFor("the free days", fmt.Sprintf(`!!document.querySelector('#slot-day option[value=%q]')`, taken.Format(time.DateOnly)))
	pickSlot(b, taken)
	b.pick(`form.booking-form select[name=operator]`, anaID)
	b.waitFor("the time forgotten", `!document.querySelector("input[name=slot]:checked") && document.querySelector("form.booking-form button[type=submit]").disabled`)

	// The time taken meanwhile: refused plainly, offered the nearest free ones, one of which books.
	pickSlot(b, taken)
	takeSlot(taken)
	b.do("the client", chromedp.SendKeys(`form.booking-form input[name=name]`, "Hana"),
		chromedp.SendKeys(`form.booking-form input[name=email]`, "hana@example.com"), chromedp.Click(`form.booking-form button[type=submit]`))
	b.waitFor("refused, with the nearest free times", `document.querySelector(".alternatives [role=alert]")?.textContent.includes("That time was just taken") &&
		document.querySelectorAll(".alternatives button[data-start]").length > 0 && document.querySelector("form.booking-form button[type=submit]").disabled`)
	b.waitFor("the taken time no longer offered", fmt.Sprintf(`!!document.querySelector("#slot-day") && !document.querySelector('input[name=slot][value^=%q]')`, taken.Format("2006-01-02T15:04")))
	b.checkAccessible("book for a client, taken")
	b.screenshot("recovers-book-taken")
	alternative := eval[string](b, `document.querySelector(".alternatives button[data-start]").dataset.start`)
	b.do("take the nearest", chromedp.Click(`.alternatives button[data-start]`))
	b.do("book", chromedp.Click(`form.booking-form button[type=submit]`))
	b.waitFor("the new booking's page", `/\/bookings\/[0-9a-f-]{36}$/.test(location.pathname) && document.querySelector("#booking")?.dataset.status === "confirmed"`)
	id := eval[string](b, `location.pathname.split("/").pop()`)
	var bk bookingView
	admin.must(200, "GET", orgPath+"/bookings/"+id, nil).decode(t, &bk)
	if !sameInstant(t, alternative, bk.Start) || !bk.Start.After(taken) || bk.Client.Email != "hana@example.com" {
		t.Fatalf("the booking as the API has it: %+v; want Hana at the alternative %s", bk, alternative)
	}

	// Moved to a time taken meanwhile: refused plainly, that time gone from the choice; another time moves it.
	b.waitFor("its free days", `!!document.querySelector("form.reschedule #slot-day option")`)
	pickSlot(b, moveTaken)
	takeSlot(moveTaken)
	b.do("move it", chromedp.Click(`form.reschedule button[type=submit]`))
	b.waitFor("refused plainly", `document.querySelector("form.reschedule [role=alert]")?.textContent.startsWith("That time was just taken. Choose another") &&
		document.querySelector("form.reschedule button[type=submit]").disabled`)
	b.waitFor("the taken time no longer offered", fmt.Sprintf(`!!document.querySelector("form.reschedule #slot-day") && !document.querySelector('form.reschedule input[name=slot][value^=%q]')`, moveTaken.Format("2006-01-02T15:04")))
	b.checkAccessible("booking, move refused")
	b.screenshot("recovers-move-taken")
	pickSlot(b, moveTo)
	b.do("move it to another time", chromedp.Click(`form.reschedule button[type=submit]`))
	b.waitFor("moved", `document.querySelector("#moved")?.textContent.includes("12:00") && document.querySelector("#booking-when").textContent.includes("12:00")`)
	admin.must(200, "GET", orgPath+"/bookings/"+id, nil).decode(t, &bk)
	if !bk.Start.Equal(moveTo) {
		t.Fatalf("after the move the booking starts %s; want %s", bk.Start, moveTo)
	}

	// Cancelling: the reason field takes the focus, and the cancellation goes through.
	b.do("cancel it", chromedp.Click(`section[aria-labelledby=cancel-heading] button.secondary`))
	b.waitFor("the focus on the reason", `document.activeElement?.matches("form.cancel input[name=reason]")`)
	b.do("confirm", chromedp.SendKeys(`form.cancel input[name=reason]`, "moved away"), chromedp.Click(`form.cancel button.danger`))
	b.waitFor("cancelled", `document.querySelector("#booking")?.dataset.status === "cancelled"`)

	// Bad calendar addresses show this month and this week, not an error screen
	// (today now, not when the test began: it may have run past midnight).
	// Either of two moments' month or week is right: the page may be drawn just
	// after midnight ends one.
	today = time.Now().UTC()
	soon := today.Add(time.Minute)
	thisMonth := today.Format("2006-01")
	for _, bad := range []string{"2024-13", "x", "2024-1"} {
		b.do("the month "+bad, chromedp.Navigate(admin.base+"/orgs/"+org+"/calendar/month?month="+url.QueryEscape(bad)))
		b.waitFor("this month instead of "+bad, fmt.Sprintf(`[[%q, %q], [%q, %q]].some(([month, title]) =>
			document.querySelector("table.month")?.dataset.month === month && document.querySelector("main h1")?.textContent === title)`,
			thisMonth, today.Format("January 2006"), soon.Format("2006-01"), soon.Format("January 2006")))
	}
	monday := func(t time.Time) string {
		return time.Date(t.Year(), t.Month(), t.Day()-(int(t.Weekday())+6)%7, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	}
	for _, bad := range []string{"2024-02-31", "nope"} {
		b.do("the week "+bad, chromedp.Navigate(admin.base+"/orgs/"+org+"/calendar?week="+url.QueryEscape(bad)))
		b.waitFor("this week instead of "+bad, fmt.Sprintf(`[%q, %q].includes(document.querySelector(".week")?.dataset.week)`, monday(today), monday(soon)))
	}

	// The month grid is one tab stop (its bookings' links are not), and the arrows go on past its edges.
	b.do("the month of the walk-in bookings", chromedp.Navigate(admin.base+"/orgs/"+org+"/calendar/month?month="+taken.Format("2006-01")))
	b.waitFor("a booking in the grid", `document.querySelector("table.month")?.getAttribute("aria-busy") === "false" && !!document.querySelector("table.month li.entry a")`)
	if n := eval[int](b, `[...document.querySelectorAll("table.month a")].filter(a => a.tabIndex !== -1).length`); n != 0 {
		t.Errorf("%d links in the month grid are tab stops of their own", n)
	}
	b.checkAccessible("month")
	b.do("this month", chromedp.Navigate(admin.base+"/orgs/"+org+"/calendar/month"))
	b.waitFor("this month", fmt.Sprintf(`[%q, %q].includes(document.querySelector("table.month")?.dataset.month)`, thisMonth, time.Now().UTC().Add(time.Minute).Format("2006-01")))
	b.tabTo(`table.month td[tabindex="0"]`)
	day, err := time.Parse(time.DateOnly, eval[string](b, `document.activeElement.dataset.day`))
	if err != nil {
		t.Fatal(err)
	}
	// Six weeks up leave any day of a six-week grid: the month before, the focus on the day.
	for range 6 {
		b.press("a week back", kb.ArrowUp)
		day = day.AddDate(0, 0, -7)
		b.waitFor("the focus on "+day.Format(time.DateOnly), fmt.Sprintf(`document.activeElement?.dataset.day === %q && document.activeElement.tabIndex === 0`, day.Format(time.DateOnly)))
	}
	b.waitFor("the month of that day", fmt.Sprintf(`document.querySelector("table.month")?.dataset.month === %q`, day.Format("2006-01")))
	b.screenshot("recovers-month-arrows")

	// An operator with no saved hours: the form starts in the browser's zone, not the API's UTC.
	b.inZone("America/New_York")
	b.do("open Ben's hours", chromedp.Navigate(admin.base+"/orgs/"+org+"/operators/"+benID+"/availability"))
	b.waitFor("his hours, none yet, in New York", `document.querySelector("form.hours input[name=time_zone]")?.value === "America/New_York" && document.querySelectorAll(".window").length === 0`)
	b.checkAccessible("working hours, none saved")
	b.checkQuiet()
}

// TestConsoleConnectsGoogleCalendar: an operator connects their Google
// Calendar from their hours page through Google's consent page (the fake
// Google, over real OAuth redirects) and comes back to that page told how it
// went: refused first, then allowed and connected; disconnecting, asked twice,
// leaves it not connected and drops the earlier message.
func TestConsoleConnectsGoogleCalendar(t *testing.T) {
	fake := gcaltest.New(t)
	fake.RequireAuth()
	admin, org, _, inbox, _ := setUpShopFull(t, false, withGoogleCalendar(fake))
	_, anaID := join(t, admin, inbox, org, "ana@shop.test", "OPERATOR")
	hours := "/orgs/" + org + "/operators/" + anaID + "/availability"
	section := `document.querySelector("section.calendar-connection")`
	returned := func(outcome, said, state string) string {
		return fmt.Sprintf(`location.pathname === %q && new URLSearchParams(location.search).get("calendar") === %q &&
			document.querySelector("#google-returned")?.textContent.includes(%q) && %s?.dataset.state === %q`, hours, outcome, said, section, state)
	}

	b := newChromium(t)
	// Every page records what the message's live region held when it first
	// appeared: empty, or a screen reader may not announce the message.
	b.do("watch the live region", func(ctx context.Context, tab *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, tab, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: `
			new MutationObserver(() => {
				const region = document.getElementById("google-returned");
				if (region && !("regionFirstHeld" in window)) window.regionFirstHeld = region.textContent;
			}).observe(document, { subtree: true, childList: true, characterData: true });`})
		return chromedp.Void{}, err
	})
	b.do("open my hours", chromedp.Navigate(admin.base+hours))
	b.waitFor("sign-in page", `location.pathname === "/sign-in"`)
	b.signIn("ana@shop.test", "member password 1")
	b.waitFor("not connected", fmt.Sprintf(`location.pathname === %q && %s?.dataset.enabled === "true" && %[2]s.dataset.state === "not_connected"`, hours, section))
	b.checkAccessible("my hours, Google Calendar not connected")

	fake.RefuseConsent(true)
	b.clickToLeave("connect, and refuse on Google's page", `section.calendar-connection button`)
	b.waitFor("back on my hours, told it was refused", returned("refused", "was not connected", "not_connected"))
	if held := eval[string](b, `String(window.regionFirstHeld)`); held != "" {
		t.Errorf("the message's live region appeared holding %q; want it empty first, then filled", held)
	}
	b.screenshot("calendar-refused")

	fake.RefuseConsent(false)
	b.clickToLeave("connect, and allow it", `section.calendar-connection button`)
	b.waitFor("back on my hours, connected", returned("connected", "is connected", "connected"))
	b.checkAccessible("my hours, Google Calendar connected")
	b.screenshot("calendar-connected")

	b.do("disconnect", chromedp.Click(`section.calendar-connection button.secondary`))
	b.do("yes, disconnect", chromedp.Click(`section.calendar-connection button.danger`))
	b.waitFor("not connected, the message gone", fmt.Sprintf(`%s?.dataset.state === "not_connected" && document.querySelector("#google-returned")?.textContent === "" &&
		!new URLSearchParams(location.search).has("calendar")`, section))
	b.screenshot("calendar-disconnected")
	b.checkQuiet()
}
