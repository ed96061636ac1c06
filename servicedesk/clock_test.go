package servicedesk

import (
	"math/rand"
	"testing"
	"time"
)

// at reads an Operator-local time "2006-01-02 15:04".
func at(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, Location)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func dates(t testing.TB, ss ...string) []Date {
	t.Helper()
	var out []Date
	for _, s := range ss {
		d, err := ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, d)
	}
	return out
}

func TestAlmatyIsUTCPlus5(t *testing.T) {
	for _, s := range []string{"2024-03-01T12:00:00Z", "2026-01-01T00:00:00Z", "2026-07-01T12:00:00Z", "2030-12-31T23:00:00Z"} {
		v, _ := time.Parse(time.RFC3339, s)
		if _, off := v.In(Location).Zone(); off != 5*3600 {
			t.Errorf("%s: offset %d s, want +05:00", s, off)
		}
	}
}

// 2026-11-16 is a Monday; 2026-11-20 a Friday; 2026-11-21 a Saturday.
func TestDeadline(t *testing.T) {
	def := DefaultCalendar(2026, 2027, 2028)
	h := func(f float64) time.Duration { return time.Duration(f * float64(time.Hour)) }
	type pz = []Interval
	iv := func(a, b string) Interval { return Interval{at(t, a), at(t, b)} }
	cases := []struct {
		name     string
		cal      Calendar
		opened   string
		allotted time.Duration
		pauses   pz
		want     string
	}{
		{"issue example: 16h from Friday 17:00", def, "2026-11-20 17:00", h(16), nil, "2026-11-24 11:30"},
		{"4h from Monday 14:30 ends at 18:30, not Tuesday", def, "2026-11-16 14:30", h(4), nil, "2026-11-16 18:30"},
		{"4h from 09:00 ends at 13:00, before lunch", def, "2026-11-16 09:00", h(4), nil, "2026-11-16 13:00"},
		{"across lunch", def, "2026-11-16 12:00", h(2), nil, "2026-11-16 15:30"},
		{"opened during lunch", def, "2026-11-16 13:45", h(1), nil, "2026-11-16 15:30"},
		{"opened in the evening", def, "2026-11-16 20:00", h(1), nil, "2026-11-17 10:00"},
		{"opened at 18:30 sharp", def, "2026-11-16 18:30", h(0.5), nil, "2026-11-17 09:30"},
		{"opened before hours", def, "2026-11-16 07:00", h(0.5), nil, "2026-11-16 09:30"},
		{"Saturday into Monday", def, "2026-11-21 13:00", h(2), nil, "2026-11-23 10:00"},
		{"Saturday 14:00 is closed", def, "2026-11-21 14:00", h(1), nil, "2026-11-23 10:00"},
		{"Saturday morning before 10:00", def, "2026-11-21 09:00", h(4), nil, "2026-11-21 14:00"},
		{"Sunday", def, "2026-11-22 12:00", h(4), nil, "2026-11-23 13:00"},
		{"8h pressing type 4 within a Friday", def, "2026-11-20 09:00", h(8), nil, "2026-11-20 18:30"},
		{"24h from Monday 09:00", def, "2026-11-16 09:00", h(24), nil, "2026-11-18 18:30"},
		{"168h, no holiday in the way", def, "2026-11-16 09:00", h(168), nil, "2026-12-11 13:00"},
		{"168h across Independence Day", def, "2026-11-30 09:00", h(168), nil, "2026-12-26 14:00"},
		{"weekday holiday (16 December)", def, "2026-12-15 17:00", h(4), nil, "2026-12-17 11:30"},
		{"Victory Day on a Saturday and the Monday off", def, "2026-05-08 17:00", h(4), nil, "2026-05-12 11:30"},
		{"a Saturday holiday removes its 4 hours", Calendar{Holidays: dates(t, "2026-11-21")}, "2026-11-20 17:00", h(4), nil, "2026-11-23 11:30"},
		{"the same Saturday without the holiday", Calendar{}, "2026-11-20 17:00", h(4), nil, "2026-11-21 12:30"},
		{"moved working Sunday has weekday hours", Calendar{MovedWorkdays: dates(t, "2026-11-22")}, "2026-11-20 17:00", h(16), nil, "2026-11-23 11:30"},
		{"moved working Saturday has weekday hours", Calendar{MovedWorkdays: dates(t, "2026-11-21")}, "2026-11-20 17:00", h(8), nil, "2026-11-21 17:00"},
		{"moved day off", Calendar{MovedDaysOff: dates(t, "2026-11-23")}, "2026-11-20 17:00", h(16), nil, "2026-11-25 11:30"},
		{"year end: 31 Dec, 1–2 Jan and the moved 4 Jan", def, "2026-12-30 17:00", h(16), nil, "2027-01-05 17:00"},
		{"year end 2027: 1–2 Jan on a weekend move to 3–4 Jan", def, "2027-12-31 17:00", h(2), nil, "2028-01-05 09:30"},
		{"a pause inside the morning", def, "2026-11-16 09:00", h(4), pz{iv("2026-11-16 10:00", "2026-11-16 11:00")}, "2026-11-16 15:30"},
		{"two pauses, given out of order", def, "2026-11-16 09:00", h(4), pz{iv("2026-11-16 15:00", "2026-11-16 16:00"), iv("2026-11-16 10:00", "2026-11-16 11:00")}, "2026-11-16 16:30"},
		{"overlapping pauses merge", def, "2026-11-16 09:00", h(4), pz{iv("2026-11-16 10:00", "2026-11-16 10:45"), iv("2026-11-16 10:30", "2026-11-16 11:00")}, "2026-11-16 15:30"},
		{"a pause over two nights", def, "2026-11-16 09:00", h(8), pz{iv("2026-11-16 17:00", "2026-11-18 10:00")}, "2026-11-18 11:30"},
		{"a pause from before the opening", def, "2026-11-16 09:00", h(1), pz{iv("2026-11-15 00:00", "2026-11-16 10:00")}, "2026-11-16 11:00"},
		{"a pause of two weeks", def, "2026-11-16 09:00", h(8), pz{iv("2026-11-16 12:00", "2026-12-02 12:00")}, "2026-12-02 18:30"},
		{"a pause ending at midnight", def, "2026-11-16 09:00", h(8), pz{iv("2026-11-16 12:00", "2026-11-18 00:00")}, "2026-11-18 15:30"},
		{"an inverted pause is ignored", def, "2026-11-16 09:00", h(1), pz{iv("2026-11-16 11:00", "2026-11-16 09:00")}, "2026-11-16 10:00"},
		{"a pause ending on the deadline's minute", def, "2026-11-16 09:00", h(1), pz{iv("2026-11-16 09:30", "2026-11-16 13:00")}, "2026-11-16 15:00"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Deadline(c.cal, at(t, c.opened), c.allotted, c.pauses)
			if want := at(t, c.want); !got.Equal(want) {
				t.Fatalf("Deadline = %s, want %s", got.Format(time.RFC3339), want.Format(time.RFC3339))
			}
			if _, off := got.Zone(); off != 5*3600 {
				t.Errorf("zone offset %d", off)
			}
			if w := WorkingTimeBetween(c.cal, at(t, c.opened), got, c.pauses); w != c.allotted {
				t.Errorf("WorkingTimeBetween(opened, deadline) = %s, want %s", w, c.allotted)
			}
		})
	}
}

