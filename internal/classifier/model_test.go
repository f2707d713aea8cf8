package classifier

import (
	"encoding/json"
	"testing"
)

// A small repair-shop organisation: the fixtures are ours, the real data set is used by `make eval-routing`.
var shop = []Pipeline{
	{Key: "repairs", Name: "Repairs", Description: "Broken, cracked or faulty devices brought in for repair: screens, batteries, charging ports, water damage."},
	{Key: "billing", Name: "Billing", Description: "Invoices, payments, refunds, charges and receipts."},
	{Key: "bookings", Name: "Appointments", Description: "Booking, moving or cancelling an appointment or a visit to the shop."},
}

func TestStem(t *testing.T) {
	for in, want := range map[string]string{
		"charge": "charg", "charged": "charg", "charging": "charg", "charges": "charg",
		"cancelled": "cancel", "cancelling": "cancel", "verification": "verify", "verified": "verify",
		"activate": "activ", "activated": "activ", "activation": "activ", "fees": "fee", "bill": "bill", "status": "status",
	} {
		if got := stem(in); got != want {
			t.Errorf("stem(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTokensJoinHyphenatedWords(t *testing.T) {
	got := tokens("Top-up didn't work", false)
	want := []string{"top", "up", "didnt", "work", "topup"}
	if len(got) != len(want) {
		t.Fatalf("tokens = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("tokens = %v, want %v", got, want)
		}
	}
}

func TestColdRoutesByDescription(t *testing.T) {
	m, err := New(shop)
	if err != nil {
		t.Fatal(err)
	}
	for text, want := range map[string]string{
		"My phone screen is cracked, can you fix it?":            "repairs",
		"I was charged twice, I want a refund":                   "billing",
		"Can I move my appointment to Friday?":                   "bookings",
		"the battery drains fast and the charging port is loose": "repairs",
	} {
		d := m.Classify(text)
		if d.Pipeline != want {
			t.Errorf("Classify(%q) = %+v, want %s", text, d, want)
		}
		if d.Confidence <= 1.0/3 || d.Confidence > 1 || d.Reason == "" {
			t.Errorf("Classify(%q): confidence %v, reason %q", text, d.Confidence, d.Reason)
		}
	}
}

func TestLearningOverridesDescriptions(t *testing.T) {
	m, _ := New(shop)
	// This shop's customers say "quote" for what the descriptions never mention.
	text := "how much would a quote be"
	before := m.Classify(text)
	for range 40 {
		if err := m.Learn("can I get a quote for the work", "billing"); err != nil {
			t.Fatal(err)
		}
		_ = m.Learn("my screen cracked please fix", "repairs")
	}
	after := m.Classify(text)
	if after.Pipeline != "billing" {
		t.Fatalf("after learning: %+v (before: %+v)", after, before)
	}
	if m.Examples() != 80 {
		t.Fatalf("Examples() = %d", m.Examples())
	}
	if err := m.Learn("x", "nope"); err == nil {
		t.Fatal("learning an unknown pipeline was accepted")
	}
}

func TestSaveAndLoadKeepsDecisions(t *testing.T) {
	m, _ := New(shop)
	for range 20 {
		_ = m.Learn("quote for a new case", "billing")
	}
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := Load(shop, data, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"quote please", "screen cracked", "move my visit"} {
		if a, b := m.Classify(text), loaded.Classify(text); a != b {
			t.Errorf("%q: before save %+v, after load %+v", text, a, b)
		}
	}
	// A pipeline removed since: its learning is dropped; a new one starts cold.
	changed := []Pipeline{shop[0], shop[2], {Key: "sales", Name: "Sales", Description: "Buying new devices and accessories."}}
	reloaded, err := Load(changed, data, 0)
	if err != nil {
		t.Fatal(err)
	}
	if reloaded.Examples() != 0 {
		t.Fatalf("examples of a removed pipeline survived: %d", reloaded.Examples())
	}
	if _, err := Load(shop, []byte(`{"keys":["a"],"examples":[],"feat_total":[]}`), 0); err == nil {
		t.Fatal("inconsistent saved model accepted")
	}
}

func TestNewRejectsBadPipelines(t *testing.T) {
	if _, err := New(nil); err == nil {
		t.Error("no pipelines accepted")
	}
	if _, err := New([]Pipeline{{Key: "a"}, {Key: "a"}}); err == nil {
		t.Error("duplicate keys accepted")
	}
}

func BenchmarkClassifyWarm(b *testing.B) {
	m, _ := New(shop)
	for i := range 3000 {
		_ = m.Learn("request number "+string(rune('a'+i%26))+" about a cracked screen and a refund", shop[i%3].Key)
	}
	b.ResetTimer()
	for range b.N {
		m.Classify("I was charged twice for the screen repair and want a refund")
	}
}
