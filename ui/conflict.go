package ui

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kense/form"
	"kense/i18n"
)

// The conflict screen: a draft changed here and on another workstation
// since they last agreed. Both versions side by side, field by field: the
// fields that differ first, each with a choice; the fields both sides agree
// on folded away below. The user keeps theirs, takes the server's, or
// combines the chosen fields; nothing is sent until they choose.

// conflictDiff is one field of the comparison. Key is the ConflictService
// Merge key; Row is 0 for the header, else the 1-based row.
type conflictDiff struct {
	Key          string
	Row          int
	Field        string
	Mine, Theirs string
}

// conflictDiffs compares both versions: the fields that differ and those
// that are the same, in form order. A row both sides have is compared
// field by field; a row only one side has is one whole-row difference.
func conflictDiffs(c Conflict) (differ, same []conflictDiff) {
	add := func(d conflictDiff) {
		if d.Mine == d.Theirs {
			same = append(same, d)
		} else {
			differ = append(differ, d)
		}
	}
	m, t := c.Mine, c.Theirs
	for _, f := range headerFields {
		add(conflictDiff{Key: f, Field: f, Mine: headerValue(m, f), Theirs: headerValue(t, f)})
	}
	add(conflictDiff{Key: "shared", Field: "shared", Mine: yesNo(c.MineShared), Theirs: yesNo(c.TheirsShared)})
	for i := range max(len(m.Rows), len(t.Rows)) {
		if i >= len(m.Rows) || i >= len(t.Rows) {
			d := conflictDiff{Key: fmt.Sprintf("rows[%d]", i), Row: i + 1, Field: "row",
				Mine: i18n.T("submit.conflict.no_row"), Theirs: i18n.T("submit.conflict.no_row")}
			if i < len(m.Rows) {
				d.Mine = rowSummary(m.Rows[i])
			} else {
				d.Theirs = rowSummary(t.Rows[i])
			}
			differ = append(differ, d)
			continue
		}
		for _, f := range rowFields {
			add(conflictDiff{Key: fmt.Sprintf("rows[%d].%s", i, f), Row: i + 1, Field: f,
				Mine: rowValue(m.Rows[i], f), Theirs: rowValue(t.Rows[i], f)})
		}
	}
	return differ, same
}

func headerValue(f form.Form, field string) string {
	var s string
	switch field {
	case "subunit":
		s = f.Subunit
	case "date":
		s = showDate(f.Date)
	case "attachmentPages":
		s = strconv.Itoa(f.AttachmentPages)
	case "head.position":
		s = f.Head.Position
	case "head.fullName":
		s = f.Head.FullName
	}
	return orEmpty(s)
}

func rowValue(r form.Row, field string) string {
	var s string
	switch field {
	case "fullName":
		s = r.FullName
	case "iin":
		s = r.IIN
	case "ip":
		s = r.IP
	case "position":
		s = r.Position
	case "userType":
		if r.UserType != 0 {
			s = userTypeOption(r.UserType)
		}
	case "operation":
		if r.Operation != 0 {
			s = operationOption(r.Operation)
		}
	case "accessLevels":
		s = strings.Join(r.AccessLevels, ", ")
	case "orderFile":
		if r.OrderFile != "" {
			s = filepath.Base(r.OrderFile)
		}
	}
	return orEmpty(s)
}

// rowSummary is a whole row on one line.
func rowSummary(r form.Row) string {
	var parts []string
	for _, f := range rowFields {
		if v := rowValue(r, f); v != i18n.T("submit.conflict.empty") {
			parts = append(parts, v)
		}
	}
	return orEmpty(strings.Join(parts, " · "))
}

func orEmpty(s string) string {
	if strings.TrimSpace(s) == "" {
		return i18n.T("submit.conflict.empty")
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return i18n.T("submit.yes")
	}
	return i18n.T("submit.no")
}