func TestDeadlineUTCInput(t *testing.T) {
	opened, _ := time.Parse(time.RFC3339, "2026-11-20T12:00:00Z") // Friday 17:00 in Almaty
	got := Deadline(Calendar{}, opened, 16*time.Hour, nil)
	if s := got.Format(time.RFC3339); s != "2026-11-24T11:30:00+05:00" {
		t.Fatalf("got %s", s)
	}
	if got := Deadline(Calendar{}, opened, 0, nil); !got.Equal(opened) {
		t.Fatalf("zero allotted: %s", got)
	}
}

func TestWorkingTimeBetween(t *testing.T) {
	cal := Calendar{Holidays: dates(t, "2026-11-18")}
	cases := []struct {
		from, to string
		want     time.Duration
	}{
		{"2026-11-16 00:00", "2026-11-17 00:00", 8 * time.Hour},
		{"2026-11-21 00:00", "2026-11-22 00:00", 4 * time.Hour},
		{"2026-11-22 00:00", "2026-11-23 00:00", 0},
		{"2026-11-18 00:00", "2026-11-19 00:00", 0}, // the holiday
		{"2026-11-16 00:00", "2026-11-23 00:00", 36 * time.Hour},
		{"2026-11-16 12:30", "2026-11-16 14:45", 45 * time.Minute},
		{"2026-11-16 13:10", "2026-11-16 14:20", 0},
		{"2026-11-17 10:00", "2026-11-16 10:00", 0}, // inverted
	}
	for _, c := range cases {
		if got := WorkingTimeBetween(cal, at(t, c.from), at(t, c.to), nil); got != c.want {
			t.Errorf("%s → %s: %s, want %s", c.from, c.to, got, c.want)
		}
	}
	p := []Interval{{at(t, "2026-11-16 10:00"), at(t, "2026-11-17 10:00")}}
	if got := WorkingTimeBetween(cal, at(t, "2026-11-16 00:00"), at(t, "2026-11-18 00:00"), p); got != 8*time.Hour {
		t.Errorf("with a pause: %s", got)
	}
}

// oracle counts working minutes one by one from the rules as written:
// independent of the interval walker.
type oracle struct{ off, work map[Date]bool }

func newOracle(c Calendar) oracle {
	o := oracle{map[Date]bool{}, map[Date]bool{}}
	for _, d := range append(append([]Date{}, c.Holidays...), c.MovedDaysOff...) {
		o.off[d] = true
	}
	for _, d := range c.MovedWorkdays {
		o.work[d] = true
	}
	return o
}

func (o oracle) working(t time.Time) bool {
	t = t.In(Location)
	d := DateOf(t)
	m := t.Hour()*60 + t.Minute()
	weekday := m >= 540 && m < 780 || m >= 870 && m < 1110
	switch {
	case o.work[d]:
		return weekday
	case o.off[d], t.Weekday() == time.Sunday:
		return false
	case t.Weekday() == time.Saturday:
		return m >= 600 && m < 840
	}
	return weekday
}

