package main

import (
	"bufio"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"kense/api"
	"kense/i18n"
	"kense/server"
)

// now is the admin commands' clock (tests replace it).
var now = time.Now

func runAccounts(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usageText)
		return 2
	}
	verb, args := args[0], args[1:]
	switch verb {
	case "roles":
		return runAccountRoles(args, stdout, stderr)
	case "subunit":
		return runAccountSubunit(args, stdout, stderr)
	}
	fs := newFlags("accounts "+verb, stderr)
	data := fs.String("data", "", "data directory")
	iin := fs.String("iin", "", "the account's IIN")
	switch verb {
	case "create":
		name := fs.String("name", "", "full name")
		kind := fs.String("kind", "", "unis or rer")
		login := fs.String("login", "", "login (rer)")
		ip := fs.String("ip", "", "bound workstation IPv4 address (rer)")
		certFile := fs.String("cert", "", "EDS certificate file to register (.cer, DER or PEM)")
		if err := parse(fs, args); err != nil {
			return 2
		}
		n := server.NewAccount{IIN: *iin, FullName: *name, Kind: *kind, Login: *login, BoundIP: *ip}
		if *certFile != "" {
			c, err := readCert(*certFile)
			if err != nil {
				return fail(stderr, err)
			}
			n.Cert = c
		}
		if *kind == api.KindRER {
			fmt.Fprintln(stderr, i18n.T("srv.cli.password_prompt"))
			pw, err := readLine(stdin)
			if err != nil {
				return fail(stderr, err)
			}
			n.Password = pw // CreateAccount wipes it
		}
		st, err := openStore(*data)
		if err != nil {
			return fail(stderr, err)
		}
		defer st.Close()
		a, err := server.CreateAccount(st, n, now())
		if err != nil {
			return fail(stderr, err)
		}
		fmt.Fprintln(stdout, i18n.T("srv.cli.account_created", "iin", a.IIN, "kind", a.Kind))
		return 0
	case "block":
		reason := fs.String("reason", "", "why (recorded)")
		if err := parse(fs, args); err != nil {
			return 2
		}
		return withStore(*data, stderr, func(st server.Store) error {
			if err := server.BlockAccount(st, *iin, *reason, now()); err != nil {
				return err
			}
			fmt.Fprintln(stdout, i18n.T("srv.cli.account_blocked", "iin", *iin, "reason", strings.TrimSpace(*reason)))
			return nil
		})
	case "unblock":
		if err := parse(fs, args); err != nil {
			return 2
		}
		return withStore(*data, stderr, func(st server.Store) error {
			if err := server.UnblockAccount(st, *iin, now()); err != nil {
				return err
			}
			fmt.Fprintln(stdout, i18n.T("srv.cli.account_unblocked", "iin", *iin))
			return nil
		})
	case "register-cert":
		certFile := fs.String("cert", "", "EDS certificate file (.cer, DER or PEM)")
		if err := parse(fs, args); err != nil {
			return 2
		}
		c, err := readCert(*certFile)
		if err != nil {
			return fail(stderr, err)
		}
		return withStore(*data, stderr, func(st server.Store) error {
			if err := server.RegisterCert(st, *iin, c, now()); err != nil {
				return err
			}
			fmt.Fprintln(stdout, i18n.T("srv.cli.cert_registered", "serial", strings.ToUpper(c.SerialNumber.Text(16)), "iin", *iin))
			return nil
		})
	case "list":
		asJSON := fs.Bool("json", false, "print JSON")
		if err := parse(fs, args); err != nil {
			return 2
		}
		return withStore(*data, stderr, func(st server.Store) error {
			list, err := st.Accounts()
			if err != nil {
				return err
			}
			views := make([]api.Account, 0, len(list))
			for _, a := range list {
				views = append(views, server.AccountView(a))
			}
			if *asJSON {
				enc := json.NewEncoder(stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(views)
			}
			tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, i18n.T("srv.cli.list_header"))
			for i, a := range list {
				status := a.Status
				if a.BlockedReason != "" {
					status += " (" + a.BlockedReason + ")"
				}
				end := "-"
				if v := views[i].EDSYearEndsAt; v != nil {
					end = v.In(server.Almaty).Format("2006-01-02")
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", a.IIN, a.Kind, status, a.FullName,
					dash(a.Login), dash(a.BoundIP), len(a.Certificates), end)
			}
			return tw.Flush()
		})
	}
	fmt.Fprintln(stderr, i18n.T("srv.cli.unknown_command", "cmd", "accounts "+verb))
	fmt.Fprint(stderr, usageText)
	return 2
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func withStore(dir string, stderr io.Writer, fn func(server.Store) error) int {
	return withBolt(dir, stderr, func(st *server.BoltStore) error { return fn(st) })
}

func readCert(path string) (c *x509.Certificate, err error) {
	if path == "" {
		return nil, fmt.Errorf("-cert FILE is required")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	certs, err := server.ParseCertificates(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return certs[0], nil
}

// readLine reads one line without keeping a string copy of it.
func readLine(r io.Reader) ([]byte, error) {
	br := bufio.NewReader(r)
	line, err := br.ReadSlice('\n')
	if err != nil && err != io.EOF {
		return nil, err
	}
	out := append([]byte(nil), line...)
	clear(line)
	for len(out) > 0 && (out[len(out)-1] == '\n' || out[len(out)-1] == '\r') {
		out = out[:len(out)-1]
	}
	return out, nil
}
