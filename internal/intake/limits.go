package intake

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/astralisops/astralis/internal/auth"
	"github.com/astralisops/astralis/internal/ratelimit"
)

// SubmissionLimits cap new intake requests: how many one member may submit to
// an organisation per PerSubmitterWindow (limits.intake_per_submitter), and
// how many one organisation takes from its CLIENTs per PerOrgWindow
// (limits.intake_per_org). internal/config holds their defaults.
type SubmissionLimits struct {
	PerSubmitter       int
	PerSubmitterWindow time.Duration
	PerOrg             int
	PerOrgWindow       time.Duration
}

var errSubmissionsNotConfigured = errors.New("intake: submission limits are not set (SetSubmissionLimits)")

// SetSubmissionLimits sets the submission limits; each must be at least 1
// and each window positive. Until they are set, submissions fail. Call it
// before serving.
func (s *Service) SetSubmissionLimits(l SubmissionLimits) error {
	if min(l.PerSubmitter, l.PerOrg) < 1 || min(l.PerSubmitterWindow, l.PerOrgWindow) <= 0 {
		return fmt.Errorf("intake: every submission limit must be at least 1 and its window positive: %+v", l)
	}
	s.perSubmitter = ratelimit.Rule{Name: "intake-submitter", Max: l.PerSubmitter, Window: l.PerSubmitterWindow}
	s.perOrg = ratelimit.Rule{Name: "intake-org", Max: l.PerOrg, Window: l.PerOrgWindow}
	return nil
}

// submissionLimit is one limit a new request counts against.
type submissionLimit struct {
	rule    ratelimit.Rule
	subject string
	detail  string // the 429's, over the limit
}

// submissionLimits are the limits a new request by a member with role counts
// against: every member's own, and for CLIENTs the organisation's. Staff
// (OPERATORs and ADMINs) entering requests, phoned in say, are not held up
// when a CLIENT, or a leaked CLIENT token, has filled the organisation's.
func (s *Service) submissionLimits(org, by uuid.UUID, role auth.Role) []submissionLimit {
	limits := []submissionLimit{{s.perSubmitter, org.String() + ":" + by.String(), "you have submitted too many requests to this organisation; try again later"}}
	if !role.AtLeast(auth.RoleOperator) {
		limits = append(limits, submissionLimit{s.perOrg, org.String(), "this organisation has received too many requests; try again later"})
	}
	return limits
}

// fullLimit is the refusal of a new request, not counted, when one of its
// limits is used up already: the cheap refusal, before anything is written.
// It is nil when every limit has room; the count then decides.
func (s *Service) fullLimit(ctx context.Context, limits []submissionLimit) (refusal error, err error) {
	for _, l := range limits {
		full, retry, err := s.limiter.Full(ctx, l.rule, l.subject)
		if err != nil {
			return nil, err
		}
		if full {
			return ratelimit.Refused(retry, l.detail), nil
		}
	}
	return nil, nil
}

// countSubmission counts a new request against its limits with limiter, in
// the transaction that stores it: an over-limit request is refused (429 with
// Retry-After) and rolled back, so it is neither stored nor counted.
func countSubmission(ctx context.Context, limiter *ratelimit.Limiter, limits []submissionLimit) error {
	for _, l := range limits {
		if err := limiter.Check(ctx, l.rule, l.subject, l.detail); err != nil {
			return err
		}
	}
	return nil
}
