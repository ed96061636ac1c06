package form

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
)

// Canonical is the form's content as signed, hashed and put in the QR code:
// compact JSON in the struct's field order, without the document ID (the
// ID names the document; it is not part of what the head of subunit attests).
// A nil and an empty access-level list encode alike, so a form read from a
// file and the same form typed in the app hash the same.
func Canonical(f Form) []byte {
	f.ID = ""
	rows := make([]Row, len(f.Rows))
	for i, r := range f.Rows {
		if r.AccessLevels == nil {
			r.AccessLevels = []string{}
		}
		rows[i] = r
	}
	if len(rows) == 0 {
		rows = []Row{}
	}
	f.Rows = rows
	b, err := json.Marshal(f)
	if err != nil {
		// Form holds only strings, ints and slices of them.
		panic("form: canonical encoding: " + err.Error())
	}
	return b
}

// Hash is the SHA-256 of Canonical(f).
func Hash(f Form) [32]byte { return sha256.Sum256(Canonical(f)) }

// HashHex is Hash in lower-case hex, as printed and put in the QR code.
func HashHex(f Form) string { h := Hash(f); return hex.EncodeToString(h[:]) }
