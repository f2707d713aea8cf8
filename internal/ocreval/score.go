// Package ocreval scores OCR output against ground truth and loads the SROIE
// receipts' ground truth. It has no cgo, so evaluation commands can use it
// without linking Tesseract.
package ocreval

import "strings"

// WordF1 compares the multisets of whitespace-separated tokens of predicted
// and truth, as SROIE's OCR task (task 2) scores: a predicted token counts
// once for each matching truth token and order does not matter. Tokens must
// match exactly except for letter case: SROIE's transcripts are upper-cased
// whatever the receipt printed ("DOCUMENT NO" for "Document No"), so a
// case-sensitive score would punish correct readings. p = matched/len(predicted), r = matched/len(truth).
// With no tokens on either side the score is 0 (1 when both are empty).
func WordF1(predicted, truth []string) (p, r, f1 float64) {
	pred, want := tokens(predicted), tokens(truth)
	if len(pred) == 0 && len(want) == 0 {
		return 1, 1, 1
	}
	counts := make(map[string]int, len(want))
	for _, t := range want {
		counts[t]++
	}
	matched := 0
	for _, t := range pred {
		if counts[t] > 0 {
			counts[t]--
			matched++
		}
	}
	if matched == 0 {
		return 0, 0, 0
	}
	p = float64(matched) / float64(len(pred))
	r = float64(matched) / float64(len(want))
	return p, r, 2 * p * r / (p + r)
}

func tokens(texts []string) []string {
	var out []string
	for _, t := range texts {
		out = append(out, strings.Fields(strings.ToUpper(t))...)
	}
	return out
}

// CER is the character error rate: the edit distance (insertions, deletions,
// substitutions of runes) from truth to predicted divided by truth's length,
// after collapsing each run of white space to one space on both sides (line
// breaks versus spaces in the layout do not count) and ignoring letter case
// as WordF1 does. It can exceed 1.
func CER(predicted, truth string) float64 {
	a := []rune(strings.Join(strings.Fields(strings.ToUpper(predicted)), " "))
	b := []rune(strings.Join(strings.Fields(strings.ToUpper(truth)), " "))
	if len(b) == 0 {
		if len(a) == 0 {
			return 0
		}
		return 1
	}
	return float64(editDistance(a, b)) / float64(len(b))
}

// editDistance is Levenshtein's distance with two rows of memory.
func editDistance(a, b []rune) int {
	prev, cur := make([]int, len(b)+1), make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
