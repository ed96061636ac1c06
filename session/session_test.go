package session

import (
	"context"
	"errors"
	"strings"
	"testing"

	"kense/api"
	"kense/client"
	"kense/eds"
	"kense/i18n"
	"kense/server"
)

func TestSignInUnlockSignOut(t *testing.T) {
	e := newDemo(t)
	s := e.session()
	ctx := context.Background()

	p, err := s.Connect(ctx, e.hs.URL)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Demo || !s.Demo() || s.IdleLock() <= 0 {
		t.Fatalf("policy %+v", p)
	}
	kp := pw(server.DemoKeyPassword)
	info, err := s.OpenKeyFile(e.key(keyNotary), kp)
	if err != nil {
		t.Fatal(UserMessage(err, i18n.EN))
	}
	if !allZero(kp) {
		t.Fatal("key password not wiped")
	}
	if info.IIN != "780312450016" || info.KeyUsage != "AUTH" || info.Issuer == "" {
		t.Fatalf("facts %+v", info)
	}
	res, err := s.SignIn(ctx, Request{Server: e.hs.URL})
	if err != nil {
		t.Fatal(UserMessage(err, i18n.EN))
	}
	if res.Account.IIN != info.IIN || res.Key.IIN != info.IIN || !res.Policy.Demo || !s.SignedIn() {
		t.Fatalf("result %+v", res)
	}
	if k, r := s.UnlockNeeds(); !k || r {
		t.Fatalf("unlock needs key=%v rer=%v", k, r)
	}
	// A second sign-in needs the key file opened again: it was closed.
	if _, err := s.SignIn(ctx, Request{Server: e.hs.URL}); !errors.Is(err, errNoKey) {
		t.Fatalf("second sign-in: %v", err)
	}

	// Unlock: the wrong password, then another person's key file (the demo
	// password opens it), then the right one.
	err = s.Unlock(ctx, pw("wrong"), nil)
	if !errors.Is(err, eds.ErrWrongPassword) {
		t.Fatalf("wrong password: %v", err)
	}
	old := s.Client().Token()
	s.mu.Lock()
	realPath := s.in.keyPath
	s.in.keyPath = e.key(keyNotary2)
	s.mu.Unlock()
	if err := s.Unlock(ctx, pw(server.DemoKeyPassword), nil); !errors.Is(err, ErrDifferentPerson) {
		t.Fatalf("other key: %v", err)
	}
	if m := UserMessage(ErrDifferentPerson, i18n.KK); m == "" || strings.HasPrefix(m, "lock.") {
		t.Fatalf("no Kazakh text: %q", m)
	}
	s.mu.Lock()
	s.in.keyPath = realPath
	s.mu.Unlock()
	kp = pw(server.DemoKeyPassword)
	if err := s.Unlock(ctx, kp, nil); err != nil {
		t.Fatal(UserMessage(err, i18n.EN))
	}
	if !allZero(kp) {
		t.Fatal("unlock password not wiped")
	}
	// A fresh session replaced the old one, which the server ended.
	if tok := s.Client().Token(); tok == "" || tok == old {
		t.Fatal("token not renewed")
	}
	if _, err := s.Client().Me(ctx); err != nil {
		t.Fatal(err)
	}
	oc := client.New(e.hs.URL, client.Options{Retries: -1})
	oc.SetToken(old)
	var ae *client.APIError
	if _, err := oc.Me(ctx); !errors.As(err, &ae) || ae.Code != api.CodeUnauthorized {
		t.Fatalf("old session still works: %v", err)
	}

	if err := s.SignOut(ctx); err != nil {
		t.Fatal(err)
	}
	if s.SignedIn() || s.Account().IIN != "" || s.Client().Token() != "" {
		t.Fatal("state kept after sign-out")
	}
	if err := s.Unlock(ctx, pw(server.DemoKeyPassword), nil); !errors.Is(err, errNotSignedIn) {
		t.Fatalf("unlock after sign-out: %v", err)
	}
}

func TestSignKeyShowsFacts(t *testing.T) {
	e := newDemo(t)
	s := e.session()
	info, err := s.OpenKeyFile(e.key(keySign), pw(server.DemoKeyPassword))
	var ee *eds.Error
	if !errors.As(err, &ee) || ee.Code != eds.CodeWrongKeyUsage {
		t.Fatalf("got %v", err)
	}
	if info.IIN != "780312450016" || info.KeyUsage != "SIGN" || info.CommonName == "" {
		t.Fatalf("SIGN key facts %+v", info)
	}
	if m := UserMessage(err, i18n.RU); m != i18n.TL(i18n.RU, "eds.err.wrong_key_usage.AUTH") {
		t.Fatalf("message %q", m)
	}
	// Nothing was kept to sign with.
	if _, err := s.SignIn(context.Background(), Request{Server: e.hs.URL}); !errors.Is(err, errNoKey) {
		t.Fatalf("got %v", err)
	}
	// A wrong password says so and gives no facts.
	info, err = s.OpenKeyFile(e.key(keySign), pw("nope"))
	if !errors.Is(err, eds.ErrWrongPassword) || info.IIN != "" {
		t.Fatalf("got %v %+v", err, info)
	}
}

