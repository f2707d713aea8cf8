package app

import (
	"context"
	"encoding/json"
	"testing"
)

type boardView struct {
	Stages []struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"stages"`
	Items map[string][]struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	} `json:"items_by_stage"`
}

func TestBoardAndMoves(t *testing.T) {
	t.Parallel()
	admin, org, s, _ := setUpShop(t, true)
	orgPath := "/api/v1/orgs/" + org
	admin.must(200, "PUT", orgPath+"/routing/settings", map[string]any{"threshold": 0.0})
	for _, subject := range []string{"screen cracked A", "screen cracked B", "screen cracked C"} {
		var sub struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(submit(t, admin, org, "", subject).body, &sub)
		waitForStatus(t, admin, org, sub.ID, "routed")
	}
	board := func() (b boardView) {
		admin.must(200, "GET", orgPath+"/pipelines/repairs", nil).decode(t, &b)
		return b
	}
	titles := func(b boardView, stage string) (out []string) {
		for _, i := range b.Items[stage] {
			out = append(out, i.Title)
		}
		return out
	}
	b := board()
	newStage, diagnosing := b.Stages[0].ID, b.Stages[1].ID
	if got := titles(b, newStage); len(got) != 3 || got[0] != "screen cracked A" || got[2] != "screen cracked C" {
		t.Fatalf("new stage = %v", got)
	}
	a, c := b.Items[newStage][0].ID, b.Items[newStage][2].ID

	// C before A, in the same stage.
	admin.must(200, "POST", orgPath+"/items/"+c+"/move", map[string]any{"stage_id": newStage, "before": a})
	if got := titles(board(), newStage); got[0] != "screen cracked C" || got[1] != "screen cracked A" || got[2] != "screen cracked B" {
		t.Fatalf("after moving C first: %v", got)
	}
	// A to the next stage, then B after A there.
	admin.must(200, "POST", orgPath+"/items/"+a+"/move", map[string]any{"stage_id": diagnosing})
	bID := board().Items[newStage][1].ID
	admin.must(200, "POST", orgPath+"/items/"+bID+"/move", map[string]any{"stage_id": diagnosing, "after": a})
	b = board()
	if got := titles(b, diagnosing); len(got) != 2 || got[0] != "screen cracked A" || got[1] != "screen cracked B" {
		t.Fatalf("diagnosing = %v", got)
	}
	if got := titles(b, newStage); len(got) != 1 || got[0] != "screen cracked C" {
		t.Fatalf("new = %v", got)
	}
	// Bad moves are named; an item of nowhere is 404.
	admin.must(422, "POST", orgPath+"/items/"+c+"/move", map[string]any{"stage_id": "00000000-0000-0000-0000-000000000000"})
	admin.must(422, "POST", orgPath+"/items/"+c+"/move", map[string]any{"stage_id": diagnosing, "after": c})
	admin.must(422, "POST", orgPath+"/items/"+c+"/move", map[string]any{"stage_id": newStage, "after": a})
	admin.must(404, "POST", orgPath+"/items/00000000-0000-0000-0000-000000000000/move", map[string]any{"stage_id": newStage})

	// A pipeline with items is not deleted; an empty one is; a rename shows.
	admin.must(409, "DELETE", orgPath+"/pipelines/repairs", nil)
	admin.must(204, "DELETE", orgPath+"/pipelines/bookings", nil)
	admin.must(404, "GET", orgPath+"/pipelines/bookings", nil)
	var renamed struct {
		Name string `json:"name"`
	}
	admin.must(200, "PATCH", orgPath+"/pipelines/billing", map[string]string{"name": "Money", "description": "Invoices, refunds, quotes"}).decode(t, &renamed)
	if renamed.Name != "Money" {
		t.Fatalf("renamed = %+v", renamed)
	}
	admin.must(422, "PATCH", orgPath+"/pipelines/billing", map[string]string{"name": ""})

	var moves int
	if err := s.Pool.QueryRow(context.Background(), "SELECT count(*) FROM audit_log WHERE action = 'pipeline.item.moved'").Scan(&moves); err != nil || moves != 3 {
		t.Fatalf("audited moves = %d (%v), want 3", moves, err)
	}
}
