package ui

import (
	"errors"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kense/i18n"
	"kense/servicedesk"
)

// ticketDetail is one ticket: what was filed, the clock (deadline, time
// left, the first-response target, the pause), the status history and the
// comments; and what the user may do: the initiator answers when the
// ticket waits for them and comments; Operator staff on the ticket's line
// take it, change its status, escalate it and comment.
type ticketDetail struct {
	s       *ticketsScreen
	id      string
	busy    bool // an action is on its way to the server
	box     *fyne.Container
	content fyne.CanvasObject
	// text is the comment, answer or note; it survives reloads.
	text      *widget.Entry
	statusSel *widget.Select
	statuses  []servicedesk.Status
	buttons   []*widget.Button
	problem   *widget.Label
	// opening is the SHA-256 of the supporting file being fetched ("":
	// none); fileBtns are the files' Open buttons, by SHA-256.
	opening  string
	fileBtns map[string]*widget.Button
}

func newTicketDetail(s *ticketsScreen, id string) *ticketDetail {
	d := &ticketDetail{s: s, id: id}
	d.box = container.NewVBox()
	d.content = container.NewVScroll(container.NewPadded(d.box))
	d.text = widget.NewMultiLineEntry()
	d.text.Wrapping = fyne.TextWrapWord
	d.text.SetMinRowsVisible(3)
	d.text.SetPlaceHolder(i18n.T("tkui.text.placeholder"))
	d.text.OnChanged = func(string) {
		if s.a.svc.Activity != nil {
			s.a.svc.Activity()
		}
	}
	d.problem = widget.NewLabel("")
	d.problem.Importance = widget.DangerImportance
	d.problem.Wrapping = fyne.TextWrapWord
	d.problem.Hide()
	return d
}

