package ui

// The RER SDB account's password (access rules, chapters 3 and 4; issue 8):
// the change form with rule 18's checklist ticked live as the new password
// is typed, the forced change after a sign-in with a primary, expired or
// compromised password (rules 14, 16, 17), "My password is compromised"
// (rules 12.3, 16) and the offer to change it from day 25 (rule 15).
//
// The rules themselves are package password's, reached through
// PasswordService (cmd/kense wires it over package session): the checklist
// is a preview, the server is the authority. Kense never proposes a
// password (rule 15: the user alone creates it).

import (
	"context"
	"errors"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kense/i18n"
)

// PasswordRule is one rule of the password policy as the checklist shows
// it, in the user's language.
type PasswordRule struct {
	// Label states the rule ("At least 8 characters").
	Label string
	// OK: the rule is met. Skipped: it cannot be checked here (the
	// account's earlier passwords; the previous one not typed yet): the
	// server checks it. OK is true when Skipped.
	OK, Skipped bool
	// Problem says what is wrong when !OK.
	Problem string
}

// PasswordService is the signed-in RER SDB account's password; cmd/kense
// implements it over package session and package password
// (session/sessionui). Change and ReportCompromised may block (network):
// the screens call them off the UI goroutine.
type PasswordService interface {
	// Check applies the password rules to candidate for the signed-in
	// account; old is the current password as typed (empty: unknown). It
	// is quick (called on every key), keeps neither slice and returns one
	// PasswordRule per rule, always in the same order.
	Check(candidate, old []byte) []PasswordRule
	// Change changes the password on the server (both slices wiped);
	// afterwards a restricted session works in full.
	Change(ctx context.Context, old, new []byte) error
	// ReportCompromised tells the server that someone else knows the
	// password: until it is changed the account may do nothing else.
	// headNotified: the user's head was told.
	ReportCompromised(ctx context.Context) (headNotified bool, err error)
	// Message words a failure of Change or ReportCompromised in the
	// user's language (a refusal lists the rules the server found broken).
	Message(err error) string
}

// passwordTimeout bounds one change or report.
const passwordTimeout = time.Minute

// pwState is a checklist row's state.
type pwState int

const (
	pwPending pwState = iota // nothing typed yet
	pwMet
	pwBroken
	pwServer // checked by the server on submit
)

// pwRow is one line of the checklist: an icon, the rule, what is wrong.
type pwRow struct {
	icon    *widget.Icon
	label   *widget.Label
	problem *widget.Label
	state   pwState
	box     fyne.CanvasObject
}

func newPWRow(label string) *pwRow {
	r := &pwRow{icon: widget.NewIcon(theme.RadioButtonIcon()), label: widget.NewLabel(label), problem: widget.NewLabel("")}
	r.label.Wrapping = fyne.TextWrapWord
	r.problem.Wrapping = fyne.TextWrapWord
	r.problem.Importance = widget.DangerImportance
	r.problem.Hide()
	r.box = container.NewBorder(nil, nil, container.NewVBox(r.icon), nil, container.NewVBox(r.label, r.problem))
	return r
}

func (r *pwRow) set(st pwState, problem string) {
	r.state = st
	res, imp := theme.RadioButtonIcon(), widget.MediumImportance
	switch st {
	case pwMet:
		res, imp = theme.ConfirmIcon(), widget.SuccessImportance
	case pwBroken:
		res, imp = theme.CancelIcon(), widget.DangerImportance
	case pwServer:
		res = theme.InfoIcon()
	}
	r.icon.SetResource(res)
	if r.label.Importance != imp {
		r.label.Importance = imp
		r.label.Refresh()
	}
	if st == pwBroken && problem != "" && problem != r.label.Text {
		r.problem.SetText(problem)
		r.problem.Show()
	} else {
		r.problem.Hide()
		r.problem.SetText("")
	}
}

// passwordForm is the change form: the current password, the new one
// twice, the checklist, and the buttons. Hosts (the forced screen, the
// dialog) put content where they like.
type passwordForm struct {
	svc              PasswordService
	old, pw, repeat  *widget.Entry
	rows             []*pwRow
	match            *pwRow
	msg              *widget.Label
	submit, cancel   *widget.Button
	do, run          func(fn func())
	busy             bool
	onDone, onCancel func()
	activity         func()
	content          fyne.CanvasObject
}

