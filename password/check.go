package password

import (
	"bytes"
	"fmt"
	"math"
	"unicode"
	"unicode/utf8"

	"kense/i18n"
	"kense/iin"
)

// Rule names one requirement of the policy. The values are stable: the
// server sends them to the client and the dialog keys its ticks on them.
type Rule string

const (
	Length              Rule = "length"
	Classes             Rule = "classes"
	Inadmissible        Rule = "inadmissible"
	Blank               Rule = "blank"
	LoginOrName         Rule = "login_or_name"
	GuessableDate       Rule = "guessable_date"
	KeyboardRun         Rule = "keyboard_run"
	Dictionary          Rule = "dictionary"
	Estimate            Rule = "estimate"
	Reused              Rule = "reused"
	DiffersFromPrevious Rule = "differs_from_previous"
)

// Rules lists every rule in display order (the order of rule 18's items).
func Rules() []Rule {
	return []Rule{Length, Classes, Inadmissible, Blank, LoginOrName, GuessableDate,
		KeyboardRun, Dictionary, Estimate, Reused, DiffersFromPrevious}
}

// Label is the rule's own statement ("At least 8 characters") for the
// dialog's checklist.
func (r Rule) Label(l i18n.Lang) string {
	return i18n.TL(l, "pw.rule."+string(r), "min", MinLength, "max", MaxLength,
		"positions", MinDiffPositions, "guesses", MinGuessesLog10)
}

// Policy figures.
const (
	// MinLength is rule 18.1.
	MinLength = 8
	// MaxLength bounds the work the checker and the server do per attempt;
	// the seed sets no maximum, 128 is far beyond what anyone types.
	MaxLength = 128
	// MinClasses is rule 18.2: three of the four classes.
	MinClasses = 3
	// MinDiffPositions is rule 18.8.
	MinDiffPositions = 5
	// MinGuessesLog10: the estimator must put the password at 10^8 guesses
	// or more (zxcvbn's score 3, "safely unguessable" for an online attack
	// and a moderate offline one against argon2id).
	MinGuessesLog10 = 8
	// analyseRunes: only this many runes are analysed for patterns; longer
	// candidates already break the length rule.
	analyseRunes = 2 * MaxLength
	// maxCut: decorations tried on each side of a dictionary word.
	maxCut = 8
)

// User is what the checker knows about the account owner.
type User struct {
	// Login is the account name.
	Login string
	// FullName is "Surname Name Patronymic" in any script.
	FullName string
	// IIN gives the birth date; empty or invalid skips the date rule.
	IIN string
}

// History tells whether the account has used a password before. The server
// implements it by verifying the candidate against the stored argon2id
// hashes of the account's past passwords (including the current one).
type History interface {
	Used(candidate []byte) (bool, error)
}

// Result is one rule's verdict.
type Result struct {
	Rule Rule
	// OK: the rule is met (or was skipped).
	OK bool
	// Skipped: the rule could not be checked for lack of input (no IIN, no
	// history, no previous password); OK is then true.
	Skipped bool
	// Key and Args are the i18n message: the rule's label when OK, what is
	// wrong when not. Args never hold any part of the password: results may
	// be logged and travel over the network.
	Key  string
	Args []any
	// Err is set when the History lookup failed (OK is false then: the
	// checker fails closed). It is for logs, not for the user.
	Err error `json:"-"`
}

// Message is the result's text in language l.
func (r Result) Message(l i18n.Lang) string { return i18n.TL(l, r.Key, r.Args...) }

// Broken returns the results whose rule is not met, in order.
func Broken(results []Result) []Result {
	var out []Result
	for _, r := range results {
		if !r.OK {
			out = append(out, r)
		}
	}
	return out
}

// OK reports whether every rule is met.
func OK(results []Result) bool { return len(Broken(results)) == 0 }

// Check applies every rule to candidate and returns one Result per rule in
// the order of Rules. previous is the password being replaced (nil when
// unknown: the 5-position rule is skipped); hist nil skips the reuse rule.
// Check never keeps candidate and wipes every copy it makes.
func Check(candidate []byte, u User, previous []byte, hist History) []Result {
	a := newAnalysis(candidate, u)
	defer a.wipe()
	out := make([]Result, 0, len(Rules()))
	out = append(out, a.length(), a.classes(), a.inadmissible(), a.blank(), a.names(),
		a.dates(), a.runs(), a.dictionary(), a.estimate(), reused(candidate, hist),
		differs(candidate, previous))
	return out
}

func ok(r Rule) Result {
	return Result{Rule: r, OK: true, Key: "pw.rule." + string(r),
		Args: []any{"min", MinLength, "max", MaxLength, "positions", MinDiffPositions, "guesses", MinGuessesLog10}}
}

func skipped(r Result) Result { r.Skipped = true; return r }

func broken(r Rule, key string, args ...any) Result {
	return Result{Rule: r, Key: key, Args: args}
}

