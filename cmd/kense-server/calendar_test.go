package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
