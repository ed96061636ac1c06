package ui

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kense/i18n"
	"kense/servicedesk"
)

// The ServiceDesk screens (issue 6): the list of the user's tickets (the
// queue, for Operator staff) sorted by working time left, the filing form
// (tickets_form.go) and a ticket's detail (tickets_detail.go). They are
// one screen of the App with three modes, reached from the top bar.

// ticketTimeLayout: tickets show the Operator's time, Asia/Almaty.
const ticketTimeLayout = "02.01.2006 15:04"

// ticketsTick is how often the list's working time left is recounted.
const ticketsTick = 30 * time.Second

// tkSep joins the parts of a line.
const tkSep = "  ·  "

type ticketsMode int

const (
	modeList ticketsMode = iota
	modeForm
	modeDetail
	modeCalendar
)

// ticketsScreen is the App's ServiceDesk screen.
type ticketsScreen struct {
	a       *App
	svc     TicketService
	mode    ticketsMode
	titleL  *widget.Label
	body    *fyne.Container
	content fyne.CanvasObject
	closed  bool
	stop    chan struct{}

	// the list
	list  *widget.List
	items []ticketRow
	empty *widget.Label
	state *widget.Label

	form   *ticketForm
	detail *ticketDetail
	// calBtn opens the Operator's working calendar: staff only.
	calBtn *widget.Button
	cal    *calendarEditor
}

// ticketRow is a list line: the entry and its clock at the last reload.
type ticketRow struct {
	e     TicketEntry
	clock servicedesk.Clock
	ok    bool // the clock runs (registered, known type and level)
}

// ticketsButton is the top bar's way to the tickets (signed-in users).
func (a *App) ticketsButton() []fyne.CanvasObject {
	if a.svc.Tickets == nil {
		return nil
	}
	return []fyne.CanvasObject{widget.NewButtonWithIcon(i18n.T("tkui.open"), theme.MailComposeIcon(), a.showTickets)}
}

// showTickets opens the tickets list (closing the editor or the drafts).
func (a *App) showTickets() {
	if a.svc.Tickets == nil {
		return
	}
	if a.tickets != nil {
		a.tickets.showList()
		return
	}
	if a.editor != nil {
		a.editor.close()
		a.editor = nil
	}
	if a.drafts != nil {
		a.drafts.close()
		a.drafts = nil
	}
	a.conflict = nil
	a.tickets = newTicketsScreen(a)
	a.win.SetContent(a.frame(a.tickets.titleL, a.tickets.content))
	a.tickets.showList()
}

// leaveTickets closes the tickets screen (another screen opens).
func (a *App) leaveTickets() {
	if a.tickets != nil {
		a.tickets.close()
		a.tickets = nil
	}
}

// TicketsChanged is told that a sync round ended: the confirmations of
// newly registered tickets are shown (rule 9), wherever the user is, and
// the ticket screen reloads.
func (a *App) TicketsChanged() {
	if a.svc.Tickets == nil {
		return
	}
	if rs := a.svc.Tickets.Receipts(); len(rs) > 0 {
		a.showReceipts(rs)
	}
	if a.tickets != nil {
		a.tickets.reload()
	}
}

func newTicketsScreen(a *App) *ticketsScreen {
	s := &ticketsScreen{a: a, svc: a.svc.Tickets, stop: make(chan struct{})}
	s.build()
	go s.tick()
	return s
}

