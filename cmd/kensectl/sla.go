package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"kense/i18n"
	"kense/servicedesk"
)

func init() {
	register("sla", "deadline of a ServiceDesk request in the Operator's working hours", runSLA)
}

// runSLA prints the deadline of a request: kensectl sla -type N -level LEVEL
// -opened RFC3339 [-calendar FILE]. Without -calendar it uses Kazakhstan's
// fixed public holidays for the years around the opening.
func runSLA(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sla", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	typ := fs.Int("type", 0, "request type 1–7")
	level := fs.String("level", "", "importance level")
	opened := fs.String("opened", "", "time the request was registered, RFC 3339")
	calFile := fs.String("calendar", "", "calendar JSON file")
	fail := func(msg string) int {
		fmt.Fprintln(stderr, "kensectl sla: "+msg)
		fmt.Fprintln(stderr, i18n.T("sd.cli.usage"))
		return 2
	}
	pos, err := parseInterleaved(fs, args)
	if err == flag.ErrHelp {
		fmt.Fprintln(stderr, i18n.T("sd.cli.usage"))
		return 2
	}
	if err != nil {
		return fail(err.Error())
	}
	if len(pos) > 0 {
		return fail(i18n.T("sd.cli.args", "args", strings.Join(pos, " ")))
	}
	for _, f := range []struct{ name, v string }{{"-type", fmt.Sprint(*typ)}, {"-level", *level}, {"-opened", *opened}} {
		if f.v == "" || f.v == "0" {
			return fail(i18n.T("sd.cli.missing", "flag", f.name))
		}
	}
	lv, ok := servicedesk.ParseLevel(*level)
	if !ok {
		lv = servicedesk.Level(*level) // Allotted words the problem
	}
	allotted, err := servicedesk.Allotted(servicedesk.RequestType(*typ), lv)
	if err != nil {
		return fail(err.Error())
	}
	t, err := time.Parse(time.RFC3339, *opened)
	if err != nil {
		return fail(i18n.T("sd.cli.opened", "value", *opened))
	}
	var cal servicedesk.Calendar
	if *calFile != "" {
		f, err := os.Open(*calFile)
		if err != nil {
			return fail(i18n.T("sd.cli.calendar", "file", *calFile, "err", err.Error()))
		}
		cal, err = servicedesk.ReadCalendar(f)
		f.Close()
		if err != nil {
			return fail(i18n.T("sd.cli.calendar", "file", *calFile, "err", err.Error()))
		}
	} else {
		// 168 working hours span about five weeks: the next year covers a
		// request opened in December.
		y := t.In(servicedesk.Location).Year()
		cal = servicedesk.DefaultCalendar(y, y+1)
	}
	fmt.Fprintln(stdout, servicedesk.Deadline(cal, t, allotted, nil).Format(time.RFC3339))
	return 0
}
