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

// TestAccountRolesAdministrators: `accounts roles` grants the RER SDB
// administrator and chamber roles (issue 8) beside the ServiceDesk lines.
func TestAccountRolesAdministrators(t *testing.T) {
	dir := t.TempDir()
	st, err := server.OpenBolt(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := server.CreateAccount(st, server.NewAccount{IIN: "850505400028", FullName: "Әкімші Бір", Kind: api.KindUNIS}, time.Now()); err != nil {
		t.Fatal(err)
	}
	st.Close()
	var out, errb bytes.Buffer
	if code := runAccountRoles([]string{"-data", dir, "-iin", "850505400028", "-set", "rer_admin,CHAMBER,line1"}, &out, &errb); code != 0 {
		t.Fatalf("set: %d %s", code, errb.String())
	}
	errb.Reset()
	if code := runAccountRoles([]string{"-data", dir, "-iin", "850505400028", "-set", "admin"}, &out, &errb); code != 2 ||
		!strings.Contains(errb.String(), "rer_admin") {
		t.Fatalf("bad role: %d %q", code, errb.String())
	}
	st, err = server.OpenBolt(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a, err := st.Account("850505400028")
	if err != nil || !slices.Equal(a.Roles, []string{api.RoleRERAdmin, api.RoleChamber, api.RoleLine1}) {
		t.Fatalf("roles: %v %v", a.Roles, err)
	}
}
