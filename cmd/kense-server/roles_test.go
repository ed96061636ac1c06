package main

import (
	"bytes"
	"slices"
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