func (o oracle) deadline(opened time.Time, d time.Duration, pauses []Interval) time.Time {
	left := d
	for t := opened; ; t = t.Add(time.Minute) {
		paused := false
		for _, p := range pauses {
			paused = paused || !t.Before(p.Start) && t.Before(p.End)
		}
		if o.working(t) && !paused {
			left -= time.Minute
			if left == 0 {
				return t.Add(time.Minute)
			}
		}
	}
}

// randomCase draws a minute-aligned opening in 2024-03..2028, a duration,
// up to three pauses and a calendar with a few random moved days.
func randomCase(r *rand.Rand, maxHours int) (Calendar, time.Time, time.Duration, []Interval) {
	cal := DefaultCalendar(2024, 2025, 2026, 2027, 2028, 2029)
	base := time.Date(2024, 3, 1, 0, 0, 0, 0, Location)
	opened := base.Add(time.Duration(r.Intn(5*365*24*60)) * time.Minute)
	for i := r.Intn(4); i > 0; i-- {
		d := DateOf(opened.Add(time.Duration(r.Intn(20*24)) * time.Hour))
		switch {
		case cal.index()[d] != 0:
		case d.Weekday() == time.Saturday || d.Weekday() == time.Sunday:
			cal.MovedWorkdays = append(cal.MovedWorkdays, d)
		default:
			cal.MovedDaysOff = append(cal.MovedDaysOff, d)
		}
	}
	d := time.Duration(1+r.Intn(maxHours*60)) * time.Minute
	var pauses []Interval
	for i := r.Intn(4); i > 0; i-- {
		s := opened.Add(time.Duration(r.Intn(14*24*60)-24*60) * time.Minute)
		pauses = append(pauses, Interval{s, s.Add(time.Duration(r.Intn(3*24*60)) * time.Minute)})
	}
	return cal, opened, d, pauses
}

// Property: a deadline is always a working instant or the end of a working
// interval, the working time up to it is exactly the allotted time, and a
// minute earlier it is not yet used up.
func TestDeadlineProperties(t *testing.T) {
	r := rand.New(rand.NewSource(20261123))
	n := 3000
	if testing.Short() {
		n = 300
	}
	for i := 0; i < n; i++ {
		cal, opened, d, pauses := randomCase(r, 200)
		due := Deadline(cal, opened, d, pauses)
		atEnd := false
		for _, iv := range cal.WorkingHours(DateOf(due)) {
			atEnd = atEnd || due.Equal(iv.End)
		}
		if !cal.IsWorking(due) && !atEnd {
			t.Fatalf("case %d: opened %s + %s → %s is outside working hours", i, opened, d, due)
		}
		if w := WorkingTimeBetween(cal, opened, due, pauses); w != d {
			t.Fatalf("case %d: opened %s + %s → %s, but WorkingTimeBetween = %s", i, opened, d, due, w)
		}
		if w := WorkingTimeBetween(cal, opened, due.Add(-time.Minute), pauses); w >= d {
			t.Fatalf("case %d: deadline %s is not the first instant", i, due)
		}
	}
}

// Cross-check against minute-by-minute counting for spans up to 40 hours.
func TestDeadlineAgainstOracle(t *testing.T) {
	r := rand.New(rand.NewSource(7))
	n := 40
	if testing.Short() {
		n = 8
	}
	for i := 0; i < n; i++ {
		cal, opened, d, pauses := randomCase(r, 40)
		got := Deadline(cal, opened, d, pauses)
		if want := newOracle(cal).deadline(opened, d, pauses); !got.Equal(want) {
			t.Fatalf("case %d: opened %s + %s, pauses %v: got %s, oracle %s", i, opened, d, pauses, got, want)
		}
	}
}

func TestLightFor(t *testing.T) {
	h := time.Hour
	cases := []struct {
		allotted, remaining time.Duration
		want                Light
	}{
		{16 * h, 16 * h, LightOK},
		{16 * h, 4*h + time.Minute, LightOK},
		{16 * h, 4 * h, LightAmber},
		{4 * h, h, LightAmber},
		{4 * h, time.Minute, LightAmber},
		{4 * h, 0, LightRed},
		{4 * h, -h, LightRed},
		{168 * h, 43 * h, LightOK},
		{168 * h, 42 * h, LightAmber},
	}
	for _, c := range cases {
		if got := LightFor(c.allotted, c.remaining); got != c.want {
			t.Errorf("LightFor(%s, %s) = %s, want %s", c.allotted, c.remaining, got, c.want)
		}
	}
}

func BenchmarkDeadline168h(b *testing.B) {
	cal := DefaultCalendar(2026, 2027)
	opened := time.Date(2026, 11, 20, 17, 0, 0, 0, Location)
	pauses := []Interval{{opened.Add(24 * time.Hour), opened.Add(72 * time.Hour)}}
	b.ReportAllocs()
	for b.Loop() {
		Deadline(cal, opened, 168*time.Hour, pauses)
	}
}
