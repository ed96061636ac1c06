package ui

import (
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kense/form"
	"kense/i18n"
)

// column is one column of the rows table: the Problem field it shows, its
// narrowest width and its share of the width left over.
type column struct {
	field  string
	min    float32
	weight float32
}

var columns = []column{
	{"", 30, 0},
	{"fullName", 195, 3},
	{"iin", 125, 0},
	{"ip", 120, 0},
	{"userType", 165, 1},
	{"operation", 215, 2},
	{"accessLevels", 125, 0},
	{"position", 130, 2},
	{"orderFile", 125, 1},
	{"", 36, 0},
}

// columnsLayout places one object per column; the header and every row use
// it, so they line up at any window width.
type columnsLayout struct{}

func (columnsLayout) widths(total float32) []float32 {
	pad := theme.Padding()
	var minW, weights float32
	for _, c := range columns {
		minW += c.min
		weights += c.weight
	}
	minW += pad * float32(len(columns)-1)
	extra := total - minW
	if extra < 0 {
		extra = 0
	}
	out := make([]float32, len(columns))
	for i, c := range columns {
		out[i] = c.min + extra*c.weight/weights
	}
	return out
}

func (l columnsLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	ws := l.widths(size.Width)
	x := float32(0)
	for i, o := range objs {
		if i >= len(ws) {
			break
		}
		o.Move(fyne.NewPos(x, 0))
		o.Resize(fyne.NewSize(ws[i], size.Height))
		x += ws[i] + theme.Padding()
	}
}

func (columnsLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var w, h float32
	for i, c := range columns {
		w += c.min
		if i < len(objs) {
			h = float32(math.Max(float64(h), float64(objs[i].MinSize().Height)))
		}
	}
	return fyne.NewSize(w+theme.Padding()*float32(len(columns)-1), h)
}

// headerLayout is columnsLayout at a fixed height: wrapping labels report
// a useless minimum before they know their width.
type headerLayout struct{ height float32 }

func (h *headerLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	columnsLayout{}.Layout(objs, size)
}

func (h *headerLayout) MinSize([]fyne.CanvasObject) fyne.Size {
	w := columnsLayout{}.MinSize(nil).Width
	return fyne.NewSize(w, h.height)
}

// messageRoom is the narrowest a row message gets: one that would start
// further right than that from the row's end starts earlier.
const messageRoom = 560

// rowLayout lays a row out: the fields in their columns on top, then one
// line per message, each starting under the field it is about.
type rowLayout struct{ ri *rowItem }

func (l rowLayout) Layout(_ []fyne.CanvasObject, size fyne.Size) {
	ri := l.ri
	base := ri.t.base
	ri.fields.Resize(fyne.NewSize(size.Width, base))
	ri.fields.Move(fyne.NewPos(0, 0))
	ws := columnsLayout{}.widths(size.Width)
	xs := map[string]float32{}
	x := float32(0)
	for i, c := range columns {
		xs[c.field] = x
		x += ws[i] + theme.Padding()
	}
	y := base
	lh := messageLineHeight()
	for _, f := range rowFields {
		m := ri.msgs[f]
		if !m.Visible() {
			continue
		}
		mx := min(xs[f], max(0, size.Width-messageRoom))
		m.Move(fyne.NewPos(mx, y))
		m.Resize(fyne.NewSize(size.Width-mx, lh))
		y += lh
	}
}

func (l rowLayout) MinSize([]fyne.CanvasObject) fyne.Size {
	return l.ri.fields.MinSize()
}

// rowsTable is the application's table: a list of recycled row widgets, so
// that hundreds of rows cost only the visible ones.
type rowsTable struct {
	e       *editor
	list    *widget.List
	header  fyne.CanvasObject
	base    float32         // row height without messages
	heights map[int]float32 // heights given to the list, by row index
}

