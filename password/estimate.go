package password

import (
	"math"
	"time"
	"unicode"
)

// The estimator follows zxcvbn's idea in small: find every piece of the
// password an attacker's tools would try early (common words, the user's
// names, runs, repeats, dates, repeated blocks), give each piece a number of
// guesses, and take the cheapest way to cover the password with pieces and
// brute-forced characters. The result is log10 of the guesses.
//
// Guesses per piece:
//   - common word: its rank in the list × 2 for each capital beyond the
//     first letter's (or the whole word in capitals: × 2) × 2 per look-alike
//     substitution × 2 if reversed × 2 if typed on the Russian layout;
//   - fragment of the login or a name: 10 × capitals;
//   - run: alphabet size × length (× 10 for a keyboard row, × 2 reversed);
//   - repeat of one character: its class size × length;
//   - repeated block ("abcabc"): the block's own estimate × repetitions;
//   - the owner's birth date: 1; any date: 365 × max(|year − now|, 20) (× 4
//     with separators); a year 1900–2099 alone: max(|year − now|, 20);
//   - anything else, per character: 26 for a letter, 10 for a digit, 33 for
//     a symbol, 100 for other characters.
//
// Every piece counts at least 50 guesses. Unlike zxcvbn the number of pieces
// is not charged for (no l!·D^(l−1) term), so the estimate errs low — it
// rejects, never waves through.

var refYear = time.Now().Year()

type piece struct {
	i int     // start rune
	g float64 // log10 guesses
}

const (
	minPieceLog10 = 1.69897 // log10(50)
	maxRunPiece   = 32      // longest sub-run offered to the cover
)

var log2 = math.Log10(2)

func card(c rune) float64 {
	switch class(c) {
	case 0, 1:
		return 26
	case 2:
		return 10
	case 3:
		return 33
	}
	return 100
}

// capitals is log10 of the ways the capitals of raw could have been placed.
func capitals(raw []rune) float64 {
	up, low := 0, 0
	for _, c := range raw {
		if unicode.IsUpper(c) {
			up++
		} else {
			low++
		}
	}
	switch {
	case up == 0:
		return 0
	case low == 0:
		return log2
	case up == 1 && (unicode.IsUpper(raw[0]) || unicode.IsUpper(raw[len(raw)-1])):
		return log2
	}
	// Σ C(n, k) for k ≤ min(up, low): the placements of that many capitals.
	n, k := up+low, min(up, low)
	s, c := 0.0, 1.0
	for i := 0; i <= k; i++ {
		s += c
		c = c * float64(n-i) / float64(i+1)
	}
	return math.Log10(s)
}

func diffCount(a, b []rune) int {
	n := 0
	for i := range a {
		if a[i] != b[i] {
			n++
		}
	}
	return n
}

// guessesLog10 estimates log10 of the guesses for the analysed runes.
func (a *analysis) guessesLog10() float64 {
	n := len(a.raw)
	ends := make([][]piece, n+1)
	add := func(i, j int, g float64) {
		ends[j] = append(ends[j], piece{i, max(g, minPieceLog10)})
	}
	commonWords()
	// Common words and the user's own words, in every view.
	views := []struct {
		r     []rune
		extra float64
		leet  bool
	}{{a.lower, 0, false}, {a.leetI, 0, true}, {a.leetL, 0, true}, {a.russian, log2, false}}
	for _, v := range views {
		for i := 0; i < n; i++ {
			for j := i + minWord; j <= n && j-i <= max(maxWord, a.frags.maxLen); j++ {
				w := v.r[i:j]
				// Only pieces that match pay for capitals and look-alikes.
				cost := func() float64 {
					g := v.extra + capitals(a.raw[i:j])
					if v.leet {
						g += float64(diffCount(a.lower[i:j], w)) * log2
					}
					return g
				}
				if rank := lookup(w, &a.scratch); rank > 0 {
					add(i, j, cost()+math.Log10(float64(rank)))
				}
				if rank := lookupReversed(w, &a.scratch); rank > 0 {
					add(i, j, cost()+log2+math.Log10(float64(rank)))
				}
				if _, hit := a.frags.has(w, &a.scratch); hit {
					add(i, j, cost()+1)
				}
			}
		}
	}
	// Runs and repeats, and their parts.
	for _, s := range findRuns(a.lower) {
		for i := s.i; i < s.j; i++ {
			for j := i + MinRun; j <= s.j && j-i <= maxRunPiece; j++ {
				l := float64(j - i)
				var g float64
				if s.repeat {
					g = math.Log10(card(a.lower[i]) * l)
				} else {
					g = math.Log10(float64(s.seqSize) * l)
					if s.board {
						g++
					}
					if s.reverse {
						g += log2
					}
				}
				add(i, j, g+capitals(a.raw[i:j]))
			}
		}
	}
	a.dateMatches(add)
	// Repeated blocks, greedily left to right.
	for i := 0; i < n; {
		found := false
		for b := 2; i+2*b <= n; b++ {
			k := 1
			for i+(k+1)*b <= n && equalRunes(a.lower[i:i+b], a.lower[i+k*b:i+(k+1)*b]) {
				k++
			}
			if k >= 2 {
				add(i, i+k*b, a.cover(ends, i, i+b)+math.Log10(float64(k)))
				i += k * b
				found = true
				break
			}
		}
		if !found {
			i++
		}
	}
	g := a.cover(ends, 0, n)
	// Runes beyond the analysed ones count as brute force.
	if extra := a.n - n; extra > 0 {
		g += float64(extra) * math.Log10(26)
	}
	return g
}

