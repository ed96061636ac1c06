package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kense/api"
	"kense/form"
	"kense/server"
	"kense/servicedesk"
)

// The Operator edits the calendar from the console: get shows the preset
// (fixed holidays) until one is stored, set checks and stores a file, and
// the stored one is what the server hands out from then on.
func TestCalendarCommands(t *testing.T) {
	data := t.TempDir()
	code, out, errs := runCmd(t, "", "calendar", "get", "-data", data)
	if code != 0 {
		t.Fatalf("get: %d %q", code, errs)
	}
	var preset servicedesk.Calendar
	if err := json.Unmarshal([]byte(out), &preset); err != nil || len(preset.Holidays) < 10 {
		t.Fatalf("preset: %v %q", err, out)
	}
	if !strings.Contains(out, "-03-22") { // Nauryz, a fixed holiday
		t.Fatalf("preset lacks Nauryz: %q", out)
	}

	dir := t.TempDir()
	good := filepath.Join(dir, "cal.json")
	os.WriteFile(good, []byte(`{"holidays":["2027-01-01","2027-01-02"],"movedWorkdays":["2027-01-09"],"movedDaysOff":["2027-01-08"]}`), 0o600)
	if code, out, errs = runCmd(t, "", "calendar", "set", "-data", data, "-file", good); code != 0 || !strings.Contains(out, "2 holidays") {
		t.Fatalf("set: %d %q %q", code, out, errs)
	}
	for _, bad := range []string{
		`{"holidays":["2027-13-01"]}`,                                    // no such date
		`{"holidays":[],"extra":1}`,                                      // unknown field
		`{"movedWorkdays":["2027-01-09"],"movedDaysOff":["2027-01-09"]}`, // both at once
		`not json`,
	} {
		p := filepath.Join(dir, "bad.json")
		os.WriteFile(p, []byte(bad), 0o600)
		if code, _, errs := runCmd(t, "", "calendar", "set", "-data", data, "-file", p); code == 0 || errs == "" {
			t.Errorf("%s: accepted", bad)
		}
	}
	if code, _, _ := runCmd(t, "", "calendar", "set", "-data", data); code != 2 {
		t.Errorf("set without -file: %d", code)
	}

	st, err := server.OpenBolt(data)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cal, ok, err := st.OperatorCalendar()
	if err != nil || !ok || len(cal.Holidays) != 2 || len(cal.MovedWorkdays) != 1 || len(cal.MovedDaysOff) != 1 {
		t.Fatalf("stored: %+v %v %v", cal, ok, err)
	}
}

// accounts subunit records membership; the drafts of an account marked
// shared are then readable by the other members — and, with no
// membership recorded, the subunit the Operator put on the account
// applies.
func TestAccountSubunitCommand(t *testing.T) {
	data := t.TempDir()
	for _, a := range [][]string{{"780312450016", "Нұрланова Айгүл"}, {"901120300033", "Әбенов Ерлан"}} {
		if code, _, errs := runCmd(t, "", "accounts", "create", "-data", data, "-iin", a[0], "-name", a[1], "-kind", "unis"); code != 0 {
			t.Fatalf("create %s: %q", a[0], errs)
		}
	}
	const sub = "Астана қаласы бойынша филиал"
	for _, iin := range []string{"780312450016", "901120300033"} {
		if code, out, errs := runCmd(t, "", "accounts", "subunit", "-data", data, "-iin", iin, "-set", sub); code != 0 || !strings.Contains(out, iin) {
			t.Fatalf("subunit %s: %d %q %q", iin, code, out, errs)
		}
	}
	if code, _, errs := runCmd(t, "", "accounts", "subunit", "-data", data, "-iin", "700101300075", "-set", sub); code == 0 || errs == "" {
		t.Fatal("membership for an account that does not exist")
	}
	if code, _, _ := runCmd(t, "", "accounts", "subunit", "-data", data, "-set", sub); code != 2 {
		t.Fatal("no -iin accepted")
	}

	st, err := server.OpenBolt(data)
	if err != nil {
		t.Fatal(err)
	}
	f := form.Form{Subunit: "  астана ҚАЛАСЫ бойынша   филиал ", Date: "2026-11-23"}
	res, err := st.PushDrafts("780312450016", []api.DraftChange{{Key: "k1", ID: "d1", Shared: true, Form: f}}, time.Now())
	if err != nil || res[0].Status != api.PushApplied {
		t.Fatalf("push %+v %v", res, err)
	}
	got, err := st.DraftFor("901120300033", "d1")
	if err != nil || got.Owner != "780312450016" {
		t.Fatalf("the other member cannot read the shared draft: %+v %v", got, err)
	}

	// Membership removed: the account's own subunit (none here) applies.
	st.Close()
	if code, _, errs := runCmd(t, "", "accounts", "subunit", "-data", data, "-iin", "901120300033", "-set", ""); code != 0 {
		t.Fatalf("remove: %q", errs)
	}
	if st, err = server.OpenBolt(data); err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.DraftFor("901120300033", "d1"); err == nil {
		t.Fatal("still readable after leaving the subunit")
	}
	// The subunit the Operator recorded on the account counts as membership.
	if err := st.UpdateAccount("901120300033", func(a *server.Account) error { a.Subunit = sub; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := st.DraftFor("901120300033", "d1"); err != nil {
		t.Fatalf("the account's own subunit does not count: %v", err)
	}
}