func newRowsTable(e *editor) *rowsTable {
	t := &rowsTable{e: e, heights: map[int]float32{}}
	cells := make([]fyne.CanvasObject, len(columns))
	for i, c := range columns {
		text := "№"
		if c.field != "" {
			text = i18n.T("ui.col." + c.field)
		} else if i > 0 {
			text = ""
		}
		// Column names wrap to a second line rather than lose their end
		// (Kazakh ones are long); the header keeps room for two lines.
		l := widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		l.Wrapping = fyne.TextWrapWord
		cells[i] = l
	}
	two := widget.NewLabelWithStyle("A\nB", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}).MinSize().Height
	t.header = container.New(&headerLayout{height: two}, cells...)
	t.list = widget.NewList(
		func() int { return len(e.draft.Form.Rows) },
		func() fyne.CanvasObject { return newRowItem(t) },
		func(id widget.ListItemID, o fyne.CanvasObject) { o.(*rowItem).bind(id) },
	)
	t.base = newRowItem(t).MinSize().Height
	return t
}

// content is the header over the list, scrolling sideways together when the
// window is narrower than the columns.
func (t *rowsTable) content() fyne.CanvasObject {
	return container.NewHScroll(container.NewBorder(
		container.NewVBox(t.header, widget.NewSeparator()), nil, nil, nil, t.list))
}

// fit gives every row the height its shown messages need.
func (t *rowsTable) fit() {
	lh := messageLineHeight()
	for i := range t.e.draft.Form.Rows {
		h := t.base
		for _, f := range rowFields {
			if t.e.shown(i+1, f) != "" {
				h += lh
			}
		}
		if t.heights[i] != h {
			t.heights[i] = h
			t.list.SetItemHeight(i, h)
		}
	}
	for i := range t.heights {
		if i >= len(t.e.draft.Form.Rows) {
			delete(t.heights, i)
		}
	}
}

// rowFields are a row's Problem fields in the order of the columns.
var rowFields = []string{"fullName", "iin", "ip", "userType", "operation", "accessLevels", "position", "orderFile"}

// messageLineHeight is the height of one message line under a row.
func messageLineHeight() float32 {
	return fyne.MeasureText("Ág", theme.CaptionTextSize(), fyne.TextStyle{}).Height + theme.InnerPadding()
}

// rowItem is one recycled table row.
type rowItem struct {
	widget.BaseWidget
	t       *rowsTable
	idx     int
	binding bool

	num                            *widget.Label
	fullName, iin, ip, position    *cellEntry
	userType, operation            *choice
	access                         *widget.Button
	order, orderClear              *widget.Button
	accessVal, orderVal            *widget.Label // the values, cut to the cell (clipped)
	orderBox                       *fyne.Container
	remove                         *widget.Button
	msgs                           map[string]*widget.Label
	fields                         *fyne.Container
	entries                        map[string]*cellEntry
	marked                         map[string]string // message each entry is marked with
	content                        *fyne.Container
	accessLevelsText, orderNothing string
}

