package ui

import (
	"fmt"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kense/i18n"
)

// undoFor is how long the Undo banner stays after a delete.
const undoFor = 8 * time.Second

// draftsView is the home screen: every draft, a search box, and the actions.
type draftsView struct {
	a       *App
	search  *widget.Entry
	list    *widget.List
	items   []Summary
	empty   *widget.Label
	count   *widget.Label
	content fyne.CanvasObject

	banner     *fyne.Container
	bannerText *widget.Label
	bannerUndo *widget.Button
	deletedID  string
	bannerSeq  int
	closed     bool
	warned     bool
}

func newDraftsView(a *App) *draftsView {
	v := &draftsView{a: a}
	v.search = widget.NewEntry()
	v.search.SetPlaceHolder(i18n.T("ui.drafts.search"))
	v.search.ActionItem = widget.NewIcon(theme.SearchIcon())
	v.search.OnChanged = func(string) { v.reload() }

	newBtn := widget.NewButtonWithIcon(i18n.T("ui.drafts.new"), theme.ContentAddIcon(), a.newDraft)
	newBtn.Importance = widget.HighImportance
	importBtn := widget.NewButtonWithIcon(i18n.T("ui.drafts.import"), theme.FolderOpenIcon(), v.importJSON)

	v.list = widget.NewList(func() int { return len(v.items) }, v.newItem, v.updateItem)
	v.list.OnSelected = func(id widget.ListItemID) {
		v.list.UnselectAll()
		if id < len(v.items) {
			a.openDraft(v.items[id].ID)
		}
	}
	v.empty = widget.NewLabel("")
	v.empty.Alignment = fyne.TextAlignCenter
	v.count = widget.NewLabel("")

	v.bannerText = widget.NewLabel("")
	v.bannerUndo = widget.NewButtonWithIcon(i18n.T("ui.drafts.undo"), theme.ContentUndoIcon(), v.undo)
	v.bannerUndo.Importance = widget.HighImportance
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))
	bg.CornerRadius = theme.InputRadiusSize()
	v.banner = container.NewStack(bg, container.NewPadded(container.NewBorder(nil, nil, nil, v.bannerUndo, v.bannerText)))
	v.banner.Hide()

	tools := container.NewBorder(nil, nil, nil, container.NewHBox(importBtn, newBtn), v.search)
	body := container.NewStack(v.list, container.NewCenter(v.empty))
	v.content = container.NewPadded(container.NewBorder(
		container.NewVBox(tools, v.count),
		v.banner, nil, nil, body))
	return v
}

