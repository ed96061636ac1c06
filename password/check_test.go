package password

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"kense/i18n"
)

// The owner of the test account: born 15 March 1985 (IIN 850315427522).
var aigerim = User{Login: "a.seitova", FullName: "Сейтова Айгерім Қанатқызы", IIN: "850315427522"}

// good passwords meet every rule for aigerim.
var good = []string{"Vk7#mPz2!q", "Zebra#Lamp7", "Correct-Horse-Battery9", "Tr0ub4dor&3", "Kx7mq2pA", "Xk9pqmwz", "9gR!vUx%Lm"}

// brokenRules runs Check without history or previous password and returns
// the broken rules with their keys.
func brokenRules(t *testing.T, p string, u User) map[Rule]string {
	t.Helper()
	res := Check([]byte(p), u, nil, nil)
	m := map[Rule]string{}
	for _, r := range Broken(res) {
		m[r.Rule] = r.Key
	}
	return m
}

func TestGoodPasswordsMeetEveryRule(t *testing.T) {
	hist := fakeHistory{used: [][]byte{[]byte("Old#Pass9w0rd")}}
	for _, p := range good {
		res := Check([]byte(p), aigerim, []byte("Qm4$tLw8Hn"), hist)
		if b := Broken(res); len(b) != 0 || !OK(res) {
			t.Errorf("%q: broken %v", p, b)
		}
		for _, r := range res {
			if r.Skipped {
				t.Errorf("%q: %s skipped with every input given", p, r.Rule)
			}
		}
	}
}

// Every rule appears once, in display order, with a message in every
// language and no unfilled placeholder; Args hold no part of the password.
func TestResultsListEveryRule(t *testing.T) {
	for _, p := range append([]string{"", "   ", "qwerty", "Пароль123", "\xff\xfe", "Seitova15031985!"}, good...) {
		res := Check([]byte(p), aigerim, []byte("x"), fakeHistory{})
		checkShape(t, p, res)
		for _, r := range res {
			for i := 1; i < len(r.Args); i += 2 { // name, value pairs: values are numbers
				if _, isInt := r.Args[i].(int); !isInt {
					t.Errorf("%q: %s: arg %v=%v is not a number", p, r.Rule, r.Args[i-1], r.Args[i])
				}
			}
		}
	}
	for _, rule := range Rules() {
		for _, l := range i18n.Langs {
			if s := rule.Label(l); s == "" || strings.Contains(s, "{") || !i18n.Has(l, "pw.rule."+string(rule)) {
				t.Errorf("%s label in %s: %q", rule, l, s)
			}
		}
	}
}

func checkShape(t *testing.T, p string, res []Result) {
	t.Helper()
	got := make([]Rule, len(res))
	for i, r := range res {
		got[i] = r.Rule
		if r.OK != (r.Key == "pw.rule."+string(r.Rule)) {
			t.Errorf("%q: %s OK=%v with key %s", p, r.Rule, r.OK, r.Key)
		}
		for _, l := range i18n.Langs {
			if !i18n.Has(l, r.Key) {
				t.Errorf("%q: key %s missing in %s", p, r.Key, l)
			}
			if m := r.Message(l); m == "" || strings.Contains(m, "{") {
				t.Errorf("%q: %s in %s: %q", p, r.Key, l, m)
			}
		}
	}
	if !slices.Equal(got, Rules()) {
		t.Errorf("%q: rules %v, want %v", p, got, Rules())
	}
}

func TestCheckLeavesCandidateAlone(t *testing.T) {
	p := []byte("P@ssw0rd1!Сейтова")
	keep := bytes.Clone(p)
	Check(p, aigerim, []byte("previous1"), fakeHistory{})
	if !bytes.Equal(p, keep) {
		t.Fatalf("candidate changed: %q", p)
	}
}

func TestLength(t *testing.T) {
	for p, want := range map[string]string{
		"Vk7#mPz":                  "pw.broken.short",
		"Vk7#mPz2":                 "",
		"Жk7#mPz":                  "pw.broken.short", // 7 characters, 8 bytes
		strings.Repeat("k7#P", 32): "",
		strings.Repeat("k7#P", 33): "pw.broken.long",
		"":                         "pw.broken.short",
	} {
		if got := brokenRules(t, p, User{})[Length]; got != want {
			t.Errorf("%d runes: %q, want %q", utf8.RuneCountInString(p), got, want)
		}
	}
	r := Check([]byte("Жk7#mPz"), User{}, nil, nil)[0]
	if r.Message(i18n.EN) != "The password has 7 characters; at least 8 are needed" {
		t.Errorf("message %q", r.Message(i18n.EN))
	}
}

