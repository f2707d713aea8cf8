package app

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
)

// TestPageRendersTakeTurnsPerOrganisation: an organisation has one render at
// a time, so a second of its own waits and is told to retry, while another
// organisation still gets a slot; when the first ends, its next one goes.
func TestPageRendersTakeTurnsPerOrganisation(t *testing.T) {
	pr := &pageRenderer{slots: make(chan struct{}, concurrentRenders), wait: 200 * time.Millisecond, busy: map[uuid.UUID]bool{}, orgBusy: make(chan struct{})}
	ctx := context.Background()
	a, b := uuid.New(), uuid.New()

	releaseA, err := pr.turn(ctx, a)
	if err != nil {
		t.Fatalf("the first render of A: %v", err)
	}
	if _, err := pr.turn(ctx, a); !errors.Is(err, errRenderBusy) {
		t.Fatalf("a second render of A while the first runs = %v, want told to retry", err)
	}
	releaseB, err := pr.turn(ctx, b)
	if err != nil {
		t.Fatalf("B while A renders: %v", err)
	}
	releaseB()

	got := make(chan error, 1)
	go func() {
		release, err := pr.turn(ctx, a)
		if err == nil {
			release()
		}
		got <- err
	}()
	releaseA()
	if err := <-got; err != nil {
		t.Fatalf("A's next render once the first ended: %v", err)
	}
}
