package iin

import (
	"errors"
	"testing"
	"time"
)

// Vectors computed independently of this package (a separate script over the
// published algorithm). "pass" says which weight pass yields the check digit.
var valid = []struct {
	s    string
	born string
	sex  Sex
	pass int
}{
	{"921029350851", "1992-10-29", Male, 1}, // the example
	{"850315427522", "1985-03-15", Female, 1},
	{"850315427808", "1985-03-15", Female, 2},
	{"000229578649", "2000-02-29", Male, 1}, // 2000 is a leap year
	{"000229579307", "2000-02-29", Male, 2},
	{"920101313350", "1992-01-01", Male, 2},
	{"010930633340", "2001-09-30", Female, 1},
	{"010930633402", "2001-09-30", Female, 2},
	{"790714354411", "1979-07-14", Male, 2},
	{"881205404953", "1988-12-05", Female, 2},
	{"950620306939", "1995-06-20", Male, 1},
	{"030411568309", "2003-04-11", Male, 1},
	{"670228144892", "1867-02-28", Male, 2},
	{"991231208716", "1899-12-31", Female, 1},
}

func TestParseValid(t *testing.T) {
	for _, v := range valid {
		n, err := Parse(v.s)
		if err != nil {
			t.Errorf("Parse(%s): %v", v.s, err)
			continue
		}
		if got := n.BirthDate.Format(time.DateOnly); got != v.born || n.Sex != v.sex || n.String() != v.s {
			t.Errorf("Parse(%s) = %s %v %q, want %s %v", v.s, got, n.Sex, n.String(), v.born, v.sex)
		}
		b, err := BirthDate(v.s)
		if err != nil || !b.Equal(n.BirthDate) {
			t.Errorf("BirthDate(%s) = %v, %v", v.s, b, err)
		}
		if !Valid(v.s) {
			t.Errorf("Valid(%s) false", v.s)
		}
	}
}

// The vectors really exercise both passes: pass-2 ones have a first-pass sum
// of 10, pass-1 ones do not.
func TestVectorsCoverBothPasses(t *testing.T) {
	seen := map[int]bool{}
	for _, v := range valid {
		var d [11]int
		s := 0
		for i := 0; i < 11; i++ {
			d[i] = int(v.s[i] - '0')
			s += d[i] * (i + 1)
		}
		pass := 1
		if s%11 == 10 {
			pass = 2
		}
		if pass != v.pass {
			t.Errorf("%s: first-pass sum mod 11 is %d, so pass %d, vector says %d", v.s, s%11, pass, v.pass)
		}
		seen[v.pass] = true
	}
	if !seen[1] || !seen[2] {
		t.Fatalf("passes covered: %v", seen)
	}
}

func TestParseInvalid(t *testing.T) {
	for _, c := range []struct {
		s    string
		code Code
	}{
		{"", NotTwelveDigits},
		{"92102935085", NotTwelveDigits},
		{"9210293508510", NotTwelveDigits},
		{"92102935085a", NotTwelveDigits},
		{"921029 350851", NotTwelveDigits},
		{" 92102935085", NotTwelveDigits},
		{"９２１０２９３５０８５１", NotTwelveDigits}, // full-width digits
		{"92102935085١", NotTwelveDigits}, // Arabic-Indic one: 13 bytes
		{"921029050851", BadCentury},      // 0: foreign nationals, rejected
		{"921029750851", BadCentury},
		{"921029950851", BadCentury},
		{"921329350851", BadDate}, // month 13
		{"921000350851", BadDate}, // day 0
		{"920431350851", BadDate}, // 31 April
		{"000229178649", BadDate}, // 1800 was not a leap year
		{"990229378649", BadDate}, // 1999 neither
		{"921029350852", BadCheckDigit},
		{"850315427809", BadCheckDigit},
		{"850315427520", BadCheckDigit},
		// both passes give 10: no check digit exists for these 11 digits
		{"850315427810", BadCheckDigit},
		{"000229579370", BadCheckDigit},
		{"920101314100", BadCheckDigit},
	} {
		_, err := Parse(c.s)
		var e *Error
		if !errors.As(err, &e) || e.Code != c.code {
			t.Errorf("Parse(%q) = %v, want %s", c.s, err, c.code)
			continue
		}
		if e.Error() == "" || Valid(c.s) {
			t.Errorf("Parse(%q): empty message or Valid", c.s)
		}
		if _, err := BirthDate(c.s); err == nil {
			t.Errorf("BirthDate(%q) accepted", c.s)
		}
	}
}

func TestCheckDigitUnassignable(t *testing.T) {
	// 8503154278 1: both passes give 10 (independent script).
	d := [11]int{8, 5, 0, 3, 1, 5, 4, 2, 7, 8, 1}
	if _, ok := CheckDigit(d); ok {
		t.Fatal("85031542781 has no check digit")
	}
	d = [11]int{9, 2, 1, 0, 2, 9, 3, 5, 0, 8, 5}
	if c, ok := CheckDigit(d); !ok || c != 1 {
		t.Fatalf("92102935085 -> %d %v", c, ok)
	}
}

// FuzzParse: never panics; whatever Parse accepts re-derives to the same
// properties from the digits alone.
func FuzzParse(f *testing.F) {
	for _, v := range valid {
		f.Add(v.s)
	}
	for _, s := range []string{"", "0", "921029050851", "000229178649", "850315427810", "９２１０２９３５０８５１", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := Parse(s)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Code == "" {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if len(s) != 12 || n.Number != s {
			t.Fatalf("accepted %q as %q", s, n.Number)
		}
		var d [11]int
		for i := 0; i < 11; i++ {
			d[i] = int(s[i] - '0')
		}
		if c, ok := CheckDigit(d); !ok || c != int(s[11]-'0') {
			t.Fatalf("%s: check digit %d %v", s, c, ok)
		}
		if got := n.BirthDate.Format("060102"); got != s[:6] {
			t.Fatalf("%s: birth date %s", s, got)
		}
		cent := int(s[6] - '0')
		if want := 1800 + 100*((cent-1)/2); n.BirthDate.Year()/100*100 != want {
			t.Fatalf("%s: century %d", s, n.BirthDate.Year())
		}
		if (cent%2 == 1) != (n.Sex == Male) {
			t.Fatalf("%s: sex %v", s, n.Sex)
		}
	})
}