// build makes the widgets (again, after a language switch).
func (s *ticketsScreen) build() {
	s.titleL = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	back := widget.NewButtonWithIcon(i18n.T("tkui.back"), theme.NavigateBackIcon(), s.a.showDrafts)
	all := widget.NewButtonWithIcon(i18n.T("tkui.list"), theme.ListIcon(), s.showList)
	newBtn := widget.NewButtonWithIcon(i18n.T("tkui.new"), theme.ContentAddIcon(), func() { s.showForm(nil) })
	newBtn.Importance = widget.HighImportance
	refresh := widget.NewButtonWithIcon(i18n.T("tkui.refresh"), theme.ViewRefreshIcon(), func() {
		s.svc.Refresh()
		s.reload()
	})
	help := widget.NewButtonWithIcon(i18n.T("tkui.help"), theme.HelpIcon(), s.showHelp)
	s.calBtn = widget.NewButtonWithIcon(i18n.T("tkui.cal.open"), theme.CalendarIcon(), func() { s.showCalendar(nil) })
	s.showCalButton()
	tools := container.NewHBox(back, all, refresh, help, s.calBtn, newBtn)

	s.list = widget.NewList(func() int { return len(s.items) }, newTwoLineItem, s.updateItem)
	s.list.OnSelected = func(id widget.ListItemID) {
		s.list.UnselectAll()
		if id < len(s.items) {
			s.showDetail(s.items[id].e.Ticket.ID)
		}
	}
	s.empty = widget.NewLabel("")
	s.empty.Alignment = fyne.TextAlignCenter
	s.state = widget.NewLabel("")
	s.state.Wrapping = fyne.TextWrapWord

	// The reference contacts (rule 5) stay in sight on every ticket screen.
	contacts := widget.NewLabel(i18n.T("tk.help.contacts"))
	contacts.Wrapping = fyne.TextWrapWord
	s.body = container.NewStack()
	s.content = container.NewPadded(container.NewBorder(
		container.NewVBox(container.NewBorder(nil, nil, nil, tools), s.state),
		container.NewVBox(widget.NewSeparator(), contacts), nil, nil, s.body))
}

func (s *ticketsScreen) close() {
	if !s.closed {
		s.closed = true
		close(s.stop)
	}
}

// tick recounts the time left while the list is open.
func (s *ticketsScreen) tick() {
	t := time.NewTicker(ticketsTick)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			s.a.do(func() {
				if !s.closed && s.mode == modeList {
					s.reloadList(true)
				}
			})
		}
	}
}

func (s *ticketsScreen) setBody(o fyne.CanvasObject) {
	s.body.Objects = []fyne.CanvasObject{o}
	s.body.Refresh()
}

func (s *ticketsScreen) staff() bool { return len(s.svc.Roles()) > 0 }

// showCalButton shows the calendar's button to the Operator's staff only;
// the roles may change with a sync.
func (s *ticketsScreen) showCalButton() {
	if s.staff() {
		s.calBtn.Show()
	} else {
		s.calBtn.Hide()
	}
}

func (s *ticketsScreen) showList() {
	s.mode, s.form, s.detail, s.cal = modeList, nil, nil, nil
	if s.staff() {
		s.titleL.SetText(i18n.T("tkui.title.queue"))
	} else {
		s.titleL.SetText(i18n.T("tkui.title.list"))
	}
	s.setBody(container.NewStack(s.list, container.NewCenter(s.empty)))
	s.reload()
}

func (s *ticketsScreen) showForm(prefill *ticketFormState) {
	s.mode, s.detail, s.cal = modeForm, nil, nil
	s.titleL.SetText(i18n.T("tkui.title.new"))
	s.form = newTicketForm(s, prefill)
	s.setBody(s.form.content)
}

func (s *ticketsScreen) showDetail(id string) {
	s.mode, s.form, s.cal = modeDetail, nil, nil
	s.titleL.SetText(i18n.T("tkui.title.detail"))
	s.detail = newTicketDetail(s, id)
	s.setBody(s.detail.content)
	s.detail.reload()
}

// showCalendar opens the Operator's working calendar (staff only: anyone
// else, or an account whose lines a sync took away, gets the list): the
// cached one, or prev as it was being edited.
func (s *ticketsScreen) showCalendar(prev *calendarState) {
	if !s.staff() {
		s.showList()
		return
	}
	s.mode, s.form, s.detail = modeCalendar, nil, nil
	s.titleL.SetText(i18n.T("tkui.title.calendar"))
	s.cal = newCalendarEditor(s, prev)
	s.setBody(s.cal.content)
}

// rebuild redraws the screen in the current language, in the same mode
// (the form keeps what was typed).
func (s *ticketsScreen) rebuild() {
	mode := s.mode
	var st *ticketFormState
	if s.form != nil {
		x := s.form.state()
		st = &x
	}
	id := ""
	if s.detail != nil {
		id = s.detail.id
	}
	var cal *calendarState
	if s.cal != nil {
		x := s.cal.state()
		cal = &x
	}
	s.build()
	switch mode {
	case modeForm:
		s.showForm(st)
	case modeDetail:
		s.showDetail(id)
	case modeCalendar:
		s.showCalendar(cal)
	default:
		s.showList()
	}
}

