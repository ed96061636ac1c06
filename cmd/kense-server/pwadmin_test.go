package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"kense/api"
	"kense/server"
)

// TestAccountHeadAndResetPassword: the administrator records a head and
// resets a password to a new primary one (read from standard input).
func TestAccountHeadAndResetPassword(t *testing.T) {
	dir := t.TempDir()
	st, err := server.OpenBolt(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := server.CreateAccount(st, server.NewAccount{IIN: "780312450016", FullName: "Нұрланова Айгүл", Kind: api.KindUNIS}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := server.CreateAccount(st, server.NewAccount{IIN: "850505400028", FullName: "Сейітова Дана", Kind: api.KindRER,
		Login: "dana.s", BoundIP: "10.0.0.1", Password: []byte("First-Primary-1")}, time.Now()); err != nil {
		t.Fatal(err)
	}
	// The user changes the primary password (as POST /v1/auth/password would).
	if err := st.UpdateAccount("850505400028", func(a *server.Account) error { a.PasswordPrimary = false; return nil }); err != nil {
		t.Fatal(err)
	}
	st.Close()
	account := func() *server.Account {
		st, err := server.OpenBolt(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		a, err := st.Account("850505400028")
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	var out, errb bytes.Buffer
	if code := runAccountHead([]string{"-data", dir, "-iin", "850505400028", "-head", "780312450016"}, &out, &errb); code != 0 {
		t.Fatalf("head: %d %s", code, errb.String())
	}
	if a := account(); a.HeadIIN != "780312450016" {
		t.Fatalf("head %q", a.HeadIIN)
	}
	if code := runAccountHead([]string{"-data", dir, "-iin", "850505400028", "-head", "901120300033"}, &out, &errb); code != 1 {
		t.Fatalf("unknown head: %d", code)
	}
	if code := runAccountHead([]string{"-data", dir}, &out, &errb); code != 2 {
		t.Fatalf("usage: %d", code)
	}
	if code := runAccountResetPassword([]string{"-data", dir, "-iin", "850505400028"}, strings.NewReader("Second-Primary-2\r\n"), &out, &errb); code != 0 {
		t.Fatalf("reset: %d %s", code, errb.String())
	}
	a := account()
	if ok, _ := server.CheckPassword(a.PasswordHash, []byte("Second-Primary-2")); !ok || !a.PasswordPrimary || len(a.PasswordHistory) != 1 {
		t.Fatalf("after the reset: primary %v history %d", a.PasswordPrimary, len(a.PasswordHistory))
	}
	if code := runAccountResetPassword([]string{"-data", dir, "-iin", "780312450016"}, strings.NewReader("X-Primary-3\n"), &out, &errb); code != 1 {
		t.Fatalf("UNIS reset: %d", code)
	}
	if code := runAccountResetPassword([]string{"-data", dir, "-iin", "850505400028"}, strings.NewReader(""), &out, &errb); code != 1 {
		t.Fatalf("empty password: %d", code)
	}
}