func TestClasses(t *testing.T) {
	for p, ok := range map[string]bool{
		"vkmpzqxw":   false, // small only
		"vkmpzqx7":   false, // two kinds
		"VKMPZQX7":   false,
		"vkmPzqx7":   true,
		"vkm#zqx7":   true,
		"VKM#ZQX7":   true,
		"VKM#zqxw":   true,
		"жкмПзqx7":   false, // Cyrillic letters are no class: small + digit
		"ЖКМ#ЗQX7":   true,  // capitals Q X, symbol, digit
		"vkm zqx7\t": false, // space and tab are not symbols
	} {
		if _, broken := brokenRules(t, p, User{})[Classes]; broken == ok {
			t.Errorf("%q: classes OK=%v, want %v", p, !broken, ok)
		}
	}
}

func TestInadmissible(t *testing.T) {
	for p, want := range map[string]string{
		"Vk7#mPz2!q":       "",
		"Vk7# mPz2!q":      "pw.broken.inadmissible.space",
		"Vk7#\u00a0mPz2!q": "pw.broken.inadmissible.space", // no-break space
		"Vk7#\tmPz2!q":     "pw.broken.inadmissible.space",
		"Vk7#\x00mPz2!q":   "pw.broken.inadmissible.control",
		"Vk7#\x7fmPz2!q":   "pw.broken.inadmissible.control",
		"Vk7#\u200bmPz2!q": "pw.broken.inadmissible.control", // zero-width space
		"Vk7#жmPz2!q":      "pw.broken.inadmissible.cyrillic",
		"Vk7#ӘmPz2!q":      "pw.broken.inadmissible.cyrillic", // Kazakh letters are Cyrillic
		"Vk7#қmPz2!q":      "pw.broken.inadmissible.cyrillic",
		"Vk7#émPz2!q":      "pw.broken.inadmissible.letter",
		"Vk7#€mPz2!q":      "pw.broken.inadmissible.other",
		"Vk7#😀mPz2!q":      "pw.broken.inadmissible.other",
		"Vk7#\xffmPz2!q":   "pw.broken.inadmissible.other", // invalid UTF-8
	} {
		if got := brokenRules(t, p, User{})[Inadmissible]; got != want {
			t.Errorf("%q: %q, want %q", p, got, want)
		}
	}
}

func TestBlank(t *testing.T) {
	for p, blank := range map[string]bool{"": true, "        ": true, "\t\r\n \u00a0\u200b": true, "       .": false, "Vk7#mPz2!q": false} {
		if _, got := brokenRules(t, p, User{})[Blank]; got != blank {
			t.Errorf("%q: blank=%v, want %v", p, got, blank)
		}
	}
}

