package servicedesk

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func has(ds []Date, s string) bool {
	for _, d := range ds {
		if d.String() == s {
			return true
		}
	}
	return false
}

func TestDefaultCalendar2026(t *testing.T) {
	c := DefaultCalendar(2026)
	for _, s := range []string{"2026-01-01", "2026-01-02", "2026-01-07", "2026-03-08", "2026-03-21", "2026-03-22", "2026-03-23",
		"2026-05-01", "2026-05-07", "2026-05-09", "2026-07-06", "2026-08-30", "2026-10-25", "2026-12-16"} {
		if !has(c.Holidays, s) {
			t.Errorf("holiday %s missing", s)
		}
	}
	if len(c.Holidays) != 14 {
		t.Errorf("%d holidays, want 14: %v", len(c.Holidays), c.Holidays)
	}
	for _, s := range []string{"2026-12-01", "2026-12-17"} {
		if has(c.Holidays, s) {
			t.Errorf("%s is no longer a holiday", s)
		}
	}
	// 8 March is a Sunday → Monday 9; Nauryz 21–22 on Sat–Sun, 23 is a
	// Monday holiday → Tuesday 24 and Wednesday 25; 9 May a Saturday →
	// Monday 11; 30 August and 25 October Sundays → the Mondays after.
	want := []string{"2026-03-09", "2026-03-24", "2026-03-25", "2026-05-11", "2026-08-31", "2026-10-26"}
	if len(c.MovedDaysOff) != len(want) {
		t.Fatalf("moved days off %v, want %v", c.MovedDaysOff, want)
	}
	for i, s := range want {
		if c.MovedDaysOff[i].String() != s {
			t.Errorf("moved day off %d = %s, want %s", i, c.MovedDaysOff[i], s)
		}
	}
	if err := c.Validate().Err(); err != nil {
		t.Fatal(err)
	}
}

func TestDefaultCalendarChains(t *testing.T) {
	// 2022: 1–2 January on Saturday–Sunday → 3 and 4 January.
	// 2023: 1 January a Sunday, 2 January a Monday holiday → 3 January;
	// 7 January (not moved) is a Saturday.
	// 2028: 1–2 January Sat–Sun → 3, 4 January; 7 January is a Friday.
	c := DefaultCalendar(2028, 2022, 2023, 2022)
	for _, s := range []string{"2022-01-03", "2022-01-04", "2023-01-03", "2028-01-03", "2028-01-04"} {
		if !has(c.MovedDaysOff, s) {
			t.Errorf("moved day off %s missing in %v", s, c.MovedDaysOff)
		}
	}
	if has(c.MovedDaysOff, "2023-01-09") {
		t.Error("Orthodox Christmas on a Saturday must not move")
	}
	if len(c.Holidays) != 3*14 {
		t.Errorf("duplicate years not folded: %d holidays", len(c.Holidays))
	}
	for i := 1; i < len(c.Holidays); i++ {
		if !c.Holidays[i-1].Before(c.Holidays[i]) {
			t.Fatalf("holidays not sorted at %d", i)
		}
	}
}

func TestCalendarHours(t *testing.T) {
	c := Calendar{Holidays: dates(t, "2026-11-21"), MovedWorkdays: dates(t, "2026-11-22")}
	if n := len(c.WorkingHours(dates(t, "2026-11-16")[0])); n != 2 {
		t.Errorf("Monday has %d intervals", n)
	}
	if n := len(c.WorkingHours(dates(t, "2026-11-21")[0])); n != 0 {
		t.Errorf("holiday Saturday has %d intervals", n)
	}
	if n := len(c.WorkingHours(dates(t, "2026-11-28")[0])); n != 1 {
		t.Errorf("Saturday has %d intervals", n)
	}
	if !c.IsWorking(at(t, "2026-11-22 09:00")) || c.IsWorking(at(t, "2026-11-22 13:00")) {
		t.Error("moved working Sunday: wrong hours")
	}
	if c.IsWorking(at(t, "2026-11-16 18:30")) || !c.IsWorking(at(t, "2026-11-16 18:29")) {
		t.Error("the end of the day is not half-open")
	}
}

