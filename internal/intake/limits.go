package intake

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/astralisops/astralis/internal/problem"
	"github.com/astralisops/astralis/internal/ratelimit"
)

// Default limits on new intake requests (limits.intake_per_submitter and
// limits.intake_per_org): a web form or mail bridge posting as one member may
// send a burst of 30, and one organisation takes 600 an hour from all its members.
var (
	DefaultSubmitterLimit = ratelimit.Rule{Name: "intake-submitter", Max: 30, Window: time.Minute}
	DefaultOrgLimit       = ratelimit.Rule{Name: "intake-org", Max: 600, Window: time.Hour}
)

// SetSubmissionLimits sets how many new requests one member may submit to an
// organisation, and one organisation may take, per window; a zero Max or
// Window keeps the default. Call it before serving.
func (s *Service) SetSubmissionLimits(perSubmitter, perOrg ratelimit.Rule) {
	s.perSubmitter = withDefaults(perSubmitter, DefaultSubmitterLimit)
	s.perOrg = withDefaults(perOrg, DefaultOrgLimit)
}

func withDefaults(r, def ratelimit.Rule) ratelimit.Rule {
	if r.Max > 0 {
		def.Max = r.Max
	}
	if r.Window > 0 {
		def.Window = r.Window
	}
	return def
}

// allowSubmission counts a new request against its submitter's and its
// organisation's limits, with limiter in the transaction that stores it: an
// over-limit request is refused (429 with Retry-After) and rolled back, so it
// is neither stored nor counted.
func (s *Service) allowSubmission(ctx context.Context, limiter *ratelimit.Limiter, org, by uuid.UUID) error {
	for _, l := range []struct {
		rule    ratelimit.Rule
		subject string
		detail  string
	}{
		{s.perSubmitter, org.String() + ":" + by.String(), "you have submitted too many requests to this organisation: try again after Retry-After seconds"},
		{s.perOrg, org.String(), "this organisation has received too many requests: try again after Retry-After seconds"},
	} {
		ok, retry, err := limiter.Allow(ctx, l.rule, l.subject)
		if err != nil {
			return err
		}
		if !ok {
			return &problem.Error{Kind: problem.ErrRateLimited, Detail: l.detail, RetryAfter: retry}
		}
	}
	return nil
}
