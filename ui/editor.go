package ui

import (
	"errors"
	"fmt"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kense/form"
	"kense/i18n"
)

// probKey names one field: row 0 is the header, else the 1-based row.
type probKey struct {
	row   int
	field string
}

// headerFields are the header's Problem fields in screen order.
var headerFields = []string{"subunit", "date", "attachmentPages", "head.position", "head.fullName"}

// editor edits one draft. Every change is validated at once and handed to
// the autosaver; there is no Save button.
type editor struct {
	a     *App
	draft Draft

	// showAll shows every problem; otherwise only those of fields the user
	// has touched, so a new form does not open covered in red.
	showAll  bool
	touched  map[probKey]bool
	problems []Problem
	msgs     map[probKey]string
	// typed date or page count that did not parse: the form keeps the
	// text, the editor says why.
	dateBad, pagesBad bool

	binding                                 bool
	subunit, date, pages, headPos, headName *widget.Entry
	hdrErr                                  map[string]*widget.Label
	hdrEntry                                map[string]*widget.Entry
	status                                  *widget.Label
	summary                                 *widget.Label
	summaryIcon                             *widget.Icon
	showBtn                                 *widget.Button
	rowsErr                                 *widget.Label
	rowCount                                *widget.Label
	rows                                    *rowsTable
	content                                 fyne.CanvasObject
	statusText                              func() string

	// app is the draft's life as an application; a submitted one is
	// readOnly (submit.go).
	app      AppState
	readOnly bool
}

func newEditor(a *App, d Draft, showAll bool) *editor {
	e := &editor{a: a, draft: d, showAll: showAll, touched: map[probKey]bool{}}
	e.draft.Form = copyForm(d.Form)
	e.app = a.appState(d.ID)
	e.readOnly = e.app.Status != ""
	if !d.Updated.IsZero() {
		at := d.Updated
		e.statusText = func() string { return i18n.T("ui.status.saved", "time", showInAlmaty(at, "15:04:05")) }
	}
	e.rebuild()
	return e
}

func (e *editor) close() {
	if e.a.saver != nil {
		if err := e.a.saver.Flush(); err != nil {
			e.a.showError(err)
		}
	}
}

