package ui

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kense/api"
	"kense/i18n"
	"kense/servicedesk"
)

// The administrators' screens (issue 8): the RER SDB administrator's queue
// of submitted applications, one application's rows (admin_rows.go), an
// account's history (admin_history.go) and the chamber's UNIS accounts
// (admin_unis.go). One screen of the App with four modes, reached from
// the top bar. Every server call runs off the UI goroutine; a late answer
// to a screen the user has left is dropped.

type adminMode int

const (
	adminModeQueue adminMode = iota
	adminModeApp
	adminModeHistory
	adminModeUNIS
)

// adminTimeLayout: times as the Operator keeps them, Asia/Almaty.
const adminTimeLayout = "02.01.2006 15:04"

func admTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(servicedesk.Location).Format(adminTimeLayout)
}

// admSep joins the parts of a line.
const admSep = "  ·  "

type adminScreen struct {
	a   *App
	svc AdminService

	mode    adminMode
	frame   fyne.CanvasObject // the window's content while this screen shows
	titleL  *widget.Label
	state   *widget.Label // what is loading, or what failed
	body    *fyne.Container
	content fyne.CanvasObject
	gen     int // counts screen changes: a late answer of an old one is dropped

	// the queue
	all   bool
	items []api.AdminApplicationSummary
	list  *widget.List
	empty *widget.Label
	iin   *widget.Entry // an account's history, by IIN

	// one application
	sha string
	app *api.AdminApplication

	// an account's history; back is where its Back button goes
	histIIN string
	back    func()

	unis *unisView
}

// adminButtons are the top bar's ways to the administrators' screens.
func (a *App) adminButtons() []fyne.CanvasObject {
	var out []fyne.CanvasObject
	if hasRole(a.svc.Admin, api.RoleRERAdmin) {
		out = append(out, widget.NewButtonWithIcon(i18n.T("adminui.open"), theme.ListIcon(), a.showAdminQueue))
	}
	if hasRole(a.svc.Admin, api.RoleChamber) {
		out = append(out, widget.NewButtonWithIcon(i18n.T("adminui.unis.open"), theme.AccountIcon(), a.showUNIS))
	}
	return out
}

// adminShown reports whether the administrators' screen is the one in the
// window (other screens replace the content without telling it).
func (a *App) adminShown() bool {
	return a.admin != nil && a.admin.frame != nil && a.win.Content() == a.admin.frame
}

// openAdmin shows the administrators' screen, closing whatever was open.
func (a *App) openAdmin() *adminScreen {
	if a.adminShown() {
		return a.admin
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
	a.leaveTickets()
	a.admin = &adminScreen{a: a, svc: a.svc.Admin}
	a.admin.build()
	a.admin.setFrame()
	return a.admin
}

func (a *App) showAdminQueue() {
	if hasRole(a.svc.Admin, api.RoleRERAdmin) {
		a.openAdmin().showQueue()
	}
}

func (a *App) showUNIS() {
	if hasRole(a.svc.Admin, api.RoleChamber) {
		a.openAdmin().showUNIS()
	}
}

// adminRefreshFrame redraws the top bar over the screen when it is the one
// shown (App.rebuildFrame); false when it is not.
func (a *App) adminRefreshFrame() bool {
	if !a.adminShown() {
		return false
	}
	a.admin.setFrame()
	return true
}

// adminRebuild redraws the screen in the new language (App.SetLanguage),
// in the same mode; false when it is not shown.
func (a *App) adminRebuild() bool {
	if !a.adminShown() {
		return false
	}
	s := a.admin
	var st unisState
	if s.unis != nil {
		st = s.unis.state()
	}
	s.build()
	s.setFrame()
	switch s.mode {
	case adminModeApp:
		s.showApp(s.sha)
	case adminModeHistory:
		s.showHistory(s.histIIN, s.back)
	case adminModeUNIS:
		s.showUNIS()
		s.unis.restore(st)
	default:
		s.showQueue()
	}
	return true
}

func (s *adminScreen) setFrame() {
	s.frame = s.a.frame(s.titleL, s.content)
	s.a.win.SetContent(s.frame)
}

// build makes the widgets (again, after a language switch).
func (s *adminScreen) build() {
	s.titleL = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.state = widget.NewLabel("")
	s.state.Wrapping = fyne.TextWrapWord
	s.state.Hide()
	s.body = container.NewStack()
	s.list = widget.NewList(func() int { return len(s.items) }, newTwoLineItem, s.updateItem)
	s.list.OnSelected = func(id widget.ListItemID) {
		s.list.UnselectAll()
		if id < len(s.items) {
			s.showApp(s.items[id].Application.SHA256)
		}
	}
	s.empty = widget.NewLabel("")
	s.empty.Alignment = fyne.TextAlignCenter
	s.empty.Wrapping = fyne.TextWrapWord
	s.iin = widget.NewEntry()
	s.iin.SetPlaceHolder(i18n.T("adminui.history.iin"))
	s.content = container.NewPadded(container.NewBorder(s.state, nil, nil, nil, s.body))
}

func (s *adminScreen) setBody(top fyne.CanvasObject, o fyne.CanvasObject) {
	s.gen++
	s.state.Hide()
	s.body.Objects = []fyne.CanvasObject{container.NewBorder(top, nil, nil, nil, o)}
	s.body.Refresh()
}

// run calls fn off the UI goroutine and hands its result to done on it,
// unless the screen moved on meanwhile (another mode, another language, or
// another screen altogether).
func (s *adminScreen) run(fn func(ctx context.Context) error, done func(err error)) {
	gen := s.gen
	s.setState(i18n.T("adminui.loading"), false)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), adminTimeout)
		err := fn(ctx)
		cancel()
		s.a.do(func() {
			if gen != s.gen || s.a.admin != s || !s.a.adminShown() {
				return
			}
			s.state.Hide()
			done(err)
		})
	}()
}

