package servicedesk

import (
	"sort"
	"time"
)

// Interval is a stretch of time [Start, End): a pause of the clock, a
// working interval.
type Interval struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// normalize sorts pauses and merges the overlapping ones; empty or inverted
// intervals are dropped.
func normalize(pauses []Interval) []Interval {
	ps := make([]Interval, 0, len(pauses))
	for _, p := range pauses {
		if p.End.After(p.Start) {
			ps = append(ps, p)
		}
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].Start.Before(ps[j].Start) })
	out := ps[:0]
	for _, p := range ps {
		if n := len(out); n > 0 && !p.Start.After(out[n-1].End) {
			if p.End.After(out[n-1].End) {
				out[n-1].End = p.End
			}
			continue
		}
		out = append(out, p)
	}
	return out
}

// segments calls f with each stretch of working time at or after from, in
// order, with the pauses cut out, until f returns false. It steps a day and
// a working interval at a time, and jumps over a pause that covers whole
// days, so 168 hours cost a few dozen steps.
func segments(cal Calendar, from time.Time, pauses []Interval, f func(a, b time.Time) bool) {
	ix := cal.index()
	ps := normalize(pauses)
	from = from.In(Location)
	day := DateOf(from).Time()
	for {
		next := day.AddDate(0, 0, 1)
		lo := day
		if from.After(lo) {
			lo = from
		}
		for len(ps) > 0 && !ps[0].End.After(lo) {
			ps = ps[1:]
		}
		if len(ps) > 0 && !ps[0].Start.After(lo) && !ps[0].End.Before(next) {
			day = DateOf(ps[0].End).Time()
			continue
		}
		y, m, d := day.Date()
		for _, s := range ix.hours(Date{y, m, d}, day.Weekday()) {
			a := day.Add(time.Duration(s.from) * time.Minute)
			b := day.Add(time.Duration(s.to) * time.Minute)
			if !b.After(lo) {
				continue
			}
			if a.Before(lo) {
				a = lo
			}
			for a.Before(b) {
				for len(ps) > 0 && !ps[0].End.After(a) {
					ps = ps[1:]
				}
				if len(ps) == 0 || !ps[0].Start.Before(b) {
					if !f(a, b) {
						return
					}
					break
				}
				if ps[0].Start.After(a) {
					if !f(a, ps[0].Start) {
						return
					}
				}
				a = ps[0].End
			}
		}
		day = next
	}
}

// Deadline is the instant the allotted working time runs out for a ticket
// opened at opened: the instant its last working minute is used (4 hours
// opened Monday 14:30 are due Monday 18:30, not Tuesday 09:00). A ticket
// opened outside the Operator's hours starts counting at the next working
// minute; pauses (waiting on the initiator) do not count. A non-positive
// allotted time is due at once. The result is in the Operator's zone.
func Deadline(cal Calendar, opened time.Time, allotted time.Duration, pauses []Interval) time.Time {
	if allotted <= 0 {
		return opened.In(Location)
	}
	left := allotted
	var due time.Time
	segments(cal, opened, pauses, func(a, b time.Time) bool {
		if d := b.Sub(a); d < left {
			left -= d
			return true
		}
		due = a.Add(left)
		return false
	})
	return due
}

// WorkingTimeBetween is the Operator's working time in [from, to) outside
// the pauses; zero when to is not after from.
func WorkingTimeBetween(cal Calendar, from, to time.Time, pauses []Interval) time.Duration {
	if !to.After(from) {
		return 0
	}
	var sum time.Duration
	segments(cal, from, pauses, func(a, b time.Time) bool {
		if !a.Before(to) {
			return false
		}
		if b.After(to) {
			b = to
		}
		sum += b.Sub(a)
		return true
	})
	return sum
}

// Light is how a ticket's clock looks: ok, amber as it nears the deadline,
// red once it is reached.
type Light int

const (
	LightOK Light = iota
	LightAmber
	LightRed
)

func (l Light) String() string {
	switch l {
	case LightAmber:
		return "amber"
	case LightRed:
		return "red"
	}
	return "ok"
}

// Key is the i18n key of the light's label.
func (l Light) Key() string { return "sd.light." + l.String() }

// LightFor decides the light. Red: no working time left (the deadline is
// reached; working time does not grow overnight, so a ticket due at 18:30
// has zero, not a negative, time left until 09:00 and must already be red).
// Amber: at most a quarter of the allotted time left — 1 hour of a
// pressing 4, 6 hours of 24, 42 hours (a bit over a working week) of 168 —
// so the warning scales with the job instead of a fixed margin that is
// half of a 4-hour ticket and nothing for a 168-hour one.
func LightFor(allotted, remaining time.Duration) Light {
	switch {
	case remaining <= 0:
		return LightRed
	case remaining <= allotted/4:
		return LightAmber
	}
	return LightOK
}

// Clock is a ticket's SLA clock at one instant.
type Clock struct {
	Allotted time.Duration
	// Remaining working time; negative once overdue.
	Remaining time.Duration
	// Deadline, counting a pause in progress as ending now.
	Deadline time.Time
	// AnalysisDue is when the "analysis of request from 30 minutes to 2
	// hours" must be done (AnalysisMax working time after registration);
	// zero for the types whose row has no such target (5 and 7).
	AnalysisDue time.Time
	Light       Light
	// Paused: the clock is stopped (waiting for the initiator, resolved,
	// closed).
	Paused bool
}

// Remaining is the working time ticket t has left at now: negative when
// overdue. It fails for a ticket not yet registered (the clock starts at
// registration, rule 8) or with a type and level the appendix lacks.
func Remaining(cal Calendar, t *Ticket, now time.Time) (time.Duration, error) {
	c, err := t.Clock(cal, now)
	return c.Remaining, err
}

// Clock computes ticket t's SLA clock at now.
func (t *Ticket) Clock(cal Calendar, now time.Time) (Clock, error) {
	allotted, err := Allotted(t.Type, t.Level)
	if err != nil {
		return Clock{}, err
	}
	if t.OpenedAt.IsZero() {
		return Clock{}, Problem{Field: "openedAt", Key: "sd.err.notRegistered"}
	}
	pauses := t.Pauses(now)
	rem := allotted - WorkingTimeBetween(cal, t.OpenedAt, now, pauses)
	c := Clock{
		Allotted:  allotted,
		Remaining: rem,
		Deadline:  Deadline(cal, t.OpenedAt, allotted, pauses),
		Light:     LightFor(allotted, rem),
		Paused:    t.Status.Paused(),
	}
	if _, max, ok := FirstResponse(t.Type); ok {
		c.AnalysisDue = Deadline(cal, t.OpenedAt, max, pauses)
	}
	return c, nil
}

// SortByTimeLeft orders tickets by working time left at now, least first;
// tickets whose clock cannot run (not registered yet) go last.
func SortByTimeLeft(cal Calendar, ts []*Ticket, now time.Time) {
	type keyed struct {
		t   *Ticket
		rem time.Duration
		ok  bool
	}
	ks := make([]keyed, len(ts))
	for i, t := range ts {
		r, err := Remaining(cal, t, now)
		ks[i] = keyed{t, r, err == nil}
	}
	sort.SliceStable(ks, func(i, j int) bool {
		if ks[i].ok != ks[j].ok {
			return ks[i].ok
		}
		return ks[i].rem < ks[j].rem
	})
	for i := range ks {
		ts[i] = ks[i].t
	}
}
