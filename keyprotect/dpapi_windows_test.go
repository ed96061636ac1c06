//go:build windows

package keyprotect

import (
	"bytes"
	"errors"
	"testing"
)

func TestDPAPI(t *testing.T) {
	var p DPAPI
	secret := bytes.Repeat([]byte{0x5A}, 32)
	blob, err := p.Protect(secret, []byte("870412300100"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(blob, secret[:8]) {
		t.Fatal("the blob shows the secret")
	}
	got, err := p.Unprotect(blob, []byte("870412300100"))
	if err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("%x, %v", got, err)
	}
	if _, err := p.Unprotect(blob, []byte("880101300000")); !errors.Is(err, ErrUnwrap) {
		t.Fatalf("other account's entropy: %v", err)
	}
	b := bytes.Clone(blob)
	b[len(b)-5] ^= 1
	if _, err := p.Unprotect(b, []byte("870412300100")); !errors.Is(err, ErrUnwrap) {
		t.Fatalf("damaged blob: %v", err)
	}
	if _, err := p.Protect(nil, nil); !errors.Is(err, ErrUnavailable) {
		t.Fatal(err)
	}
}