func newPasswordForm(svc PasswordService, forced bool, do, run func(fn func())) *passwordForm {
	f := &passwordForm{svc: svc, do: do, run: run}
	if f.do == nil {
		f.do = fyne.Do
	}
	if f.run == nil {
		f.run = func(fn func()) { go fn() }
	}
	f.old = widget.NewPasswordEntry()
	f.old.SetPlaceHolder(i18n.T("pwui.old"))
	f.pw = widget.NewPasswordEntry()
	f.pw.SetPlaceHolder(i18n.T("pwui.new"))
	f.repeat = widget.NewPasswordEntry()
	f.repeat.SetPlaceHolder(i18n.T("pwui.repeat"))
	changed := func(string) {
		if f.activity != nil {
			f.activity()
		}
		f.update()
	}
	f.old.OnChanged, f.pw.OnChanged, f.repeat.OnChanged = changed, changed, changed
	f.old.OnSubmitted = func(string) { f.focus(f.pw) }
	f.pw.OnSubmitted = func(string) { f.focus(f.repeat) }
	f.repeat.OnSubmitted = func(string) { f.submitNow() }

	list := container.NewVBox()
	for _, r := range svc.Check(nil, nil) {
		row := newPWRow(r.Label)
		f.rows = append(f.rows, row)
		list.Add(row.box)
	}
	f.match = newPWRow(i18n.T("pwui.rule.match"))
	list.Add(f.match.box)

	f.msg = widget.NewLabel("")
	f.msg.Wrapping = fyne.TextWrapWord
	f.msg.Importance = widget.DangerImportance
	f.msg.Hide()
	f.submit = widget.NewButtonWithIcon(i18n.T("pwui.submit"), theme.ConfirmIcon(), f.submitNow)
	f.submit.Importance = widget.HighImportance
	cancelText := i18n.T("pwui.cancel")
	if forced {
		cancelText = i18n.T("pwui.cancel.forced")
	}
	f.cancel = widget.NewButtonWithIcon(cancelText, theme.CancelIcon(), f.cancelNow)

	own := widget.NewLabel(i18n.T("pwui.own"))
	own.Wrapping = fyne.TextWrapWord
	head := widget.NewLabel(i18n.T("pwui.rules"))
	head.Wrapping = fyne.TextWrapWord
	head.TextStyle = fyne.TextStyle{Bold: true}
	server := widget.NewLabel(i18n.T("pwui.rules.server"))
	server.Wrapping = fyne.TextWrapWord
	server.Importance = widget.LowImportance
	f.content = container.NewVBox(
		own,
		widget.NewForm(
			widget.NewFormItem(i18n.T("pwui.old"), f.old),
			widget.NewFormItem(i18n.T("pwui.new"), f.pw),
			widget.NewFormItem(i18n.T("pwui.repeat"), f.repeat),
		),
		head, list, server,
		f.msg,
		container.NewHBox(f.cancel, f.submit),
	)
	f.update()
	return f
}

func (f *passwordForm) focus(e *widget.Entry) {
	if c := fyne.CurrentApp().Driver().CanvasForObject(e); c != nil {
		c.Focus(e)
	}
}

// update ticks the checklist for what is typed now.
func (f *passwordForm) update() {
	if f.pw.Text == "" {
		for _, r := range f.rows {
			r.set(pwPending, "")
		}
	} else {
		cand, old := []byte(f.pw.Text), []byte(f.old.Text)
		res := f.svc.Check(cand, old)
		clear(cand)
		clear(old)
		for i, r := range f.rows {
			if i >= len(res) {
				r.set(pwPending, "")
				continue
			}
			switch {
			case res[i].Skipped:
				r.set(pwServer, "")
			case res[i].OK:
				r.set(pwMet, "")
			default:
				r.set(pwBroken, res[i].Problem)
			}
		}
	}
	switch {
	case f.repeat.Text == "":
		f.match.set(pwPending, "")
	case f.repeat.Text == f.pw.Text:
		f.match.set(pwMet, "")
	default:
		f.match.set(pwBroken, "")
	}
}

