package api

import (
	"errors"
	"log/slog"
	"unicode/utf16"
	"unicode/utf8"
)

// Secret is a password on the wire. It decodes straight from the JSON string
// into bytes (never into a Go string, which could not be wiped), so that the
// server can Wipe it once checked. String and LogValue hide the value, so it
// cannot reach a log by accident.
type Secret []byte

// Wipe overwrites the secret in place.
func (s Secret) Wipe() { clear(s) }

// MarshalJSON encodes the bytes as a JSON string (the client sends it).
// Invalid UTF-8 becomes U+FFFD, as encoding/json does.
func (s Secret) MarshalJSON() ([]byte, error) {
	const hexd = "0123456789abcdef"
	out := make([]byte, 0, len(s)+2)
	out = append(out, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				out = append(out, '\\', c)
			case c < 0x20 || c == '<' || c == '>' || c == '&':
				out = append(out, '\\', 'u', '0', '0', hexd[c>>4], hexd[c&0xf])
			default:
				out = append(out, c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(s[i:])
		out = utf8.AppendRune(out, r)
		i += n
	}
	return append(out, '"'), nil
}

// String hides the value from fmt.
func (s Secret) String() string { return "[secret]" }

// LogValue hides the value from log/slog.
func (s Secret) LogValue() slog.Value { return slog.StringValue("[secret]") }

var errSecretJSON = errors.New("password: not a JSON string")

// UnmarshalJSON decodes a JSON string (or null) into bytes.
func (s *Secret) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*s = nil
		return nil
	}
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return errSecretJSON
	}
	in := b[1 : len(b)-1]
	out := make([]byte, 0, len(in))
	for i := 0; i < len(in); {
		c := in[i]
		switch {
		case c == '"' || c < 0x20:
			clear(out)
			return errSecretJSON
		case c != '\\':
			out = append(out, c)
			i++
			continue
		}
		if i+1 >= len(in) {
			clear(out)
			return errSecretJSON
		}
		e := in[i+1]
		i += 2
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := hex4(in, i)
			if !ok {
				clear(out)
				return errSecretJSON
			}
			i += 4
			if utf16.IsSurrogate(r) {
				r2, ok2 := rune(-1), false
				if i+6 <= len(in) && in[i] == '\\' && in[i+1] == 'u' {
					r2, ok2 = hex4(in, i+2)
				}
				if d := utf16.DecodeRune(r, r2); ok2 && d != utf8.RuneError {
					r = d
					i += 6
				} else {
					r = utf8.RuneError
				}
			}
			out = utf8.AppendRune(out, r)
		default:
			clear(out)
			return errSecretJSON
		}
	}
	*s = out
	return nil
}

func hex4(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[i : i+4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c-'a') + 10
		case c >= 'A' && c <= 'F':
			r |= rune(c-'A') + 10
		default:
			return 0, false
		}
	}
	return r, true
}
