package classifier

import "testing"

func TestRulePriority(t *testing.T) {
	cases := []struct {
		text, priority, cue string
	}{
		{"URGENT: someone used my card", PriorityUrgent, "urgent"},
		{"My card was stolen last night", PriorityUrgent, "stolen"},
		{"There's a payment I don't recognise on my statement", PriorityUrgent, "dont recognise"},
		{"Water is leaking through the kitchen ceiling!", PriorityUrgent, "leaking"},
		{"I am locked out of the app", PriorityUrgent, "locked out"},
		{"My top-up failed twice", PriorityHigh, "failed"},
		{"I still haven't received my refund", PriorityHigh, "still havent"},
		{"Can someone call me back today?", PriorityHigh, "today"},
		{"Not urgent, but how do I change my address?", PriorityLow, "not urgent"},
		{"No rush: when you have time, send me last year's invoices", PriorityLow, "no rush"},
		{"Not urgent, but my card was stolen", PriorityUrgent, "stolen"}, // a calming phrase does not hide an emergency
		{"This isn't urgent, but could you update my address?", PriorityLow, "isnt urgent"},
		{"Not an emergency, just a question about the bill", PriorityLow, "not an emergency"},
		{"Nothing urgent: please resend the quote", PriorityLow, "nothing urgent"},
		{"Not urgent not urgent at all", PriorityLow, "not urgent"},
		{"I am not authorized to see the report", PriorityNormal, ""},
		{"What are your opening hours?", PriorityNormal, ""},
		{"The fraudulently named Urgentville branch", PriorityNormal, ""}, // whole words only
		{"", PriorityNormal, ""},
	}
	for _, c := range cases {
		priority, cue := RulePriority(c.text)
		if priority != c.priority || cue != c.cue {
			t.Errorf("RulePriority(%q) = %s (%q), want %s (%q)", c.text, priority, cue, c.priority, c.cue)
		}
	}
}

func TestValidPriority(t *testing.T) {
	for _, p := range Priorities {
		if !ValidPriority(p) {
			t.Errorf("%s is not valid", p)
		}
	}
	for _, p := range []string{"", "URGENT", "critical"} {
		if ValidPriority(p) {
			t.Errorf("%q is valid", p)
		}
	}
}