func TestLoginOrName(t *testing.T) {
	for p, want := range map[string]string{
		"Vk7#mPz2!q": "",
		"Se#Vk7mPz2": "",                // two letters of a name are allowed
		"xSEIq#7Pz":  "pw.broken.login", // login "a.seitova", any case
		"x#7PzA.sQ":  "pw.broken.login", // the login's own punctuation
		"Qx#7Pzvova": "pw.broken.login", // tail of the login
		"Vk7#mTOVz":  "pw.broken.login", // "tov" is in the login and the surname; login is named
		"Vk7#СейPz":  "pw.broken.name",  // Cyrillic surname
		"Vk7#сЕЙPz":  "pw.broken.name",  // any case
		"Vk7#ГЕРz9":  "pw.broken.name",  // Айгерім
		"Vk7#Aiger9": "pw.broken.name",  // Айгерім transliterated
		"Vk7#Aygz9!": "pw.broken.name",  // й → y
		"Vk7#Ajg9!P": "pw.broken.name",  // й → j
		"Vk7#Qanz9!": "pw.broken.name",  // Қанатқызы, қ → q
		"Vk7#Kanz9!": "pw.broken.name",  // қ → k
		"Vk7#kyzQ9!": "pw.broken.name",  // қызы → kyzy
		"Vk7#qiz9!P": "pw.broken.name",  // ы → i
		"Vk7#Fqu9!P": "pw.broken.name",  // Айгерім typed on the Latin keys: fqutjh3
		"Vk7#3Ctq9!": "pw.broken.name",  // Сейтова typed on the Latin keys: ctqnjdf
		"Vk7#4!Qsey": "pw.broken.name",  // sey(tova): everyday transliteration of Сейтова
		"Vk7#S3i9!P": "pw.broken.login", // look-alike 3 for e
		"V1k7#@ig9P": "pw.broken.name",  // @ig → aig
		"Vk7#Ai%Pz2": "",                // "ai" alone is not enough
		"Vk7#Ai9!Pz": "pw.broken.name",  // but Ai9 reads as aig(erim)
		"Vk7#Ber9!P": "",                // "ber" not in the names
		"Vk7#Ger9!P": "pw.broken.name",  // ger(ім)
		"Vk7#Rim9!P": "pw.broken.name",  // (аеге)рім → rim
		"Vk7#Ova9!P": "pw.broken.login", // seit(ova)
		"Vk7#Atk9!P": "pw.broken.name",  // (қан)атқ(ызы)
		"Vk7#Атқ9!P": "pw.broken.name",  // Cyrillic fragment
		"Vk7#Tkyz!P": "pw.broken.name",  // …atkyzy
		"Vk7#Natq!P": "pw.broken.name",  // …anatqyzy
		"Vk7#Ymz9!P": "",                // unrelated
		"Zebra#Lamp": "",                // unrelated
	} {
		if got := brokenRules(t, p, aigerim)[LoginOrName]; got != want {
			t.Errorf("%q: %q, want %q", p, got, want)
		}
	}
	// Without a user nothing is a name.
	if _, b := brokenRules(t, "Сейтова", User{})[LoginOrName]; b {
		t.Error("name rule broken without a user")
	}
	// Short name words add nothing; Latin full names work as given.
	u := User{Login: "li", FullName: "Li Bo Ivanov"}
	if got := brokenRules(t, "Vk7#Li!Bo9", u)[LoginOrName]; got != "" {
		t.Errorf("short words: %q", got)
	}
	if got := brokenRules(t, "Vk7#Vano9!", u)[LoginOrName]; got != "pw.broken.name" {
		t.Errorf("Ivanov: %q", got)
	}
}

func TestBirthDateInEveryForm(t *testing.T) {
	forms := []string{
		"15031985", "150385", "19850315", "850315", "03151985", "031585",
		"15.03.1985", "15.03.85", "15-03-1985", "15/03/1985", "1985-03-15", "1985.03.15",
		"03/15/1985", "15.3.1985", "15.3.85", "1531985", "1503", "0315", "15.03",
		"1985", "15_03_85", "15 03 1985", "85!03!15",
	}
	for _, f := range forms {
		p := "Vk#" + f + "Pz!"
		if got := brokenRules(t, p, aigerim)[GuessableDate]; got != "pw.broken.birth_date" {
			t.Errorf("%q: %q, want birth_date", p, got)
		}
	}
	// Six digits of the IIN in a row (the serial part, not the date).
	if got := brokenRules(t, "Vk#427522Pz!", aigerim)[GuessableDate]; got != "pw.broken.iin" {
		t.Errorf("IIN tail: %q", got)
	}
	// Someone else's date is not the owner's birth date.
	for _, p := range []string{"Vk#12.07.1990Pz!", "Vk#1503Pz!"} {
		u := User{IIN: "920101313350"} // born 1 January 1992
		if got := brokenRules(t, p, u)[GuessableDate]; got != "" {
			t.Errorf("%q for a 1992 birth date: %q", p, got)
		}
	}
	// Without a (valid) IIN the rule is skipped, and says so.
	for _, n := range []string{"", "850315427523", "abc"} {
		r := Check([]byte("Vk#15031985Pz!"), User{IIN: n}, nil, nil)[5]
		if r.Rule != GuessableDate || !r.OK || !r.Skipped {
			t.Errorf("IIN %q: %+v", n, r)
		}
	}
}

