package intake

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/astralisops/astralis/internal/store"
)

// Dashboard is what an owner looks at: the boards, intake volume, how routing went, how long approvals take.
type Dashboard struct {
	Stages   []StageCount `json:"stages"`
	Volume   []DayCount   `json:"intake_per_day"`
	Routing  RoutingShare `json:"routing"`
	Awaiting int          `json:"awaiting_approval"`
	// ApprovalWait is the time from proposal to an operator's decision.
	ApprovalWait Percentiles `json:"approval_wait_seconds"`
	SLABreaches  int         `json:"sla_breaches"`
}

type StageCount struct {
	Pipeline string `json:"pipeline"`
	Stage    string `json:"stage"`
	Items    int    `json:"items"`
}

type DayCount struct {
	Day      string `json:"day"`
	Requests int    `json:"requests"`
}

// RoutingShare counts requests by how they were routed.
type RoutingShare struct {
	AutoRouted int `json:"auto_routed"`
	Approved   int `json:"approved"`
	Reassigned int `json:"reassigned"`
	Rejected   int `json:"rejected"`
}

type Percentiles struct {
	P50 float64 `json:"p50"`
	P90 float64 `json:"p90"`
}

// Dashboard gathers the organisation's numbers; volume covers the last days days.
func (s *Service) Dashboard(ctx context.Context, org uuid.UUID, days int) (Dashboard, error) {
	var d Dashboard
	stages, err := s.q.DashboardStages(ctx, org)
	if err != nil {
		return d, fmt.Errorf("intake: dashboard stages: %w", err)
	}
	d.Stages = make([]StageCount, 0, len(stages))
	for _, st := range stages {
		d.Stages = append(d.Stages, StageCount{Pipeline: st.Pipeline, Stage: st.Stage, Items: int(st.Items)})
	}
	volume, err := s.q.DashboardVolume(ctx, store.DashboardVolumeParams{OrgID: org, CreatedAt: time.Now().AddDate(0, 0, -days)})
	if err != nil {
		return d, fmt.Errorf("intake: dashboard volume: %w", err)
	}
	d.Volume = make([]DayCount, 0, len(volume))
	for _, v := range volume {
		d.Volume = append(d.Volume, DayCount{Day: v.Day.Time.Format(time.DateOnly), Requests: int(v.Requests)})
	}
	dec, err := s.q.DashboardDecisions(ctx, org)
	if err != nil {
		return d, fmt.Errorf("intake: dashboard decisions: %w", err)
	}
	d.Routing = RoutingShare{AutoRouted: int(dec.AutoRouted), Approved: int(dec.Approved), Reassigned: int(dec.Reassigned), Rejected: int(dec.Rejected)}
	d.ApprovalWait = Percentiles{P50: dec.WaitP50Seconds, P90: dec.WaitP90Seconds}
	queue, err := s.q.DashboardQueue(ctx, org)
	if err != nil {
		return d, fmt.Errorf("intake: dashboard queue: %w", err)
	}
	d.Awaiting, d.SLABreaches = int(queue.Awaiting), int(queue.SLABreaches)
	return d, nil
}
