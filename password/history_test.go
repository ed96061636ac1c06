package password

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"
)

// sha is a stand-in for the server's argon2id verifier: the adapter must
// not care which hash it is given.
func sha(p string) string { s := sha256.Sum256([]byte(p)); return "sha256$" + hex.EncodeToString(s[:]) }

var errBadHash = errors.New("unknown hash format")

func verifySHA(h string, c []byte) (bool, error) {
	if len(h) < 7 || h[:7] != "sha256$" {
		return false, errBadHash
	}
	return h == sha(string(c)), nil
}

func TestHashesHistory(t *testing.T) {
	h := Hashes{Hashes: []string{sha("Zebra#Lamp7"), sha("Vk7#mPz2!q")}, Verify: verifySHA}
	for p, want := range map[string]bool{"Zebra#Lamp7": true, "Vk7#mPz2!q": true, "Tr0ub4dor&3": false, "zebra#lamp7": false} {
		if got, err := h.Used([]byte(p)); err != nil || got != want {
			t.Errorf("%q: %v %v", p, got, err)
		}
	}
	// Through Check: the reuse rule is broken for an old password.
	if r := Check([]byte("Zebra#Lamp7"), aigerim, nil, h)[9]; r.OK || r.Key != "pw.broken.reused" {
		t.Errorf("%+v", r)
	}
	// A broken hash fails closed.
	bad := Hashes{Hashes: []string{"$argon2id$garbage", sha("Zebra#Lamp7")}, Verify: verifySHA}
	if _, err := bad.Used([]byte("Tr0ub4dor&3")); !errors.Is(err, errBadHash) {
		t.Errorf("bad hash: %v", err)
	}
	if r := Check([]byte("Tr0ub4dor&3"), aigerim, nil, bad)[9]; r.OK || !errors.Is(r.Err, errBadHash) {
		t.Errorf("bad hash through Check: %+v", r)
	}
	// HistoryFunc.
	calls := 0
	f := HistoryFunc(func(c []byte) (bool, error) { calls++; return string(c) == "Tr0ub4dor&3", nil })
	if r := Check([]byte("Tr0ub4dor&3"), aigerim, nil, f)[9]; r.OK || calls != 1 {
		t.Errorf("HistoryFunc: %+v, %d calls", r, calls)
	}
}
