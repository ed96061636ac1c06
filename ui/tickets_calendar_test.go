package ui

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"kense/i18n"
	"kense/servicedesk"
)

// calOpen opens the tickets and, through the toolbar's button, the
// calendar.
func calOpen(t *testing.T, h *harness) *calendarEditor {
	t.Helper()
	h.app.showTickets()
	b := h.tkButton(i18n.T("tkui.cal.open"))
	if b == nil {
		t.Fatalf("no calendar button for staff:\n%s", h.tkTexts())
	}
	test.Tap(b)
	e := h.app.tickets.cal
	if e == nil || h.app.tickets.mode != modeCalendar || h.app.tickets.titleL.Text != i18n.T("tkui.title.calendar") {
		t.Fatal("the button did not open the calendar")
	}
	return e
}

// calAdd types a date under a list and presses its Add.
func calAdd(e *calendarEditor, list, date string) {
	e.entries[list].SetText("")
	test.Type(e.entries[list], date)
	test.Tap(e.addBtns[list])
}

// calShown is the dates a list shows, as the user reads them.
func calShown(e *calendarEditor, list string) []string {
	var out []string
	for _, l := range find(e.lists[list], func(*widget.Label) bool { return true }) {
		out = append(out, l.Text)
	}
	return out
}

// calRemove presses the remove button on the row of d in a list.
func calRemove(t *testing.T, e *calendarEditor, list string, d servicedesk.Date) {
	t.Helper()
	for _, o := range e.lists[list].Objects {
		row, ok := o.(*fyne.Container)
		if !ok || len(find(row, func(l *widget.Label) bool { return l.Text == calDateText(d) })) == 0 {
			continue
		}
		if bs := find(row, func(*widget.Button) bool { return true }); len(bs) == 1 {
			test.Tap(bs[0])
			return
		}
	}
	t.Fatalf("%s: no row for %s in %v", list, d, calShown(e, list))
}

func TestTicketCalendarOnlyForStaff(t *testing.T) {
	tk := &fakeTickets{}
	h := newTicketHarness(t, tk)
	h.app.showTickets()
	if h.tkButton(i18n.T("tkui.cal.open")) != nil {
		t.Fatal("a plain user is offered the working calendar")
	}
	h.app.tickets.showCalendar(nil)
	if h.app.tickets.mode != modeList || h.app.tickets.cal != nil {
		t.Fatal("a plain user opened the calendar")
	}
	// A sync makes the account staff: the button shows up.
	tk.mu.Lock()
	tk.roles = []string{"line2"}
	tk.mu.Unlock()
	h.app.TicketsChanged()
	calOpen(t, h)
	// ... and goes when the lines are taken away: redrawn (a language
	// switch), the calendar gives way to the list.
	tk.mu.Lock()
	tk.roles = nil
	tk.mu.Unlock()
	h.app.SetLanguage(i18n.RU)
	if h.app.tickets.mode != modeList || h.app.tickets.cal != nil || h.tkButton(i18n.T("tkui.cal.open")) != nil {
		t.Fatalf("the calendar stayed after the lines were taken away:\n%s", h.tkTexts())
	}
}

