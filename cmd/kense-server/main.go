// Command kense-server is Kense's central server: the /v1 API (serve), the
// operator's account commands (accounts …) and the demo PKI (demo). Wiring
// only: the work is in package server.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"kense/i18n"
	"kense/server"
)

func main() {
	if l, ok := i18n.Parse(os.Getenv("KENSE_LANG")); ok {
		i18n.SetLang(l)
	} else {
		i18n.SetLang(i18n.EN)
	}
	os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

const usageText = `usage:
  kense-server serve -data DIR [-addr 127.0.0.1:8443] [-tls-cert F -tls-key F] [-config FILE]
                     [-trust FILE…] [-intermediate FILE…] [-crl FILE_or_URL…] [-ocsp URL]
                     [-revocation require|prefer|off] [-crl-refresh 1h] [-demo]
  kense-server demo -data DIR [-out DIR]
  kense-server accounts create -data DIR -iin IIN -name "FULL NAME" -kind unis|rer [-login L -ip A.B.C.D] [-cert FILE.cer]
                     (rer: the primary password is read from the first line of standard input)
  kense-server accounts block -data DIR -iin IIN -reason TEXT
  kense-server accounts unblock -data DIR -iin IIN
  kense-server accounts list -data DIR [-json]
  kense-server accounts register-cert -data DIR -iin IIN -cert FILE
  kense-server accounts roles -data DIR -iin IIN -set line1,line2,line3
                     (Operator staff for the ServiceDesk queue; an empty -set removes the roles)
  kense-server accounts subunit -data DIR -iin IIN -set "SUBUNIT"
                     (membership of a structural subunit: its members share the drafts marked shared)
  kense-server applications list -data DIR [-status S] [-json]
  kense-server applications accept|done -data DIR -sha256 HEX
  kense-server applications reject -data DIR -sha256 HEX -reason TEXT
                     (the Operator's decision on a submitted application; it syncs back to the head)
  kense-server calendar get -data DIR
  kense-server calendar set -data DIR -file CALENDAR.json
                     (the Operator's working-hours calendar: public holidays, moved days off and
                      moved working days; every SLA clock runs on it, clients cache it)
`

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, usageText)
		return 2
	}
	switch args[0] {
	case "serve":
		return runServe(ctx, args[1:], stdout, stderr, nil)
	case "demo":
		return runDemo(args[1:], stdout, stderr)
	case "accounts":
		return runAccounts(args[1:], stdin, stdout, stderr)
	case "applications":
		return runApplications(args[1:], stdout, stderr)
	case "calendar":
		return runCalendar(args[1:], stdout, stderr)
	}
	fmt.Fprintln(stderr, i18n.T("srv.cli.unknown_command", "cmd", args[0]))
	fmt.Fprint(stderr, usageText)
	return 2
}

// fail prints an error in the operator's language and returns exit code 1.
func fail(stderr io.Writer, err error) int {
	fmt.Fprintln(stderr, i18n.T("srv.cli.error", "err", err.Error()))
	return 1
}

// newFlags makes a flag set that reports to stderr.
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("kense-server "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parse parses flags and refuses stray arguments.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return nil
}

// openStore opens the data directory's store, saying plainly when a
// running server holds it (bbolt locks the file).
func openStore(dir string) (*server.BoltStore, error) {
	if dir == "" {
		return nil, errors.New(i18n.T("srv.cli.need_data"))
	}
	st, err := server.OpenBolt(dir)
	if errors.Is(err, server.ErrInUse) {
		return nil, errors.New(i18n.T("srv.cli.data_in_use", "dir", dir))
	}
	return st, err
}

// multiFlag collects a repeatable flag (-crl A -crl B).
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }
