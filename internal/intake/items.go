package intake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"
	"unicode"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/astralisops/astralis/internal/audit"
	"github.com/astralisops/astralis/internal/mail"
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

// Optional is a JSON field that may be absent (leave it), null (clear it) or a value.
type Optional[T any] struct {
	Set   bool
	Value *T
}

// UnmarshalJSON runs only for a field that is present.
func (o *Optional[T]) UnmarshalJSON(data []byte) error {
	o.Set = true
	if string(data) == "null" {
		o.Value = nil
		return nil
	}
	var v T
	if err := json.Unmarshal(data, &v); err != nil {
		// A type error, so the decoder names the field it belongs to.
		return &json.UnmarshalTypeError{Value: string(data), Type: reflect.TypeFor[T]()}
	}
	o.Value = &v
	return nil
}

// ItemUpdate changes an item's title, assignee or due date; absent fields stay as they are.
type ItemUpdate struct {
	Title    Optional[string]    `json:"title"`
	Assignee Optional[uuid.UUID] `json:"assignee_id"`
	DueAt    Optional[time.Time] `json:"due_at"`
}

const maxItemTitle = 200

// UpdateItem edits an item, records the change in the audit log and, when it
// gets a new assignee, mails them (the item's request follows its assignee).
func (s *Service) UpdateItem(ctx context.Context, org, itemID, actor uuid.UUID, in ItemUpdate, ip, userAgent string) (Item, error) {
	if !in.Title.Set && !in.Assignee.Set && !in.DueAt.Set {
		return Item{}, problem.Invalid("nothing to change: give title, assignee_id or due_at")
	}
	var fields []problem.FieldError
	if in.Title.Set {
		var t string
		if in.Title.Value != nil {
			t = strings.TrimSpace(*in.Title.Value)
			in.Title.Value = &t
		}
		if t == "" || len(t) > maxItemTitle || strings.ContainsFunc(t, unicode.IsControl) {
			fields = append(fields, problem.FieldError{Field: "title", Message: fmt.Sprintf("must be 1 to %d bytes of text on one line", maxItemTitle)})
		}
	}
	if d := in.DueAt.Value; d != nil && (d.Year() < 2000 || d.Year() > 2200) {
		fields = append(fields, problem.FieldError{Field: "due_at", Message: "must be a date between the years 2000 and 2200"})
	}
	if len(fields) > 0 {
		return Item{}, problem.Invalid("invalid item", fields...)
	}
	var (
		updated store.PipelineItem
		mailID  string
	)
	err := s.inTx(ctx, func(q *store.Queries) error {
		item, err := q.LockItem(ctx, store.LockItemParams{OrgID: org, ID: itemID})
		if errors.Is(err, pgx.ErrNoRows) {
			return problem.New(problem.ErrNotFound, "no such item")
		}
		if err != nil {
			return fmt.Errorf("intake: item: %w", err)
		}
		title, assignee, due := item.Title, item.AssigneeID, item.DueAt
		if in.Title.Set {
			title = *in.Title.Value
		}
		if in.DueAt.Set {
			due = in.DueAt.Value
		}
		var newAssignee store.AssigneeByIDRow
		if in.Assignee.Set {
			assignee = in.Assignee.Value
			if assignee != nil {
				if newAssignee, err = assignable(ctx, q, org, *assignee, "item", "assignee_id"); err != nil {
					return err
				}
			}
		}
		if updated, err = q.UpdateItem(ctx, store.UpdateItemParams{OrgID: org, ID: item.ID, Title: title, AssigneeID: assignee, DueAt: due}); err != nil {
			return fmt.Errorf("intake: update item: %w", err)
		}
		reassigned := assignee != nil && (item.AssigneeID == nil || *item.AssigneeID != *assignee)
		if in.Assignee.Set && item.IntakeID != nil {
			if err := q.SetIntakeAssignee(ctx, store.SetIntakeAssigneeParams{OrgID: org, ID: *item.IntakeID, AssigneeID: assignee}); err != nil {
				return fmt.Errorf("intake: request assignee: %w", err)
			}
		}
		if reassigned {
			p, err := q.GetPipelineByID(ctx, store.GetPipelineByIDParams{OrgID: org, ID: item.PipelineID})
			if err != nil {
				return fmt.Errorf("intake: pipeline: %w", err)
			}
			link := fmt.Sprintf("%s/orgs/%s/pipelines/%s", s.publicURL, org, p.Key)
			if item.IntakeID != nil {
				link = fmt.Sprintf("%s/orgs/%s/intake/%s", s.publicURL, org, *item.IntakeID)
			}
			msg, err := mail.Render("assigned", newAssignee.Email, map[string]string{"Subject": title, "Pipeline": p.Name, "Link": link})
			if err != nil {
				return err
			}
			if mailID, err = mail.Enqueue(ctx, q, msg, mail.AfterCommit); err != nil {
				return err
			}
		}
		return audit.Record(ctx, q, audit.Event{OrgID: org, Actor: actor, Action: audit.ItemUpdated, TargetType: "pipeline_item", TargetID: item.ID.String(), IP: ip, UserAgent: userAgent,
			Metadata: map[string]any{"title_changed": in.Title.Set, "assignee": assignee, "due_at": due}})
	})
	if err != nil {
		return Item{}, err
	}
	mail.DispatchCommitted(ctx, s.mailer, s.logger, mailID)
	return itemFrom(updated), nil
}
