package ui

import (
	"context"
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kense/api"
	"kense/form"
	"kense/i18n"
	"kense/iin"
)

// One application as the RER SDB administrator works it: each row's
// operation, person, account, order and outcome, with Execute and Reject;
// the PDF as filed and the orders open in the system's viewer. A
// registration or a password reset prints the primary password slip at
// once (access rules 7, 8): the password itself is wiped right after.

func (s *adminScreen) showApp(sha string) {
	s.mode, s.sha, s.app = adminModeApp, sha, nil
	s.titleL.SetText(i18n.T("adminui.title.app"))
	s.setBody(nil, widget.NewLabel(""))
	s.loadApp()
}

func (s *adminScreen) loadApp() {
	sha := s.sha
	var got *api.AdminApplication
	s.run(func(ctx context.Context) (err error) {
		got, err = s.svc.Application(ctx, sha)
		return err
	}, func(err error) {
		if err != nil {
			s.failed(err)
			return
		}
		s.app = got
		s.drawApp()
	})
}

// drawApp lays the application out; the state line keeps what it says.
func (s *adminScreen) drawApp() {
	app := s.app
	back := widget.NewButtonWithIcon(i18n.T("adminui.back.queue"), theme.NavigateBackIcon(), s.showQueue)
	refresh := widget.NewButtonWithIcon(i18n.T("adminui.refresh"), theme.ViewRefreshIcon(), s.loadApp)
	pdfBtn := widget.NewButtonWithIcon(i18n.T("adminui.app.pdf"), theme.DocumentPrintIcon(), s.viewPDF)
	tools := container.NewHBox(back, refresh, pdfBtn)

	f := app.Form
	head := widget.NewLabelWithStyle(strings.Join([]string{f.Subunit, dateShown(f.Date)}, admSep), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	head.Wrapping = fyne.TextWrapWord
	a := app.Application
	parts := []string{
		appStatusText(a.Status),
		i18n.T("adminui.app.head", "position", f.Head.Position, "name", f.Head.FullName),
		i18n.T("adminui.app.signed", "name", a.SignerName, "iin", a.SignerIIN, "serial", a.CertSerial, "time", admTime(a.SignedAt)),
	}
	if a.Status == api.AppRejected && a.Reason != "" {
		parts = append(parts, i18n.T("adminui.app.reason", "reason", a.Reason))
	}
	info := widget.NewLabel(strings.Join(parts, "\n"))
	info.Wrapping = fyne.TextWrapWord

	rows := container.NewVBox()
	for i := range app.Rows {
		rows.Add(s.rowCard(app.Rows[i]))
		rows.Add(widget.NewSeparator())
	}
	top := container.NewVBox(tools, head, info, widget.NewSeparator())
	s.body.Objects = []fyne.CanvasObject{container.NewBorder(top, nil, nil, nil, container.NewVScroll(rows))}
	s.body.Refresh()
}

// appOpen: the application's rows can still be worked.
func (s *adminScreen) appOpen() bool {
	st := s.app.Application.Status
	return st == api.AppSubmitted || st == api.AppAccepted
}

// opLabel is a row's operation as the form prints it, code first.
func opLabel(code int) string {
	if o, ok := form.FindOperation(code); ok {
		return i18n.T("adminui.row.op", "code", code, "label", o.Label.Bilingual())
	}
	return i18n.T("adminui.row.op", "code", code, "label", "?")
}

// rowCard is one row: what it asks, for whom, the account now, the order
// and the outcome, with the actions that fit.
func (s *adminScreen) rowCard(r api.AdminRow) fyne.CanvasObject {
	title := widget.NewLabelWithStyle(i18n.T("adminui.row.title", "n", r.N, "op", opLabel(r.Row.Operation)), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Wrapping = fyne.TextWrapWord
	person := []string{r.Row.FullName, i18n.T("adminui.row.iin", "iin", r.Row.IIN)}
	if r.Row.IP != "" {
		person = append(person, i18n.T("adminui.row.ip", "ip", r.Row.IP))
	}
	if r.Row.Position != "" {
		person = append(person, r.Row.Position)
	}
	if len(r.Row.AccessLevels) > 0 {
		person = append(person, i18n.T("adminui.row.access", "type", r.Row.UserType, "levels", strings.Join(r.Row.AccessLevels, ", ")))
	}
	lines := []string{
		strings.Join(person, admSep),
		accountLine(r.Account),
		orderLine(r),
	}
	outcome, imp := outcomeLine(r.Outcome)
	body := widget.NewLabel(strings.Join(lines, "\n"))
	body.Wrapping = fyne.TextWrapWord
	out := widget.NewLabel(outcome)
	out.Wrapping = fyne.TextWrapWord
	out.Importance = imp

	open := s.appOpen() && r.Outcome == nil
	exec := widget.NewButtonWithIcon(i18n.T("adminui.row.execute"), theme.ConfirmIcon(), func() { s.askExecute(r) })
	exec.Importance = widget.HighImportance
	reject := widget.NewButtonWithIcon(i18n.T("adminui.row.reject"), theme.CancelIcon(), func() { s.askReject(r) })
	if !open {
		exec.Disable()
		reject.Disable()
	}
	if r.OrderRequired && r.Order == nil {
		exec.Disable() // the server refuses it too (order_missing)
	}
	buttons := container.NewHBox(exec, reject)
	if r.Order != nil {
		n := r.N
		buttons.Add(widget.NewButtonWithIcon(i18n.T("adminui.row.order"), theme.FileIcon(), func() { s.viewOrder(n) }))
	}
	if r.Account != nil {
		id := r.Account.IIN
		buttons.Add(widget.NewButtonWithIcon(i18n.T("adminui.row.history"), theme.HistoryIcon(), func() {
			s.showHistory(id, func() { s.showApp(s.sha) })
		}))
	}
	return container.NewVBox(title, body, out, buttons)
}

func accountStatusText(st string) string {
	switch st {
	case api.StatusActive, api.StatusBlocked, api.StatusDismissed:
		return i18n.T("adminui.acct." + st)
	}
	return st
}

// accountLine: the account with the row's IIN as it is now.
func accountLine(a *api.AdminAccount) string {
	if a == nil {
		return i18n.T("adminui.row.noaccount")
	}
	parts := []string{i18n.T("adminui.row.account", "status", accountStatusText(a.Status))}
	if a.Login != "" {
		parts = append(parts, i18n.T("adminui.row.login", "login", a.Login))
	}
	if a.BoundIP != "" {
		parts = append(parts, i18n.T("adminui.row.ip", "ip", a.BoundIP))
	}
	if a.Position != "" {
		parts = append(parts, a.Position)
	}
	if a.Status == api.StatusBlocked && a.BlockedReason != "" {
		parts = append(parts, i18n.T("adminui.row.blocked", "reason", a.BlockedReason))
	}
	if a.PasswordPrimary {
		parts = append(parts, i18n.T("adminui.row.primary"))
	}
	return strings.Join(parts, admSep)
}

func orderLine(r api.AdminRow) string {
	switch {
	case r.Order != nil:
		return i18n.T("adminui.row.order.present", "kb", (r.Order.Size+1023)/1024, "time", admTime(r.Order.UploadedAt))
	case r.OrderRequired:
		return i18n.T("adminui.row.order.missing")
	}
	return i18n.T("adminui.row.order.none")
}

func outcomeLine(o *api.RowOutcome) (string, widget.Importance) {
	switch {
	case o == nil:
		return i18n.T("adminui.row.pending"), widget.WarningImportance
	case o.Status == api.RowRejected:
		return i18n.T("adminui.row.rejected", "by", o.By, "time", admTime(o.At), "reason", o.Reason), widget.DangerImportance
	case o.Reason != "":
		return i18n.T("adminui.row.executed.note", "by", o.By, "time", admTime(o.At), "note", o.Reason), widget.SuccessImportance
	}
	return i18n.T("adminui.row.executed", "by", o.By, "time", admTime(o.At)), widget.SuccessImportance
}

// askExecute confirms the execution, with the login a registration needs
// (a new login for a change of account, the current IIN for a change of
// IIN) and an optional note.
func (s *adminScreen) askExecute(r api.AdminRow) {
	var d *dialog.CustomDialog
	intro := widget.NewLabel(i18n.T("adminui.exec.ask", "n", r.N, "op", opLabel(r.Row.Operation), "name", r.Row.FullName, "iin", r.Row.IIN))
	intro.Wrapping = fyne.TextWrapWord
	items := []fyne.CanvasObject{container.NewStack(minWidth(560), intro)}
	login := widget.NewEntry()
	acctIIN := widget.NewEntry()
	note := widget.NewEntry()
	note.SetPlaceHolder(i18n.T("adminui.exec.note"))
	problem := widget.NewLabel("")
	problem.Importance = widget.DangerImportance
	problem.Wrapping = fyne.TextWrapWord
	op := r.Row.Operation
	switch op {
	case form.OpRegister:
		login.SetPlaceHolder(i18n.T("adminui.exec.login"))
		items = append(items, widget.NewLabel(i18n.T("adminui.exec.login.label")), login)
	case form.OpChangeAccount:
		login.SetPlaceHolder(i18n.T("adminui.exec.newlogin"))
		items = append(items, widget.NewLabel(i18n.T("adminui.exec.newlogin.label")), login)
	case form.OpChangeIIN:
		acctIIN.SetPlaceHolder(i18n.T("adminui.exec.oldiin"))
		items = append(items, widget.NewLabel(i18n.T("adminui.exec.oldiin.label")), acctIIN)
	}
	if op == form.OpRegister || op == form.OpResetPassword {
		slip := widget.NewLabel(i18n.T("adminui.exec.slipnote"))
		slip.Wrapping = fyne.TextWrapWord
		items = append(items, slip)
	}
	items = append(items, note, problem)
	cancel := widget.NewButton(i18n.T("adminui.cancel"), func() { d.Hide() })
	var ok *widget.Button
	ok = widget.NewButtonWithIcon(i18n.T("adminui.row.execute"), theme.ConfirmIcon(), func() {
		req := api.ExecuteRequest{Login: strings.TrimSpace(login.Text), AccountIIN: strings.TrimSpace(acctIIN.Text), Note: strings.TrimSpace(note.Text)}
		d.Hide()
		s.execute(r, req)
	})
	ok.Importance = widget.HighImportance
	check := func(string) {
		msg := ""
		switch {
		case op == form.OpRegister && strings.TrimSpace(login.Text) == "":
			msg = i18n.T("adminui.exec.need.login")
		case op == form.OpChangeIIN && !iin.Valid(strings.TrimSpace(acctIIN.Text)):
			msg = i18n.T("adminui.exec.need.iin")
		}
		problem.SetText(msg)
		if msg == "" {
			problem.Hide()
			ok.Enable()
		} else {
			problem.Show()
			ok.Disable()
		}
	}
	login.OnChanged, acctIIN.OnChanged = check, check
	check("")
	d = dialog.NewCustomWithoutButtons(i18n.T("adminui.exec.title"), container.NewVBox(items...), s.a.win)
	d.SetButtons([]fyne.CanvasObject{cancel, ok})
	d.Show()
}

// slipDone is what an execution hands to the UI goroutine: the slip file,
// never the password.
type slipDone struct {
	path string
	err  error
}

// execute runs the row on the server. A primary password in the answer
// is printed on the slip in the same goroutine and wiped there: only the
// slip's file name reaches the screen.
func (s *adminScreen) execute(r api.AdminRow, req api.ExecuteRequest) {
	sha := s.sha
	var slip *slipDone
	s.run(func(ctx context.Context) error {
		resp, err := s.svc.Execute(ctx, sha, r.N, req)
		if err != nil {
			return err
		}
		if len(resp.PrimaryPassword) > 0 {
			slip = &slipDone{}
			slip.path, slip.err = s.printSlip(resp)
		}
		return nil
	}, func(err error) {
		if err != nil {
			s.a.showError(err)
			s.loadApp()
			return
		}
		if slip != nil {
			s.slipReady(*slip)
		}
		s.loadApp()
	})
}

// printSlip renders the slip and writes it to a temp file; the password
// and the PDF bytes are wiped whatever happens.
func (s *adminScreen) printSlip(resp *api.ExecuteResponse) (string, error) {
	defer resp.PrimaryPassword.Wipe()
	acct := resp.Account
	b, err := s.svc.Slip(PasswordSlip{FullName: acct.FullName, IIN: acct.IIN, Login: acct.Login,
		Password: resp.PrimaryPassword, IssuedBy: resp.Outcome.By, Date: s.a.now()})
	defer clear(b)
	if err != nil {
		return "", err
	}
	return s.a.writeTempFile(b, "kense-slip-*.pdf")
}

// slipReady opens the slip for printing and says how it is handed over.
func (s *adminScreen) slipReady(sd slipDone) {
	if sd.err != nil {
		s.a.showError(errors.New(i18n.T("adminui.slip.failed", "error", s.a.message(sd.err))))
		return
	}
	if err := s.a.openPath(sd.path, "ui.print.noviewer"); err != nil {
		s.a.showError(err)
	}
	msg := widget.NewLabel(i18n.T("adminui.slip.done"))
	msg.Wrapping = fyne.TextWrapWord
	var d *dialog.CustomDialog
	again := widget.NewButtonWithIcon(i18n.T("adminui.slip.again"), theme.DocumentPrintIcon(), func() {
		if err := s.a.openPath(sd.path, "ui.print.noviewer"); err != nil {
			s.a.showError(err)
		}
	})
	closeBtn := widget.NewButton(i18n.T("adminui.close"), func() { d.Hide() })
	d = dialog.NewCustomWithoutButtons(i18n.T("adminui.slip.title"), container.NewStack(minWidth(520), msg), s.a.win)
	d.SetButtons([]fyne.CanvasObject{again, closeBtn})
	d.Show()
}

// askReject asks for the reason, which is required.
func (s *adminScreen) askReject(r api.AdminRow) {
	var d *dialog.CustomDialog
	intro := widget.NewLabel(i18n.T("adminui.reject.ask", "n", r.N, "op", opLabel(r.Row.Operation), "name", r.Row.FullName))
	intro.Wrapping = fyne.TextWrapWord
	reason := widget.NewMultiLineEntry()
	reason.SetPlaceHolder(i18n.T("adminui.reject.reason"))
	reason.SetMinRowsVisible(3)
	cancel := widget.NewButton(i18n.T("adminui.cancel"), func() { d.Hide() })
	ok := widget.NewButtonWithIcon(i18n.T("adminui.row.reject"), theme.CancelIcon(), func() {
		text := strings.TrimSpace(reason.Text)
		if text == "" {
			return
		}
		d.Hide()
		s.reject(r.N, text)
	})
	ok.Importance = widget.DangerImportance
	ok.Disable()
	reason.OnChanged = func(t string) {
		if strings.TrimSpace(t) == "" {
			ok.Disable()
		} else {
			ok.Enable()
		}
	}
	d = dialog.NewCustomWithoutButtons(i18n.T("adminui.reject.title"),
		container.NewVBox(container.NewStack(minWidth(560), intro), reason), s.a.win)
	d.SetButtons([]fyne.CanvasObject{cancel, ok})
	d.Show()
}

func (s *adminScreen) reject(n int, reason string) {
	sha := s.sha
	s.run(func(ctx context.Context) error {
		_, err := s.svc.Reject(ctx, sha, n, reason)
		return err
	}, func(err error) {
		if err != nil {
			s.a.showError(err)
		}
		s.loadApp()
	})
}

// viewPDF prints the application as filed and opens it.
func (s *adminScreen) viewPDF() {
	app := s.app
	if app == nil {
		return
	}
	var path string
	s.run(func(context.Context) error {
		b, err := s.svc.ApplicationPDF(app)
		if err != nil {
			return err
		}
		path, err = s.a.writeTempFile(b, "kense-application-*.pdf")
		return err
	}, func(err error) {
		if err == nil {
			err = s.a.openPath(path, "ui.print.noviewer")
		}
		if err != nil {
			s.a.showError(err)
		}
	})
}

// viewOrder downloads row n's order scan and opens it.
func (s *adminScreen) viewOrder(n int) {
	sha := s.sha
	var path string
	s.run(func(ctx context.Context) error {
		b, ct, err := s.svc.Order(ctx, sha, n)
		if err != nil {
			return err
		}
		path, err = s.a.writeTempFile(b, scanPattern(ct))
		return err
	}, func(err error) {
		if err == nil {
			err = s.a.openPath(path, "ui.print.noviewer")
		}
		if err != nil {
			s.a.showError(err)
		}
	})
}
