package password

import (
	"time"

	"kense/i18n"
)

// Rule 15: the password is changed at least monthly; rule 17: 30 calendar
// days after a new password was received, sign-in is blocked until the user
// changes it through the change form.
const (
	// MaxAgeDays: the password works through the 30th calendar day after
	// the day it was set (a period in days starts the day after the event,
	// as Kazakhstan's Civil Code counts it) and is blocked from the 31st.
	MaxAgeDays = 30
	// WarnFromDay: the app warns from the 25th day on.
	WarnFromDay = 25
)

// Almaty is the calendar the days are counted in: Kazakhstan's single time
// zone, UTC+5 since 1 March 2024. A fixed zone keeps the count the same on
// every machine, whatever its tz database says.
var Almaty = time.FixedZone("UTC+5", 5*60*60)

// AgeDays is the number of calendar days (Almaty) from changedAt to now; 0
// on the day of the change, never negative (a clock behind changedAt
// counts as the same day).
func AgeDays(changedAt, now time.Time) int {
	y1, m1, d1 := changedAt.In(Almaty).Date()
	y2, m2, d2 := now.In(Almaty).Date()
	// Whole days between two civil dates: both at UTC midnight, so no DST
	// or zone shift can make a day 23 or 25 hours long.
	days := int(time.Date(y2, m2, d2, 0, 0, 0, 0, time.UTC).Sub(time.Date(y1, m1, d1, 0, 0, 0, 0, time.UTC)).Hours() / 24)
	return max(days, 0)
}

// ChangeDue says where a password set at changedAt stands at now: warn from
// day WarnFromDay while it still works, blocked from day MaxAgeDays+1.
// daysLeft is how many more calendar days after today it keeps working (0
// on the last day and once blocked).
func ChangeDue(changedAt, now time.Time) (warn, blocked bool, daysLeft int) {
	age := AgeDays(changedAt, now)
	if age > MaxAgeDays {
		return false, true, 0
	}
	return age >= WarnFromDay, false, MaxAgeDays - age
}

// DueMessage is what the app tells the user about a password set at
// changedAt: a warning from day WarnFromDay, the last-day notice, the block;
// "" while there is nothing to say.
func DueMessage(changedAt, now time.Time, l i18n.Lang) string {
	warn, blocked, left := ChangeDue(changedAt, now)
	switch {
	case blocked:
		return i18n.TL(l, "pw.change.blocked", "days", MaxAgeDays)
	case warn && left == 0:
		return i18n.TL(l, "pw.change.last_day")
	case warn:
		return i18n.TL(l, "pw.change.warn", "days", left)
	}
	return ""
}
