package auth

import (
	_ "embed"
	"net/mail"
	"strings"
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

// EmailProblem says what is wrong with an email address, or "" when nothing is.
func EmailProblem(email string) string {
	switch {
	case email == "":
		return "is required"
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
	case !utf8.ValidString(password):
		return "must be valid UTF-8 text"
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
