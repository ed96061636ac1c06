package session

import (
	"context"
	"testing"

	"kense/i18n"
	"kense/server"
)

// keyNotaryGOST is the demo's GOST 34.10-2015 (512-bit) AUTH key
// (server.CreateDemo), from the demo GOST CA.
const keyNotaryGOST = "notary_AUTH_GOST512.p12"

// TestGOSTSignInAndUnlock: the session signs in with a GOST AUTH key file
// against the demo kense-server, and the same GOST key unlocks (a fresh
// server challenge, signed again with GOST).
func TestGOSTSignInAndUnlock(t *testing.T) {
	e := newDemo(t)
	s := e.session()
	ctx := context.Background()
	if _, err := s.Connect(ctx, e.hs.URL); err != nil {
		t.Fatal(err)
	}
	info, err := s.OpenKeyFile(e.key(keyNotaryGOST), pw(server.DemoKeyPassword))
	if err != nil {
		t.Fatal(UserMessage(err, i18n.EN))
	}
	if info.Algorithm != "GOST2015-512" || info.KeyUsage != "AUTH" || info.IIN != "780312450016" {
		t.Fatalf("facts %+v", info)
	}
	res, err := s.SignIn(ctx, Request{Server: e.hs.URL})
	if err != nil {
		t.Fatal(UserMessage(err, i18n.EN))
	}
	if res.Account.IIN != info.IIN || res.Key.Algorithm != "GOST2015-512" || !s.SignedIn() {
		t.Fatalf("result %+v", res)
	}
	old := s.Client().Token()
	if err := s.Unlock(ctx, pw(server.DemoKeyPassword), nil); err != nil {
		t.Fatal(UserMessage(err, i18n.EN))
	}
	if tok := s.Client().Token(); tok == "" || tok == old {
		t.Fatal("token not renewed by the GOST unlock")
	}
	if _, err := s.Client().Me(ctx); err != nil {
		t.Fatal(err)
	}
}
