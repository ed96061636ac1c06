package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"kense/api"
	"kense/i18n"
	"kense/server"
)

// runApplications is the Operator's commands over submitted applications:
// list them, and move one on (submitted → accepted | rejected with a
// reason; accepted → done). The status syncs back to the head's
// workstations as a new version of the draft.
func runApplications(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, i18n.T("submit.srv.usage"))
		return 2
	}
	verb, args := args[0], args[1:]
	fs := newFlags("applications "+verb, stderr)
	data := fs.String("data", "", "data directory")
	switch verb {
	case "list":
		status := fs.String("status", "", "only applications with this status (submitted, accepted, rejected, done)")
		asJSON := fs.Bool("json", false, "print JSON")
		if !parseArgs(fs, args, stderr) {
			return 2
		}
		return withBolt(*data, stderr, func(st *server.BoltStore) error {
			all, err := st.Applications()
			if err != nil {
				return err
			}
			list := []api.Application{}
			for _, a := range all {
				if *status == "" || a.Status == *status {
					list = append(list, a)
				}
			}
			if *asJSON {
				enc := json.NewEncoder(stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(list)
			}
			if len(list) == 0 {
				fmt.Fprintln(stdout, i18n.T("submit.srv.none"))
				return nil
			}
			tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, i18n.T("submit.srv.list_header"))
			for _, a := range list {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", a.SHA256, a.Status,
					a.SubmittedAt.In(server.Almaty).Format("2006-01-02 15:04"), a.SignerName, a.SignerIIN, dash(a.Reason))
			}
			return tw.Flush()
		})
	case "accept", "reject", "done":
		sha := fs.String("sha256", "", "the application's SHA-256 (the value under its QR code; 8 or more leading digits do)")
		reason := fs.String("reason", "", "why it is rejected (required for reject; the head reads it)")
		if !parseArgs(fs, args, stderr) {
			return 2
		}
		to := map[string]string{"accept": api.AppAccepted, "reject": api.AppRejected, "done": api.AppDone}[verb]
		return withBolt(*data, stderr, func(st *server.BoltStore) error {
			a, err := st.FindApplication(*sha)
			if err != nil {
				return err
			}
			if err := st.SetApplicationStatus(a.SHA256, to, *reason, now()); err != nil {
				return err
			}
			fmt.Fprintln(stdout, i18n.T("submit.srv.moved", "sha", a.SHA256, "status", to))
			return nil
		})
	}
	fmt.Fprintln(stderr, i18n.T("srv.cli.unknown_command", "cmd", "applications "+verb))
	fmt.Fprintln(stderr, i18n.T("submit.srv.usage"))
	return 2
}

// parseArgs parses flags; a stray argument is said too (the flag package
// reports its own errors).
func parseArgs(fs *flag.FlagSet, args []string, stderr io.Writer) bool {
	err := parse(fs, args)
	if err != nil && fs.NArg() > 0 {
		fmt.Fprintln(stderr, i18n.T("srv.cli.error", "err", err.Error()))
	}
	return err == nil
}

// withBolt runs fn over the data directory's store.
func withBolt(dir string, stderr io.Writer, fn func(*server.BoltStore) error) int {
	st, err := openStore(dir)
	if err != nil {
		return fail(stderr, err)
	}
	defer st.Close()
	if err := fn(st); err != nil {
		return fail(stderr, err)
	}
	return 0
}
