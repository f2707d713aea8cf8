package intake

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/astralisops/astralis/internal/audit"
	"github.com/astralisops/astralis/internal/problem"
	"github.com/astralisops/astralis/internal/store"
)

// Item is a card on a pipeline's board.
type Item struct {
	ID         uuid.UUID  `json:"id"`
	StageID    uuid.UUID  `json:"stage_id"`
	Title      string     `json:"title"`
	IntakeID   *uuid.UUID `json:"intake_id,omitempty"`
	AssigneeID *uuid.UUID `json:"assignee_id,omitempty"`
	DueAt      *time.Time `json:"due_at,omitempty"`
	Rank       string     `json:"rank"`
}

func itemFrom(i store.PipelineItem) Item {
	return Item{ID: i.ID, StageID: i.StageID, Title: i.Title, IntakeID: i.IntakeID, AssigneeID: i.AssigneeID, DueAt: i.DueAt, Rank: i.Rank}
}

// Board is a pipeline with its items per stage, in order.
type Board struct {
	Pipeline
	Items map[uuid.UUID][]Item `json:"items_by_stage"`
}

// Board returns the pipeline with its items.
func (s *Service) Board(ctx context.Context, org uuid.UUID, key string) (Board, error) {
	p, err := s.Pipeline(ctx, org, key)
	if err != nil {
		return Board{}, err
	}
	items, err := s.q.ListPipelineItems(ctx, store.ListPipelineItemsParams{OrgID: org, PipelineID: p.ID})
	if err != nil {
		return Board{}, fmt.Errorf("intake: list items: %w", err)
	}
	b := Board{Pipeline: p, Items: map[uuid.UUID][]Item{}}
	for _, st := range p.Stages {
		b.Items[st.ID] = []Item{}
	}
	for _, i := range items {
		b.Items[i.StageID] = append(b.Items[i.StageID], itemFrom(i))
	}
	return b, nil
}

// MoveInput places an item in a stage, after one item or before another (neither: at the end).
type MoveInput struct {
	StageID uuid.UUID  `json:"stage_id"`
	After   *uuid.UUID `json:"after,omitempty"`
	Before  *uuid.UUID `json:"before,omitempty"`
}

// MoveItem moves an item with one row written (its rank key), one move per
// stage at a time, and records the move in the audit log.
func (s *Service) MoveItem(ctx context.Context, org, itemID, actor uuid.UUID, in MoveInput, ip, userAgent string) (Item, error) {
	if in.After != nil && in.Before != nil {
		return Item{}, problem.Invalid("give after or before, not both", problem.FieldError{Field: "before", Message: "cannot be combined with after"})
	}
	var moved store.PipelineItem
	err := s.inTx(ctx, func(q *store.Queries) error {
		stage, err := q.GetStage(ctx, store.GetStageParams{OrgID: org, ID: in.StageID})
		if errors.Is(err, pgx.ErrNoRows) {
			return problem.Invalid("unknown stage", problem.FieldError{Field: "stage_id", Message: "is not a stage of this organisation"})
		}
		if err != nil {
			return fmt.Errorf("intake: stage: %w", err)
		}
		if err := q.LockStage(ctx, stage.ID); err != nil {
			return fmt.Errorf("intake: lock stage: %w", err)
		}
		item, err := q.LockItem(ctx, store.LockItemParams{OrgID: org, ID: itemID})
		if errors.Is(err, pgx.ErrNoRows) {
			return problem.New(problem.ErrNotFound, "no such item")
		}
		if err != nil {
			return fmt.Errorf("intake: item: %w", err)
		}
		neighbour := func(id *uuid.UUID, field string) (store.PipelineItem, error) {
			n, err := q.GetItem(ctx, store.GetItemParams{OrgID: org, ID: *id})
			if errors.Is(err, pgx.ErrNoRows) || (err == nil && n.StageID != stage.ID) || (err == nil && n.ID == item.ID) {
				return n, problem.Invalid("bad neighbour", problem.FieldError{Field: field, Message: "must be another item in the target stage"})
			}
			return n, err
		}
		var rank string
		switch {
		case in.After != nil:
			after, err := neighbour(in.After, "after")
			if err != nil {
				return err
			}
			next, err := q.RankAfter(ctx, store.RankAfterParams{OrgID: org, StageID: stage.ID, Rank: after.Rank, Moving: item.ID})
			if err != nil {
				return err
			}
			rank = Between(after.Rank, next)
		case in.Before != nil:
			before, err := neighbour(in.Before, "before")
			if err != nil {
				return err
			}
			prev, err := q.RankBefore(ctx, store.RankBeforeParams{OrgID: org, StageID: stage.ID, Rank: before.Rank, Moving: item.ID})
			if err != nil {
				return err
			}
			rank = Between(prev, before.Rank)
		default:
			last, err := q.LastRankExcept(ctx, store.LastRankExceptParams{OrgID: org, StageID: stage.ID, Moving: item.ID})
			if err != nil {
				return err
			}
			rank = Between(last, "")
		}
		if moved, err = q.MoveItem(ctx, store.MoveItemParams{OrgID: org, ID: item.ID, StageID: stage.ID, PipelineID: stage.PipelineID, Rank: rank}); err != nil {
			return fmt.Errorf("intake: move: %w", err)
		}
		return audit.Record(ctx, q, audit.Event{OrgID: org, Actor: actor, Action: audit.ItemMoved, TargetType: "pipeline_item", TargetID: item.ID.String(), IP: ip, UserAgent: userAgent,
			Metadata: map[string]any{"from_stage": item.StageID, "to_stage": stage.ID}})
	})
	return itemFrom(moved), err
}
