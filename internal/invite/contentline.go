package invite

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxLineOctets is RFC 5545's limit on a content line, line break excluded
// (3.1); a longer line is folded: CRLF, then a space, then the rest.
const maxLineOctets = 75

// param is one property parameter, its value already quoted or encoded.
type param struct{ name, value string }

// calendarWriter writes content lines, each folded and ended with CRLF.
type calendarWriter struct{ buf bytes.Buffer }

// line writes NAME;PARAM=VALUE...:value, where value is already escaped for its type.
func (w *calendarWriter) line(name string, params []param, value string) {
	var unfolded strings.Builder
	unfolded.WriteString(name)
	for _, p := range params {
		unfolded.WriteString(";" + p.name + "=" + p.value)
	}
	unfolded.WriteString(":" + value)
	w.writeFolded(unfolded.String())
}

// writeFolded breaks s before any character that would take a line past 75
// octets, never inside a UTF-8 sequence (a fold may split a grapheme, which
// RFC 5545 allows: unfolding restores the octets).
func (w *calendarWriter) writeFolded(s string) {
	octets := 0
	for i := 0; i < len(s); {
		_, size := utf8.DecodeRuneInString(s[i:])
		if octets+size > maxLineOctets {
			w.buf.WriteString("\r\n ")
			octets = 1 // the continuation's leading space
		}
		w.buf.WriteString(s[i : i+size])
		octets += size
		i += size
	}
	w.buf.WriteString("\r\n")
}

func (w *calendarWriter) bytes() []byte { return w.buf.Bytes() }

// lineBreaks turns every line break into one \n.
var lineBreaks = strings.NewReplacer("\r\n", "\n", "\r", "\n")

// escapeText makes s a TEXT value (RFC 5545 3.3.11): valid UTF-8, any line
// break as \n, backslash, semicolon and comma escaped, control characters
// other than tab (which TEXT cannot hold) dropped.
func escapeText(s string) string {
	s = lineBreaks.Replace(strings.ToValidUTF8(s, "\uFFFD"))
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\\' || r == ';' || r == ',':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteRune(r)
		case isControl(r):
			// dropped
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// quoteParamValue makes s a quoted parameter value (RFC 5545 3.2): a value
// with a comma, colon or semicolon must be quoted, and quoting every one is
// simpler. A double quote or caret inside is encoded as RFC 6868 says
// (^' and ^^); line breaks and other control characters become spaces.
func quoteParamValue(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString("^'")
		case r == '^':
			b.WriteString("^^")
		case isControl(r):
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// mailtoURI is a CAL-ADDRESS for an address validateEmail accepted; bytes
// outside the few a mailto URI carries as they are get percent-encoded (RFC 6068).
func mailtoURI(addr string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.WriteString("mailto:")
	for i := 0; i < len(addr); i++ {
		c := addr[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~!$'*+@", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&0xf])
	}
	return b.String()
}

// isControl reports the characters no TEXT or parameter value may hold (tab
// aside, which callers allow where RFC 5545 does): C0 controls, DEL, and the
// C1 controls U+0080–U+009F.
func isControl(r rune) bool { return unicode.IsControl(r) }
