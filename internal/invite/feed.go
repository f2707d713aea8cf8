package invite

import (
	"strconv"
	"time"
)

// FeedEvent is one entry of a subscribed calendar (an operator's feed).
type FeedEvent struct {
	UID               string
	Sequence          int
	Start, End        time.Time
	Summary, Location string
}

// RenderFeed returns a published calendar (METHOD:PUBLISH) named name
// holding events, for calendar apps that subscribe to a URL: the same line
// rules as Render (CRLF, folding at 75 octets, escaped text). Events without
// a UID or with End not after Start are left out.
func RenderFeed(name string, stamp time.Time, events []FeedEvent) []byte {
	var w calendarWriter
	w.line("BEGIN", nil, "VCALENDAR")
	w.line("PRODID", nil, productID)
	w.line("VERSION", nil, "2.0")
	w.line("CALSCALE", nil, "GREGORIAN")
	w.line("METHOD", nil, "PUBLISH")
	w.line("X-WR-CALNAME", nil, escapeText(name))
	for _, e := range events {
		if e.UID == "" || !e.End.After(e.Start) {
			continue
		}
		w.line("BEGIN", nil, "VEVENT")
		w.line("UID", nil, escapeText(e.UID))
		w.line("SEQUENCE", nil, strconv.Itoa(e.Sequence))
		w.line("DTSTAMP", nil, utcDateTime(stamp))
		w.line("DTSTART", nil, utcDateTime(e.Start))
		w.line("DTEND", nil, utcDateTime(e.End))
		w.line("SUMMARY", nil, escapeText(e.Summary))
		if e.Location != "" {
			w.line("LOCATION", nil, escapeText(e.Location))
		}
		w.line("TRANSP", nil, "OPAQUE")
		w.line("END", nil, "VEVENT")
	}
	w.line("END", nil, "VCALENDAR")
	return w.bytes()
}
