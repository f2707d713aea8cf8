package intake

import "testing"

func TestBadEscape(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]bool{
		`{"a":"plain"}`:                     false,
		`{"emoji":"\ud83d\ude00"}`:          false, // a whole pair
		`{"a":"\\ud83d"}`:                   false, // a backslash, then the letters
		`{"tab":"\t","q":"\"\\"}`:           false,
		`{"a":"\ud83d"}`:                    true, // a lone high surrogate as a value
		`{"\ud83d":1}`:                      true, // … as a key
		`{"a":"\ude00"}`:                    true, // a lone low surrogate
		`{"a":"\ud83d\u0041"}`:              true, // a high one followed by no low one
		`{"a":"\u0000"}`:                    true,
		`{"a":"x\\\ud83d"}`:                 true, // an escaped backslash, then a lone surrogate
		`{"a":"\uD83D\uDE00","b":"\u00e9"}`: false,
	} {
		if got := badEscape([]byte(raw)); got != want {
			t.Errorf("badEscape(%s) = %v, want %v", raw, got, want)
		}
	}
}
