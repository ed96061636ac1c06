package main

import (
	"fmt"
	"io"
	"strings"

	"kense/api"
	"kense/i18n"
	"kense/server"
)

// runAccountRoles: kense-server accounts roles -data DIR -iin IIN -set
// line1,line2. It makes an account Operator staff (the ServiceDesk queue,
// issue 6), an RER SDB administrator (rer_admin) or a territorial notarial
// chamber employee (chamber; issue 8); an empty -set makes it a plain user
// again.
func runAccountRoles(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("accounts roles", stderr)
	data := fs.String("data", "", "data directory")
	iinFlag := fs.String("iin", "", "the account's IIN")
	set := fs.String("set", "", "comma-separated roles: line1, line2, line3, rer_admin, chamber")
	if err := parse(fs, args); err != nil || *iinFlag == "" {
		fmt.Fprintln(stderr, i18n.T("adm.roles.usage"))
		return 2
	}
	var roles []string
	for _, r := range strings.Split(*set, ",") {
		r = strings.ToLower(strings.TrimSpace(r))
		if r == "" {
			continue
		}
		if !api.ValidAccountRole(r) {
			fmt.Fprintln(stderr, i18n.T("adm.roles.bad", "role", r))
			return 2
		}
		if !contains(roles, r) {
			roles = append(roles, r)
		}
	}
	return withStore(*data, stderr, func(st server.Store) error {
		if err := server.SetRoles(st, *iinFlag, roles); err != nil {
			return err
		}
		shown := strings.Join(roles, ",")
		if shown == "" {
			shown = i18n.T("tk.roles.none")
		}
		fmt.Fprintln(stdout, i18n.T("tk.roles.done", "iin", *iinFlag, "roles", shown))
		return nil
	})
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// runAccountSubunit records which structural subunit an account belongs
// to: its members read and edit the drafts shared with that subunit. An
// empty -set removes the membership (the account's own subunit, as the
// Operator recorded it on executing an application, then applies).
func runAccountSubunit(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("accounts subunit", stderr)
	data := fs.String("data", "", "data directory")
	iinFlag := fs.String("iin", "", "the account's IIN")
	set := fs.String("set", "", "the subunit's full name, as on the form")
	if err := parse(fs, args); err != nil || *iinFlag == "" {
		fmt.Fprintln(stderr, i18n.T("srv.sub.usage"))
		return 2
	}
	return withBolt(*data, stderr, func(st *server.BoltStore) error {
		if err := st.SetSubunit(*iinFlag, *set); err != nil {
			return err
		}
		sub, err := st.Subunit(*iinFlag)
		if err != nil {
			return err
		}
		if sub == "" {
			sub = i18n.T("srv.sub.none")
		}
		fmt.Fprintln(stdout, i18n.T("srv.sub.done", "iin", *iinFlag, "subunit", sub))
		return nil
	})
}