func (f *passwordForm) say(text string) {
	f.msg.SetText(text)
	if text == "" {
		f.msg.Hide()
	} else {
		f.msg.Show()
	}
}

// refusal is what keeps the typed passwords from being sent ("" none).
func (f *passwordForm) refusal() (string, *widget.Entry) {
	switch {
	case f.old.Text == "":
		return i18n.T("pwui.err.old_required"), f.old
	case f.pw.Text == "":
		return i18n.T("pwui.err.new_required"), f.pw
	case f.pw.Text != f.repeat.Text:
		return i18n.T("pwui.err.mismatch"), f.repeat
	}
	f.update()
	for _, r := range f.rows {
		if r.state == pwBroken {
			return i18n.T("pwui.err.rules"), f.pw
		}
	}
	return "", nil
}

// submitNow sends the change; the entries are emptied whatever the outcome.
func (f *passwordForm) submitNow() {
	if f.busy {
		return
	}
	if msg, e := f.refusal(); msg != "" {
		f.say(msg)
		f.focus(e)
		return
	}
	old, nw := takePassword(f.old), takePassword(f.pw)
	f.repeat.SetText("")
	f.update()
	f.setBusy(true)
	f.msg.Importance = widget.MediumImportance
	f.say(i18n.T("pwui.busy"))
	f.run(func() {
		ctx, cancel := context.WithTimeout(context.Background(), passwordTimeout)
		defer cancel()
		err := f.svc.Change(ctx, old, nw)
		clear(old) // the service wipes them; so does this, should it not
		clear(nw)
		f.do(func() {
			f.setBusy(false)
			f.msg.Importance = widget.DangerImportance
			if err != nil {
				f.say(f.svc.Message(err))
				f.focus(f.old)
				return
			}
			f.say("")
			if f.onDone != nil {
				f.onDone()
			}
		})
	})
}

func (f *passwordForm) setBusy(on bool) {
	f.busy = on
	for _, w := range []fyne.Disableable{f.submit, f.cancel, f.old, f.pw, f.repeat} {
		if on {
			w.Disable()
		} else {
			w.Enable()
		}
	}
}

// wipe empties the three entries.
func (f *passwordForm) wipe() {
	for _, e := range []*widget.Entry{f.old, f.pw, f.repeat} {
		e.SetText("")
	}
}

func (f *passwordForm) cancelNow() {
	if f.busy {
		return
	}
	f.wipe()
	f.say("")
	if f.onCancel != nil {
		f.onCancel()
	}
}

// forcePasswordChange shows the change form instead of the work: the
// server lets who do nothing but change the password (rules 14, 16, 17).
// Changed, the work opens; Cancel signs out.
func (s *Shell) forcePasswordChange(who SignedIn) {
	leave := func() {
		if s.cfg.Leave != nil {
			s.cfg.Leave()
		}
		s.showSignIn()
	}
	if s.cfg.Password == nil {
		leave()
		s.showError(errors.New(i18n.T("pwui.err.unavailable")))
		return
	}
	f := newPasswordForm(s.cfg.Password, true, s.cfg.Do, s.cfg.Run)
	f.onCancel = leave
	f.onDone = func() {
		who.PasswordChange, who.PasswordChangeWhy = false, ""
		s.entered(who)
		s.passwordChanged()
	}
	s.pwForm = f
	title := widget.NewLabel(i18n.T("pwui.title.forced"))
	title.TextStyle = fyne.TextStyle{Bold: true}
	why := widget.NewLabel(who.PasswordChangeWhy)
	why.Wrapping = fyne.TextWrapWord
	why.Importance = widget.WarningImportance
	if who.PasswordChangeWhy == "" {
		why.Hide()
	}
	body := container.NewVBox(title, widget.NewLabel(who.FullName), why, f.content)
	w := s.locker.Window()
	w.SetContent(container.NewVScroll(container.NewCenter(container.NewStack(minWidth(640), container.NewPadded(body)))))
	w.Canvas().Focus(f.old)
}