func newRowItem(t *rowsTable) *rowItem {
	ri := &rowItem{t: t, idx: -1, msgs: map[string]*widget.Label{}, entries: map[string]*cellEntry{}, marked: map[string]string{}}
	ri.num = widget.NewLabel("")
	ri.num.Alignment = fyne.TextAlignTrailing
	entry := func(field string, set func(*form.Row, string)) *cellEntry {
		en := newCellEntry()
		en.AlwaysShowValidationError = true
		en.OnChanged = func(s string) {
			en.fit()
			ri.edit(field, func(r *form.Row) { set(r, s) })
		}
		ri.entries[field] = en
		return en
	}
	ri.fullName = entry("fullName", func(r *form.Row, s string) { r.FullName = s })
	ri.iin = entry("iin", func(r *form.Row, s string) { r.IIN = strings.TrimSpace(s) })
	ri.iin.SetPlaceHolder("000000000000")
	ri.ip = entry("ip", func(r *form.Row, s string) { r.IP = strings.TrimSpace(s) })
	ri.ip.SetPlaceHolder("10.0.0.1")
	ri.position = entry("position", func(r *form.Row, s string) { r.Position = s })

	ri.userType = newChoice(userTypeOptions(), func(s string) {
		code := optionCode(s)
		ri.edit("userType", func(r *form.Row) {
			if r.UserType != code {
				// Codes mean different levels for the two types (B is
				// Registrator for type 1, Record keeper for type 2).
				r.AccessLevels = nil
			}
			r.UserType = code
		})
	})
	ri.userType.PlaceHolder = i18n.T("ui.choose")
	ri.userType.menuText = func(o string) string {
		code := optionCode(o)
		return fmt.Sprintf("%d — %s", code, i18n.T(fmt.Sprintf("ui.usertype.%d.full", code)))
	}
	ri.operation = newChoice(operationOptions(), func(s string) {
		code := optionCode(s)
		ri.edit("operation", func(r *form.Row) {
			r.Operation = code
			if !needsOrder(code) {
				r.OrderFile = ""
			}
		})
	})
	ri.operation.PlaceHolder = i18n.T("ui.choose")
	ri.access = widget.NewButton("", ri.chooseAccess)
	ri.access.Alignment = widget.ButtonAlignLeading
	ri.accessVal = newClipLabel()
	ri.order = widget.NewButtonWithIcon("", theme.FileIcon(), ri.chooseOrder)
	ri.order.Alignment = widget.ButtonAlignLeading
	ri.orderVal = newClipLabel()
	ri.orderClear = widget.NewButtonWithIcon("", theme.ContentClearIcon(), func() {
		ri.edit("orderFile", func(r *form.Row) { r.OrderFile = "" })
	})
	ri.orderClear.Importance = widget.LowImportance
	ri.orderBox = container.NewBorder(nil, nil, nil, ri.orderClear,
		clipped(ri.order, ri.orderVal, theme.IconInlineSize()+theme.InnerPadding()))
	ri.remove = widget.NewButtonWithIcon("", theme.DeleteIcon(), func() {
		if ri.idx >= 0 {
			ri.t.e.askRemoveRow(ri.idx)
		}
	})
	ri.remove.Importance = widget.LowImportance

	fields := map[string]fyne.CanvasObject{
		"fullName": ri.fullName, "iin": ri.iin, "ip": ri.ip, "userType": ri.userType,
		"operation": ri.operation, "accessLevels": clipped(ri.access, ri.accessVal, 0), "position": ri.position,
		"orderFile": ri.orderBox,
	}
	cells := make([]fyne.CanvasObject, len(columns))
	objs := []fyne.CanvasObject{nil}
	for i, c := range columns {
		switch {
		case c.field != "":
			cells[i] = fields[c.field]
			msg := widget.NewLabel("")
			msg.Truncation = fyne.TextTruncateEllipsis
			msg.Importance = widget.DangerImportance
			msg.SizeName = theme.SizeNameCaptionText
			msg.Hide()
			ri.msgs[c.field] = msg
			objs = append(objs, msg)
		case i == 0:
			cells[i] = ri.num
		default:
			cells[i] = ri.remove
		}
	}
	ri.fields = container.New(columnsLayout{}, cells...)
	objs[0] = ri.fields
	ri.content = container.New(rowLayout{ri}, objs...)
	ri.ExtendBaseWidget(ri)
	return ri
}

func (ri *rowItem) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(ri.content)
}

// optionCode reads the code in front of "2 — label".
func optionCode(s string) int {
	n, _ := strconv.Atoi(strings.TrimSpace(strings.SplitN(s, "—", 2)[0]))
	return n
}

// edit applies a change the user made to this row, unless the change comes
// from bind filling the widgets.
func (ri *rowItem) edit(field string, apply func(*form.Row)) {
	if ri.binding || ri.idx < 0 {
		return
	}
	ri.t.e.editRow(ri.idx, field, apply)
}

