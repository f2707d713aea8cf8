package auth

import (
	"strings"
	"testing"
)

// TestSitePath: only a path of this site is a place to return to; anything a
// browser would read as another host, or that could break a header, is not.
func TestSitePath(t *testing.T) {
	t.Parallel()
	for next, want := range map[string]bool{
		"/accept-invitation?token=abc":  true,
		"/orgs/1/intake?status=new#top": true,
		"/%2F%2Fevil.example":           true, // a path on this site, however it looks
		"":                              false,
		"accept-invitation":             false,
		"//evil.example/x":              false,
		"/\\evil.example":               false,
		"/\t/evil.example":              false,
		"/x\r\nSet-Cookie: a=b":         false,
		"https://evil.example/":         false,
		"/" + strings.Repeat("a", 2048): false,
		"/" + strings.Repeat("a", 2047): true,
	} {
		if got := SitePath(next); got != want {
			t.Errorf("SitePath(%q) = %v, want %v", next, got, want)
		}
	}
}