// showPasswordDialog opens the change form over the work. forced (the
// password was just reported compromised): Cancel signs out, as the
// account can do nothing else.
func (s *Shell) showPasswordDialog(forced bool, why string) {
	if s.cfg.Password == nil {
		return
	}
	f := newPasswordForm(s.cfg.Password, forced, s.cfg.Do, s.cfg.Run)
	f.activity = s.locker.Activity
	s.pwForm = f
	body := f.content
	if why != "" {
		l := widget.NewLabel(why)
		l.Wrapping = fyne.TextWrapWord
		l.Importance = widget.WarningImportance
		body = container.NewVBox(l, f.content)
	}
	title := i18n.T("pwui.title")
	if forced {
		title = i18n.T("pwui.title.forced")
	}
	d := dialog.NewCustomWithoutButtons(title, container.NewVScroll(body), s.win)
	f.onDone = func() {
		d.Hide()
		s.pwForm = nil
		s.passwordChanged()
	}
	f.onCancel = func() {
		d.Hide()
		s.pwForm = nil
		if forced {
			s.SignOut()
		}
	}
	d.Resize(fyne.NewSize(720, 680))
	d.Show()
	s.win.Canvas().Focus(f.old)
}

// passwordChanged says it is done.
func (s *Shell) passwordChanged() {
	s.pwForm = nil
	l := widget.NewLabel(i18n.T("pwui.done"))
	l.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustom(i18n.T("pwui.done.title"), i18n.T("signin.warnings.ok"), l, s.win)
	d.Resize(fyne.NewSize(480, 220))
	d.Show()
}

// offerPasswordChange: the password must be changed within days (from day
// 25, rule 15); the user may change it now.
func (s *Shell) offerPasswordChange(text string) {
	if s.cfg.Password == nil {
		return
	}
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm(i18n.T("pwui.due.title"), i18n.T("pwui.due.change"), i18n.T("pwui.due.later"), l,
		func(now bool) {
			if now {
				s.showPasswordDialog(false, "")
			}
		}, s.win)
	d.Resize(fyne.NewSize(480, 240))
	d.Show()
}

// passwordMenu is the RER SDB account's password actions for the top bar.
func (s *Shell) passwordMenu() *fyne.Menu {
	return fyne.NewMenu(i18n.T("pwui.menu"),
		fyne.NewMenuItem(i18n.T("pwui.menu.change"), func() { s.showPasswordDialog(false, "") }),
		fyne.NewMenuItem(i18n.T("pwui.menu.compromised"), s.confirmCompromised),
	)
}

// passwordButton opens passwordMenu under itself.
func (s *Shell) passwordButton() fyne.CanvasObject {
	var b *widget.Button
	b = widget.NewButtonWithIcon(i18n.T("pwui.menu"), theme.AccountIcon(), func() {
		c := fyne.CurrentApp().Driver().CanvasForObject(b)
		if c == nil {
			return
		}
		pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(b).AddXY(0, b.Size().Height)
		widget.ShowPopUpMenuAtPosition(s.passwordMenu(), c, pos)
	})
	return b
}

// confirmCompromised asks, then reports the password compromised (rules
// 12.3, 16) and opens the change form at once: the account can do nothing
// else until it is changed.
func (s *Shell) confirmCompromised() {
	svc := s.cfg.Password
	if svc == nil {
		return
	}
	l := widget.NewLabel(i18n.T("pwui.compromised.ask"))
	l.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm(i18n.T("pwui.compromised.title"), i18n.T("pwui.compromised.confirm"), i18n.T("pwui.cancel"), l,
		func(ok bool) {
			if !ok {
				return
			}
			n := s.session
			s.runBg(func() {
				ctx, cancel := context.WithTimeout(context.Background(), passwordTimeout)
				defer cancel()
				head, err := svc.ReportCompromised(ctx)
				s.do(func() {
					if n != s.session || s.app == nil {
						return // signed out meanwhile
					}
					if err != nil {
						dialog.NewError(errors.New(svc.Message(err)), s.win).Show()
						return
					}
					told := i18n.T("pwui.compromised.head_unknown")
					if head {
						told = i18n.T("pwui.compromised.head_notified")
					}
					s.showPasswordDialog(true, told+"\n"+i18n.T("pwc.required.compromised"))
				})
			})
		}, s.win)
	d.Resize(fyne.NewSize(520, 260))
	d.Show()
}

func (s *Shell) runBg(fn func()) {
	if s.cfg.Run != nil {
		s.cfg.Run(fn)
		return
	}
	go fn()
}