// Staff add a holiday and a moved working day and remove a holiday; Save
// hands exactly that calendar to the service, which keeps it.
func TestTicketCalendarEditAndSave(t *testing.T) {
	tk := &fakeTickets{roles: []string{"line1"}, syncedAt: fixedNow()}
	h := newTicketHarness(t, tk)
	e := calOpen(t, h)
	if e.st.year != 2026 || e.yearL.Text != i18n.T("tkui.cal.year", "year", 2026) {
		t.Fatalf("year %d %q, want this year in Almaty", e.st.year, e.yearL.Text)
	}
	if got := calShown(e, "holidays"); !slices.Contains(got, "16.12.2026, Wednesday") || strings.Contains(strings.Join(got, " "), ".2027") {
		t.Fatalf("2026's holidays: %v", got)
	}
	if got := calShown(e, "movedWorkdays"); !reflect.DeepEqual(got, []string{i18n.T("tkui.cal.none", "year", 2026)}) {
		t.Fatalf("moved working days: %v", got)
	}
	txt := h.tkTexts()
	for _, k := range []string{"tkui.cal.intro", "tkui.cal.holidays.help", "tkui.cal.movedWorkdays.help", "tkui.cal.movedDaysOff.help"} {
		if !strings.Contains(txt, i18n.T(k)) {
			t.Fatalf("%s not shown:\n%s", k, txt)
		}
	}
	if strings.Contains(txt, i18n.T("tkui.cal.notsynced")) {
		t.Fatal("a synced calendar is said to be unsynced")
	}

	calAdd(e, "holidays", "31.02.2026")
	if !e.addErrs["holidays"].Visible() || e.addErrs["holidays"].Text != i18n.T("ui.err.date") {
		t.Fatalf("an impossible day: %q", e.addErrs["holidays"].Text)
	}
	calAdd(e, "holidays", "30.11.2026")
	if e.addErrs["holidays"].Visible() || e.entries["holidays"].Text != "" || !slices.Contains(calShown(e, "holidays"), "30.11.2026, Monday") {
		t.Fatalf("holiday not added: %v %q", calShown(e, "holidays"), e.addErrs["holidays"].Text)
	}
	calAdd(e, "holidays", "30.11.2026")
	if e.addErrs["holidays"].Text != i18n.T("tkui.cal.err.already", "date", "30.11.2026") {
		t.Fatalf("a second 30.11.2026: %q", e.addErrs["holidays"].Text)
	}
	calAdd(e, "movedWorkdays", "5.12.2026")
	if got := calShown(e, "movedWorkdays"); !reflect.DeepEqual(got, []string{"05.12.2026, Saturday"}) {
		t.Fatalf("moved working days: %v", got)
	}
	calRemove(t, e, "holidays", servicedesk.Date{Year: 2026, Month: 1, Day: 7})
	if slices.Contains(calShown(e, "holidays"), "07.01.2026, Wednesday") {
		t.Fatal("7 January still listed")
	}
	// A language switch keeps the edits.
	h.app.SetLanguage(i18n.RU)
	e = h.app.tickets.cal
	if e == nil || !slices.Contains(calShown(e, "holidays"), "30.11.2026, понедельник") {
		t.Fatalf("after the switch: %v", calShown(e, "holidays"))
	}
	h.app.SetLanguage(i18n.EN)
	e = h.app.tickets.cal

	want := servicedesk.DefaultCalendar(2026, 2027)
	want.Holidays = slices.DeleteFunc(want.Holidays, func(d servicedesk.Date) bool { return d == servicedesk.Date{Year: 2026, Month: 1, Day: 7} })
	i := slices.IndexFunc(want.Holidays, func(d servicedesk.Date) bool { return d.Month == 12 && d.Year == 2026 })
	want.Holidays = slices.Insert(want.Holidays, i, servicedesk.Date{Year: 2026, Month: 11, Day: 30})
	want.MovedWorkdays = []servicedesk.Date{{Year: 2026, Month: 12, Day: 5}}

	test.Tap(e.save)
	test.Tap(e.save) // a double press sends it once
	h.waitFor("the save", func() bool { return h.app.tickets.cal == nil })
	saved := tk.savedCopy()
	if len(saved) != 1 || !reflect.DeepEqual(saved[0], want) {
		t.Fatalf("saved %d calendars:\n%+v\nwant\n%+v", len(saved), saved, want)
	}
	if !reflect.DeepEqual(tk.Calendar(), want) {
		t.Fatal("the service does not keep the saved calendar")
	}
	if txt := h.tkTexts(); !strings.Contains(txt, i18n.T("tkui.cal.saved.body")) || h.app.tickets.mode != modeList {
		t.Fatalf("the save is not said:\n%s", txt)
	}
	// Reopened, it shows the saved calendar; another year's dates too.
	e = calOpen(t, h)
	if !slices.Contains(calShown(e, "holidays"), "30.11.2026, Monday") {
		t.Fatalf("reopened: %v", calShown(e, "holidays"))
	}
	calAdd(e, "movedDaysOff", "08.01.2027")
	if e.st.year != 2027 || !slices.Contains(calShown(e, "movedDaysOff"), "08.01.2027, Friday") {
		t.Fatalf("a date of 2027 does not show its year: %d %v", e.st.year, calShown(e, "movedDaysOff"))
	}
}

// A day in two lists is shown under the list as Validate words it, and
// nothing is saved until it is corrected.
func TestTicketCalendarDateInTwoLists(t *testing.T) {
	tk := &fakeTickets{roles: []string{"line3"}}
	h := newTicketHarness(t, tk)
	e := calOpen(t, h)
	if !strings.Contains(h.tkTexts(), i18n.T("tkui.cal.notsynced")) {
		t.Fatal("before any sync the calendar does not warn that it may not be the server's")
	}
	calAdd(e, "holidays", "30.11.2026")
	calAdd(e, "movedDaysOff", "30.11.2026")
	msg := i18n.T("sd.err.calendarTwice", "date", "30.11.2026", "other", i18n.T("tkui.cal.other.holidays"))
	if p := e.probs["movedDaysOff"]; !p.Visible() || p.Text != msg {
		t.Fatalf("the problem under the list: %q, want %q", p.Text, msg)
	}
	if e.probs["holidays"].Visible() {
		t.Fatalf("a problem under the holidays: %q", e.probs["holidays"].Text)
	}
	test.Tap(e.save)
	h.pump()
	if len(tk.savedCopy()) != 0 || !e.general.Visible() || e.general.Text != i18n.T("tkui.cal.err.problems") || h.app.tickets.cal != e {
		t.Fatalf("a calendar with a day twice: saved %d, %q", len(tk.savedCopy()), e.general.Text)
	}
	calRemove(t, e, "holidays", servicedesk.Date{Year: 2026, Month: 11, Day: 30})
	if e.probs["movedDaysOff"].Visible() || e.general.Visible() {
		t.Fatalf("the problem stays after the fix: %q", e.probs["movedDaysOff"].Text)
	}
	test.Tap(e.save)
	h.waitFor("the save", func() bool { return len(tk.savedCopy()) == 1 })
	if got := tk.savedCopy()[0]; !slices.Contains(got.MovedDaysOff, servicedesk.Date{Year: 2026, Month: 11, Day: 30}) ||
		slices.Contains(got.Holidays, servicedesk.Date{Year: 2026, Month: 11, Day: 30}) {
		t.Fatalf("saved %+v", got)
	}
}

