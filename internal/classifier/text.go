package classifier

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// words lowercases text, drops apostrophes ("hasn't" → "hasnt") and splits on
// every rune that is not a letter or digit. A hyphen between two letters also
// yields the joined compound ("top-up" → "top", "up", and in compounds "topup").
func words(text string) (ws []string, compounds [][]string) {
	text = strings.NewReplacer("'", "", "’", "", "`", "").Replace(strings.ToLower(text))
	var cur strings.Builder
	var parts []string
	flush := func() {
		if cur.Len() > 0 {
			ws = append(ws, cur.String())
			parts = append(parts, cur.String())
			cur.Reset()
		}
	}
	endCompound := func() {
		if len(parts) > 1 {
			compounds = append(compounds, parts)
		}
		parts = nil
	}
	rs := []rune(text)
	for i, r := range rs {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			cur.WriteRune(r)
			continue
		}
		innerHyphen := r == '-' && i > 0 && i+1 < len(rs) && unicode.IsLetter(rs[i-1]) && unicode.IsLetter(rs[i+1])
		flush()
		if !innerHyphen {
			endCompound()
		}
	}
	flush()
	endCompound()
	return ws, compounds
}

var suffixes = []struct{ suffix, replacement string }{
	{"ications", "y"}, {"ication", "y"}, {"ations", ""}, {"ation", ""},
	{"ments", ""}, {"ment", ""}, {"ness", ""}, {"ances", ""}, {"ance", ""},
	{"ences", ""}, {"ence", ""}, {"ings", ""}, {"ing", ""}, {"ied", "y"},
	{"ies", "y"}, {"ed", ""}, {"es", ""}, {"s", ""},
}

// stem is a small deterministic suffix stripper: it only has to map the forms
// people use to one token (charge, charged, charging → charg), not be linguistics.
func stem(w string) string {
	if len(w) <= 3 {
		return w
	}
	for _, s := range suffixes {
		if !strings.HasSuffix(w, s.suffix) {
			continue
		}
		if s.suffix == "s" && (strings.HasSuffix(w, "ss") || strings.HasSuffix(w, "us") || strings.HasSuffix(w, "is")) {
			break
		}
		base := w[:len(w)-len(s.suffix)]
		if len(base)+len(s.replacement) < 3 {
			continue // too short: a shorter suffix may fit ("fees" → "fee")
		}
		w = base + s.replacement
		break
	}
	switch { // activate, activated, activation → activ
	case len(w) > 5 && strings.HasSuffix(w, "at"):
		w = w[:len(w)-2]
	case len(w) > 6 && strings.HasSuffix(w, "ate"):
		w = w[:len(w)-3]
	}
	if len(w) > 3 && strings.HasSuffix(w, "e") && !strings.HasSuffix(w, "ee") {
		w = w[:len(w)-1] // charge → charg, as charged
	}
	if n := len(w); n > 3 && w[n-1] == w[n-2] && !strings.ContainsRune("aeiouls", rune(w[n-1])) {
		w = w[:n-1] // topp → top
	} else if n > 5 && strings.HasSuffix(w, "ll") {
		w = w[:n-1] // cancell → cancel, while "bill" and "still" stay
	}
	return w
}

var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`a an the and or but if of to in on at by for from with about as into
	  through over after before under between out up down off again then once here there when where why how
	  all any both each few more most other some such no nor only own same so than too very
	  i me my mine myself we our ours you your yours he him his she her it its they them their what which who whom
	  this that these those am is are was were be been being have has had having do does did doing
	  can could will would shall should may might must need
	  s t just dont cant wont didnt doesnt isnt im ive id hi hello please thanks thank help get got
	  want like know tell also still yet now today one way able use`) {
		m[w] = true
	}
	return m
}()

// maxTokenBytes is the longest token kept whole: the longest words of
// European languages fit, and what is longer (a code, a run of letters, a
// sentence in a script written without spaces) is cut to its start, so
// that no text makes a feature larger than about twice this.
const maxTokenBytes = 40

// tokens are the stemmed words of text, then its stemmed compounds, each cut
// to maxTokenBytes. Stop words are dropped only when asked: they carry signal
// once labels exist ("not", "did"), but only noise when matching descriptions.
func tokens(text string, dropStopWords bool) []string {
	ws, compounds := words(text)
	out := make([]string, 0, len(ws)+len(compounds))
	for _, w := range ws {
		if dropStopWords && stopWords[w] {
			continue
		}
		out = append(out, clip(stem(w)))
	}
	for _, parts := range compounds {
		var b strings.Builder
		for _, p := range parts {
			b.WriteString(stem(p))
		}
		out = append(out, clip(b.String()))
	}
	return out
}

// clip cuts w to at most maxTokenBytes, on a character boundary. The result
// is a copy: a token cut from a long word does not keep the word in memory.
func clip(w string) string {
	if len(w) <= maxTokenBytes {
		return w
	}
	end := maxTokenBytes
	for end > 0 && !utf8.RuneStart(w[end]) {
		end--
	}
	return strings.Clone(w[:end])
}
