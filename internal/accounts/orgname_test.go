package accounts

import (
	"strings"
	"testing"
)

func TestOrgNameRules(t *testing.T) {
	t.Parallel()
	for name, ok := range map[string]bool{
		"Fixit Shop":             true,
		"Müller & Söhne GmbH":    true,
		"Booking.com":            true, // a domain alone is allowed: see README
		"Joe's \"Best\" Pizza":   true,
		strings.Repeat("ä", 80):  true,
		strings.Repeat("ä", 81):  false,
		"":                       false,
		"https://evil.example":   false,
		"restore at HTTPS://x.y": false,
		"go to WWW.example.com":  false,
		"2024":                   false,
		"--- !!! ---":            false,
		"Acme\nRepairs":          false,
		"Acme\u202eRepairs":      false,
		"Acme\u200bRepairs":      false,
		"Acme\u2028Repairs":      false,
		"Acme\xffRepairs":        false,
	} {
		if got := orgNameProblem(name) == ""; got != ok {
			t.Errorf("orgNameProblem(%q) = %q; want allowed %v", name, orgNameProblem(name), ok)
		}
	}
}

func TestMailNameStaysQuoted(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Fixit Shop":                "Fixit Shop",
		"Acme” – restore at evil “": "Acme' – restore at evil '",
		"  Acme\u202e\r\nRepairs ":  "AcmeRepairs",
		strings.Repeat("x", 100):    strings.Repeat("x", 80) + "…",
		"Joe's «Best» \"Pizza\"":    "Joe's 'Best' 'Pizza'",
	} {
		if got := mailName(in); got != want {
			t.Errorf("mailName(%q) = %q, want %q", in, got, want)
		}
	}
}
