package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
)

// Token prefixes tell a leaked secret's kind at a glance (and let scanners find them).
const (
	APITokenPrefix   = "astr_"
	EmailTokenPrefix = "astre_"
	// DeviceTokenPrefix marks the cookie of a browser that has signed in (a known device).
	DeviceTokenPrefix = "astrd_"
	// CalendarFeedTokenPrefix marks the secret in an operator's calendar feed URL.
	CalendarFeedTokenPrefix = "astrc_"
	// BookingLinkTokenPrefix marks the secret in a client's link to their booking.
	BookingLinkTokenPrefix = "astrb_"
)

// NewToken returns a random secret with the given prefix and the SHA-256 that is stored instead of it.
func NewToken(prefix string) (secret string, hash []byte) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	secret = prefix + base64.RawURLEncoding.EncodeToString(b)
	return secret, HashToken(secret)
}

// HashToken is how a presented token is looked up: equal secrets give equal hashes.
func HashToken(secret string) []byte {
	sum := sha256.Sum256([]byte(secret))
	return sum[:]
}
