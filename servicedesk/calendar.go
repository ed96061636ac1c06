package servicedesk

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"time"
	// Windows has no zoneinfo of its own: embed it so every workstation
	// reads Asia/Almaty the same way.
	_ "time/tzdata"
)

// Location is the Operator's time zone, Asia/Almaty: UTC+5 since 1 March
// 2024 (tzdata 2024a). A system zoneinfo older than that still says +06, so
// when the loaded zone disagrees for a date after the change we use a fixed
// +05 zone: the clock only counts from tickets opened now, and a stale +06
// would put every deadline an hour off.
var Location = loadLocation()

func loadLocation() *time.Location {
	loc, err := time.LoadLocation("Asia/Almaty")
	if err == nil {
		_, off := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC).In(loc).Zone()
		if off == 5*3600 {
			return loc
		}
	}
	return time.FixedZone("+05", 5*3600)
}

// Date is a calendar day in the Operator's zone; in JSON "2006-01-02".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf is the Operator's calendar day of instant t.
func DateOf(t time.Time) Date {
	y, m, d := t.In(Location).Date()
	return Date{y, m, d}
}

// Time is the Operator's midnight that starts d.
func (d Date) Time() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, Location) }

// Weekday of d.
func (d Date) Weekday() time.Weekday { return d.Time().Weekday() }

// AddDays is d moved by n days.
func (d Date) AddDays(n int) Date { return DateOf(d.Time().AddDate(0, 0, n)) }

// Before orders dates.
func (d Date) Before(e Date) bool {
	if d.Year != e.Year {
		return d.Year < e.Year
	}
	if d.Month != e.Month {
		return d.Month < e.Month
	}
	return d.Day < e.Day
}

func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day) }

// ParseDate reads "2006-01-02" and rejects impossible days (2026-02-30).
func ParseDate(s string) (Date, error) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil || len(s) != 10 {
		return Date{}, Problem{Key: "sd.err.date", Args: []any{"value", s}}
	}
	return Date{t.Year(), t.Month(), t.Day()}, nil
}

func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

func (d *Date) UnmarshalText(b []byte) error {
	x, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = x
	return nil
}

// Calendar is the Operator's calendar as data: the server holds it (the
// Operator edits it) and clients cache it. The weekly hours are fixed by
// rule 3 of the requirements; the calendar only says which days differ.
type Calendar struct {
	// Holidays are public holidays: no working hours, even on a Saturday
	// (a holiday on a Saturday removes its four hours).
	Holidays []Date `json:"holidays"`
	// MovedWorkdays are days off made working days by decree. They get the
	// hours of a normal weekday (09:00–13:00, 14:30–18:30), because a decree
	// moves a weekday's work onto them, even when the day is a Saturday.
	MovedWorkdays []Date `json:"movedWorkdays"`
	// MovedDaysOff are working days made days off: the transfer of a holiday
	// that fell on a day off, and the days a decree moves.
	MovedDaysOff []Date `json:"movedDaysOff"`
}

