package intake

import "strings"

// Rank keys order items within a stage. Between returns a key strictly
// between a and b ("" leaves that end open), so placing or moving an item
// writes only that item. Generated keys never end in the lowest digit, so
// there is always room before any of them.
const rankDigits = "0123456789abcdefghijklmnopqrstuvwxyz"

func Between(a, b string) string {
	var out []byte
	for i := 0; ; i++ {
		lo := 0
		if i < len(a) {
			lo = strings.IndexByte(rankDigits, a[i])
		}
		hi := len(rankDigits)
		if i < len(b) {
			hi = strings.IndexByte(rankDigits, b[i])
		}
		if hi-lo > 1 {
			next := (lo + hi) / 2
			if b == "" {
				next = lo + 1 // appending: step by one so keys grow by a digit only every 35 appends
			}
			return string(append(out, rankDigits[next]))
		}
		out = append(out, rankDigits[lo])
		if hi > lo {
			b = "" // out is now below b whatever follows
		}
	}
}
