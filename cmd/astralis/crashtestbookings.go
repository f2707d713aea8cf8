package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"time"
)

// runCrashTestBookings kills `astralis dev` with SIGKILL between a booking
// and its reminder, restarts it, and checks that the reminder still goes out,
// once: the reminder is a durable timer, not something in the process.
func runCrashTestBookings(args []string) int {
	fs := flag.NewFlagSet("crash-test-bookings", flag.ContinueOnError)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintf(os.Stderr, "astralis crash-test-bookings: FAIL: %v\n", err)
		return 1
	}
	dev, err := startScratchDev("booking-crash-test")
	if err != nil {
		return fail(err)
	}
	stop := dev.Stop
	defer func() { stop() }()
	s, err := signIn(dev.API, dev.AdminEmail, dev.AdminPass)
	if err != nil {
		return fail(err)
	}
	var org, me struct {
		ID string `json:"id"`
	}
	if err := s.call("POST", "/api/v1/orgs", map[string]string{"name": "Booking crash test"}, &org); err != nil {
		return fail(err)
	}
	if err := s.call("GET", "/api/v1/me", nil, &me); err != nil {
		return fail(err)
	}
	path := "/api/v1/orgs/" + org.ID
	// The ADMIN works today from the booked minute on, so the slot is on the
	// interval, in a zone where it is about noon (far from a day's end).
	start := time.Now().UTC().Add(2 * time.Minute).Truncate(time.Minute).Add(time.Minute)
	offset := 12 - start.Hour()
	zone := "Etc/GMT"
	if offset > 0 {
		zone += fmt.Sprintf("-%d", offset) // POSIX signs: Etc/GMT-3 is UTC+3
	} else if offset < 0 {
		zone += fmt.Sprintf("+%d", -offset)
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return fail(err)
	}
	local := start.In(loc)
	if err := s.call("PUT", path+"/operators/"+me.ID+"/availability", map[string]any{"time_zone": zone, "weekly": map[string]any{},
		"overrides": []map[string]any{{"date": local.Format(time.DateOnly), "windows": []map[string]string{{"start": local.Format("15:04"), "end": "24:00"}}}}}, nil); err != nil {
		return fail(err)
	}
	if err := s.call("POST", path+"/services", map[string]any{"key": "call", "name": "Crash test call", "duration_minutes": 15,
		"reminder_offsets_minutes": []int{1}, "operators": []string{me.ID}}, nil); err != nil {
		return fail(err)
	}
	const client = "crash-client@example.com"
	var booking struct {
		ID string `json:"id"`
	}
	if err := s.call("POST", path+"/bookings", map[string]any{"service": "call", "start": start, "client": map[string]string{"name": "Crash Client", "email": client}}, &booking); err != nil {
		return fail(err)
	}
	fmt.Printf("booked %s at %s with a reminder one minute before\n", booking.ID, start.Format(time.TimeOnly))
	if _, err := waitForMail(s, client, "Booked:", 1, time.Now().Add(time.Minute)); err != nil {
		return fail(err)
	}
	dev.Kill()
	fmt.Println("confirmation mailed; kill -9 of astralis dev")
	time.Sleep(time.Second)
	if dev, err = startDevAt("booking-crash-test", dev.DataDir, dev.ports); err != nil {
		return fail(fmt.Errorf("restart: %w", err))
	}
	stop = dev.Stop
	if s, err = signIn(dev.API, dev.AdminEmail, dev.AdminPass); err != nil {
		return fail(err)
	}
	fmt.Printf("restarted; waiting for the reminder due at %s\n", start.Add(-time.Minute).Format(time.TimeOnly))
	if _, err := waitForMail(s, client, "Reminder:", 1, start.Add(time.Minute)); err != nil {
		return fail(err)
	}
	time.Sleep(20 * time.Second) // a second one would be in by now
	n, err := waitForMail(s, client, "Reminder:", 1, time.Now())
	if err != nil {
		return fail(err)
	}
	if n != 1 {
		return fail(fmt.Errorf("%d reminders mailed, want 1", n))
	}
	fmt.Println("PASS: the reminder was mailed once after the restart")
	return 0
}

// waitForMail waits until the dev mailbox holds at least want messages to
// addr whose subject contains subject, and answers how many it holds.
func waitForMail(s *apiSession, addr, subject string, want int, deadline time.Time) (int, error) {
	for {
		var box struct {
			Items []struct {
				To      string `json:"to"`
				Subject string `json:"subject"`
			} `json:"items"`
		}
		if err := s.call("GET", "/api/v1/dev/mail?limit=100", nil, &box); err != nil {
			return 0, err
		}
		n := 0
		for _, m := range box.Items {
			if m.To == addr && strings.Contains(m.Subject, subject) {
				n++
			}
		}
		if n >= want {
			return n, nil
		}
		if time.Now().After(deadline) {
			return n, fmt.Errorf("no mail to %s with %q by %s", addr, subject, deadline.Format(time.TimeOnly))
		}
		time.Sleep(2 * time.Second)
	}
}