// fieldName is a compared field as the user reads it.
func fieldName(d conflictDiff) string {
	switch {
	case d.Field == "row":
		return i18n.T("sync.field.row", "n", d.Row)
	case d.Row > 0:
		return i18n.T("ui.f." + d.Field)
	case d.Field == "shared":
		return i18n.T("sync.field.shared")
	}
	return i18n.T("sync.field." + d.Field)
}

// conflictView is the conflict screen of one draft.
type conflictView struct {
	a       *App
	c       Conflict
	differ  []conflictDiff
	same    []conflictDiff
	radios  map[string]*widget.RadioGroup
	picked  map[string]bool // Merge key → theirs; kept across a rebuild
	merge   *widget.Button
	content fyne.CanvasObject
}

// openConflict shows the conflict screen of draft id.
func (a *App) openConflict(c Conflict) {
	if a.drafts != nil {
		a.drafts.close()
		a.drafts = nil
	}
	if a.editor != nil {
		a.editor.close()
		a.editor = nil
	}
	a.leaveTickets()
	a.conflict = newConflictView(a, c)
	a.win.SetContent(a.frame(a.conflict.title(), a.conflict.content))
}

func newConflictView(a *App, c Conflict) *conflictView {
	v := &conflictView{a: a, c: c}
	v.rebuild()
	return v
}

