package llm

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

// Pick is one option the model chose, with its reason for the client.
type Pick struct {
	Option string
	Reason string
}

// maxSuggestOptions bounds the options sent to the model.
const maxSuggestOptions = 60

// Suggest asks the model which of the offered options (free slots, each a
// line such as "2026-12-08T14:00:00-05:00 Tuesday afternoon") best fit the
// client's words, best first. Picks that are not one of the options are
// dropped: the model chooses among them, it cannot name a time of its own.
// An answer with no valid pick is ErrInvalidAnswer.
func (r *Client) Suggest(ctx context.Context, preferences string, options []string, n int, model string) ([]Pick, error) {
	if model == "" {
		model = r.defaultModel
	}
	options = options[:min(len(options), maxSuggestOptions)]
	schema := map[string]any{"type": "object", "additionalProperties": false, "required": []string{"picks"},
		"properties": map[string]any{"picks": map[string]any{"type": "array", "items": map[string]any{
			"type": "object", "additionalProperties": false, "required": []string{"option", "reason"},
			"properties": map[string]any{"option": map[string]any{"type": "string"}, "reason": map[string]any{"type": "string"}},
		}}}}
	text := "Client's preferences: " + preferences + "\n\nFree options:\n" + strings.Join(options, "\n")
	content, _, err := r.ask(ctx, model, fmt.Sprintf("You help a client choose an appointment. Pick at most %d of the free options "+
		"that best fit the client's preferences, best first. Copy each option's text exactly as listed (the time at its start is enough); "+
		"never propose a time that is not listed. Give each a short reason addressed to the client.", n), text, "slot_picks", schema)
	if err != nil {
		return nil, err
	}
	var answer struct {
		Picks []struct{ Option, Reason string }
	}
	if err := json.Unmarshal([]byte(content), &answer); err != nil {
		return nil, fmt.Errorf("llm: %w: not the requested JSON: %w", ErrInvalidAnswer, err)
	}
	var out []Pick
	seen := map[string]bool{}
	for _, p := range answer.Picks {
		option, ok := matchOption(options, p.Option)
		if !ok || seen[option] {
			continue // not offered, or named twice
		}
		seen[option] = true
		out = append(out, Pick{Option: option, Reason: strings.TrimSpace(p.Reason)})
		if len(out) == n {
			break
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("llm: %w: no pick among the offered options", ErrInvalidAnswer)
	}
	return out, nil
}

// matchOption finds the offered option the model named: the whole line, or its first word (the time).
func matchOption(options []string, named string) (string, bool) {
	named = strings.TrimSpace(named)
	if named == "" {
		return "", false
	}
	for _, o := range options {
		if o == named || strings.Fields(o)[0] == strings.Fields(named)[0] {
			return o, true
		}
	}
	return "", false
}
