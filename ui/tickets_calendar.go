package ui

import (
	"slices"
	"sort"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kense/i18n"
	"kense/servicedesk"
)

// The Operator's working calendar (servicedesk.Calendar), edited by the
// Operator's staff from the tickets screen: the SLA clock counts in the
// Operator's hours (rule 3 of the Requirements), and the calendar says
// which days differ from the usual week. The editor shows one year at a
// time; the dates of other years are kept as they are.

// calList is one of the calendar's three lists, named as
// Calendar.Validate names its field; the catalogue has its title
// (tkui.cal.NAME.title), its explanation (tkui.cal.NAME.help) and how a
// problem names it (tkui.cal.other.NAME).
type calList struct {
	name  string
	dates func(*servicedesk.Calendar) *[]servicedesk.Date
}

var calLists = []calList{
	{"holidays", func(c *servicedesk.Calendar) *[]servicedesk.Date { return &c.Holidays }},
	{"movedWorkdays", func(c *servicedesk.Calendar) *[]servicedesk.Date { return &c.MovedWorkdays }},
	{"movedDaysOff", func(c *servicedesk.Calendar) *[]servicedesk.Date { return &c.MovedDaysOff }},
}

// calendarState is what the editor holds, kept across a language switch.
type calendarState struct {
	base  servicedesk.Calendar // as it was when the editing began
	cal   servicedesk.Calendar
	year  int
	typed map[string]string // the date typed under each list
	busy  bool              // the calendar is on its way to the server
}

// calendarEditor is the tickets screen's calendar mode.
type calendarEditor struct {
	s  *ticketsScreen
	st calendarState

	yearL   *widget.Label
	others  *widget.Label
	lists   map[string]*fyne.Container // the chosen year's dates
	entries map[string]*widget.Entry
	addBtns map[string]*widget.Button
	addErrs map[string]*widget.Label // a date that could not be added
	probs   map[string]*widget.Label // Calendar.Validate's problems
	general *widget.Label
	save    *widget.Button
	// controls and the year's remove buttons wait while the calendar is
	// being saved.
	controls []fyne.Disableable
	removes  []*widget.Button
	content  fyne.CanvasObject
}

// cloneCalendar copies the lists, so the editor never shares a slice
// with the service's calendar.
func cloneCalendar(c servicedesk.Calendar) servicedesk.Calendar {
	for _, l := range calLists {
		p := l.dates(&c)
		*p = slices.Clone(*p)
	}
	return c
}

func newCalendarEditor(s *ticketsScreen, prev *calendarState) *calendarEditor {
	e := &calendarEditor{s: s}
	if prev != nil {
		e.st = *prev
	} else {
		base := s.svc.Calendar()
		e.st = calendarState{base: cloneCalendar(base), cal: cloneCalendar(base), year: servicedesk.DateOf(s.a.now()).Year,
			typed: map[string]string{}}
	}
	e.build()
	return e
}

func (e *calendarEditor) state() calendarState { return e.st }

func (e *calendarEditor) build() {
	e.lists = map[string]*fyne.Container{}
	e.entries = map[string]*widget.Entry{}
	e.addBtns = map[string]*widget.Button{}
	e.addErrs = map[string]*widget.Label{}
	e.probs = map[string]*widget.Label{}
	e.controls = nil

	intro := tkWrapped(i18n.T("tkui.cal.intro"))
	top := container.NewVBox(intro)
	// Before the first sync since the sign-in, the calendar here may be
	// an old copy or the preset holidays: saving replaces the server's.
	if at, _ := e.s.svc.SyncState(); at.IsZero() {
		note := tkWrapped(i18n.T("tkui.cal.notsynced"))
		note.Importance = widget.WarningImportance
		top.Add(note)
	}
	e.yearL = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	prev := widget.NewButtonWithIcon("", theme.NavigateBackIcon(), func() { e.setYear(e.st.year - 1) })
	next := widget.NewButtonWithIcon("", theme.NavigateNextIcon(), func() { e.setYear(e.st.year + 1) })
	e.others = tkWrapped("")
	top.Add(container.NewHBox(prev, e.yearL, next))
	top.Add(e.others)

	cols := make([]fyne.CanvasObject, 0, len(calLists))
	for _, l := range calLists {
		cols = append(cols, e.column(l))
	}

	e.general = tkWrapped("")
	e.general.Importance = widget.DangerImportance
	e.general.Hide()
	e.save = widget.NewButtonWithIcon(i18n.T("tkui.cal.save"), theme.DocumentSaveIcon(), e.doSave)
	e.save.Importance = widget.HighImportance
	cancel := widget.NewButtonWithIcon(i18n.T("tkui.cancel"), theme.CancelIcon(), e.s.showList)
	e.controls = append(e.controls, prev, next, e.save, cancel)

	// Save and Cancel stay in sight below the lists, however long.
	e.content = container.NewBorder(nil, container.NewPadded(container.NewVBox(e.general, container.NewHBox(e.save, cancel))), nil, nil,
		container.NewVScroll(container.NewPadded(container.NewVBox(
			top, widget.NewSeparator(), container.NewGridWithColumns(len(cols), cols...)))))
	e.showYear()
	e.validate()
	e.setBusy(e.st.busy)
}

