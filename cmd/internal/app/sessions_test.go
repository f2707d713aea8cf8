package app

import (
	"testing"
	"time"

	"github.com/alexedwards/scs/pgxstore"
)

// TestIdleRenewalsWriteOnlyWhatChanged: an unchanged session is written again
// only after the renewal interval; changed data and deleted sessions always are.
func TestIdleRenewalsWriteOnlyWhatChanged(t *testing.T) {
	t.Parallel()
	_, s := startDev(t)
	store := newIdleRenewals(pgxstore.NewWithCleanupInterval(s.Pool, 0), time.Hour)
	stored := func() (data string, expiry time.Time) {
		t.Helper()
		var b []byte
		if err := s.Pool.QueryRow(t.Context(), "SELECT data, expiry FROM sessions WHERE token = 'tok'").Scan(&b, &expiry); err != nil {
			t.Fatal(err)
		}
		return string(b), expiry
	}
	first := time.Now().Add(time.Hour).Truncate(time.Second)
	if err := store.Commit("tok", []byte("signed in"), first); err != nil {
		t.Fatal(err)
	}
	if err := store.Commit("tok", []byte("signed in"), first.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, expiry := stored(); !expiry.Equal(first) {
		t.Errorf("an unchanged session was written again within the interval: expiry %v, want %v", expiry, first)
	}
	if err := store.Commit("tok", []byte("org picked"), first.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if data, expiry := stored(); data != "org picked" || !expiry.Equal(first.Add(2*time.Minute)) {
		t.Errorf("changed data not written: %q until %v", data, expiry)
	}
	if err := store.Delete("tok"); err != nil {
		t.Fatal(err)
	}
	if err := store.Commit("tok", []byte("org picked"), first.Add(3*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if data, _ := stored(); data != "org picked" {
		t.Errorf("a session deleted and committed again was not written: %q", data)
	}
}
