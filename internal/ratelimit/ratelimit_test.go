package ratelimit

import "testing"

func TestSourceGroupsIPv6By64(t *testing.T) {
	t.Parallel()
	for ip, want := range map[string]string{
		"203.0.113.7":          "203.0.113.7",
		"::ffff:203.0.113.7":   "203.0.113.7",
		"2001:db8:1:2::1":      "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff::9": "2001:db8:1:2::/64",
		"2001:db8:1:3::1":      "2001:db8:1:3::/64",
		"fe80::1%eth0":         "fe80::/64",
		"not an address":       "not an address",
	} {
		if got := Source(ip); got != want {
			t.Errorf("Source(%q) = %q, want %q", ip, got, want)
		}
	}
}