// The service's refusal is shown on the editor in the user's language;
// the edits stay for another try.
func TestTicketCalendarServiceError(t *testing.T) {
	refused := errors.New("kense-server: only the Operator's staff edit the calendar (403 forbidden)")
	tk := &fakeTickets{roles: []string{"line1"}, saveErr: refused}
	h := newTicketHarness(t, tk)
	h.app.svc.Message = func(err error) string {
		if errors.Is(err, refused) {
			return i18n.T("tkui.cal.err.forbidden")
		}
		return err.Error()
	}
	e := calOpen(t, h)
	calAdd(e, "holidays", "30.11.2026")
	test.Tap(e.save)
	h.waitFor("the refusal", func() bool { return e.general.Visible() })
	if e.general.Text != i18n.T("tkui.cal.err.forbidden") || h.app.tickets.cal != e || e.save.Disabled() {
		t.Fatalf("the refusal: %q", e.general.Text)
	}
	if !slices.Contains(calShown(e, "holidays"), "30.11.2026, Monday") {
		t.Fatal("the edits were lost")
	}
	if got := tk.Calendar(); slices.Contains(got.Holidays, servicedesk.Date{Year: 2026, Month: 11, Day: 30}) {
		t.Fatal("a refused calendar is kept")
	}
}

// Cancel discards the edits: nothing is saved, and the calendar opens
// again as it was.
func TestTicketCalendarCancel(t *testing.T) {
	tk := &fakeTickets{roles: []string{"line1"}}
	h := newTicketHarness(t, tk)
	e := calOpen(t, h)
	calAdd(e, "holidays", "30.11.2026")
	calRemove(t, e, "holidays", servicedesk.Date{Year: 2026, Month: 1, Day: 7})
	test.Tap(h.tkButton(i18n.T("tkui.cancel")))
	h.pump()
	if h.app.tickets.mode != modeList || len(tk.savedCopy()) != 0 {
		t.Fatalf("cancel: mode %v, saved %d", h.app.tickets.mode, len(tk.savedCopy()))
	}
	e = calOpen(t, h)
	if got := calShown(e, "holidays"); slices.Contains(got, "30.11.2026, Monday") || !slices.Contains(got, "07.01.2026, Wednesday") {
		t.Fatalf("reopened after cancel: %v", got)
	}
}

// While the calendar is on its way, the editor waits (a second press
// sends nothing) and a language switch keeps it waiting; the answer is
// shown in the new language.
func TestTicketCalendarSaveWaits(t *testing.T) {
	gate := make(chan struct{})
	tk := &fakeTickets{roles: []string{"line1"}, saveGate: gate}
	h := newTicketHarness(t, tk)
	e := calOpen(t, h)
	calAdd(e, "holidays", "30.11.2026")
	test.Tap(e.save)
	h.waitFor("the save to start", func() bool { return len(tk.savedCopy()) == 1 })
	if !e.save.Disabled() || e.save.Text != i18n.T("tkui.cal.saving") || !e.addBtns["holidays"].Disabled() {
		t.Fatal("the editor does not wait for the save")
	}
	h.app.SetLanguage(i18n.RU)
	e = h.app.tickets.cal
	if e == nil || !e.save.Disabled() || e.save.Text != i18n.TL(i18n.RU, "tkui.cal.saving") {
		t.Fatal("a language switch let the editor go while saving")
	}
	test.Tap(e.save)
	close(gate)
	h.waitFor("the save", func() bool { return h.app.tickets.cal == nil })
	if n := len(tk.savedCopy()); n != 1 {
		t.Fatalf("%d saves", n)
	}
	if !strings.Contains(h.tkTexts(), i18n.TL(i18n.RU, "tkui.cal.saved.body")) {
		t.Fatalf("the save is not said in Russian:\n%s", h.tkTexts())
	}
}
