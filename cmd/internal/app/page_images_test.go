package app

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/uuid"
)

// TestPageRendersTakeTurnsPerOrganisation: an organisation has one render at
// a time, so a second of its own waits and is told to retry, while another
// organisation still gets a slot; one waiting when the first ends goes next.
func TestPageRendersTakeTurnsPerOrganisation(t *testing.T) {
	// In a bubble, time is fake and Wait knows when the waiter is blocked.
	synctest.Test(t, func(t *testing.T) {
		pr := &pageRenderer{slots: make(chan struct{}, concurrentRenders), wait: renderWait, busy: map[uuid.UUID]bool{}, orgBusy: make(chan struct{})}
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
		synctest.Wait() // the second render of A is waiting for its turn
		time.Sleep(renderWait / 2)
		releaseA()
		if err := <-got; err != nil {
			t.Fatalf("A's next render, waiting when the first ended: %v", err)
		}
	})
}
