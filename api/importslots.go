package api

import (
	"sync"

	"github.com/google/uuid"
)

// importSlots are the routing imports one process runs at once: an import
// holds its body, the examples and a model in memory. An organisation runs
// one at a time, so that no organisation can take every slot.
type importSlots struct {
	mu      sync.Mutex
	free    int
	running map[uuid.UUID]bool
}

func newImportSlots(n int) *importSlots {
	return &importSlots{free: n, running: map[uuid.UUID]bool{}}
}

// take reserves a slot for org; it says why not (another import of the
// organisation's, or of others, is running) when it cannot.
func (s *importSlots) take(org uuid.UUID) (release func(), busy string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.running[org]:
		return nil, "another routing import into this organisation is running: try again once it has finished"
	case s.free == 0:
		return nil, "other routing imports are running on this server: try again shortly"
	}
	s.free--
	s.running[org] = true
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.free++
		delete(s.running, org)
	}, ""
}
