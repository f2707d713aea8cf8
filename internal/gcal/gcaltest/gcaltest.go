// Package gcaltest is a fake Google Calendar for tests: an HTTP server
// speaking the Calendar API v3's JSON (events list with pages and sync
// tokens, insert, update, delete, the 409/404/410 errors), for the real
// client library through option.WithEndpoint.
package gcaltest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Event is a stored event in the API's own JSON shape.
type Event struct {
	Kind         string    `json:"kind"`
	ID           string    `json:"id"`
	Status       string    `json:"status"`
	Summary      string    `json:"summary,omitempty"`
	Transparency string    `json:"transparency,omitempty"`
	Start        *DateTime `json:"start,omitempty"`
	End          *DateTime `json:"end,omitempty"`
	version      int
}

// DateTime is an event's start or end: a dateTime, or a date for all-day events.
type DateTime struct {
	DateTime string `json:"dateTime,omitempty"`
	Date     string `json:"date,omitempty"`
}

// Server is the fake calendar service; every calendar id shares one calendar.
type Server struct {
	URL string // the endpoint to give option.WithEndpoint
	srv *httptest.Server

	mu        sync.Mutex
	events    map[string]*Event
	version   int
	minToken  int // sync tokens below this are gone (410)
	listCalls int
}

// New starts a fake calendar, stopped when the test ends.
func New(t testing.TB) *Server {
	s := &Server{events: map[string]*Event{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	s.URL = s.srv.URL + "/calendar/v3/"
	return s
}

// Put adds or changes an event as the calendar's owner would.
func (s *Server) Put(e Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.put(e)
}

func (s *Server) put(e Event) {
	s.version++
	e.Kind, e.version = "calendar#event", s.version
	if e.Status == "" {
		e.Status = "confirmed"
	}
	s.events[e.ID] = &e
}

// Delete cancels an event as the calendar's owner would.
func (s *Server) Delete(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.events[id]; ok {
		s.version++
		e.Status, e.version = "cancelled", s.version
	}
}

// Get returns an event as stored.
func (s *Server) Get(id string) (Event, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.events[id]
	if !ok {
		return Event{}, false
	}
	return *e, true
}

// ExpireSyncTokens makes every sync token given so far answer 410.
func (s *Server) ExpireSyncTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.minToken = s.version + 1
}

// ListCalls is how many events.list requests were answered.
func (s *Server) ListCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.listCalls
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/calendar/v3/calendars/")
	if !ok {
		apiError(w, http.StatusNotFound, "notFound", "Not Found")
		return
	}
	_, tail, _ := strings.Cut(rest, "/")
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case tail == "events" && r.Method == http.MethodGet:
		s.list(w, r)
	case tail == "events" && r.Method == http.MethodPost:
		var e Event
		if err := json.NewDecoder(r.Body).Decode(&e); err != nil {
			apiError(w, http.StatusBadRequest, "invalid", err.Error())
			return
		}
		if _, exists := s.events[e.ID]; exists {
			apiError(w, http.StatusConflict, "duplicate", "The requested identifier already exists.")
			return
		}
		s.put(e)
		writeJSON(w, s.events[e.ID])
	case strings.HasPrefix(tail, "events/"):
		id := strings.TrimPrefix(tail, "events/")
		e, exists := s.events[id]
		switch {
		case !exists:
			apiError(w, http.StatusNotFound, "notFound", "Not Found")
		case r.Method == http.MethodDelete && e.Status == "cancelled":
			apiError(w, http.StatusGone, "deleted", "Resource has been deleted")
		case r.Method == http.MethodDelete:
			s.version++
			e.Status, e.version = "cancelled", s.version
			w.WriteHeader(http.StatusNoContent)
		case r.Method == http.MethodPut:
			var upd Event
			if err := json.NewDecoder(r.Body).Decode(&upd); err != nil {
				apiError(w, http.StatusBadRequest, "invalid", err.Error())
				return
			}
			upd.ID = id
			s.put(upd)
			writeJSON(w, s.events[id])
		default:
			apiError(w, http.StatusMethodNotAllowed, "methodNotAllowed", "Method Not Allowed")
		}
	default:
		apiError(w, http.StatusNotFound, "notFound", "Not Found")
	}
}

// list answers events.list: a full listing (live events) or, with a sync
// token, what changed since it (deletions included), a page at a time; the
// last page carries the next sync token.
func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	s.listCalls++
	q := r.URL.Query()
	since := -1
	if tok := q.Get("syncToken"); tok != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(tok, "v"))
		if err != nil || n < s.minToken {
			apiError(w, http.StatusGone, "fullSyncRequired", "Sync token is no longer valid, a full sync is required.")
			return
		}
		since = n
	}
	var matched []*Event
	for _, e := range s.events {
		if since < 0 && e.Status != "cancelled" || since >= 0 && e.version > since {
			matched = append(matched, e)
		}
	}
	slices.SortFunc(matched, func(a, b *Event) int { return strings.Compare(a.ID, b.ID) })
	size := 250
	if n, err := strconv.Atoi(q.Get("maxResults")); err == nil && n > 0 {
		size = n
	}
	offset, _ := strconv.Atoi(q.Get("pageToken"))
	end := min(offset+size, len(matched))
	page := map[string]any{"kind": "calendar#events", "items": matched[min(offset, end):end]}
	if end < len(matched) {
		page["nextPageToken"] = strconv.Itoa(end)
	} else {
		page["nextSyncToken"] = fmt.Sprintf("v%d", s.version)
	}
	writeJSON(w, page)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	_ = json.NewEncoder(w).Encode(v)
}

// apiError writes Google's error JSON.
func apiError(w http.ResponseWriter, code int, reason, message string) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
		"code": code, "message": message, "errors": []map[string]string{{"domain": "global", "reason": reason, "message": message}},
	}})
}
