package main

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"kense/api"
	"kense/server"
)

func TestAccountRoles(t *testing.T) {
	dir := t.TempDir()
	st, err := server.OpenBolt(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := server.CreateAccount(st, server.NewAccount{IIN: "850505400028", FullName: "Оператор Один", Kind: api.KindUNIS}, time.Now()); err != nil {
		t.Fatal(err)
	}
	st.Close()
	roles := func(args ...string) (int, []string) {
		var out, errb bytes.Buffer
		code := runAccountRoles(args, &out, &errb)
		st, err := server.OpenBolt(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		a, err := st.Account("850505400028")
		if err != nil {
			t.Fatal(err)
		}
		return code, a.Roles
	}
	if code, r := roles("-data", dir, "-iin", "850505400028", "-set", "line1, LINE2,line1"); code != 0 || !slices.Equal(r, []string{"line1", "line2"}) {
		t.Fatalf("set: %d %v", code, r)
	}
	if code, r := roles("-data", dir, "-iin", "850505400028", "-set", "line1,admin"); code != 2 || len(r) != 2 {
		t.Fatalf("bad role: %d %v", code, r)
	}
	if code, _ := roles("-data", dir, "-iin", "901120300033", "-set", "line1"); code != 1 {
		t.Fatalf("unknown account: %d", code)
	}
	if code, r := roles("-data", dir, "-iin", "850505400028", "-set", ""); code != 0 || len(r) != 0 {
		t.Fatalf("clear: %d %v", code, r)
	}
	if code, _ := roles("-data", dir); code != 2 {
		t.Fatalf("usage: %d", code)
	}
}

// TestAccountRolesReachable: `kense-server accounts roles` goes through
// run's accounts switch (and the usage names it), not only runAccountRoles.
func TestAccountRolesReachable(t *testing.T) {
	dir := t.TempDir()
	st, err := server.OpenBolt(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := server.CreateAccount(st, server.NewAccount{IIN: "850505400028", FullName: "Оператор Один", Kind: api.KindUNIS}, time.Now()); err != nil {
		t.Fatal(err)
	}
	st.Close()
	code, out, errs := runCmd(t, "", "accounts", "roles", "-data", dir, "-iin", "850505400028", "-set", "line2,line3")
	if code != 0 || !strings.Contains(out, "line2,line3") {
		t.Fatalf("accounts roles: %d %q %q", code, out, errs)
	}
	st, err = server.OpenBolt(dir)
	if err != nil {
		t.Fatal(err)
	}
	a, err := st.Account("850505400028")
	st.Close()
	if err != nil || !slices.Equal(a.Roles, []string{"line2", "line3"}) {
		t.Fatalf("roles stored: %v %v", a.Roles, err)
	}
	if code, _, errs := runCmd(t, "", "accounts", "roles", "-data", dir); code != 2 || !strings.Contains(errs, "accounts roles") {
		t.Fatalf("usage: %d %q", code, errs)
	}
	if _, _, errs := runCmd(t, "", "accounts", "nonsense"); !strings.Contains(errs, "accounts roles -data DIR -iin IIN -set") {
		t.Fatalf("the usage does not name accounts roles: %q", errs)
	}
}