// column is one list: its title, what it means, the chosen year's dates
// each with a remove button, a date entry with an add button, and the
// list's problems.
func (e *calendarEditor) column(l calList) fyne.CanvasObject {
	help := tkWrapped(i18n.T("tkui.cal." + l.name + ".help"))
	e.lists[l.name] = container.NewVBox()
	in := widget.NewEntry()
	in.SetPlaceHolder(i18n.T("ui.date.placeholder"))
	in.SetText(e.st.typed[l.name])
	in.OnChanged = func(v string) {
		e.st.typed[l.name] = v
		e.activity()
	}
	in.OnSubmitted = func(string) { e.add(l) }
	add := widget.NewButtonWithIcon(i18n.T("tkui.cal.add"), theme.ContentAddIcon(), func() { e.add(l) })
	e.entries[l.name], e.addBtns[l.name] = in, add
	e.controls = append(e.controls, in, add)
	addErr := tkWrapped("")
	addErr.Importance = widget.DangerImportance
	addErr.Hide()
	probs := tkWrapped("")
	probs.Importance = widget.DangerImportance
	probs.Hide()
	e.addErrs[l.name], e.probs[l.name] = addErr, probs
	return container.NewVBox(tkHeading("tkui.cal."+l.name+".title"), help, e.lists[l.name],
		container.NewBorder(nil, nil, nil, add, in), addErr, probs)
}

func (e *calendarEditor) activity() {
	if e.s.a.svc.Activity != nil {
		e.s.a.svc.Activity()
	}
}

func (e *calendarEditor) setYear(y int) {
	e.st.year = y
	e.showYear()
}

// showYear lists the chosen year's dates, in order.
func (e *calendarEditor) showYear() {
	y := e.st.year
	e.yearL.SetText(i18n.T("tkui.cal.year", "year", y))
	e.removes = nil
	others := 0
	for _, l := range calLists {
		box := e.lists[l.name]
		box.RemoveAll()
		for _, d := range *l.dates(&e.st.cal) {
			if d.Year != y {
				others++
				continue
			}
			rm := widget.NewButtonWithIcon("", theme.DeleteIcon(), func() { e.remove(l, d) })
			e.removes = append(e.removes, rm)
			if e.st.busy {
				rm.Disable()
			}
			box.Add(container.NewBorder(nil, nil, nil, rm, widget.NewLabel(calDateText(d))))
		}
		if len(box.Objects) == 0 {
			box.Add(widget.NewLabel(i18n.T("tkui.cal.none", "year", y)))
		}
		box.Refresh()
	}
	if others > 0 {
		e.others.SetText(i18n.T("tkui.cal.others", "n", others))
		e.others.Show()
	} else {
		e.others.SetText("")
		e.others.Hide()
	}
}

// calDateText is a calendar day as DD.MM.YYYY and its weekday.
func calDateText(d servicedesk.Date) string {
	return i18n.T("tkui.cal.item", "date", showDate(d.String()), "weekday", i18n.T(weekdayKey(d)))
}

func weekdayKey(d servicedesk.Date) string {
	return "tkui.cal.weekday." + strconv.Itoa(int(d.Weekday()))
}