func (e *editor) title() fyne.CanvasObject {
	return widget.NewLabelWithStyle(i18n.T("ui.editor.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

// rebuild makes the widgets (again, after a language switch).
func (e *editor) rebuild() {
	e.hdrErr = map[string]*widget.Label{}
	e.hdrEntry = map[string]*widget.Entry{}
	f := &e.draft.Form
	e.subunit = e.headerEntry("subunit", f.Subunit, func(s string) { f.Subunit = s })
	e.date = e.headerEntry("date", showDate(f.Date), func(s string) {
		var ok bool
		f.Date, ok = readDate(s)
		e.dateBad = !ok
	})
	e.date.SetPlaceHolder(i18n.T("ui.date.placeholder"))
	_, dateOK := readDate(e.date.Text)
	e.dateBad = !dateOK
	e.pages = e.headerEntry("attachmentPages", strconv.Itoa(f.AttachmentPages), func(s string) {
		var ok bool
		f.AttachmentPages, ok = readCount(s)
		e.pagesBad = !ok
	})
	e.headPos = e.headerEntry("head.position", f.Head.Position, func(s string) { f.Head.Position = s })
	e.headName = e.headerEntry("head.fullName", f.Head.FullName, func(s string) { f.Head.FullName = s })

	today := widget.NewButton(i18n.T("ui.date.today"), func() {
		e.date.SetText(showInAlmaty(e.a.now(), showLayout))
	})
	today.Importance = widget.LowImportance

	header := container.NewVBox(
		container.NewBorder(nil, nil, nil,
			sized(e.cell("date", container.NewBorder(nil, nil, nil, today, e.date)), 260),
			e.cell("subunit", e.subunit)),
		container.NewBorder(nil, nil, nil,
			sized(e.cell("attachmentPages", e.pages), 260),
			container.NewGridWithColumns(2, e.cell("head.position", e.headPos), e.cell("head.fullName", e.headName))),
	)

	back := widget.NewButtonWithIcon(i18n.T("ui.editor.back"), theme.NavigateBackIcon(), func() { e.a.showDrafts() })
	e.status = widget.NewLabel("")
	exportBtn := widget.NewButtonWithIcon(i18n.T("ui.editor.export"), theme.DocumentSaveIcon(), func() {
		e.a.exportJSON(Draft{ID: e.draft.ID, Form: copyForm(e.draft.Form)})
	})
	printBtn := widget.NewButtonWithIcon(i18n.T("ui.editor.print"), theme.DocumentPrintIcon(), e.print)
	printBtn.Importance = widget.HighImportance
	tools := container.NewHBox(e.status)
	if c := e.shareCheck(); c != nil {
		tools.Add(c)
	}
	tools.Add(exportBtn)
	tools.Add(printBtn)
	if b := e.submitButton(); b != nil {
		tools.Add(b)
	}
	toolbar := container.NewBorder(nil, nil, back, tools)

	e.rows = newRowsTable(e)
	addBtn := widget.NewButtonWithIcon(i18n.T("ui.rows.add"), theme.ContentAddIcon(), e.addRow)
	e.rowCount = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	e.summaryIcon = widget.NewIcon(theme.WarningIcon())
	e.summary = widget.NewLabel("")
	e.showBtn = widget.NewButton(i18n.T("ui.problems.show"), e.showProblems)
	e.showBtn.Importance = widget.LowImportance
	e.rowsErr = widget.NewLabel("")
	e.rowsErr.Importance = widget.DangerImportance
	e.rowsErr.Hide()
	tableBar := container.NewHBox(e.rowCount, addBtn, e.rowsErr, layout.NewSpacer(), e.summaryIcon, e.summary, e.showBtn)

	top := container.NewVBox(toolbar, widget.NewSeparator(), header, widget.NewSeparator(), tableBar)
	if b := e.appBanner(); b != nil {
		top.Objects = append([]fyne.CanvasObject{toolbar, widget.NewSeparator(), b}, top.Objects[1:]...)
	}
	e.content = container.NewPadded(container.NewBorder(top, nil, nil, nil, e.rows.content()))
	if e.statusText != nil {
		e.status.SetText(e.statusText())
	}
	e.revalidate()
	e.applyReadOnly(addBtn, today)
}

// sized keeps o at least w wide.
func sized(o fyne.CanvasObject, w float32) fyne.CanvasObject {
	return container.NewStack(minWidth(w), o)
}

// headerEntry is a header field's entry; apply stores the text in the form.
func (e *editor) headerEntry(field, text string, apply func(string)) *widget.Entry {
	en := widget.NewEntry()
	en.AlwaysShowValidationError = true
	en.SetText(text)
	if field == "attachmentPages" && text == "0" {
		en.SetText("")
		en.SetPlaceHolder("0")
	}
	en.OnChanged = func(s string) {
		apply(s)
		e.touched[probKey{0, field}] = true
		e.changed()
	}
	e.hdrEntry[field] = en
	return en
}

// cell is a labelled header field with its message below.
func (e *editor) cell(field string, input fyne.CanvasObject) fyne.CanvasObject {
	l := widget.NewLabelWithStyle(i18n.T("ui.f."+field), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.SizeName = theme.SizeNameCaptionText
	msg := widget.NewLabel("")
	msg.Wrapping = fyne.TextWrapWord
	msg.Importance = widget.DangerImportance
	msg.SizeName = theme.SizeNameCaptionText
	msg.Hide()
	e.hdrErr[field] = msg
	return container.NewVBox(l, input, msg)
}

// editRow applies a user's change to row i (0-based).
func (e *editor) editRow(i int, field string, apply func(*form.Row)) {
	if e.readOnly || i < 0 || i >= len(e.draft.Form.Rows) {
		return
	}
	apply(&e.draft.Form.Rows[i])
	e.touched[probKey{i + 1, field}] = true
	e.changed()
}

func (e *editor) addRow() {
	e.draft.Form.Rows = append(e.draft.Form.Rows, form.Row{})
	e.changed()
	e.rows.list.ScrollToBottom()
}

func (e *editor) askRemoveRow(i int) {
	if i < 0 || i >= len(e.draft.Form.Rows) {
		return
	}
	r := e.draft.Form.Rows[i]
	if r.FullName == "" && r.IIN == "" && r.IP == "" && r.Position == "" && r.UserType == 0 && r.Operation == 0 {
		e.removeRow(i)
		return
	}
	msg := i18n.T("ui.rows.remove.ask", "n", i+1)
	d := dialog.NewCustomConfirm(i18n.T("ui.rows.remove"), i18n.T("ui.rows.remove"), i18n.T("ui.cancel"),
		widget.NewLabel(msg), func(ok bool) {
			if ok {
				e.removeRow(i)
			}
		}, e.a.win)
	d.Show()
}

// removeRow deletes row i; touched marks of later rows move up with them.
func (e *editor) removeRow(i int) {
	rows := e.draft.Form.Rows
	if i < 0 || i >= len(rows) {
		return
	}
	e.draft.Form.Rows = append(rows[:i:i], rows[i+1:]...)
	moved := map[probKey]bool{}
	for k, v := range e.touched {
		switch {
		case k.row == 0 || k.row < i+1:
			moved[k] = v
		case k.row > i+1:
			moved[probKey{k.row - 1, k.field}] = v
		}
	}
	e.touched = moved
	e.rows.heights = map[int]float32{}
	for j := range rows {
		e.rows.list.SetItemHeight(j, e.rows.base)
	}
	e.changed()
}

// changed runs after every edit: validate, show, autosave.
func (e *editor) changed() {
	if e.readOnly {
		return // submitted: nothing changes, nothing is saved
	}
	if e.a.svc.Activity != nil {
		e.a.svc.Activity()
	}
	e.revalidate()
	if e.a.saver != nil {
		e.a.saver.Changed(Draft{ID: e.draft.ID, Form: copyForm(e.draft.Form), Created: e.draft.Created})
		e.statusText = func() string { return i18n.T("ui.status.saving") }
		e.status.Importance = widget.MediumImportance
		e.status.SetText(e.statusText())
	}
}

// saved shows the autosaver's result.
func (e *editor) saved(d Draft, err error) {
	if err != nil {
		msg := err.Error()
		if e.a.svc.Message != nil {
			msg = e.a.svc.Message(err)
		}
		e.statusText = func() string { return i18n.T("ui.status.failed", "error", msg) }
		e.status.Importance = widget.DangerImportance
	} else {
		at := d.Updated
		if at.IsZero() {
			at = e.a.now()
		}
		e.draft.Updated = at
		e.statusText = func() string { return i18n.T("ui.status.saved", "time", showInAlmaty(at, "15:04:05")) }
		e.status.Importance = widget.MediumImportance
	}
	e.status.SetText(e.statusText())
}

// revalidate checks the whole form and shows the outcome.
func (e *editor) revalidate() {
	var ps []Problem
	if e.a.svc.Validate != nil {
		ps = e.a.svc.Validate(e.draft.Form)
	}
	// A date or count that did not parse gets the editor's own message
	// (it knows the DD.MM.YYYY the user sees; the form knows YYYY-MM-DD).
	own := map[string]string{}
	if e.dateBad {
		own["date"] = i18n.T("ui.err.date")
	}
	if e.pagesBad {
		own["attachmentPages"] = i18n.T("ui.err.pages")
	}
	kept := ps[:0:0]
	for _, p := range ps {
		if _, mine := own[p.Field]; mine && p.Row == 0 {
			continue
		}
		kept = append(kept, p)
	}
	for _, f := range headerFields {
		if m, ok := own[f]; ok {
			kept = append(kept, Problem{Row: 0, Field: f, Message: m})
		}
	}
	e.problems = kept
	e.msgs = map[probKey]string{}
	for _, p := range kept {
		k := probKey{p.Row, p.Field}
		if _, dup := e.msgs[k]; !dup {
			e.msgs[k] = p.Message
		}
	}
	e.showHeader()
	e.showSummary()
	e.rows.fit()
	e.rows.list.Refresh()
}

// shown is the message shown at a field, "" when none (or not yet shown).
func (e *editor) shown(row int, field string) string {
	k := probKey{row, field}
	if !e.showAll && !e.touched[k] {
		return ""
	}
	return e.msgs[k]
}

func (e *editor) showHeader() {
	for _, f := range headerFields {
		msg := e.shown(0, f)
		l := e.hdrErr[f]
		l.SetText(msg)
		if msg == "" {
			l.Hide()
			e.hdrEntry[f].SetValidationError(nil)
		} else {
			l.Show()
			e.hdrEntry[f].SetValidationError(errors.New(msg))
		}
	}
	if msg := e.msgs[probKey{0, "rows"}]; msg != "" {
		e.rowsErr.SetText(msg)
		e.rowsErr.Show()
	} else {
		e.rowsErr.Hide()
	}
}

func (e *editor) showSummary() {
	n := len(e.draft.Form.Rows)
	e.rowCount.SetText(i18n.T("ui.rows.count", "n", n))
	if len(e.problems) == 0 {
		e.summaryIcon.SetResource(theme.NewSuccessThemedResource(theme.ConfirmIcon()))
		e.summary.SetText(i18n.T("ui.problems.none"))
		e.summary.Importance = widget.SuccessImportance
		e.showBtn.Hide()
	} else {
		e.summaryIcon.SetResource(theme.NewWarningThemedResource(theme.WarningIcon()))
		e.summary.SetText(i18n.T("ui.problems.count", "n", len(e.problems)))
		e.summary.Importance = widget.WarningImportance
		e.showBtn.Show()
	}
	e.summary.Refresh()
}

// problemLines lists the problems as "Row 3 · IIN: message".
func (e *editor) problemLines() []string {
	out := make([]string, 0, len(e.problems))
	for _, p := range e.problems {
		where := i18n.T("ui.problems.header")
		if p.Row > 0 {
			where = i18n.T("ui.problems.row", "n", p.Row)
		}
		name := i18n.T("ui.f." + p.Field)
		out = append(out, fmt.Sprintf("%s · %s: %s", where, name, p.Message))
	}
	return out
}

// maxListed caps the problems a dialog lists: past it, "and N more".
const maxListed = 200

// problemList is a scrolling list of the problems, each wrapped in full.
func (e *editor) problemList() fyne.CanvasObject {
	lines := e.problemLines()
	box := container.NewVBox()
	for i, s := range lines {
		if i == maxListed {
			box.Add(widget.NewLabel(i18n.T("ui.more", "n", len(lines)-maxListed)))
			break
		}
		l := widget.NewLabel(s)
		l.Wrapping = fyne.TextWrapWord
		box.Add(l)
	}
	h := min(360, float32(len(lines))*56+8)
	return container.NewStack(minSize(fyne.NewSize(760, h)), container.NewVScroll(box))
}

// showProblems lists every problem and, from then on, marks them all.
func (e *editor) showProblems() {
	if !e.showAll {
		e.showAll = true
		e.revalidate()
	}
	d := dialog.NewCustom(i18n.T("ui.problems.title"), i18n.T("ui.close"), e.problemList(), e.a.win)
	d.Show()
}

// shareCheck is "share with my subunit" (signed in only). The owner sets
// it; the server refuses a change from anyone else, and the refusal shows
// as the draft's sync state.
func (e *editor) shareCheck() *widget.Check {
	sh := e.a.svc.Sharing
	if sh == nil {
		return nil
	}
	on, err := sh.Shared(e.draft.ID)
	if err != nil {
		e.a.showError(err)
		return nil
	}
	c := widget.NewCheck(i18n.T("share.check"), nil)
	c.SetChecked(on)
	c.OnChanged = func(v bool) {
		if err := sh.SetShared(e.draft.ID, v); err != nil {
			e.a.showError(err)
		}
	}
	if e.readOnly {
		c.Disable()
	}
	return c
}
