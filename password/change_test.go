package password

import (
	"strings"
	"testing"
	"time"

	"kense/i18n"
)

// A 31-day clock: the password set on 1 November (Almaty) warns from
// 26 November (day 25), works through 1 December (day 30) and is blocked
// from 2 December (day 31).
func TestChangeDueOverAMonth(t *testing.T) {
	set := time.Date(2026, 11, 1, 10, 0, 0, 0, Almaty)
	for day := 0; day <= 31; day++ {
		now := set.AddDate(0, 0, day).Add(13 * time.Hour) // 23:00 the same day
		warn, blocked, left := ChangeDue(set, now)
		wantWarn, wantBlocked, wantLeft := day >= 25 && day <= 30, day == 31, max(30-day, 0)
		if warn != wantWarn || blocked != wantBlocked || left != wantLeft {
			t.Errorf("day %d (%s): warn=%v blocked=%v left=%d, want %v %v %d",
				day, now.Format(time.DateTime), warn, blocked, left, wantWarn, wantBlocked, wantLeft)
		}
	}
}

// Days are Almaty calendar days, whatever zone the times come in.
func TestChangeDueAlmatyDays(t *testing.T) {
	// 20:00 UTC on 1 November is 01:00 on 2 November in Almaty: day 0 is the 2nd.
	set := time.Date(2026, 11, 1, 20, 0, 0, 0, time.UTC)
	cases := []struct {
		now     time.Time
		age     int
		blocked bool
	}{
		{time.Date(2026, 11, 1, 21, 0, 0, 0, time.UTC), 0, false},
		{time.Date(2026, 11, 2, 18, 59, 0, 0, time.UTC), 0, false}, // 23:59 on the 2nd
		{time.Date(2026, 11, 2, 19, 0, 0, 0, time.UTC), 1, false},  // midnight in Almaty
		{time.Date(2026, 12, 2, 18, 59, 59, 0, time.UTC), 30, false},
		{time.Date(2026, 12, 2, 19, 0, 0, 0, time.UTC), 31, true},
		{time.Date(2026, 12, 3, 0, 0, 0, 0, time.FixedZone("UTC-8", -8*3600)), 31, true},
		{time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), 0, false}, // clock behind: not negative
	}
	for _, c := range cases {
		if got := AgeDays(set, c.now); got != c.age {
			t.Errorf("%s: age %d, want %d", c.now, got, c.age)
		}
		if _, blocked, _ := ChangeDue(set, c.now); blocked != c.blocked {
			t.Errorf("%s: blocked=%v", c.now, blocked)
		}
	}
	// A year apart, across the leap day.
	if got := AgeDays(time.Date(2027, 12, 31, 12, 0, 0, 0, Almaty), time.Date(2028, 3, 1, 12, 0, 0, 0, Almaty)); got != 61 {
		t.Errorf("across 29 February: %d", got)
	}
}

func TestDueMessage(t *testing.T) {
	set := time.Date(2026, 11, 1, 9, 0, 0, 0, Almaty)
	for day, want := range map[int]string{
		0:  "",
		24: "",
		25: "Your password expires in 5 day(s); please change it",
		29: "Your password expires in 1 day(s); please change it",
		30: "Today is the last day of your password; change it now",
		31: "Your password is more than 30 days old: sign-in is blocked until you change it in the password change form",
		90: "Your password is more than 30 days old: sign-in is blocked until you change it in the password change form",
	} {
		if got := DueMessage(set, set.AddDate(0, 0, day), i18n.EN); got != want {
			t.Errorf("day %d: %q, want %q", day, got, want)
		}
	}
	for _, l := range i18n.Langs {
		if got := DueMessage(set, set.AddDate(0, 0, 26), l); got == "" || strings.Contains(got, "{") {
			t.Errorf("%s: %q", l, got)
		}
	}
}
