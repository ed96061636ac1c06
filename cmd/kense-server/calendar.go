package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"kense/i18n"
	"kense/server"
)

// runCalendar is the Operator's edit of the working-hours calendar that
// every SLA clock runs on: `get` prints the one in force (the stored one,
// else Kazakhstan's fixed holidays preset), `set` replaces it from a file
// after the same strict checks as PUT /v1/calendar. Clients pick the new
// one up at their next sync.
func runCalendar(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, i18n.T("srv.cal.usage"))
		return 2
	}
	verb, args := args[0], args[1:]
	fs := newFlags("calendar "+verb, stderr)
	data := fs.String("data", "", "data directory")
	switch verb {
	case "get":
		if !parseArgs(fs, args, stderr) {
			return 2
		}
		return withBolt(*data, stderr, func(st *server.BoltStore) error {
			cal, err := server.CalendarIn(st, time.Now())
			if err != nil {
				return err
			}
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(cal)
		})
	case "set":
		file := fs.String("file", "", "calendar JSON (as `calendar get` prints it)")
		if !parseArgs(fs, args, stderr) {
			return 2
		}
		if *file == "" {
			fmt.Fprintln(stderr, i18n.T("srv.cal.usage"))
			return 2
		}
		b, err := os.ReadFile(*file)
		if err != nil {
			return fail(stderr, err)
		}
		cal, err := server.DecodeCalendar(b)
		if err != nil {
			return fail(stderr, err)
		}
		return withBolt(*data, stderr, func(st *server.BoltStore) error {
			if err := st.PutOperatorCalendar(cal); err != nil {
				return err
			}
			fmt.Fprintln(stdout, i18n.T("srv.cal.stored", "holidays", len(cal.Holidays)))
			return nil
		})
	}
	fmt.Fprintln(stderr, i18n.T("srv.cal.usage"))
	return 2
}