func (s *adminScreen) setState(text string, problem bool) {
	s.state.SetText(text)
	s.state.Importance = widget.MediumImportance
	if problem {
		s.state.Importance = widget.DangerImportance
	}
	s.state.Show()
	s.state.Refresh()
}

// failed shows err on the state line (the screen stays usable).
func (s *adminScreen) failed(err error) {
	s.setState(i18n.T("adminui.failed", "error", s.a.message(err)), true)
}

// showQueue is the list of submitted applications with rows to decide.
func (s *adminScreen) showQueue() {
	s.mode = adminModeQueue
	s.titleL.SetText(i18n.T("adminui.title.queue"))
	refresh := widget.NewButtonWithIcon(i18n.T("adminui.refresh"), theme.ViewRefreshIcon(), s.loadQueue)
	all := widget.NewCheck(i18n.T("adminui.all"), nil)
	all.SetChecked(s.all)
	all.OnChanged = func(v bool) { s.all = v; s.loadQueue() }
	history := widget.NewButtonWithIcon(i18n.T("adminui.history.open"), theme.HistoryIcon(), func() {
		if id := strings.TrimSpace(s.iin.Text); id != "" {
			s.showHistory(id, s.showQueue)
		}
	})
	s.iin.OnSubmitted = func(string) { history.OnTapped() }
	back := widget.NewButtonWithIcon(i18n.T("adminui.back.drafts"), theme.NavigateBackIcon(), s.a.showDrafts)
	lookup := container.NewBorder(nil, nil, nil, history, container.NewStack(minWidth(160), s.iin))
	tools := container.NewBorder(nil, nil, container.NewHBox(back, refresh, all), lookup)
	s.empty.SetText("")
	s.setBody(container.NewVBox(tools, widget.NewSeparator()), container.NewStack(s.list, container.NewCenter(s.empty)))
	s.loadQueue()
}

func (s *adminScreen) loadQueue() {
	if s.mode != adminModeQueue {
		return
	}
	var got []api.AdminApplicationSummary
	all := s.all
	s.run(func(ctx context.Context) (err error) {
		got, err = s.svc.Queue(ctx, all)
		return err
	}, func(err error) {
		if err != nil {
			s.failed(err)
			return
		}
		s.items = got
		s.list.Refresh()
		if len(got) == 0 {
			s.empty.SetText(i18n.T("adminui.queue.empty"))
			s.empty.Show()
		} else {
			s.empty.Hide()
		}
	})
}

func (s *adminScreen) updateItem(id widget.ListItemID, o fyne.CanvasObject) {
	if id >= len(s.items) {
		return
	}
	box := o.(*fyne.Container)
	head, line := box.Objects[0].(*widget.Label), box.Objects[1].(*widget.Label)
	head.SetText(queueHead(s.items[id]))
	line.SetText(queueLine(s.items[id]))
}

// queueHead: the subunit and the date of filing.
func queueHead(x api.AdminApplicationSummary) string {
	return strings.Join([]string{x.Subunit, dateShown(x.Date)}, admSep)
}

// queueLine: rows, decided, status, who signed, when it came.
func queueLine(x api.AdminApplicationSummary) string {
	return strings.Join([]string{
		i18n.T("adminui.queue.rows", "n", x.Rows, "decided", x.Decided),
		appStatusText(x.Application.Status),
		i18n.T("adminui.queue.signed", "name", x.Application.SignerName, "time", admTime(x.Application.SubmittedAt)),
	}, admSep)
}

// dateShown is a form date (YYYY-MM-DD) as people read it here.
func dateShown(d string) string {
	t, err := time.Parse("2006-01-02", d)
	if err != nil {
		return d
	}
	return t.Format("02.01.2006")
}

func appStatusText(st string) string {
	switch st {
	case api.AppSubmitted, api.AppAccepted, api.AppRejected, api.AppDone:
		return i18n.T("adminui.app." + st)
	}
	return st
}

// scanPattern is the temp file name of an order scan, by its content type.
func scanPattern(contentType string) string {
	ext, ok := viewerExt(contentType)
	if !ok {
		ext = ".bin" // no viewer guesses at it
	}
	return "kense-order-*" + ext
}