// cover is the cheapest covering of runes [lo, hi) by pieces that lie
// within it and brute-forced characters (log10 guesses).
func (a *analysis) cover(ends [][]piece, lo, hi int) float64 {
	best := make([]float64, hi-lo+1)
	for j := lo + 1; j <= hi; j++ {
		b := best[j-1-lo] + math.Log10(card(a.raw[j-1]))
		for _, p := range ends[j] {
			if p.i >= lo {
				b = min(b, best[p.i-lo]+p.g)
			}
		}
		best[j-lo] = b
	}
	return best[hi-lo]
}

func equalRunes(a, b []rune) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func isDigit(c rune) bool { return c >= '0' && c <= '9' }

func isDateSep(c rune) bool {
	switch c {
	case '.', '-', '/', '_', '\\', ',', ' ':
		return true
	}
	return false
}

// dateMatches offers every date-like stretch of 4–10 characters, and the
// owner's birth date, as pieces.
func (a *analysis) dateMatches(add func(i, j int, g float64)) {
	r := a.lower
	for i := range r {
		if !isDigit(r[i]) {
			continue
		}
		for j := i + 4; j <= len(r) && j-i <= 10; j++ {
			if !isDigit(r[j-1]) {
				continue
			}
			if y, sep, ok := parseDate(r[i:j]); ok {
				g := math.Log10(365 * float64(max(abs(y-refYear), 20)))
				if sep {
					g += 2 * log2
				}
				add(i, j, g)
			}
			if j-i == 4 && (r[i] == '1' && r[i+1] == '9' || r[i] == '2' && r[i+1] == '0') {
				y := int(r[i]-'0')*1000 + int(r[i+1]-'0')*100 + int(r[i+2]-'0')*10 + int(r[i+3]-'0')
				add(i, j, math.Log10(float64(max(abs(y-refYear), 20))))
			}
		}
	}
	for _, f := range a.born {
		for i := 0; i+len(f) <= len(r); i++ {
			match := true
			for k, c := range f {
				if r[i+k] != rune(c) {
					match = false
					break
				}
			}
			if match {
				add(i, i+len(f), 0)
			}
		}
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// parseDate reports whether r is a day, month and year in some order
// (DMY, YMD, MDY), as digits alone or split by one repeated separator, or a
// day and month alone (4 digits); y is the year (the reference year for a
// day and month alone).
func parseDate(r []rune) (y int, sep bool, ok bool) {
	var groups [][]rune
	var s rune
	start := 0
	for k, c := range r {
		if isDigit(c) {
			continue
		}
		if !isDateSep(c) || (s != 0 && c != s) || k == start {
			return 0, false, false
		}
		s = c
		groups = append(groups, r[start:k])
		start = k + 1
	}
	groups = append(groups, r[start:])
	num := func(g []rune) int {
		v := 0
		for _, c := range g {
			v = v*10 + int(c-'0')
		}
		return v
	}
	orders := [][3]int{{0, 1, 2}, {2, 1, 0}, {1, 0, 2}} // positions of day, month, year
	try := func(g [3][]rune) (int, bool) {
		for _, o := range orders {
			d, m, yr := g[o[0]], g[o[1]], g[o[2]]
			if len(d) > 2 || len(m) > 2 || (len(yr) != 2 && len(yr) != 4) {
				continue
			}
			dv, mv, yv := num(d), num(m), num(yr)
			if len(yr) == 2 {
				yv += 1900
				if yv+100 <= refYear+10 {
					yv += 100
				}
			}
			if dv >= 1 && dv <= 31 && mv >= 1 && mv <= 12 && yv >= 1900 && yv <= 2099 {
				return yv, true
			}
		}
		return 0, false
	}
	switch len(groups) {
	case 3:
		y, ok := try([3][]rune{groups[0], groups[1], groups[2]})
		return y, true, ok
	case 1:
		g := groups[0]
		if len(g) == 4 {
			for _, dm := range [][2][]rune{{g[:2], g[2:]}, {g[2:], g[:2]}} {
				if d, m := num(dm[0]), num(dm[1]); d >= 1 && d <= 31 && m >= 1 && m <= 12 {
					return refYear, false, true
				}
			}
			return 0, false, false
		}
		for l1 := 1; l1 <= 4 && l1 < len(g); l1++ {
			for l2 := 1; l2 <= 2 && l1+l2 < len(g); l2++ {
				if y, ok := try([3][]rune{g[:l1], g[l1 : l1+l2], g[l1+l2:]}); ok {
					return y, false, true
				}
			}
		}
	}
	return 0, false, false
}