func tkWrapped(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

func tkHeading(key string) *widget.Label {
	return widget.NewLabelWithStyle(i18n.T(key), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

func tkField(key, value string) *widget.Label {
	return tkWrapped(i18n.T("tkui.field", "field", i18n.T(key), "value", value))
}

// reload reads the ticket again and redraws it.
func (d *ticketDetail) reload() {
	es, err := d.s.svc.List()
	if err != nil {
		d.s.a.showError(err)
	}
	var e *TicketEntry
	for i := range es {
		if es[i].Ticket.ID == d.id {
			e = &es[i]
		}
	}
	d.box.RemoveAll()
	d.buttons = nil
	if e == nil {
		d.box.Add(tkWrapped(i18n.T("tkui.detail.gone")))
		return
	}
	staff := d.s.staff()
	t := e.Ticket
	d.box.Add(widget.NewLabelWithStyle(ticketHead(*e, staff), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	row := ticketRow{e: *e}
	if e.State == TicketRegistered {
		if c, err := t.Clock(d.s.svc.Calendar(), d.s.a.now()); err == nil {
			row.clock, row.ok = c, true
		}
	}
	text, imp := ticketClockLine(row)
	clock := tkWrapped(text)
	clock.Importance = imp
	d.box.Add(clock)

	switch e.State {
	case TicketOutbox:
		d.box.Add(tkWrapped(i18n.T("tkui.outbox.detail")))
	case TicketRefused:
		l := tkWrapped(i18n.T("tk.state.refused", "reason", e.Refusal))
		l.Importance = widget.DangerImportance
		d.box.Add(l)
	case TicketRegistered:
		d.box.Add(tkField("sd.field.openedAt", tkTime(t.OpenedAt)))
		d.box.Add(tkField("sd.field.line", tkLine(t.Line)))
		if row.ok {
			if !row.clock.AnalysisDue.IsZero() {
				d.box.Add(tkWrapped(i18n.T("tkui.detail.analysisDue", "time", tkTime(row.clock.AnalysisDue))))
			}
			if row.clock.Paused {
				d.box.Add(tkWrapped(i18n.T("tkui.detail.paused", "status", i18n.T(t.Status.Key()))))
			} else {
				d.box.Add(tkWrapped(i18n.T("tkui.detail.running")))
			}
		}
	}

	d.box.Add(widget.NewSeparator())
	d.box.Add(tkField("sd.field.brief", t.Brief))
	d.box.Add(tkField("sd.field.nature", t.Nature))
	if !t.IncidentAt.IsZero() {
		d.box.Add(tkField("sd.field.incidentAt", tkTime(t.IncidentAt)))
	}
	if t.PropertyID != "" {
		d.box.Add(tkField("sd.field.propertyId", t.PropertyID))
	}
	if t.ReferenceCode != "" {
		d.box.Add(tkField("sd.field.referenceCode", t.ReferenceCode))
	}
	contact := []string{t.Contact.Name}
	for _, c := range []string{t.Contact.Phone, t.Contact.Email} {
		if c != "" {
			contact = append(contact, c)
		}
	}
	d.box.Add(tkField("sd.field.contact", strings.Join(contact, tkSep)))
	d.files(t.Attachments)

	if len(t.History) > 0 {
		d.box.Add(widget.NewSeparator())
		d.box.Add(tkHeading("tkui.detail.history"))
		for _, c := range t.History {
			line := i18n.T("tkui.history.item", "time", tkTime(c.At), "status", i18n.T(c.Status.Key()), "line", tkLine(c.Line))
			if c.Actor != "" {
				line += tkSep + c.Actor
			}
			if c.Note != "" {
				line += tkSep + c.Note
			}
			d.box.Add(tkWrapped(line))
		}
	}
	if e.State == TicketRegistered {
		d.box.Add(widget.NewSeparator())
		d.box.Add(tkHeading("sd.field.comments"))
		if len(t.Comments) == 0 {
			d.box.Add(tkWrapped(i18n.T("tkui.detail.noComments")))
		}
		for _, c := range t.Comments {
			d.box.Add(tkWrapped(i18n.T("tkui.comment.item", "time", tkTime(c.At), "author", c.Author, "text", c.Text)))
		}
		d.actions(*e, staff)
	}
}

// actions are the buttons the user may press on a registered ticket.
func (d *ticketDetail) actions(e TicketEntry, staff bool) {
	t := e.Ticket
	if t.Status == servicedesk.StatusClosed {
		return
	}
	onLine := slices.ContainsFunc(d.s.svc.Roles(), func(r string) bool { return tkRoleLine(r) == t.Line })
	waiting := e.Own && t.Status == servicedesk.StatusWaiting
	var btns, staffRow []fyne.CanvasObject
	mk := func(text string, icon fyne.Resource, high bool, fn func()) *widget.Button {
		b := widget.NewButtonWithIcon(text, icon, fn)
		if high {
			b.Importance = widget.HighImportance
		}
		d.buttons = append(d.buttons, b)
		return b
	}
	if waiting {
		btns = append(btns, mk(i18n.T("tkui.do.answer"), theme.MailReplyIcon(), true, func() {
			d.act(TicketPatch{Action: TicketAnswer, Text: d.text.Text})
		}))
	}
	if e.Own || staff {
		btns = append(btns, mk(i18n.T("tkui.do.comment"), theme.DocumentCreateIcon(), !waiting && !onLine, func() {
			d.act(TicketPatch{Action: TicketComment, Text: d.text.Text})
		}))
	}
	if onLine {
		if t.Status == servicedesk.StatusRegistered {
			staffRow = append(staffRow, mk(i18n.T("tkui.do.take"), theme.ConfirmIcon(), true, func() {
				d.act(TicketPatch{Action: TicketTake, Text: d.text.Text})
			}))
		}
		d.statuses = nil
		var opts []string
		for _, s := range servicedesk.Statuses {
			if servicedesk.CanMove(t.Status, s) {
				d.statuses = append(d.statuses, s)
				opts = append(opts, i18n.T(s.Key()))
			}
		}
		if len(opts) > 0 {
			picked := ""
			if d.statusSel != nil {
				picked = d.statusSel.Selected // a reload keeps the choice
			}
			d.statusSel = widget.NewSelect(opts, nil)
			if slices.Contains(opts, picked) {
				d.statusSel.SetSelected(picked)
			}
			d.statusSel.PlaceHolder = i18n.T("tkui.status.pick")
			staffRow = append(staffRow, d.statusSel, mk(i18n.T("tkui.do.status"), theme.MediaSkipNextIcon(), false, d.changeStatus))
		}
		if t.Line < servicedesk.MaxLine && t.Status != servicedesk.StatusResolved {
			staffRow = append(staffRow, mk(i18n.T("tkui.do.escalate", "line", t.Line+1), theme.MoveUpIcon(), false, func() {
				d.act(TicketPatch{Action: TicketEscalate, Text: d.text.Text})
			}))
		}
	}
	if len(d.buttons) == 0 {
		return
	}
	d.box.Add(widget.NewSeparator())
	if waiting {
		hint := tkWrapped(i18n.T("tkui.answer.hint"))
		hint.Importance = widget.WarningImportance
		d.box.Add(hint)
	}
	d.box.Add(d.text)
	d.box.Add(d.problem)
	if len(btns) > 0 {
		d.box.Add(container.NewHBox(btns...))
	}
	if len(staffRow) > 0 {
		d.box.Add(tkHeading("tkui.staff.actions"))
		d.box.Add(container.NewHBox(staffRow...))
	}
	if d.busy {
		for _, b := range d.buttons {
			b.Disable()
		}
	}
}

func (d *ticketDetail) changeStatus() {
	i := d.statusSel.SelectedIndex()
	if i < 0 || i >= len(d.statuses) {
		d.say(i18n.T("tkui.err.pickStatus"))
		return
	}
	d.act(TicketPatch{Action: TicketStatus, Status: d.statuses[i], Text: d.text.Text})
}

func (d *ticketDetail) say(msg string) {
	d.problem.SetText(msg)
	if msg == "" {
		d.problem.Hide()
	} else {
		d.problem.Show()
	}
}

// act sends one action to the server off the UI goroutine; the buttons
// wait meanwhile, so a double press sends it once.
func (d *ticketDetail) act(p TicketPatch) {
	if d.busy {
		return
	}
	p.Text = strings.TrimSpace(p.Text)
	if p.Action == TicketComment && p.Text == "" {
		d.say(i18n.T("tkui.err.emptyText"))
		return
	}
	d.say("")
	d.busy = true
	for _, b := range d.buttons {
		b.Disable()
	}
	go func() {
		_, err := d.s.svc.Patch(d.id, p)
		d.s.a.do(func() {
			d.busy = false
			if d.s.closed || d.s.detail != d {
				return
			}
			if err != nil {
				d.say(d.s.a.message(err))
			} else {
				d.text.SetText("")
			}
			d.reload()
		})
	}()
}

// files lists the supporting files, each with its size and a button that
// opens it.
func (d *ticketDetail) files(as []servicedesk.Attachment) {
	d.fileBtns = map[string]*widget.Button{}
	if len(as) == 0 {
		return
	}
	d.box.Add(tkHeading("sd.field.attachments"))
	for _, a := range as {
		b := widget.NewButtonWithIcon("", theme.FileIcon(), func() { d.openFile(a) })
		d.fileBtns[a.SHA256] = b
		d.fileButton(a.SHA256, b)
		d.box.Add(container.NewBorder(nil, nil, nil, b, tkWrapped(tkFileItem(a))))
	}
}

// tkFileItem is a supporting file's name and size, as the form lists it.
func tkFileItem(a servicedesk.Attachment) string {
	return i18n.T("tkui.attach.item", "name", a.Name, "size", (a.Size+1023)/1024)
}

// fileButton shows whether a file is being fetched: its button says so,
// and no other file starts meanwhile.
func (d *ticketDetail) fileButton(sha string, b *widget.Button) {
	if sha != "" && sha == d.opening {
		b.SetText(i18n.T("tkui.file.opening"))
	} else {
		b.SetText(i18n.T("tkui.file.open"))
	}
	if d.opening != "" {
		b.Disable()
	} else {
		b.Enable()
	}
}

func (d *ticketDetail) setOpening(sha string) {
	d.opening = sha
	for s, b := range d.fileBtns {
		d.fileButton(s, b)
	}
}

// openFile fetches a supporting file off the UI goroutine (it may come
// from the server) and opens it in the system's viewer. A file that comes
// back after the tickets screen closed (sign-out, exit, another screen)
// is not shown.
func (d *ticketDetail) openFile(at servicedesk.Attachment) {
	if d.opening != "" {
		return
	}
	d.setOpening(at.SHA256)
	a := d.s.a
	go func() {
		b, err := d.s.svc.FileData(d.id, at)
		a.do(func() {
			d.setOpening("")
			if d.s.closed {
				return
			}
			if err == nil {
				err = a.openAttachment(b, at)
			}
			if err != nil {
				a.showError(err)
			}
		})
	}()
}

// openAttachment opens a supporting file as what its bytes are: the
// extension comes from sniffing them, never from the name the initiator
// gave it ("x.exe" must not run), and bytes that are not the type the
// ticket lists, or none of the four, are not handed to the system at all.
func (a *App) openAttachment(b []byte, at servicedesk.Attachment) error {
	ct := servicedesk.SniffAttachment(b)
	ext, ok := viewerExt(ct)
	if !ok || ct != at.ContentType {
		return errors.New(i18n.T("tkui.err.fileMismatch", "name", at.Name))
	}
	return a.openTemp(b, "kense-attachment-*"+ext, "tkui.err.noviewer")
}