// Version names the calendar's content: two calendars with the same days
// in each list (in any order) have the same version. Staff who save a
// calendar say which version they edited (HTTP If-Match), so that the
// server refuses a save over someone else's newer one instead of losing it.
func (c Calendar) Version() string {
	h := sha256.New()
	for _, list := range [][]Date{c.Holidays, c.MovedWorkdays, c.MovedDaysOff} {
		ds := slices.Clone(list)
		sortDates(ds)
		for _, d := range ds {
			io.WriteString(h, d.String())
			io.WriteString(h, ",")
		}
		io.WriteString(h, ";")
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// The Operator's hours (rule 3), in minutes after midnight.
type span struct{ from, to int }

var (
	weekdayHours  = []span{{9 * 60, 13 * 60}, {14*60 + 30, 18*60 + 30}}
	saturdayHours = []span{{10 * 60, 14 * 60}}
)

type dayKind uint8

const (
	dayOff dayKind = iota + 1
	dayWork
)

type calIndex map[Date]dayKind

func (c Calendar) index() calIndex {
	ix := make(calIndex, len(c.Holidays)+len(c.MovedDaysOff)+len(c.MovedWorkdays))
	for _, d := range c.Holidays {
		ix[d] = dayOff
	}
	for _, d := range c.MovedDaysOff {
		ix[d] = dayOff
	}
	// A moved working day wins; Validate rejects a day listed both ways.
	for _, d := range c.MovedWorkdays {
		ix[d] = dayWork
	}
	return ix
}

func (ix calIndex) hours(d Date, wd time.Weekday) []span {
	switch ix[d] {
	case dayOff:
		return nil
	case dayWork:
		return weekdayHours
	}
	switch wd {
	case time.Sunday:
		return nil
	case time.Saturday:
		return saturdayHours
	}
	return weekdayHours
}

// WorkingHours lists the Operator's working intervals on day d.
func (c Calendar) WorkingHours(d Date) []Interval {
	var out []Interval
	day := d.Time()
	for _, s := range c.index().hours(d, day.Weekday()) {
		out = append(out, Interval{day.Add(time.Duration(s.from) * time.Minute), day.Add(time.Duration(s.to) * time.Minute)})
	}
	return out
}

// IsWorking reports whether instant t lies inside a working interval
// (start included, end excluded).
func (c Calendar) IsWorking(t time.Time) bool {
	for _, iv := range c.WorkingHours(DateOf(t)) {
		if !t.Before(iv.Start) && t.Before(iv.End) {
			return true
		}
	}
	return false
}

// fixedHoliday is a public holiday on the same date every year.
type fixedHoliday struct {
	month time.Month
	day   int
	// moves: when it falls on a day off, the next working day is off
	// (Labour Code); religious holidays do not move.
	moves bool
}

// Kazakhstan's public holidays in force since 2022 (notes/kz-calendar.md).
// The first day of Kurban Ait is movable and set each year: the Operator
// enters it as data.
var fixedHolidays = []fixedHoliday{
	{time.January, 1, true}, {time.January, 2, true}, // New Year
	{time.January, 7, false},                                               // Orthodox Christmas
	{time.March, 8, true},                                                  // International Women's Day
	{time.March, 21, true}, {time.March, 22, true}, {time.March, 23, true}, // Nauryz
	{time.May, 1, true},       // Kazakhstan People's Unity Day
	{time.May, 7, true},       // Defender of the Fatherland Day
	{time.May, 9, true},       // Victory Day
	{time.July, 6, true},      // Capital Day
	{time.August, 30, true},   // Constitution Day
	{time.October, 25, true},  // Republic Day
	{time.December, 16, true}, // Independence Day
}

// DefaultCalendar presets Kazakhstan's fixed public holidays for the given
// years and the days off they move: a holiday that falls on a Saturday or a
// Sunday (days off of the five-day week) moves a day off to the next
// Monday–Friday that is neither a holiday nor already a moved day off. The
// Saturday holiday still removes the Operator's Saturday hours. Decrees'
// own moves and Kurban Ait are data the Operator adds.
func DefaultCalendar(years ...int) Calendar {
	ys := append([]int(nil), years...)
	sort.Ints(ys)
	var c Calendar
	holiday := map[Date]bool{}
	var moving []Date
	for i, y := range ys {
		if i > 0 && y == ys[i-1] {
			continue
		}
		for _, h := range fixedHolidays {
			d := Date{y, h.month, h.day}
			c.Holidays = append(c.Holidays, d)
			holiday[d] = true
			if h.moves {
				moving = append(moving, d)
			}
		}
	}
	moved := map[Date]bool{}
	for _, d := range moving {
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
			continue
		}
		n := d.AddDays(1)
		for {
			wd := n.Weekday()
			if wd != time.Saturday && wd != time.Sunday && !holiday[n] && !moved[n] {
				break
			}
			n = n.AddDays(1)
		}
		moved[n] = true
		c.MovedDaysOff = append(c.MovedDaysOff, n)
	}
	sortDates(c.Holidays)
	sortDates(c.MovedDaysOff)
	return c
}

func sortDates(ds []Date) { sort.Slice(ds, func(i, j int) bool { return ds[i].Before(ds[j]) }) }

// MaxCalendarJSON bounds a calendar file: decades of holidays fit in far less.
const MaxCalendarJSON = 256 << 10

// Calendar dates must fall in these years: anything else is a typo.
const minYear, maxYear = 2000, 2200

// ReadCalendar reads a calendar strictly: size-limited, no unknown fields,
// one JSON value, valid and consistent dates.
func ReadCalendar(r io.Reader) (Calendar, error) {
	var c Calendar
	if err := decodeStrict(r, MaxCalendarJSON, &c); err != nil {
		return Calendar{}, err
	}
	if err := c.Validate().Err(); err != nil {
		return Calendar{}, err
	}
	return c, nil
}

// Validate checks the years and that no day is listed twice or both as a
// day off and as a working day.
func (c Calendar) Validate() Problems {
	var ps Problems
	seen := map[Date]string{}
	check := func(field string, ds []Date) {
		for i, d := range ds {
			f := fmt.Sprintf("%s[%d]", field, i)
			if d.Year < minYear || d.Year > maxYear {
				ps.add(f, "sd.err.calendarYear", "date", d.String(), "min", minYear, "max", maxYear)
				continue
			}
			if _, err := ParseDate(d.String()); err != nil {
				ps.add(f, "sd.err.date", "value", d.String())
				continue
			}
			if prev, dup := seen[d]; dup {
				ps.add(f, "sd.err.calendarTwice", "date", d.String(), "other", prev)
				continue
			}
			seen[d] = field
		}
	}
	check("holidays", c.Holidays)
	check("movedDaysOff", c.MovedDaysOff)
	check("movedWorkdays", c.MovedWorkdays)
	return ps
}

// decodeStrict reads exactly one JSON value of at most max bytes into v,
// refusing unknown fields.
func decodeStrict(r io.Reader, max int64, v any) error {
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return Problem{Key: "sd.err.read", Args: []any{"err", err.Error()}}
	}
	if int64(len(b)) > max {
		return Problem{Key: "sd.err.tooLarge", Args: []any{"max", max}}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var p Problem
		if errors.As(err, &p) {
			return p
		}
		return Problem{Key: "sd.err.json", Args: []any{"err", err.Error()}}
	}
	if _, err := dec.Token(); err != io.EOF {
		return Problem{Key: "sd.err.trailing"}
	}
	return nil
}
