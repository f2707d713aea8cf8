package extract

import (
	"strings"
	"unicode"
)

// foldKey reduces text to a form in which common OCR confusions compare equal:
// upper case, letters and digits only, and look-alike characters merged
// (0/O/D/Q, 1/I/L/|, 5/S, 8/B, 2/Z). It is only ever compared, never shown.
func foldKey(s string) []rune {
	out := make([]rune, 0, len(s))
	for _, r := range strings.ToUpper(s) {
		switch r {
		case '0', 'D', 'Q':
			r = 'O'
		case '1', 'L', '|', '!':
			r = 'I'
		case '5', '$':
			r = 'S'
		case '8':
			r = 'B'
		case '2':
			r = 'Z'
		case '¥':
			r = 'Y'
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			out = append(out, r)
		}
	}
	return out
}

// maxAlignText bounds the text an alignment scans, so a hostile page cannot
// make matching quadratic in its size.
const maxAlignText = 4000

// substringSimilarity is how well pattern occurs somewhere in text: one minus
// the smallest edit distance between pattern and any substring of text,
// divided by the pattern's length (1: occurs exactly, 0: nothing alike).
func substringSimilarity(pattern, text []rune) float64 {
	if len(pattern) == 0 {
		return 0
	}
	if len(text) > maxAlignText {
		text = text[:maxAlignText]
	}
	// prev[i]: distance of pattern[:i] to the best substring ending at the current text position.
	prev := make([]int, len(pattern)+1)
	cur := make([]int, len(pattern)+1)
	for i := range prev {
		prev[i] = i
	}
	best := len(pattern)
	for _, t := range text {
		cur[0] = 0 // a substring may start anywhere
		for i, p := range pattern {
			cost := 1
			if p == t {
				cost = 0
			}
			cur[i+1] = min(prev[i]+cost, prev[i+1]+1, cur[i]+1)
		}
		best = min(best, cur[len(pattern)])
		prev, cur = cur, prev
	}
	return 1 - float64(best)/float64(len(pattern))
}

// editSimilarity is one minus the edit distance of a and b over the longer length.
func editSimilarity(a, b []rune) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 1
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := range a {
		cur[0] = i + 1
		for j := range b {
			cost := 1
			if a[i] == b[j] {
				cost = 0
			}
			cur[j+1] = min(prev[j]+cost, prev[j+1]+1, cur[j]+1)
		}
		prev, cur = cur, prev
	}
	return 1 - float64(prev[len(b)])/float64(max(len(a), len(b)))
}

// trigrams is the set of character trigrams of a folded key.
func trigrams(key []rune) map[string]struct{} {
	out := make(map[string]struct{}, len(key))
	for i := 0; i+3 <= len(key); i++ {
		out[string(key[i:i+3])] = struct{}{}
	}
	return out
}

// collapseSpace trims and collapses runs of white space to one space.
func collapseSpace(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