// analysis holds the candidate's decoded views; all are wiped after Check.
type analysis struct {
	n       int      // runes in the whole candidate
	raw     []rune   // as typed (invalid UTF-8 bytes become U+FFFD)
	lower   []rune   // lowercase
	leetI   []rune   // lower with 1 | ! read as i, @ as a, 0 as o …
	leetL   []rune   // the same with 1 | read as l
	russian []rune   // Latin keys read as the Russian letters on them
	scratch []byte   // lookups
	frags   fragSet  // fragments of the login and the names
	born    [][]byte // the birth date in every form looked for
	iinDigs []byte
	hasIIN  bool
}

func newAnalysis(p []byte, u User) *analysis {
	// Sized up front so that no append leaves an unwiped copy behind.
	a := &analysis{scratch: make([]byte, 0, 4*analyseRunes+8), raw: make([]rune, 0, min(len(p), analyseRunes))}
	for len(p) > 0 {
		c, size := utf8.DecodeRune(p)
		p = p[size:]
		a.n++
		if len(a.raw) < analyseRunes {
			a.raw = append(a.raw, c)
		}
	}
	a.lower = make([]rune, len(a.raw))
	for i, c := range a.raw {
		a.lower[i] = unicode.ToLower(c)
	}
	a.leetI = deleet(a.lower, 'i')
	a.leetL = deleet(a.lower, 'l')
	a.russian = readAsRussian(a.lower)
	a.frags = userFragments(u)
	if b, err := iin.BirthDate(u.IIN); err == nil {
		a.hasIIN = true
		a.born = dateForms(b.Year(), int(b.Month()), b.Day())
		a.iinDigs = []byte(u.IIN)
	}
	return a
}

func (a *analysis) wipe() {
	for _, r := range [][]rune{a.raw, a.lower, a.leetI, a.leetL, a.russian} {
		clear(r)
	}
	clear(a.scratch[:cap(a.scratch)])
}

func (a *analysis) length() Result {
	switch {
	case a.n < MinLength:
		return broken(Length, "pw.broken.short", "n", a.n, "min", MinLength)
	case a.n > MaxLength:
		return broken(Length, "pw.broken.long", "n", a.n, "max", MaxLength)
	}
	return ok(Length)
}

// class of an admissible rune: 0 capital, 1 small, 2 digit, 3 symbol; -1
// for anything outside printable ASCII (which belongs to no class).
func class(c rune) int {
	switch {
	case c >= 'A' && c <= 'Z':
		return 0
	case c >= 'a' && c <= 'z':
		return 1
	case c >= '0' && c <= '9':
		return 2
	case c > ' ' && c < 0x7F:
		return 3
	}
	return -1
}

func (a *analysis) classes() Result {
	var seen [4]bool
	n := 0
	for _, c := range a.raw {
		if k := class(c); k >= 0 && !seen[k] {
			seen[k] = true
			n++
		}
	}
	if n < MinClasses {
		return broken(Classes, "pw.broken.classes", "n", n, "min", MinClasses)
	}
	return ok(Classes)
}

// inadmissible: everything but printable ASCII (! to ~) is refused; the
// message names the first kind found, never the character itself.
func (a *analysis) inadmissible() Result {
	for _, c := range a.raw {
		switch {
		case class(c) >= 0:
			continue
		case c == utf8.RuneError:
			return broken(Inadmissible, "pw.broken.inadmissible.other")
		case unicode.IsSpace(c):
			return broken(Inadmissible, "pw.broken.inadmissible.space")
		case unicode.IsControl(c) || unicode.Is(unicode.Cf, c):
			return broken(Inadmissible, "pw.broken.inadmissible.control")
		case unicode.Is(unicode.Cyrillic, c):
			return broken(Inadmissible, "pw.broken.inadmissible.cyrillic")
		case unicode.IsLetter(c):
			return broken(Inadmissible, "pw.broken.inadmissible.letter")
		default:
			return broken(Inadmissible, "pw.broken.inadmissible.other")
		}
	}
	return ok(Inadmissible)
}

func (a *analysis) blank() Result {
	for _, c := range a.raw {
		if !unicode.IsSpace(c) && !unicode.IsControl(c) && !unicode.Is(unicode.Cf, c) {
			return ok(Blank)
		}
	}
	return broken(Blank, "pw.broken.blank")
}

// names: no 3-rune fragment of the login or of any name, in any spelling,
// appears in the password (as typed, or with look-alikes undone).
func (a *analysis) names() Result {
	for _, v := range [][]rune{a.lower, a.leetI, a.leetL} {
		for i := 0; i+3 <= len(v); i++ {
			if who, hit := a.frags.has(v[i:i+3], &a.scratch); hit {
				if who == fromLogin {
					return broken(LoginOrName, "pw.broken.login")
				}
				return broken(LoginOrName, "pw.broken.name")
			}
		}
	}
	return ok(LoginOrName)
}

