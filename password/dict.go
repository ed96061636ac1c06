package password

import (
	_ "embed"
	"strings"
	"sync"
	"unicode/utf8"
)

// common.txt is the common-password list, most frequent first; the line
// order (after comments and duplicates) is each word's rank.
//
//go:embed common.txt
var commonTxt string

// minWord and maxWord bound the entries looked up (in runes): shorter
// fragments are too frequent to mean anything; nothing in the list is longer.
const minWord = 3

var (
	dictOnce sync.Once
	dict     map[string]int
	maxWord  int
)

// commonWords is the list as word → rank (1 = most common).
func commonWords() map[string]int {
	dictOnce.Do(func() {
		dict = map[string]int{}
		for line := range strings.Lines(commonTxt) {
			w := strings.ToLower(strings.TrimSpace(line))
			if w == "" || strings.HasPrefix(w, "#") || utf8.RuneCountInString(w) < minWord {
				continue
			}
			if _, dup := dict[w]; !dup {
				dict[w] = len(dict) + 1
				maxWord = max(maxWord, utf8.RuneCountInString(w))
			}
		}
	})
	return dict
}

// deleet undoes the usual look-alike substitutions (P@ssw0rd → password),
// one rune for one rune so positions stay aligned. ones says what 1, | and !
// stand for: 'i' or 'l'.
func deleet(r []rune, ones rune) []rune {
	out := make([]rune, len(r))
	for i, c := range r {
		switch c {
		case '@', '4':
			c = 'a'
		case '8':
			c = 'b'
		case '(':
			c = 'c'
		case '3':
			c = 'e'
		case '6', '9':
			c = 'g'
		case '#':
			c = 'h'
		case '1', '|', '!':
			c = ones
		case '0':
			c = 'o'
		case '$', '5':
			c = 's'
		case '7', '+':
			c = 't'
		case '2':
			c = 'z'
		case '%':
			c = 'x'
		}
		out[i] = c
	}
	return out
}

// isWordRune: letters of any script; what strip keeps.
func isWordRune(c rune) bool {
	return c >= 'a' && c <= 'z' || c >= 0x400 && c <= 0x4FF
}

// strip drops leading and trailing runes that are not letters
// ("!!password123!" → "password").
func strip(r []rune) []rune {
	i, j := 0, len(r)
	for i < j && !isWordRune(r[i]) {
		i++
	}
	for j > i && !isWordRune(r[j-1]) {
		j--
	}
	return r[i:j]
}

// lookup returns the rank of word r in the list, 0 when absent. buf is the
// caller's scratch space (wiped by the caller); the lookup builds no string.
func lookup(r []rune, buf *[]byte) int {
	if len(r) < minWord {
		return 0
	}
	b := (*buf)[:0]
	for _, c := range r {
		b = utf8.AppendRune(b, c)
	}
	*buf = b
	return commonWords()[string(b)]
}