func (v *conflictView) title() fyne.CanvasObject {
	return widget.NewLabelWithStyle(i18n.T("submit.conflict.screen"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

// choiceMine and choiceTheirs are the radio options, in the current
// language.
func choiceMine() string   { return i18n.T("submit.conflict.use_mine") }
func choiceTheirs() string { return i18n.T("submit.conflict.use_theirs") }

// rebuild makes the widgets (again, after a language switch), keeping the
// choices made.
func (v *conflictView) rebuild() {
	if v.picked == nil {
		v.picked = map[string]bool{}
	}
	v.differ, v.same = conflictDiffs(v.c)
	v.radios = map[string]*widget.RadioGroup{}

	back := widget.NewButtonWithIcon(i18n.T("ui.editor.back"), theme.NavigateBackIcon(), func() { v.a.showDrafts() })
	head := widget.NewLabelWithStyle(i18n.T("sync.conflict.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	head.Wrapping = fyne.TextWrapWord
	explain := widget.NewLabel(i18n.T("sync.conflict.explain"))
	explain.Wrapping = fyne.TextWrapWord

	when := showInAlmaty(v.c.TheirsAt, "02.01.2006 15:04")
	theirsKey := "sync.conflict.theirs"
	if v.c.TheirsDeleted {
		theirsKey = "sync.conflict.theirs_deleted"
	}
	mineHead := i18n.T("sync.conflict.mine")
	if v.c.MineDeleted {
		mineHead = i18n.T("submit.conflict.mine_deleted")
	}
	cols := func(a, b, c, d fyne.CanvasObject) fyne.CanvasObject {
		return container.NewGridWithColumns(4, a, b, c, d)
	}
	bold := func(s string) *widget.Label {
		l := widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		l.Wrapping = fyne.TextWrapWord
		return l
	}
	wrap := func(s string) *widget.Label {
		l := widget.NewLabel(s)
		l.Wrapping = fyne.TextWrapWord
		return l
	}
	table := container.NewVBox(cols(bold(i18n.T("submit.conflict.field")), bold(mineHead),
		bold(i18n.T(theirsKey, "who", v.c.TheirsBy, "time", when)), bold(i18n.T("submit.conflict.choice"))),
		widget.NewSeparator())
	canMerge := !v.c.MineDeleted && !v.c.TheirsDeleted
	lastRow := -1
	for _, d := range v.differ {
		if d.Row > 0 && d.Row != lastRow && d.Field != "row" {
			table.Add(bold(i18n.T("sync.field.row", "n", d.Row)))
		}
		lastRow = d.Row
		name := bold(fieldName(d))
		mine := wrap(d.Mine)
		theirs := wrap(d.Theirs)
		mine.Importance, theirs.Importance = widget.WarningImportance, widget.WarningImportance
		var pick fyne.CanvasObject = widget.NewLabel("")
		if canMerge {
			key := d.Key
			r := widget.NewRadioGroup([]string{choiceMine(), choiceTheirs()}, func(s string) {
				switch s {
				case choiceMine():
					v.picked[key] = false
				case choiceTheirs():
					v.picked[key] = true
				default:
					delete(v.picked, key)
				}
				v.refresh()
			})
			r.Horizontal = true
			if t, ok := v.picked[d.Key]; ok {
				if t {
					r.Selected = choiceTheirs()
				} else {
					r.Selected = choiceMine()
				}
			}
			v.radios[d.Key] = r
			pick = r
		}
		table.Add(cols(name, mine, theirs, pick))
	}
	if len(v.differ) == 0 {
		table.Add(wrap(i18n.T("submit.conflict.nodiff")))
	}
	body := container.NewVBox(table)
	if len(v.same) > 0 {
		sameBox := container.NewVBox()
		for _, d := range v.same {
			where := fieldName(d)
			if d.Row > 0 {
				where = i18n.T("sync.field.row", "n", d.Row) + " · " + where
			}
			l := widget.NewLabel(where + ": " + d.Mine)
			l.Wrapping = fyne.TextWrapWord
			l.Importance = widget.LowImportance
			sameBox.Add(l)
		}
		acc := widget.NewAccordion(widget.NewAccordionItem(i18n.T("submit.conflict.same", "n", len(v.same)), sameBox))
		body.Add(acc)
	}

	keep := widget.NewButtonWithIcon(i18n.T("sync.conflict.keep_mine"), theme.ComputerIcon(), func() {
		v.resolve(v.a.svc.Conflicts.KeepMine)
	})
	take := widget.NewButtonWithIcon(i18n.T("sync.conflict.take_theirs"), theme.DownloadIcon(), func() {
		v.resolve(v.a.svc.Conflicts.TakeTheirs)
	})
	v.merge = widget.NewButtonWithIcon(i18n.T("sync.conflict.merge"), theme.ConfirmIcon(), v.doMerge)
	v.merge.Importance = widget.HighImportance
	actions := container.NewHBox(keep, take, v.merge)
	bottom := container.NewVBox(widget.NewSeparator())
	if !canMerge {
		note := wrap(i18n.T("sync.err.merge_deleted"))
		note.Importance = widget.WarningImportance
		bottom.Add(note)
		v.merge.Hide()
	}
	bottom.Add(container.NewBorder(nil, nil, nil, actions))
	top := container.NewVBox(container.NewBorder(nil, nil, back, nil), head, explain, widget.NewSeparator())
	v.content = container.NewPadded(container.NewBorder(top, bottom, nil, nil, container.NewVScroll(body)))
	v.refresh()
}

// refresh enables Combine once every differing field has a choice.
func (v *conflictView) refresh() {
	for k := range v.radios {
		if _, ok := v.picked[k]; !ok {
			v.merge.Disable()
			return
		}
	}
	if len(v.radios) == 0 {
		v.merge.Disable()
		return
	}
	v.merge.Enable()
}

// choices are the radios as Merge takes them (true: theirs).
func (v *conflictView) choices() map[string]bool {
	out := map[string]bool{}
	for k := range v.radios {
		if t, ok := v.picked[k]; ok {
			out[k] = t
		}
	}
	return out
}

func (v *conflictView) doMerge() {
	choices := v.choices()
	v.resolve(func(id string) error { return v.a.svc.Conflicts.Merge(id, choices) })
}

// resolve runs one of the choices and, done, goes back to the list.
func (v *conflictView) resolve(fn func(id string) error) {
	if err := fn(v.c.ID); err != nil {
		v.a.showError(err)
		return
	}
	v.a.showDrafts()
}