// dates: the owner's birth date in any common form, or six digits of the
// IIN in a row.
func (a *analysis) dates() Result {
	if !a.hasIIN {
		return skipped(ok(GuessableDate))
	}
	lo := a.encode(a.lower)
	digits := make([]byte, 0, len(lo))
	for _, c := range lo {
		if c >= '0' && c <= '9' {
			digits = append(digits, c)
		}
	}
	defer clear(digits)
	for _, f := range a.born {
		if bytes.Contains(lo, f) || bytes.Contains(digits, f) {
			return broken(GuessableDate, "pw.broken.birth_date")
		}
	}
	for i := 0; i+6 <= len(a.iinDigs); i++ {
		if bytes.Contains(digits, a.iinDigs[i:i+6]) {
			return broken(GuessableDate, "pw.broken.iin")
		}
	}
	return ok(GuessableDate)
}

// encode writes runes r as UTF-8 into the scratch buffer and returns it
// (valid until the next encode or lookup).
func (a *analysis) encode(r []rune) []byte {
	b := a.scratch[:0]
	for _, c := range r {
		b = utf8.AppendRune(b, c)
	}
	a.scratch = b
	return b
}

func (a *analysis) runs() Result {
	spans := findRuns(a.lower)
	for _, s := range spans {
		if !s.repeat {
			return broken(KeyboardRun, "pw.broken.run", "n", MinRun)
		}
	}
	if len(spans) > 0 {
		return broken(KeyboardRun, "pw.broken.repeat", "n", MinRun)
	}
	return ok(KeyboardRun)
}

// dictionary: the password, as typed, with leading and trailing digits and
// symbols stripped, with look-alikes undone, reversed, or read on the
// Russian layout, is not in the common list.
func (a *analysis) dictionary() Result {
	for _, v := range [][]rune{a.lower, a.leetI, a.leetL, a.russian} {
		for _, w := range [][]rune{v, strip(v)} {
			if lookup(w, &a.scratch) > 0 || lookupReversed(w, &a.scratch) > 0 {
				return broken(Dictionary, "pw.broken.dictionary")
			}
		}
	}
	// Strip decorations first, then undo look-alikes: "P@ssw0rd1!" →
	// "p@ssw0rd" → password; "@ltyn99" → altyn. Each leading and trailing
	// non-letter may be a decoration or a look-alike, so every cut is tried
	// (up to maxCut on each side).
	lo := a.lower
	lead, trail := 0, 0
	for lead < len(lo) && lead < maxCut && !isWordRune(lo[lead]) {
		lead++
	}
	for trail < len(lo)-lead && trail < maxCut && !isWordRune(lo[len(lo)-1-trail]) {
		trail++
	}
	for i := 0; i <= lead; i++ {
		for j := 0; j <= trail; j++ {
			w := lo[i : len(lo)-j]
			for _, ones := range []rune{'i', 'l'} {
				d := deleet(w, ones)
				hit := lookup(d, &a.scratch) > 0
				clear(d)
				if hit {
					return broken(Dictionary, "pw.broken.dictionary")
				}
			}
		}
	}
	return ok(Dictionary)
}

func lookupReversed(r []rune, buf *[]byte) int {
	rev := make([]rune, len(r))
	for i, c := range r {
		rev[len(r)-1-i] = c
	}
	defer clear(rev)
	return lookup(rev, buf)
}

func (a *analysis) estimate() Result {
	g := a.guessesLog10()
	if g < MinGuessesLog10 {
		return broken(Estimate, "pw.broken.estimate", "guesses", int(math.Floor(g)), "min", MinGuessesLog10)
	}
	return ok(Estimate)
}

func reused(candidate []byte, hist History) Result {
	if hist == nil {
		return skipped(ok(Reused))
	}
	used, err := hist.Used(candidate)
	if err != nil {
		r := broken(Reused, "pw.broken.history_error")
		r.Err = fmt.Errorf("password history: %w", err)
		return r
	}
	if used {
		return broken(Reused, "pw.broken.reused")
	}
	return ok(Reused)
}

// DiffPositions counts the positions at which a and b (decoded as UTF-8,
// compared rune by rune, case-sensitively) differ; where one is longer,
// every position past the shorter's end counts as different.
func DiffPositions(a, b []byte) int {
	n := 0
	for len(a) > 0 || len(b) > 0 {
		ca, sa := utf8.DecodeRune(a)
		cb, sb := utf8.DecodeRune(b)
		switch {
		case len(a) == 0 || len(b) == 0:
			n++
		case ca != cb || (ca == utf8.RuneError && a[0] != b[0]):
			n++
		}
		a, b = a[sa:], b[sb:]
	}
	return n
}

func differs(candidate, previous []byte) Result {
	if previous == nil {
		return skipped(ok(DiffersFromPrevious))
	}
	if n := DiffPositions(candidate, previous); n < MinDiffPositions {
		return broken(DiffersFromPrevious, "pw.broken.differs", "n", n, "min", MinDiffPositions)
	}
	return ok(DiffersFromPrevious)
}