func (v *draftsView) title() fyne.CanvasObject {
	return widget.NewLabelWithStyle(i18n.T("ui.drafts.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

func (v *draftsView) close() { v.closed = true }

// reload asks the store for the drafts matching the search box.
func (v *draftsView) reload() {
	items, err := v.a.svc.Store.ListDrafts(v.search.Text)
	if err != nil {
		// The store may list the readable drafts along with the error
		// about the others: show both, the error once per visit.
		if !v.warned {
			v.warned = true
			v.a.showError(err)
		}
		if items == nil {
			return
		}
	}
	v.items = items
	v.list.Refresh()
	switch {
	case len(items) > 0:
		v.empty.SetText("")
		v.empty.Hide()
	case v.search.Text != "":
		v.empty.SetText(i18n.T("ui.drafts.nomatch"))
		v.empty.Show()
	default:
		v.empty.SetText(i18n.T("ui.drafts.empty"))
		v.empty.Show()
	}
	v.count.SetText(i18n.T("ui.drafts.count", "n", len(items)))
}

// draftItem is one line of the list: subunit, details, actions.
type draftItem struct {
	widget.BaseWidget
	title, details           *widget.Label
	open, dup, export, trash *widget.Button
	id                       string
}

func (v *draftsView) newItem() fyne.CanvasObject {
	it := &draftItem{}
	it.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	it.title.Truncation = fyne.TextTruncateEllipsis
	it.details = widget.NewLabel("")
	it.details.Truncation = fyne.TextTruncateEllipsis
	it.open = widget.NewButtonWithIcon(i18n.T("ui.drafts.open"), theme.DocumentCreateIcon(), func() { v.a.openDraft(it.id) })
	it.dup = widget.NewButtonWithIcon(i18n.T("ui.drafts.duplicate"), theme.ContentCopyIcon(), func() { v.duplicate(it.id) })
	it.export = widget.NewButtonWithIcon(i18n.T("ui.drafts.export"), theme.DocumentSaveIcon(), func() { v.exportJSON(it.id) })
	it.trash = widget.NewButtonWithIcon(i18n.T("ui.drafts.delete"), theme.DeleteIcon(), func() { v.delete(it.id) })
	for _, b := range []*widget.Button{it.open, it.dup, it.export, it.trash} {
		b.Importance = widget.LowImportance
	}
	it.ExtendBaseWidget(it)
	return it
}

func (it *draftItem) CreateRenderer() fyne.WidgetRenderer {
	text := container.NewVBox(it.title, it.details)
	actions := container.NewHBox(it.open, it.dup, it.export, it.trash)
	icon := widget.NewIcon(theme.NewPrimaryThemedResource(theme.DocumentIcon()))
	return widget.NewSimpleRenderer(container.NewBorder(nil, nil, container.NewCenter(icon), container.NewCenter(actions), text))
}

func (v *draftsView) updateItem(id widget.ListItemID, o fyne.CanvasObject) {
	it := o.(*draftItem)
	if id >= len(v.items) {
		return
	}
	s := v.items[id]
	it.id = s.ID
	title := s.Subunit
	if title == "" {
		title = i18n.T("ui.drafts.nosubunit")
	}
	it.title.SetText(title)
	details := i18n.T("ui.drafts.rows", "n", s.Rows) + "  ·  " +
		i18n.T("ui.drafts.updated", "when", showInAlmaty(s.Updated, "02.01.2006 15:04"))
	if len(s.IINs) > 0 {
		details += "  ·  " + i18n.T("ui.drafts.iins", "list", joinMax(s.IINs, 3))
	}
	if s.Sync != "" {
		details += "  ·  " + s.Sync
	}
	it.details.SetText(details)
	it.details.Importance = widget.MediumImportance
	if s.SyncProblem {
		it.details.Importance = widget.DangerImportance
	}
	it.details.Refresh()
}

// joinMax lists the first n values and how many more there are.
func joinMax(vals []string, n int) string {
	out := ""
	for i, s := range vals {
		if i == n {
			return out + " " + i18n.T("ui.more", "n", len(vals)-n)
		}
		if i > 0 {
			out += ", "
		}
		out += s
	}
	return out
}

func (v *draftsView) duplicate(id string) {
	if _, err := v.a.svc.Store.DuplicateDraft(id); err != nil {
		v.a.showError(err)
		return
	}
	v.reload()
}

// delete removes the draft at once and offers Undo for a while, instead of
// asking "are you sure" first.
func (v *draftsView) delete(id string) {
	name := ""
	for _, s := range v.items {
		if s.ID == id {
			name = s.Subunit
		}
	}
	if err := v.a.svc.Store.DeleteDraft(id); err != nil {
		v.a.showError(err)
		return
	}
	v.deletedID = id
	if name == "" {
		name = i18n.T("ui.drafts.nosubunit")
	}
	v.bannerText.SetText(i18n.T("ui.drafts.deleted", "name", name))
	v.banner.Show()
	v.bannerSeq++
	seq := v.bannerSeq
	time.AfterFunc(undoFor, func() {
		v.a.do(func() {
			if !v.closed && v.bannerSeq == seq {
				v.hideBanner()
			}
		})
	})
	v.reload()
}

func (v *draftsView) hideBanner() {
	v.banner.Hide()
	v.deletedID = ""
}

func (v *draftsView) undo() {
	id := v.deletedID
	if id == "" {
		return
	}
	v.hideBanner()
	if err := v.a.svc.Store.UndoDelete(id); err != nil {
		v.a.showError(err)
	}
	v.reload()
}

// importJSON makes a new draft from an application JSON file.
func (v *draftsView) importJSON() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			v.a.showError(err)
			return
		}
		if r == nil {
			return
		}
		path := filepath.FromSlash(r.URI().Path())
		_ = r.Close()
		if v.a.svc.LoadForm == nil {
			return
		}
		f, err := v.a.svc.LoadForm(path)
		if err != nil {
			v.a.showError(fmt.Errorf("%s: %w", i18n.T("ui.drafts.importfailed"), err))
			return
		}
		f.ID = ""
		nd, err := v.a.svc.Store.NewDraft(f)
		if err != nil {
			v.a.showError(err)
			return
		}
		v.a.openEditor(nd, true)
	}, v.a.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".json"}))
	d.Resize(fileDialogSize)
	d.Show()
}

func (v *draftsView) exportJSON(id string) {
	d, err := v.a.svc.Store.GetDraft(id)
	if err != nil {
		v.a.showError(err)
		return
	}
	v.a.exportJSON(d)
}

// exportJSON saves the draft's form as an application JSON file.
func (a *App) exportJSON(d Draft) {
	if a.svc.WriteForm == nil {
		return
	}
	dlg := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			a.showError(err)
			return
		}
		if w == nil {
			return
		}
		werr := a.svc.WriteForm(w, d.Form)
		if cerr := w.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			a.showError(werr)
		}
	}, a.win)
	dlg.SetFileName(fileName("json", d.Form.Date, a.now()))
	dlg.SetFilter(storage.NewExtensionFileFilter([]string{".json"}))
	dlg.Resize(fileDialogSize)
	dlg.Show()
}

// fileName is a suggested file name with no personal data in it: the
// application date only.
func fileName(ext, isoDate string, now time.Time) string {
	if _, err := time.Parse(isoLayout, isoDate); err != nil {
		isoDate = showInAlmaty(now, isoLayout)
	}
	return "application-" + isoDate + "." + ext
}
