package password

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

const (
	fromLogin = 1
	fromName  = 2

	maxTokens     = 16 // login parts and name words looked at
	maxTokenRunes = 64 // of each
	maxFragRunes  = 24 // longest fragment kept for the estimator
)

// fragSet holds every substring of at least 3 runes of the login and of
// each name in each spelling (as written, the three Latin transliterations,
// and as typed on the Latin keys of the Cyrillic layout), lowercase, with
// where it came from.
type fragSet struct {
	m      map[string]int
	maxLen int // longest entry, in runes
}

// has looks up runes r (no string is built from them).
func (f fragSet) has(r []rune, buf *[]byte) (int, bool) {
	if len(r) < 3 || len(r) > f.maxLen {
		return 0, false
	}
	b := (*buf)[:0]
	for _, c := range r {
		b = utf8.AppendRune(b, c)
	}
	*buf = b
	who, ok := f.m[string(b)]
	return who, ok
}

// tokens splits s at anything that is not a letter or digit and lowercases.
func tokens(s string) [][]rune {
	var out [][]rune
	for _, t := range strings.FieldsFunc(s, func(c rune) bool { return !unicode.IsLetter(c) && !unicode.IsDigit(c) }) {
		out = append(out, []rune(strings.ToLower(t)))
	}
	return out
}

// userFragments builds the set for u. Tokens shorter than 3 runes add
// nothing: rule 18.5 forbids fragments "longer than two characters".
func userFragments(u User) fragSet {
	f := fragSet{m: map[string]int{}}
	added := 0
	add := func(tok []rune, who int) {
		// Bounds keep odd input (a 3,000-letter "login") from costing
		// seconds; real logins and names are far inside them.
		if added++; added > maxTokens {
			return
		}
		tok = tok[:min(len(tok), maxTokenRunes)]
		variants := [][]rune{tok, typedOnLayout(tok)}
		for s := range translitStyles {
			variants = append(variants, transliterate(tok, s))
		}
		for _, v := range variants {
			for i := 0; i+3 <= len(v); i++ {
				for j := i + 3; j <= len(v) && j-i <= maxFragRunes; j++ {
					k := string(v[i:j])
					if _, dup := f.m[k]; !dup {
						f.m[k] = who
					}
					f.maxLen = max(f.maxLen, j-i)
				}
			}
		}
	}
	login := []rune(strings.ToLower(strings.TrimSpace(u.Login)))
	add(login, fromLogin) // whole, so "a.seit" is found as well as "seit"
	for _, t := range tokens(u.Login) {
		add(t, fromLogin)
	}
	for _, t := range tokens(u.FullName) {
		add(t, fromName)
	}
	return f
}

// dateForms spells a birth date the ways people write it into passwords:
// day-month-year, year-month-day and month-day-year orders, 4- and 2-digit
// years, with and without leading zeros, with . - / separators or none,
// and the day-and-month and year parts alone. Forms shorter than 4
// characters are left out (a 3-digit "153" is too common to forbid).
func dateForms(y, m, d int) [][]byte {
	Y, YY := fmt.Sprintf("%04d", y), fmt.Sprintf("%02d", y%100)
	MM, DD := fmt.Sprintf("%02d", m), fmt.Sprintf("%02d", d)
	M, D := fmt.Sprint(m), fmt.Sprint(d)
	seen := map[string]bool{}
	var out [][]byte
	add := func(s string) {
		if len(s) >= 4 && !seen[s] {
			seen[s] = true
			out = append(out, []byte(s))
		}
	}
	for _, sep := range []string{"", ".", "-", "/"} {
		for _, day := range []string{DD, D} {
			for _, mon := range []string{MM, M} {
				for _, yr := range []string{Y, YY} {
					add(day + sep + mon + sep + yr) // 15.03.1985
					add(yr + sep + mon + sep + day) // 1985-03-15
					add(mon + sep + day + sep + yr) // 03/15/1985
				}
				add(day + sep + mon) // 15.03
				add(mon + sep + day) // 03.15
			}
		}
	}
	add(Y)
	return out
}