func TestKeyboardRunsAndRepeats(t *testing.T) {
	runs := []string{
		"qwe", "ewq", "wer", "asd", "dsa", "zxc", "cxz", "yui", "iop", "op[", "l;'", "m,.", "QWERTY", "YtReWq",
		"123", "321", "789", "890", "098", "123321", "0123", "!@#", "#@!", "^&*",
		"abc", "cba", "xyz", "zyxwvuts", "ABC", "mno",
		"йцу", "уцй", "ЙЦУКЕН", "фыв", "ФЫВА", "авыф", "ячс", "джэ", "хъ\\",
		"әің", "ңіә", "іңғ", "ғүұ", "қөһ", "һөқ", "ғ,.", // Kazakh number row
		"абв", "вба", "эюя", "жзи", "деж", "аәб", "ұүф", "ңоө", // alphabets
	}
	for _, r := range runs {
		p := "Vk#" + r + "9mP"
		if got := brokenRules(t, p, User{})[KeyboardRun]; got != "pw.broken.run" {
			t.Errorf("%q: %q, want run", p, got)
		}
	}
	for _, r := range []string{"aaa", "111", "ЖЖЖ", "жЖж", "!!!!", "AaA"} {
		p := "Vk#" + r + "9mP"
		if got := brokenRules(t, p, User{})[KeyboardRun]; got != "pw.broken.repeat" {
			t.Errorf("%q: %q, want repeat", p, got)
		}
	}
	for _, r := range []string{"qaz", "135", "aa", "12", "qw", "ace", "qwr", "ё1й", "әб"} {
		p := "Vk#" + r + "9mP"
		if got := brokenRules(t, p, User{})[KeyboardRun]; got != "" {
			t.Errorf("%q: %q, want no run", p, got)
		}
	}
}

func TestDictionary(t *testing.T) {
	for _, p := range []string{
		"password", "Password1!", "P@ssw0rd", "P@ssw0rd1!", "PASSWORD2024", "!!password!!", "drowssaP1",
		"qwerty123", "Qwerty!", "parol", "Parol2024!", "gfhjkm", "Gfhjkm123!", "ПАРОЛЬ", "пароль1",
		"Kazakhstan", "Kazakh$tan1", "Almaty!", "astana2025", "Nursultan1!", "iloveyou", "Dragon7",
		"Aigerim85", "@ltyn99", "B@ursak!", "Sh@khter2", "Rahmet!1",
	} {
		if got := brokenRules(t, p, User{})[Dictionary]; got != "pw.broken.dictionary" {
			t.Errorf("%q: %q, want dictionary", p, got)
		}
	}
	for _, p := range good {
		if got := brokenRules(t, p, User{})[Dictionary]; got != "" {
			t.Errorf("%q: %q", p, got)
		}
	}
	w := commonWords()
	if len(w) < 2000 || w["123456"] != 1 || w["password"] != 2 || w["пароль"] == 0 || w["almaty"] == 0 {
		t.Errorf("list: %d words, 123456→%d password→%d", len(w), w["123456"], w["password"])
	}
}

// The list is lowercase, one script per entry, no spaces; the checker
// relies on it.
func TestCommonListClean(t *testing.T) {
	for line := range strings.Lines(commonTxt) {
		w := strings.TrimSuffix(line, "\n")
		if w == "" || strings.HasPrefix(w, "#") {
			continue
		}
		latin, cyr := false, false
		for _, c := range w {
			switch {
			case c >= 'a' && c <= 'z':
				latin = true
			case c >= 0x400 && c <= 0x4FF:
				cyr = true
				if unicode.IsUpper(c) {
					t.Errorf("%q: capital", w)
				}
			case c > ' ' && c < 0x7F && (c < 'A' || c > 'Z'):
			default:
				t.Errorf("%q: character %q", w, c)
			}
		}
		if latin && cyr {
			t.Errorf("%q: mixed scripts", w)
		}
	}
}

