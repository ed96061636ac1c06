package session

import (
	"context"
	"errors"
	"testing"

	"kense/api"
	"kense/client"
	"kense/i18n"
	"kense/server"
	"kense/session/sessiontest"
)

// signInRER signs the demo RER SDB account in with password p.
func signInRER(t *testing.T, e *demoEnv, s *Session, p string) *Result {
	t.Helper()
	if _, err := s.OpenKeyFile(e.key(keyRER), pw(server.DemoKeyPassword)); err != nil {
		t.Fatal(err)
	}
	res, err := s.SignIn(context.Background(), Request{Server: e.hs.URL, Login: server.DemoRERLogin, Password: pw(p)})
	if err != nil {
		t.Fatal(UserMessage(err, i18n.EN))
	}
	return res
}

// TestPrimaryPasswordChange: a primary password signs in restricted (rule
// 14); ChangePassword passes the server's refusals through, and once it
// succeeds the session works in full and the idle lock's offline unlock
// takes the new password, not the old one.
func TestPrimaryPasswordChange(t *testing.T) {
	d := sessiontest.StartWith(t, func(c *server.Config) {
		accts, err := c.Store.Accounts()
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range accts {
			if a.Login == server.DemoRERLogin {
				if err := c.Store.UpdateAccount(a.IIN, func(a *server.Account) error { a.PasswordPrimary = true; return nil }); err != nil {
					t.Fatal(err)
				}
			}
		}
	})
	e := &demoEnv{d: d, hs: d.HS}
	s := e.session()
	ctx := context.Background()
	res := signInRER(t, e, s, server.DemoRERPassword)
	if !res.PasswordChangeRequired || res.PasswordChangeReason != api.PasswordPrimary {
		t.Fatalf("primary password: required %v reason %q", res.PasswordChangeRequired, res.PasswordChangeReason)
	}

	var pe *client.PasswordError
	old, bad := pw("Wrong-old-1"), pw("Kt7#vLq9@wz")
	if err := s.ChangePassword(ctx, old, bad); !errors.As(err, &pe) || pe.Code != api.CodeWrongPassword {
		t.Fatalf("wrong old password: %v", err)
	}
	if !allZero(old) || !allZero(bad) {
		t.Fatal("passwords not wiped")
	}
	if err := s.ChangePassword(ctx, pw(server.DemoRERPassword), pw("Dana1985")); !errors.As(err, &pe) || pe.Code != api.CodePasswordPolicy || len(pe.Rules) == 0 {
		t.Fatalf("weak password: %v", err)
	}
	if err := s.ChangePassword(ctx, pw(server.DemoRERPassword), pw("Kt7#vLq9@wz")); err != nil {
		t.Fatal(UserMessage(err, i18n.EN))
	}
	if _, err := s.Client().Notifications(ctx); err != nil {
		t.Fatalf("the session is still restricted: %v", err)
	}

	// Compromised: restricted again at once, on this session.
	if _, err := s.ReportCompromised(ctx); err != nil {
		t.Fatal(err)
	}
	var ae *client.APIError
	if _, err := s.Client().Notifications(ctx); !errors.As(err, &ae) || ae.Code != api.CodePasswordChangeRequired {
		t.Fatalf("after the report: %v", err)
	}
	if err := s.ChangePassword(ctx, pw("Kt7#vLq9@wz"), pw("Qm4$rTz8!pw")); err != nil {
		t.Fatal(UserMessage(err, i18n.EN))
	}

	// The offline unlock checks the newest password.
	e.hs.Close()
	if err := s.Unlock(ctx, pw(server.DemoKeyPassword), pw(server.DemoRERPassword)); !errors.Is(err, errRERPasswordWrong) {
		t.Fatalf("the old password unlocked offline: %v", err)
	}
	if err := s.Unlock(ctx, pw(server.DemoKeyPassword), pw("Qm4$rTz8!pw")); err != nil {
		t.Fatalf("the new password offline: %v", err)
	}
}

func TestPasswordNeedsSignIn(t *testing.T) {
	s := New(Options{})
	if err := s.ChangePassword(context.Background(), pw("a"), pw("b")); !errors.Is(err, errNotSignedIn) {
		t.Fatalf("signed out: %v", err)
	}
	if _, err := s.ReportCompromised(context.Background()); !errors.Is(err, errNotSignedIn) {
		t.Fatalf("signed out: %v", err)
	}
}
