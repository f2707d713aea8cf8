package auth

import (
	_ "embed"
	"fmt"
	"net/mail"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

const (
	MinPasswordLength = 10
	// MaxPasswordBytes bounds the work one sign-in can cause.
	MaxPasswordBytes = 256
	MaxEmailLength   = 254
	MaxNameLength    = 200
)

//go:embed common-passwords.txt
var commonPasswordList string

var commonPasswords = func() map[string]bool {
	m := map[string]bool{}
	for _, line := range strings.Split(commonPasswordList, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			m[line] = true
		}
	}
	return m
}()

// NormalizeEmail trims an address; comparisons are case-insensitive in the database.
func NormalizeEmail(email string) string { return strings.TrimSpace(email) }

// TextProblem says what is wrong with a short single-line text such as a
// name, or "" when nothing is. PostgreSQL cannot store NUL, and control
// characters have no place in names.
func TextProblem(s string, maxBytes int) string {
	switch {
	case !utf8.ValidString(s):
		return "must be valid UTF-8 text"
	case len(s) > maxBytes:
		return fmt.Sprintf("must be at most %d bytes", maxBytes)
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return "must not contain control characters"
	}
	return ""
}

// EmailProblem says what is wrong with an email address, or "" when nothing is.
func EmailProblem(email string) string {
	switch {
	case email == "":
		return "is required"
	case TextProblem(email, MaxEmailLength) != "":
		return "must be an email address like name@example.com"
	case len(email) > MaxEmailLength:
		return "must be at most 254 characters"
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || !strings.Contains(email[strings.LastIndexByte(email, '@')+1:], ".") {
		return "must be an email address like name@example.com"
	}
	return ""
}

// PasswordProblem says what is wrong with a new password, or "" when nothing is.
func PasswordProblem(password, email string) string {
	switch {
	case password == "":
		return "is required"
	case !utf8.ValidString(password) || strings.ContainsRune(password, 0):
		return "must be valid UTF-8 text without NUL characters"
	case len(password) > MaxPasswordBytes:
		return "must be at most 256 bytes"
	case utf8.RuneCountInString(password) < MinPasswordLength:
		return "must be at least 10 characters"
	case commonPasswords[strings.ToLower(password)]:
		return "is too common; choose a less guessable password"
	case email != "" && strings.EqualFold(password, email):
		return "must not be your email address"
	}
	return ""
}

// SitePath reports whether next is a path of this site to return to: it
// starts with one slash and holds nothing a browser would read as another
// host ("//host", "/\host") or that could break out of a header.
func SitePath(next string) bool {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || len(next) > 2048 {
		return false
	}
	for _, r := range next {
		if r == '\\' || r < 0x20 || r == 0x7f {
			return false
		}
	}
	u, err := url.Parse(next)
	return err == nil && u.Scheme == "" && u.Host == ""
}