func TestEstimate(t *testing.T) {
	weak := []string{
		"Qw1!Qw1!Qw1!", // a repeated block
		"Almaty2024!",  // word, year, symbol
		"P@ssw0rd1!",   // decorated top password
		"Summer2025!",  // word, year, symbol
		"Mkx!Mkx!",     // block twice
		"Dragon#1985",  // word, symbol, year
		"Gfhjkm#2020",  // пароль on the Latin keys, year
		"Qwertyuiop1!", // a keyboard row
		"Qz12.07.1990", // a date
		"Seitova#9Lx",  // the user's own name
	}
	for _, p := range weak {
		a := newAnalysis([]byte(p), aigerim)
		g := a.guessesLog10()
		a.wipe()
		if g >= MinGuessesLog10 {
			t.Errorf("%q: 10^%.1f guesses, want below 10^%d", p, g, MinGuessesLog10)
		}
		if got := brokenRules(t, p, aigerim)[Estimate]; got != "pw.broken.estimate" {
			t.Errorf("%q: estimate rule %q", p, got)
		}
	}
	for _, p := range append([]string{"MyAlmaty!Qz7w", "Astana!Qz7w"}, good...) {
		a := newAnalysis([]byte(p), aigerim)
		g := a.guessesLog10()
		a.wipe()
		if g < MinGuessesLog10 {
			t.Errorf("%q: 10^%.1f guesses, want at least 10^%d", p, g, MinGuessesLog10)
		}
	}
	// Longer random-looking passwords only get harder.
	prev := 0.0
	for _, p := range []string{"Vk7#", "Vk7#mPz2", "Vk7#mPz2!qLx", "Vk7#mPz2!qLx5%Ur"} {
		a := newAnalysis([]byte(p), User{})
		g := a.guessesLog10()
		a.wipe()
		if g <= prev {
			t.Errorf("%q: 10^%.1f not above 10^%.1f", p, g, prev)
		}
		prev = g
	}
}

type fakeHistory struct {
	used [][]byte
	err  error
}

func (h fakeHistory) Used(c []byte) (bool, error) {
	if h.err != nil {
		return false, h.err
	}
	for _, u := range h.used {
		if bytes.Equal(u, c) {
			return true, nil
		}
	}
	return false, nil
}

func TestReused(t *testing.T) {
	h := fakeHistory{used: [][]byte{[]byte("Vk7#mPz2!q"), []byte("Zebra#Lamp7")}}
	r := Check([]byte("Vk7#mPz2!q"), aigerim, nil, h)[9]
	if r.Rule != Reused || r.OK || r.Key != "pw.broken.reused" {
		t.Errorf("used: %+v", r)
	}
	if r := Check([]byte("Tr0ub4dor&3"), aigerim, nil, h)[9]; !r.OK || r.Skipped {
		t.Errorf("new: %+v", r)
	}
	if r := Check([]byte("Tr0ub4dor&3"), aigerim, nil, nil)[9]; !r.OK || !r.Skipped {
		t.Errorf("no history: %+v", r)
	}
	boom := errors.New("disk on fire")
	r = Check([]byte("Tr0ub4dor&3"), aigerim, nil, fakeHistory{err: boom})[9]
	if r.OK || !errors.Is(r.Err, boom) || r.Key != "pw.broken.history_error" {
		t.Errorf("failing history: %+v", r)
	}
}