// add puts the date typed under list l in it, in order, and shows its
// year; the calendar's problems (a day in two lists) show at once.
func (e *calendarEditor) add(l calList) {
	if e.st.busy {
		return
	}
	e.activity()
	iso, ok := readDate(e.st.typed[l.name])
	var d servicedesk.Date
	var err error
	if ok && iso != "" {
		d, err = servicedesk.ParseDate(iso)
	}
	switch ds := l.dates(&e.st.cal); {
	case !ok || iso == "" || err != nil:
		e.addProblem(l, i18n.T("ui.err.date"))
		return
	case slices.Contains(*ds, d):
		e.addProblem(l, i18n.T("tkui.cal.err.already", "date", showDate(iso)))
		return
	default:
		*ds = append(*ds, d)
		sort.Slice(*ds, func(i, j int) bool { return (*ds)[i].Before((*ds)[j]) })
	}
	e.addProblem(l, "")
	e.st.typed[l.name] = ""
	e.entries[l.name].SetText("")
	e.st.year = d.Year
	e.changed()
}

func (e *calendarEditor) remove(l calList, d servicedesk.Date) {
	if e.st.busy {
		return
	}
	e.activity()
	ds := l.dates(&e.st.cal)
	if i := slices.Index(*ds, d); i >= 0 {
		*ds = slices.Delete(*ds, i, i+1)
	}
	e.changed()
}

func (e *calendarEditor) changed() {
	e.showYear()
	e.validate()
}

func (e *calendarEditor) addProblem(l calList, msg string) {
	setShown(e.addErrs[l.name], msg)
}

// setShown shows msg on l, or hides l when there is none.
func setShown(l *widget.Label, msg string) {
	l.SetText(msg)
	if msg == "" {
		l.Hide()
	} else {
		l.Show()
	}
}

// validate shows Calendar.Validate's problems under their lists, in the
// user's language; it reports whether there were none.
func (e *calendarEditor) validate() bool {
	ps := e.st.cal.Validate()
	msgs := map[string][]string{}
	for _, p := range ps {
		list, _, _ := strings.Cut(p.Field, "[")
		msgs[list] = append(msgs[list], calProblem(p))
	}
	for _, l := range calLists {
		setShown(e.probs[l.name], strings.Join(msgs[l.name], " "))
	}
	if len(ps) == 0 {
		setShown(e.general, "")
	}
	return len(ps) == 0
}

// calProblem words a calendar problem with its date as DD.MM.YYYY and the
// other list by its name in the user's language.
func calProblem(p servicedesk.Problem) string {
	args := slices.Clone(p.Args)
	for i := 0; i+1 < len(args); i += 2 {
		v, ok := args[i+1].(string)
		if !ok {
			continue
		}
		switch args[i] {
		case "date":
			args[i+1] = showDate(v)
		case "other":
			args[i+1] = i18n.T("tkui.cal.other." + v)
		}
	}
	return servicedesk.Problem{Key: p.Key, Args: args}.Message(i18n.Current())
}

func (e *calendarEditor) setBusy(busy bool) {
	e.st.busy = busy
	cs := slices.Clone(e.controls)
	for _, b := range e.removes {
		cs = append(cs, b)
	}
	for _, c := range cs {
		if busy {
			c.Disable()
		} else {
			c.Enable()
		}
	}
	if busy {
		e.save.SetText(i18n.T("tkui.cal.saving"))
	} else {
		e.save.SetText(i18n.T("tkui.cal.save"))
	}
}

// doSave sends the calendar off the UI goroutine; the controls wait
// meanwhile (a language switch keeps them waiting), so a double press
// sends it once. A calendar with problems is not sent. Once saved, the
// list comes back and says so; a refusal stays on the editor, the edits
// with it. An answer that comes after the user left the editor is not
// shown.
func (e *calendarEditor) doSave() {
	if e.st.busy {
		return
	}
	if !e.validate() {
		setShown(e.general, i18n.T("tkui.cal.err.problems"))
		return
	}
	setShown(e.general, "")
	base, cal := cloneCalendar(e.st.base), cloneCalendar(e.st.cal)
	e.setBusy(true)
	s := e.s
	go func() {
		err := s.svc.SaveCalendar(base, cal)
		s.a.do(func() {
			e := s.cal // the same editing, rebuilt after a language switch
			if s.closed || e == nil || !e.st.busy {
				return
			}
			e.setBusy(false)
			if err != nil {
				setShown(e.general, s.a.message(err))
				return
			}
			s.showList()
			s.a.info("tkui.cal.saved.title", i18n.T("tkui.cal.saved.body"))
		})
	}()
}