// reload reads the tickets again and redraws the current mode.
func (s *ticketsScreen) reload() {
	s.showState()
	switch s.mode {
	case modeDetail:
		if s.detail != nil && !s.detail.busy {
			s.detail.reload()
		}
		return
	case modeForm, modeCalendar:
		return
	}
	s.reloadList(false)
}

// reloadList reads the list again; quiet (the clock's ticker) keeps an
// error to itself: while the app is locked the cache refuses, and nobody
// asked.
func (s *ticketsScreen) reloadList(quiet bool) {
	es, err := s.svc.List()
	if err != nil {
		if !quiet {
			s.a.showError(err)
		}
		if es == nil {
			return
		}
	}
	s.items = sortTickets(es, s.svc.Calendar(), s.a.now())
	s.list.Refresh()
	if len(s.items) == 0 {
		s.empty.SetText(i18n.T("tkui.empty"))
		s.empty.Show()
	} else {
		s.empty.SetText("")
		s.empty.Hide()
	}
}

// showState is the line under the tools: the last ticket sync, the lines.
func (s *ticketsScreen) showState() {
	s.showCalButton()
	at, err := s.svc.SyncState()
	var parts []string
	switch {
	case err != nil:
		parts = append(parts, i18n.T("tkui.syncfailed", "error", s.a.message(err)))
	case at.IsZero():
		parts = append(parts, i18n.T("tkui.notsynced"))
	default:
		parts = append(parts, i18n.T("tkui.synced", "time", at.In(servicedesk.Location).Format(ticketTimeLayout)))
	}
	if roles := s.svc.Roles(); len(roles) > 0 {
		lines := make([]string, len(roles))
		for i, r := range roles {
			lines[i] = tkLine(tkRoleLine(r))
		}
		parts = append(parts, i18n.T("tkui.staff.roles", "lines", strings.Join(lines, ", ")))
	}
	s.state.SetText(strings.Join(parts, tkSep))
	s.state.Importance = widget.MediumImportance
	if err != nil {
		s.state.Importance = widget.WarningImportance
	}
	s.state.Refresh()
}

// sortTickets orders the list by working time left, least first
// (servicedesk.SortByTimeLeft); tickets without a clock — waiting to be
// sent, refused — come last, the oldest filed first.
func sortTickets(es []TicketEntry, cal servicedesk.Calendar, now time.Time) []ticketRow {
	sort.SliceStable(es, func(i, j int) bool { return es[i].Filed.Before(es[j].Filed) })
	ts := make([]*servicedesk.Ticket, len(es))
	at := map[*servicedesk.Ticket]int{}
	for i := range es {
		ts[i] = &es[i].Ticket
		at[ts[i]] = i
	}
	servicedesk.SortByTimeLeft(cal, ts, now)
	rows := make([]ticketRow, 0, len(ts))
	for _, t := range ts {
		e := es[at[t]]
		r := ticketRow{e: e}
		if e.State == TicketRegistered {
			if c, err := e.Ticket.Clock(cal, now); err == nil {
				r.clock, r.ok = c, true
			}
		}
		rows = append(rows, r)
	}
	return rows
}

func (s *ticketsScreen) updateItem(id widget.ListItemID, o fyne.CanvasObject) {
	if id >= len(s.items) {
		return
	}
	box := o.(*fyne.Container)
	head, clock := box.Objects[0].(*widget.Label), box.Objects[1].(*widget.Label)
	r := s.items[id]
	head.SetText(ticketHead(r.e, s.staff()))
	text, imp := ticketClockLine(r)
	clock.SetText(text)
	clock.Importance = imp
	clock.Refresh()
}

// ticketHead: number (or "waiting to be sent"), type, level, status.
func ticketHead(e TicketEntry, staff bool) string {
	t := e.Ticket
	parts := []string{numberText(e), tkTypeOption(t.Type), tkLevel(t.Level)}
	switch e.State {
	case TicketRegistered:
		parts = append(parts, i18n.T(t.Status.Key()))
		if staff && t.Line > 0 {
			parts = append(parts, tkLine(t.Line))
		}
	case TicketRefused:
		parts = append(parts, i18n.T("tk.state.refused", "reason", e.Refusal))
	}
	if b := strings.TrimSpace(t.Brief); b != "" {
		parts = append(parts, b)
	}
	return strings.Join(parts, tkSep)
}