// bind shows row i. Unchanged texts are left alone so that rebinding while
// the user types keeps the cursor where it is.
func (ri *rowItem) bind(i int) {
	e := ri.t.e
	if i < 0 || i >= len(e.draft.Form.Rows) {
		return
	}
	r := e.draft.Form.Rows[i]
	ri.idx = i
	ri.binding = true
	defer func() { ri.binding = false }()

	ri.num.SetText(strconv.Itoa(i + 1))
	setText(ri.fullName, r.FullName)
	setText(ri.iin, r.IIN)
	setText(ri.ip, r.IP)
	setText(ri.position, r.Position)
	setChoice(ri.userType, r.UserType, userTypeOption)
	setChoice(ri.operation, r.Operation, operationOption)
	switch {
	case len(r.AccessLevels) == 0 && !form.GrantsOrChangesRights(r.Operation):
		// Only operations 2, 6 and 12 name access levels.
		ri.access.SetText("—")
		ri.accessVal.SetText("")
		ri.access.Importance = widget.LowImportance
		ri.access.Disable()
	case len(r.AccessLevels) == 0:
		ri.access.SetText(i18n.T("ui.choose"))
		ri.accessVal.SetText("")
		ri.access.Importance = widget.LowImportance
		ri.access.Enable()
	default:
		ri.access.Enable()
		ri.access.SetText("")
		ri.accessVal.SetText(strings.Join(r.AccessLevels, ", "))
		ri.access.Importance = widget.MediumImportance
	}
	ri.access.Refresh()
	if needsOrder(r.Operation) {
		if r.OrderFile == "" {
			ri.order.SetText(i18n.T("ui.order.attach"))
			ri.orderVal.SetText("")
			ri.orderClear.Hide()
		} else {
			ri.order.SetText("")
			ri.orderVal.SetText(filepath.Base(r.OrderFile))
			ri.orderClear.Show()
		}
		ri.orderBox.Show()
	} else {
		ri.orderBox.Hide()
	}
	for field, l := range ri.msgs {
		en, isEntry := ri.entries[field]
		msg := e.shown(i+1, field)
		if l.Text != msg {
			l.SetText(msg)
		}
		if msg == "" {
			l.Hide()
		} else {
			l.Show()
		}
		if isEntry && ri.marked[field] != msg {
			ri.marked[field] = msg
			en.mark(msg)
		}
	}
	// Messages come and go without the row changing size.
	ri.content.Layout.Layout(ri.content.Objects, ri.content.Size())
}

func setText(en *cellEntry, s string) {
	if en.Text != s {
		en.SetText(s)
		en.fit()
	}
}

func setChoice(c *choice, code int, option func(int) string) {
	if code == 0 {
		if c.Selected != "" {
			c.ClearSelected()
		}
		return
	}
	want := option(code)
	if c.Selected != want {
		c.SetSelected(want)
		if c.Selected != want { // a code the seed does not have
			c.ClearSelected()
		}
	}
}

// chooseAccess lets the user tick the access levels that exist for the
// row's user type, each shown with its label.
func (ri *rowItem) chooseAccess() {
	e := ri.t.e
	if ri.idx < 0 || ri.idx >= len(e.draft.Form.Rows) {
		return
	}
	idx := ri.idx
	r := e.draft.Form.Rows[idx]
	levels := form.AccessLevelsFor(r.UserType)
	if len(levels) == 0 {
		e.a.info("ui.access.title", i18n.T("ui.access.needtype"))
		return
	}
	opts := make([]string, len(levels))
	byOpt := map[string]string{}
	var selected []string
	for i, l := range levels {
		opts[i] = accessOption(r.UserType, l.Code)
		byOpt[opts[i]] = l.Code
		for _, have := range r.AccessLevels {
			if have == l.Code {
				selected = append(selected, opts[i])
			}
		}
	}
	group := widget.NewCheckGroup(opts, nil)
	group.Selected = selected
	hint := widget.NewLabel(i18n.T("ui.access.hint", "type", userTypeOption(r.UserType)))
	hint.Wrapping = fyne.TextWrapWord
	body := container.NewBorder(hint, nil, nil, nil, container.NewVScroll(group))
	d := dialog.NewCustomConfirm(i18n.T("ui.access.title"), i18n.T("ui.ok"), i18n.T("ui.cancel"), body, func(ok bool) {
		if !ok {
			return
		}
		var codes []string
		for _, l := range levels { // seed order, whatever order they were ticked in
			for _, s := range group.Selected {
				if byOpt[s] == l.Code {
					codes = append(codes, l.Code)
				}
			}
		}
		e.editRow(idx, "accessLevels", func(r *form.Row) { r.AccessLevels = codes })
	}, e.a.win)
	d.Resize(fyne.NewSize(480, min(560, float32(len(opts))*40+160)))
	d.Show()
}

// chooseOrder attaches the scanned order (operations 2 and 8).
func (ri *rowItem) chooseOrder() {
	e := ri.t.e
	idx := ri.idx
	if idx < 0 {
		return
	}
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			e.a.showError(err)
			return
		}
		if r == nil {
			return
		}
		path := filepath.FromSlash(r.URI().Path())
		_ = r.Close()
		e.editRow(idx, "orderFile", func(row *form.Row) { row.OrderFile = path })
	}, e.a.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".pdf", ".jpg", ".jpeg", ".png", ".tif", ".tiff"}))
	d.Resize(fileDialogSize)
	d.Show()
}
