package classifier

import (
	"slices"
	"strings"
)

// Priorities, least pressing first.
const (
	PriorityLow    = "low"
	PriorityNormal = "normal"
	PriorityHigh   = "high"
	PriorityUrgent = "urgent"
)

// Priorities lists every priority, least pressing first.
var Priorities = []string{PriorityLow, PriorityNormal, PriorityHigh, PriorityUrgent}

// ValidPriority reports whether p is one of Priorities.
func ValidPriority(p string) bool { return slices.Contains(Priorities, p) }

// Cues are whole-word phrases, lowercase, with apostrophes dropped as words()
// drops them ("don't" → "dont"). Calming cues are matched and taken out first,
// so "not urgent" makes a request low rather than urgent.
var (
	calmingCues = []string{
		"not urgent", "isnt urgent", "its not urgent", "nothing urgent", "not an emergency", "no emergency",
		"not critical", "no urgency", "no rush", "no hurry", "not in a hurry", "low priority", "whenever you can",
		"whenever you get a chance", "when you get a chance", "when you have time", "when you have a moment",
		"just curious", "just wondering", "for future reference", "fyi",
	}
	urgentCues = []string{
		"urgent", "urgently", "emergency", "asap", "immediately", "right away", "right now", "critical",
		"fraud", "fraudulent", "stolen", "stole", "hacked", "compromised", "scam", "scammed", "identity theft",
		"locked out", "unauthorized", "unauthorised", "didnt authorize",
		"didnt authorise", "dont recognize", "dont recognise", "didnt make this", "did not make this",
		"leak", "leaking", "flooding", "flooded", "gas smell", "smell gas", "no heat", "no heating", "no power",
		"no water", "outage", "unsafe", "danger", "dangerous",
	}
	highCues = []string{
		"today", "tonight", "tomorrow", "this morning", "this afternoon", "deadline", "overdue",
		"as soon as possible", "as soon as you can", "still not", "still no", "still havent", "still hasnt",
		"still waiting", "still pending", "not working", "doesnt work", "isnt working", "stopped working", "broken",
		"failed", "declined", "blocked", "charged twice", "double charged", "wrong amount", "complaint",
		"lost", "missing", "refund", "cancel", "cancelled", "canceled",
	}
)

// RulePriority sets a request's priority from cue phrases in its text and
// names the phrase that decided it; a text without cues is normal.
func RulePriority(text string) (priority, cue string) {
	ws, _ := words(text)
	padded := " " + strings.Join(ws, " ") + " "
	calm := ""
	for _, c := range calmingCues {
		// Repeated: back-to-back matches share a space, which one ReplaceAll pass consumes.
		for strings.Contains(padded, " "+c+" ") {
			if calm == "" {
				calm = c
			}
			padded = strings.ReplaceAll(padded, " "+c+" ", " | ")
		}
	}
	for _, level := range []struct {
		priority string
		cues     []string
	}{{PriorityUrgent, urgentCues}, {PriorityHigh, highCues}} {
		for _, c := range level.cues {
			if strings.Contains(padded, " "+c+" ") {
				return level.priority, c
			}
		}
	}
	if calm != "" {
		return PriorityLow, calm
	}
	return PriorityNormal, ""
}
