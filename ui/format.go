package ui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"kense/form"
	"kense/i18n"
	// servicedesk embeds tzdata (time/tzdata) and checks that Asia/Almaty
	// is UTC+5 even where the system's zoneinfo is older.
	"kense/servicedesk"
)

// Almaty is the zone every date and time in the app is shown in: the
// Operator's, Asia/Almaty, whatever the workstation's own zone is (a
// Windows PC set to another zone, or UTC, shows the same times).
var Almaty = servicedesk.Location

// showInAlmaty formats t in Asia/Almaty; use it, never t.Local(), for
// every time the user reads.
func showInAlmaty(t time.Time, layout string) string {
	return t.In(Almaty).Format(layout)
}

const (
	isoLayout  = "2006-01-02" // how Form.Date is stored
	showLayout = "02.01.2006" // how Kazakhstan writes dates
	readLayout = "2.1.2006"   // also takes 1.2.2026
)

// showDate turns a stored YYYY-MM-DD date into DD.MM.YYYY; anything else
// (a date the user typed that did not parse) is shown as stored.
func showDate(iso string) string {
	t, err := time.Parse(isoLayout, iso)
	if err != nil {
		return iso
	}
	return t.Format(showLayout)
}

// readDate turns typed DD.MM.YYYY into YYYY-MM-DD; ok is false when the text
// is not such a date (empty text is ok and stores "").
func readDate(s string) (iso string, ok bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", true
	}
	t, err := time.Parse(readLayout, s)
	if err != nil {
		return s, false
	}
	return t.Format(isoLayout), true
}

// readCount reads a non-negative whole number; empty text is 0.
func readCount(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, true
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}

// emptyForm is a new application: dated today, one empty row.
func emptyForm(now time.Time) form.Form {
	return form.Form{Date: showInAlmaty(now, isoLayout), Rows: []form.Row{{}}}
}

// needsOrder tells whether an operation needs the scanned order attached
// (the seed's operations 2 and 8).
func needsOrder(op int) bool { return form.OrderRequired(op) }

// userTypeOption, operationOption and accessOption are the choices as the
// editor lists them: code and a label in the user's language.
func userTypeOption(code int) string {
	return fmt.Sprintf("%d — %s", code, i18n.T(fmt.Sprintf("ui.usertype.%d", code)))
}

func operationOption(code int) string {
	return fmt.Sprintf("%d — %s", code, i18n.T(fmt.Sprintf("ui.op.%d", code)))
}

func accessOption(userType int, code string) string {
	return code + " — " + i18n.T(fmt.Sprintf("ui.access.%d.%s", userType, code))
}

func userTypeOptions() []string {
	out := make([]string, len(form.UserTypes))
	for i, u := range form.UserTypes {
		out[i] = userTypeOption(u.Code)
	}
	return out
}

func operationOptions() []string {
	out := make([]string, len(form.Operations))
	for i, o := range form.Operations {
		out[i] = operationOption(o.Code)
	}
	return out
}

// copyForm is a deep copy, so the autosaver's goroutine never shares a slice
// with the editor.
func copyForm(f form.Form) form.Form {
	rows := make([]form.Row, len(f.Rows))
	for i, r := range f.Rows {
		if r.AccessLevels != nil {
			r.AccessLevels = append([]string(nil), r.AccessLevels...)
		}
		rows[i] = r
	}
	f.Rows = rows
	return f
}