func TestDiffPositions(t *testing.T) {
	for _, c := range []struct {
		a, b string
		n    int
	}{
		{"", "", 0},
		{"Vk7#mPz2!q", "Vk7#mPz2!q", 0},
		{"Vk7#mPz2!q", "Vk7#mPz2!x", 1},
		{"Vk7#mPz2!q", "vk7#mPz2!q", 1}, // case counts
		{"abc", "abcdef", 3},            // past the shorter end
		{"abcdef", "", 6},
		{"Vk7#mPz2!q", "Vk7#mPz2!q12345", 5},
		{"жжжж", "жжжк", 1}, // runes, not bytes
		{"ж", "к", 1},
		{"\xff\xfe", "\xff\xfd", 1}, // invalid bytes compared as bytes
		{"Zebra#Lamp7", "Lamp7#Zebra", 10},
	} {
		if got := DiffPositions([]byte(c.a), []byte(c.b)); got != c.n {
			t.Errorf("DiffPositions(%q, %q) = %d, want %d", c.a, c.b, got, c.n)
		}
		if got := DiffPositions([]byte(c.b), []byte(c.a)); got != c.n {
			t.Errorf("DiffPositions(%q, %q) = %d, want %d", c.b, c.a, got, c.n)
		}
	}
	rule := func(p, prev []byte) Result { return Check(p, aigerim, prev, nil)[10] }
	if r := rule([]byte("Vk7#mPz2!q"), []byte("Vk7#mPz2!q")); r.OK || r.Message(i18n.EN) != "The new password differs from the previous one in 0 position(s); at least 5 are needed" {
		t.Errorf("same: %+v %q", r, r.Message(i18n.EN))
	}
	if r := rule([]byte("Vk7#mPz2!q"), []byte("Vk7#mPa3@r")); r.OK || r.Args[1] != 4 {
		t.Errorf("4 positions: %+v", r)
	}
	if r := rule([]byte("Vk7#mPz2!q"), []byte("Vk7#mXa3@r")); !r.OK || r.Skipped {
		t.Errorf("5 positions: %+v", r)
	}
	if r := rule([]byte("Vk7#mPz2!q"), nil); !r.OK || !r.Skipped {
		t.Errorf("no previous: %+v", r)
	}
}

func TestMessagesInEveryLanguage(t *testing.T) {
	res := Check([]byte("qwerty"), aigerim, []byte("qwerty"), fakeHistory{used: [][]byte{[]byte("qwerty")}})
	want := map[i18n.Lang]string{
		i18n.KK: "Құпиясөзде 6 таңба бар; кемінде 8 таңба қажет",
		i18n.RU: "В пароле 6 символов; нужно не менее 8",
		i18n.EN: "The password has 6 characters; at least 8 are needed",
	}
	for l, w := range want {
		if got := res[0].Message(l); got != w {
			t.Errorf("%s: %q, want %q", l, got, w)
		}
	}
	if got := Estimate.Label(i18n.RU); got != "Трудно подобрать: не менее 10^8 попыток" {
		t.Errorf("label: %q", got)
	}
	var rules []Rule
	for _, r := range Broken(res) {
		rules = append(rules, r.Rule)
	}
	if want := []Rule{Length, Classes, KeyboardRun, Dictionary, Estimate, Reused, DiffersFromPrevious}; !slices.Equal(rules, want) {
		t.Errorf("broken %v, want %v", rules, want)
	}
}

func FuzzCheck(f *testing.F) {
	for _, s := range []string{"", "Vk7#mPz2!q", "Пароль", "\xff\xfe\x00", "aaaaaaaaaaaaaaaa", "15.03.1985", "Qw1!Qw1!Qw1!", strings.Repeat("ab", 150)} {
		f.Add([]byte(s), []byte("Vk7#mPz2!x"), "a.seitova", "Сейтова Айгерім")
	}
	f.Fuzz(func(t *testing.T, p, prev []byte, login, name string) {
		u := User{Login: login, FullName: name, IIN: "850315427522"}
		keep := bytes.Clone(p)
		res := Check(p, u, prev, fakeHistory{used: [][]byte{prev}})
		if len(res) != len(Rules()) {
			t.Fatalf("%d results", len(res))
		}
		for i, r := range res {
			if r.Rule != Rules()[i] || r.Key == "" || r.Message(i18n.EN) == "" {
				t.Fatalf("result %d: %+v", i, r)
			}
		}
		if !bytes.Equal(p, keep) {
			t.Fatal("candidate changed")
		}
		if DiffPositions(p, prev) != DiffPositions(prev, p) || DiffPositions(p, p) != 0 {
			t.Fatal("DiffPositions not symmetric or not zero on itself")
		}
		if bytes.Equal(p, prev) && res[9].OK {
			t.Fatal("reuse not caught")
		}
	})
}

// Check runs on every keystroke in the dialog and once per change on the
// server.
func BenchmarkCheck(b *testing.B) {
	p := []byte("Correct-Horse-Battery9")
	for b.Loop() {
		Check(p, aigerim, []byte("Vk7#mPz2!q"), nil)
	}
}

func BenchmarkCheckLongest(b *testing.B) {
	p := []byte(strings.Repeat("Vk7#mPz2!q", 13)[:MaxLength])
	for b.Loop() {
		Check(p, aigerim, nil, nil)
	}
}