func TestRERSignInAndOfflineUnlock(t *testing.T) {
	e := newDemo(t)
	s := e.session()
	ctx := context.Background()
	if _, err := s.OpenKeyFile(e.key(keyRER), pw(server.DemoKeyPassword)); err != nil {
		t.Fatal(err)
	}
	_, err := s.SignIn(ctx, Request{Server: e.hs.URL})
	var ae *client.APIError
	if !errors.As(err, &ae) || ae.Code != api.CodePasswordRequired {
		t.Fatalf("got %v", err)
	}
	rp := pw(server.DemoRERPassword)
	res, err := s.SignIn(ctx, Request{Server: e.hs.URL, Login: " " + server.DemoRERLogin, Password: rp})
	if err != nil {
		t.Fatal(UserMessage(err, i18n.EN))
	}
	if !allZero(rp) || res.Account.Kind != api.KindRER {
		t.Fatalf("account %+v, password wiped %v", res.Account, allZero(rp))
	}
	if k, r := s.UnlockNeeds(); !k || !r {
		t.Fatalf("unlock needs key=%v rer=%v", k, r)
	}
	// Online: the server checks the RER SDB password.
	err = s.Unlock(ctx, pw(server.DemoKeyPassword), pw("wrong"))
	if !errors.As(err, &ae) || ae.Code != api.CodeWrongPassword {
		t.Fatalf("wrong RER password online: %v", err)
	}
	if err := s.Unlock(ctx, pw(server.DemoKeyPassword), nil); !errors.Is(err, errRERPassword) {
		t.Fatalf("no RER password: %v", err)
	}
	if err := s.Unlock(ctx, pw(server.DemoKeyPassword), pw(server.DemoRERPassword)); err != nil {
		t.Fatal(UserMessage(err, i18n.EN))
	}

	// Offline: the key proves itself here; the password is checked
	// against the hash kept in memory.
	e.hs.Close()
	if err := s.Unlock(ctx, pw(server.DemoKeyPassword), pw("wrong")); !errors.Is(err, errRERPasswordWrong) {
		t.Fatalf("wrong RER password offline: %v", err)
	}
	if err := s.Unlock(ctx, pw("wrong"), pw(server.DemoRERPassword)); !errors.Is(err, eds.ErrWrongPassword) {
		t.Fatalf("wrong key password offline: %v", err)
	}
	if err := s.Unlock(ctx, pw(server.DemoKeyPassword), pw(server.DemoRERPassword)); err != nil {
		t.Fatalf("offline unlock: %v", err)
	}
	// Signing out while offline still forgets the person.
	if err := s.SignOut(ctx); !client.IsOffline(err) {
		t.Fatalf("sign-out offline: %v", err)
	}
	if s.SignedIn() {
		t.Fatal("still signed in")
	}
}

func TestSignInRefusedAndWarnings(t *testing.T) {
	e := newDemo(t)
	ctx := context.Background()
	s := e.session()
	if _, err := s.OpenKeyFile(e.key(keyStranger), pw(server.DemoKeyPassword)); err != nil {
		t.Fatal(err)
	}
	_, err := s.SignIn(ctx, Request{Server: e.hs.URL})
	if m := UserMessage(err, i18n.EN); !strings.Contains(m, "No account") || s.SignedIn() {
		t.Fatalf("stranger: %q", m)
	}

	s = e.session()
	if _, err := s.OpenKeyFile(e.key(keyNotary2), pw(server.DemoKeyPassword)); err != nil {
		t.Fatal(err)
	}
	res, err := s.SignIn(ctx, Request{Server: e.hs.URL})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Warnings) != 1 || res.Warnings[0].Code != api.WarnEDSYearEnding {
		t.Fatalf("warnings %+v", res.Warnings)
	}

	// A bad address is explained; a signed-in session is never moved.
	if _, err := s.Connect(ctx, "ftp://x"); err == nil || UserMessage(err, i18n.EN) == "" {
		t.Fatalf("bad address: %v", err)
	}
	if _, err := s.Connect(ctx, "http://127.0.0.1:1"); !errors.Is(err, errSignedIn) {
		t.Fatalf("moved a signed-in session: %v", err)
	}
}

func TestOfflineConnect(t *testing.T) {
	e := newDemo(t)
	url := e.hs.URL
	e.hs.Close()
	s := e.session()
	if _, err := s.Connect(context.Background(), url); !client.IsOffline(err) {
		t.Fatalf("got %v", err)
	}
	if s.Demo() || s.IdleLock() != DefaultIdleLock {
		t.Fatal("policy invented")
	}
}