func TestCalendarJSON(t *testing.T) {
	c := DefaultCalendar(2026)
	c.Holidays = append(c.Holidays, dates(t, "2026-05-27")...) // Kurban Ait, entered as data
	c.MovedWorkdays = dates(t, "2026-01-03")
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(`"2026-05-27"`)) {
		t.Fatalf("dates not as YYYY-MM-DD: %s", b)
	}
	back, err := ReadCalendar(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	b2, _ := json.Marshal(back)
	if !bytes.Equal(b, b2) {
		t.Fatalf("round trip differs:\n%s\n%s", b, b2)
	}
}

func TestReadCalendarRejects(t *testing.T) {
	cases := map[string]string{
		"unknown field":       `{"holidays":[],"extra":1}`,
		"impossible date":     `{"holidays":["2026-02-30"]}`,
		"not a date":          `{"holidays":["26-1-1"]}`,
		"date as number":      `{"holidays":[20260101]}`,
		"year out of range":   `{"holidays":["1999-01-01"]}`,
		"listed twice":        `{"holidays":["2026-01-01","2026-01-01"]}`,
		"off and working":     `{"holidays":["2026-01-03"],"movedWorkdays":["2026-01-03"]}`,
		"two values":          `{"holidays":[]} {}`,
		"not an object":       `[]`,
		"empty":               ``,
		"truncated":           `{"holidays":["2026-01-01"`,
		"moved day off twice": `{"movedDaysOff":["2026-01-05"],"holidays":["2026-01-05"]}`,
	}
	for name, in := range cases {
		if _, err := ReadCalendar(strings.NewReader(in)); err == nil {
			t.Errorf("%s: accepted", name)
		} else if !errors.As(err, new(Problem)) && !errors.As(err, new(Problems)) {
			t.Errorf("%s: error %T is not a Problem", name, err)
		}
	}
	big := `{"holidays":[` + strings.Repeat(`"2026-01-01",`, MaxCalendarJSON/13) + `"2026-01-02"]}`
	if _, err := ReadCalendar(strings.NewReader(big)); err == nil || !strings.Contains(err.(Problem).Key, "tooLarge") {
		t.Errorf("oversized calendar: %v", err)
	}
}

func FuzzReadCalendar(f *testing.F) {
	b, _ := json.Marshal(DefaultCalendar(2026))
	f.Add(b)
	f.Add([]byte(`{"holidays":["2026-01-01"],"movedWorkdays":["2026-01-03"],"movedDaysOff":["2026-01-05"]}`))
	f.Add([]byte(`{"holidays":["2026-02-30"]}`))
	f.Add([]byte(`{"holidays":null}`))
	f.Add([]byte(`{`))
	f.Fuzz(func(t *testing.T, in []byte) {
		c, err := ReadCalendar(bytes.NewReader(in))
		if err != nil {
			return
		}
		if ps := c.Validate(); len(ps) > 0 {
			t.Fatalf("accepted an invalid calendar: %v", ps)
		}
		out, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ReadCalendar(bytes.NewReader(out))
		if err != nil {
			t.Fatalf("re-reading %s: %v", out, err)
		}
		again, _ := json.Marshal(back)
		if !bytes.Equal(out, again) {
			t.Fatalf("unstable: %s vs %s", out, again)
		}
		// The clock must run on whatever calendar was accepted.
		opened := at(t, "2026-01-01 00:00")
		due := Deadline(c, opened, 16*time.Hour, nil)
		if WorkingTimeBetween(c, opened, due, nil) != 16*time.Hour {
			t.Fatal("clock inconsistent on an accepted calendar")
		}
	})
}
