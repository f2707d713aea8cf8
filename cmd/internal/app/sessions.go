package app

import (
	"crypto/sha256"
	"sync"
	"time"

	"github.com/alexedwards/scs/v2"
)

// idleRenewals spares the database a write per API call. With an idle
// timeout, scs commits every request's session again to push its expiry;
// this store skips a commit of unchanged data written less than every ago, so
// a session's idle expiry is at most that much early. Changed data (sign-in,
// sign-out, anything stored in the session) is always written.
type idleRenewals struct {
	scs.Store
	every time.Duration

	mu      sync.Mutex
	written map[string]renewal // by token
}

type renewal struct {
	sum [sha256.Size]byte
	at  time.Time
}

// maxRemembered bounds the memory of recent writes; older ones are forgotten first.
const maxRemembered = 10_000

func newIdleRenewals(store scs.Store, every time.Duration) *idleRenewals {
	return &idleRenewals{Store: store, every: every, written: map[string]renewal{}}
}

func (s *idleRenewals) Commit(token string, b []byte, expiry time.Time) error {
	sum, now := sha256.Sum256(b), time.Now()
	s.mu.Lock()
	last, ok := s.written[token]
	s.mu.Unlock()
	if ok && last.sum == sum && now.Sub(last.at) < s.every {
		return nil
	}
	if err := s.Store.Commit(token, b, expiry); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.written) >= maxRemembered {
		for t, r := range s.written {
			if now.Sub(r.at) >= s.every {
				delete(s.written, t)
			}
		}
		if len(s.written) >= maxRemembered {
			clear(s.written) // all recent: forgetting only costs writes
		}
	}
	s.written[token] = renewal{sum: sum, at: now}
	return nil
}

func (s *idleRenewals) Delete(token string) error {
	s.mu.Lock()
	delete(s.written, token)
	s.mu.Unlock()
	return s.Store.Delete(token)
}
