package pdf

import (
	"errors"
	"fmt"
	"strings"

	"kense/form"
)

// The QR code on every page (and the PDF's Keywords entry, and the small
// text beside the code) carries one ASCII line:
//
//	KENSE1;id=<id>;sha256=<hex>[;draft=1]
//
// KENSE1 names this format; a change of format gets a new prefix. <id> is
// form.Form.ID with every byte outside A–Z a–z 0–9 "-._~" written as %XX
// (upper-case hex), so ";" and "=" never occur in it; it may be empty.
// <hex> is form.HashHex: 64 lower-case hex digits, the SHA-256 of
// form.Canonical. ";draft=1" marks a draft print. Fields come in this
// order, each once; a reader rejects anything else.
const qrPrefix = "KENSE1"

// QRInfo is what a QR payload says.
type QRInfo struct {
	ID     string
	SHA256 string // lower-case hex
	Draft  bool
}

// QRPayload is the QR payload of the final print of f.
func QRPayload(f form.Form) string {
	return QRInfo{ID: f.ID, SHA256: form.HashHex(f)}.String()
}

func qrPayload(f form.Form, draft bool) string {
	return QRInfo{ID: f.ID, SHA256: form.HashHex(f), Draft: draft}.String()
}

// String encodes the payload.
func (q QRInfo) String() string {
	s := qrPrefix + ";id=" + escapeID(q.ID) + ";sha256=" + q.SHA256
	if q.Draft {
		s += ";draft=1"
	}
	return s
}

// ParseQRPayload reads a payload written by QRPayload (or a draft's).
func ParseQRPayload(s string) (QRInfo, error) {
	parts := strings.Split(s, ";")
	if parts[0] != qrPrefix {
		return QRInfo{}, errors.New("pdf: QR payload: not a " + qrPrefix + " payload")
	}
	if len(parts) != 3 && len(parts) != 4 {
		return QRInfo{}, fmt.Errorf("pdf: QR payload: %d fields, want 2 or 3", len(parts)-1)
	}
	var q QRInfo
	id, ok := strings.CutPrefix(parts[1], "id=")
	if !ok {
		return QRInfo{}, errors.New("pdf: QR payload: no id field")
	}
	var err error
	if q.ID, err = unescapeID(id); err != nil {
		return QRInfo{}, err
	}
	if q.SHA256, ok = strings.CutPrefix(parts[2], "sha256="); !ok {
		return QRInfo{}, errors.New("pdf: QR payload: no sha256 field")
	}
	if !isHash(q.SHA256) {
		return QRInfo{}, errors.New("pdf: QR payload: sha256 is not 64 lower-case hex digits")
	}
	if len(parts) == 4 {
		if parts[3] != "draft=1" {
			return QRInfo{}, fmt.Errorf("pdf: QR payload: unexpected field %q", parts[3])
		}
		q.Draft = true
	}
	return q, nil
}

func isHash(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !(s[i] >= '0' && s[i] <= '9' || s[i] >= 'a' && s[i] <= 'f') {
			return false
		}
	}
	return true
}

func unreserved(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

func escapeID(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// unescapeID is strict: only the encoding escapeID writes is accepted, so
// that one ID has one payload.
func unescapeID(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			b.WriteByte(c)
			continue
		}
		if c != '%' || i+2 >= len(s) {
			return "", fmt.Errorf("pdf: QR payload: bad character %q in id", c)
		}
		v, ok := unhex2(s[i+1], s[i+2])
		if !ok || unreserved(v) {
			return "", fmt.Errorf("pdf: QR payload: bad escape %q in id", s[i:i+3])
		}
		b.WriteByte(v)
		i += 2
	}
	return b.String(), nil
}

func unhex2(a, b byte) (byte, bool) {
	x, ok1 := unhex(a)
	y, ok2 := unhex(b)
	return x<<4 | y, ok1 && ok2
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