// ticketClockLine is the deadline in Asia/Almaty time, the working time
// left and the light; amber and red as servicedesk.LightFor says.
func ticketClockLine(r ticketRow) (string, widget.Importance) {
	switch {
	case r.e.State == TicketOutbox:
		return i18n.T("tkui.outbox.note", "time", tkTime(r.e.Filed)), widget.MediumImportance
	case r.e.State == TicketRefused:
		return i18n.T("tkui.refused.note"), widget.DangerImportance
	case !r.ok:
		return "", widget.MediumImportance
	}
	c := r.clock
	parts := []string{i18n.T("tkui.deadline", "time", tkTime(c.Deadline)), tkLeft(c.Remaining), i18n.T(c.Light.Key())}
	if c.Paused {
		parts = append(parts, i18n.T("tkui.paused"))
	}
	return strings.Join(parts, tkSep), lightImportance(c.Light)
}

func lightImportance(l servicedesk.Light) widget.Importance {
	switch l {
	case servicedesk.LightRed:
		return widget.DangerImportance
	case servicedesk.LightAmber:
		return widget.WarningImportance
	}
	return widget.MediumImportance
}

func numberText(e TicketEntry) string {
	if e.Ticket.Number == "" {
		return i18n.T("tk.state.outbox")
	}
	return i18n.T("tkui.number", "number", e.Ticket.Number)
}

func tkTypeOption(t servicedesk.RequestType) string {
	return fmt.Sprintf("%d — %s", int(t), i18n.T(servicedesk.TypeKey(t)))
}

func tkLevel(l servicedesk.Level) string {
	if !l.Valid() {
		return string(l)
	}
	return i18n.T(servicedesk.LevelKey(l))
}

func tkLine(n int) string { return i18n.T("sd.line", "n", n) }

// roleLine is the line number of a staff role ("line2" → 2).
func tkRoleLine(r string) int {
	var n int
	if _, err := fmt.Sscanf(r, "line%d", &n); err != nil {
		return 0
	}
	return n
}

func tkTime(t time.Time) string { return t.In(servicedesk.Location).Format(ticketTimeLayout) }

// leftText is the working time left, or how long overdue.
func tkLeft(d time.Duration) string {
	m := int64(d / time.Minute)
	if m < 0 {
		return i18n.T("tkui.overdue", "h", -m/60, "m", -m%60)
	}
	return i18n.T("tkui.left", "h", m/60, "m", m%60)
}

// showHelp: the reference contacts, the Operator's hours and rule 10's
// levels of importance.
func (s *ticketsScreen) showHelp() {
	parts := []string{i18n.T("tk.help.contacts"), i18n.T("sd.hours")}
	for _, l := range servicedesk.Levels {
		parts = append(parts, i18n.T("tkui.field", "field", i18n.T(servicedesk.LevelKey(l)), "value", i18n.T(servicedesk.LevelHelpKey(l))))
	}
	text := widget.NewLabel(strings.Join(parts, "\n\n"))
	text.Wrapping = fyne.TextWrapWord
	scroll := container.NewVScroll(text)
	scroll.SetMinSize(fyne.NewSize(640, 420))
	dialog.NewCustom(i18n.T("tkui.help.title"), i18n.T("tkui.close"), scroll, s.a.win).Show()
}

// showReceipts is the confirmation of registration (rule 9): number,
// registration time, importance level, deadline.
func (a *App) showReceipts(rs []TicketReceipt) {
	parts := make([]string, 0, len(rs))
	for _, r := range rs {
		p := i18n.T("tkui.confirm.body", "number", r.Number, "at", tkTime(r.RegisteredAt),
			"level", tkLevel(r.Level), "line", tkLine(r.Line), "deadline", tkTime(r.Deadline))
		if r.FirstResponseMax > 0 {
			p += " " + i18n.T("tkui.confirm.analysis", "min", int(r.FirstResponseMin/time.Minute), "max", int(r.FirstResponseMax/time.Minute))
		}
		parts = append(parts, p)
	}
	text := widget.NewLabel(strings.Join(parts, "\n\n"))
	text.Wrapping = fyne.TextWrapWord
	box := container.NewStack(minWidth(520), text)
	if a.filedNote != nil {
		a.filedNote.Hide()
		a.filedNote = nil
	}
	dialog.NewCustom(i18n.T("tk.confirm.title"), i18n.T("tkui.close"), box, a.win).Show()
}
