// Package iin reads Kazakhstan's individual identification number (ЖСН/ИИН):
// 12 digits, YYMMDD birth date, a century-and-sex digit, a 4-digit serial
// and a check digit. It knows nothing of the form or of translations: errors
// carry a Code that callers turn into a message in the user's language.
package iin

import (
	"fmt"
	"time"
)

// Code names why a string is not a valid IIN.
type Code string

const (
	// NotTwelveDigits: the string is not exactly 12 ASCII digits.
	NotTwelveDigits Code = "not_12_digits"
	// BadCentury: the 7th digit is not 1–6.
	BadCentury Code = "bad_century"
	// BadDate: digits 1–6 are not a real calendar date in that century.
	BadDate Code = "bad_date"
	// BadCheckDigit: the 12th digit does not match, or no check digit
	// exists for the first 11 (both weight passes give 10).
	BadCheckDigit Code = "bad_check_digit"
)

// Error is a typed parse failure; Code is stable, Error() is for logs.
type Error struct {
	Code Code
}

func (e *Error) Error() string {
	switch e.Code {
	case NotTwelveDigits:
		return "iin: not 12 digits"
	case BadCentury:
		return "iin: 7th digit is not a century/sex digit 1-6"
	case BadDate:
		return "iin: digits 1-6 are not a real birth date"
	case BadCheckDigit:
		return "iin: check digit is wrong"
	}
	return "iin: invalid (" + string(e.Code) + ")"
}

// Sex as the 7th digit encodes it: odd = male, even = female.
type Sex int

const (
	Male Sex = iota + 1
	Female
)

func (s Sex) String() string {
	switch s {
	case Male:
		return "male"
	case Female:
		return "female"
	}
	return fmt.Sprintf("Sex(%d)", int(s))
}

// IIN is a parsed, valid number.
type IIN struct {
	// Number is the 12 digits as given.
	Number string
	// BirthDate is midnight UTC of the date of birth.
	BirthDate time.Time
	Sex       Sex
}

func (n IIN) String() string { return n.Number }

var (
	weights1 = [11]int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}
	weights2 = [11]int{3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2}
)

// CheckDigit computes the 12th digit for the first 11 digits d (each 0–9):
// the weighted sum mod 11 with weights 1..11, and when that is 10 a second
// pass with weights 3..11,1,2. ok is false when the second pass gives 10
// too: such a serial is never issued, so no IIN starts with these 11 digits.
func CheckDigit(d [11]int) (digit int, ok bool) {
	for _, w := range [][11]int{weights1, weights2} {
		s := 0
		for i := range d {
			s += d[i] * w[i]
		}
		if s %= 11; s != 10 {
			return s, true
		}
	}
	return 0, false
}

// Parse checks s and returns its birth date and sex. s must be exactly 12
// ASCII digits: no spaces, no separators (callers that accept pasted input
// trim it first).
//
// The 7th digit must be 1–6 (1/2: born in the 1800s, male/female; 3/4: the
// 1900s; 5/6: the 2000s). 0, which some registers use for foreign
// nationals, is rejected: its digits 1–6 are not a birth date, and the form's
// users (State Corporation employees) are citizens with a birth-date IIN.
func Parse(s string) (IIN, error) {
	if len(s) != 12 {
		return IIN{}, &Error{NotTwelveDigits}
	}
	var d [12]int
	for i := 0; i < 12; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return IIN{}, &Error{NotTwelveDigits}
		}
		d[i] = int(c - '0')
	}
	c := d[6]
	if c < 1 || c > 6 {
		return IIN{}, &Error{BadCentury}
	}
	year := 1800 + 100*((c-1)/2) + d[0]*10 + d[1]
	month := d[2]*10 + d[3]
	day := d[4]*10 + d[5]
	born := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	// time.Date normalises 31 April to 1 May: a real date survives the trip.
	if born.Year() != year || int(born.Month()) != month || born.Day() != day {
		return IIN{}, &Error{BadDate}
	}
	var first [11]int
	copy(first[:], d[:11])
	if want, ok := CheckDigit(first); !ok || want != d[11] {
		return IIN{}, &Error{BadCheckDigit}
	}
	sex := Male
	if c%2 == 0 {
		sex = Female
	}
	return IIN{Number: s, BirthDate: born, Sex: sex}, nil
}

// Valid reports whether Parse accepts s.
func Valid(s string) bool { _, err := Parse(s); return err == nil }

// BirthDate is the date of birth of a valid IIN (midnight UTC), for rules
// such as "a password must not contain the owner's date of birth".
func BirthDate(s string) (time.Time, error) {
	n, err := Parse(s)
	if err != nil {
		return time.Time{}, err
	}
	return n.BirthDate, nil
}
