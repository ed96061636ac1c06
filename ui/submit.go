package ui

import (
	"context"
	"errors"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kense/i18n"
)

// Signing and submitting an application (issue 4). A valid draft of a
// signed-in user gets "Sign and submit": the head picks their SIGN key
// file and its password, sees whose certificate it is, and only then
// signs; the draft is submitted to the Operator and becomes read-only,
// with its status (submitted, accepted, rejected with the reason, done)
// shown over the form.
//
// A key only NCALayer can use (a token, an ID card) signs the other way
// round, because NCALayer reveals the certificate only in the signature
// it returns: "Sign with NCALayer" signs at once, the dialog shows whose
// certificate signed, and "Submit" sends that very signature (nothing is
// signed again); the head still sees the signer before anything reaches
// the Operator.

// submitTimeout bounds the sign-and-submit round trip (a sync first, then
// the submission).
const submitTimeout = 2 * time.Minute

// appState reads the draft's application state (zero: a draft).
func (a *App) appState(id string) AppState {
	if a.svc.Application == nil || id == "" {
		return AppState{}
	}
	return a.svc.Application(id)
}

// refreshApplication shows a status that sync brought (the Operator's
// decision) on the open editor.
func (a *App) refreshApplication() {
	e := a.editor
	if e == nil {
		return
	}
	st := a.appState(e.draft.ID)
	if sameApp(st, e.app) {
		return
	}
	e.app = st
	e.readOnly = st.Status != ""
	e.rebuild()
	a.win.SetContent(a.frame(e.title(), e.content))
}

// submitButton is the toolbar's "Sign and submit", nil when there is
// nothing to submit with or the application was submitted already.
func (e *editor) submitButton() *widget.Button {
	if e.a.svc.Submitter == nil || e.readOnly {
		return nil
	}
	b := widget.NewButtonWithIcon(i18n.T("submit.button"), theme.MailSendIcon(), e.askSubmit)
	return b
}

// appBanner says, over a submitted application, where it stands and who
// signed it; nil for a draft.
func (e *editor) appBanner() fyne.CanvasObject {
	st := e.app
	if st.Status == "" {
		return nil
	}
	text := i18n.T("submit.status." + st.Status)
	if st.Status == "rejected" {
		text = i18n.T("submit.status.rejected", "reason", st.Reason)
	}
	l := widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.Wrapping = fyne.TextWrapWord
	switch st.Status {
	case "rejected":
		l.Importance = widget.DangerImportance
	case "accepted", "done":
		l.Importance = widget.SuccessImportance
	default:
		l.Importance = widget.HighImportance
	}
	box := container.NewVBox(l)
	if st.SignerName != "" {
		s := widget.NewLabel(i18n.T("submit.signed_by", "name", st.SignerName, "iin", st.SignerIIN,
			"serial", st.CertSerial, "time", showInAlmaty(st.SignedAt, "02.01.2006 15:04")))
		s.Wrapping = fyne.TextWrapWord
		box.Add(s)
	}
	for _, o := range st.Rows {
		l := widget.NewLabel(rowOutcomeText(o))
		l.Wrapping = fyne.TextWrapWord
		l.Importance = widget.SuccessImportance
		if !o.Executed {
			l.Importance = widget.DangerImportance
		}
		box.Add(l)
	}
	ro := widget.NewLabel(i18n.T("submit.readonly"))
	ro.Importance = widget.LowImportance
	box.Add(ro)
	return box
}

// rowOutcomeText is one row's outcome as the applicant reads it: executed
// when and by whom, or rejected and why.
func rowOutcomeText(o RowOutcome) string {
	when := showInAlmaty(o.At, "02.01.2006 15:04")
	if o.Executed {
		if o.Reason != "" {
			return i18n.T("notice.row.executed_note", "row", o.Row, "time", when, "name", o.By, "note", o.Reason)
		}
		return i18n.T("notice.row.executed", "row", o.Row, "time", when, "name", o.By)
	}
	return i18n.T("notice.row.rejected", "row", o.Row, "time", when, "name", o.By, "reason", o.Reason)
}

// applyReadOnly keeps a submitted application from being edited: the
// header's entries are disabled, rows can be neither added nor removed,
// and every row shown has its fields disabled.
func (e *editor) applyReadOnly(addBtn, today *widget.Button) {
	if !e.readOnly {
		return
	}
	for _, en := range e.hdrEntry {
		en.Disable()
	}
	addBtn.Hide()
	today.Hide()
	bind := e.rows.list.UpdateItem
	e.rows.list.UpdateItem = func(id widget.ListItemID, o fyne.CanvasObject) {
		bind(id, o)
		if ri, ok := o.(*rowItem); ok {
			ri.setReadOnly()
		}
	}
	e.rows.list.Refresh()
}

func (ri *rowItem) setReadOnly() {
	for _, en := range ri.entries {
		en.Disable()
	}
	ri.userType.Disable()
	ri.operation.Disable()
	ri.access.Disable()
	ri.order.Disable()
	ri.orderClear.Hide()
	ri.remove.Hide()
}

// SettingSubmitMethod remembers how the last application was signed:
// signInFile or signInNCALayer (the sign-in screen's names).
const SettingSubmitMethod = "submit.method"

// askSubmit opens the signing dialog, or says why the form cannot be
// submitted yet.
func (e *editor) askSubmit() {
	if len(e.problems) > 0 {
		if !e.showAll {
			e.showAll = true
			e.revalidate()
		}
		msg := widget.NewLabel(i18n.T("submit.refused", "n", len(e.problems)))
		msg.Wrapping = fyne.TextWrapWord
		d := dialog.NewCustom(i18n.T("submit.title"), i18n.T("ui.close"),
			container.NewBorder(msg, nil, nil, nil, e.problemList()), e.a.win)
		d.Show()
		return
	}
	newSubmitDialog(e).show()
}

// submitDialog picks the SIGN key, shows its owner, then signs and
// submits; or, with NCALayer, signs, shows the signer, then submits.
type submitDialog struct {
	e       *editor
	d       *dialog.CustomDialog
	method  *widget.RadioGroup
	fileBox *fyne.Container
	path    *widget.Entry
	pass    *widget.Entry
	openBtn *widget.Button
	ncaBox  *fyne.Container
	ncaBtn  *widget.Button
	facts   *widget.Label
	warn    *widget.Label
	wait    *widget.Label
	msg     *widget.Label
	busy    *widget.ProgressBarInfinite
	sign    *widget.Button
	cancel  *widget.Button
	key     SignKey
	working bool
	// stop ends the wait for NCALayer (nil when not waiting): the one
	// piece of work the dialog's Cancel may interrupt.
	stop context.CancelFunc
	done bool
}

func newSubmitDialog(e *editor) *submitDialog {
	s := &submitDialog{e: e}
	intro := widget.NewLabel(i18n.T("submit.intro"))
	intro.Wrapping = fyne.TextWrapWord
	s.path = widget.NewEntry()
	s.path.SetPlaceHolder(i18n.T("submit.keyfile.placeholder"))
	browse := widget.NewButtonWithIcon(i18n.T("ui.choose"), theme.FolderOpenIcon(), s.browse)
	s.pass = widget.NewPasswordEntry()
	s.pass.SetPlaceHolder(i18n.T("submit.keypass.placeholder"))
	s.pass.OnSubmitted = func(string) { s.open() }
	s.openBtn = widget.NewButtonWithIcon(i18n.T("submit.keyfile.open"), theme.LoginIcon(), s.open)
	s.fileBox = container.NewVBox(
		widget.NewLabelWithStyle(i18n.T("submit.keyfile"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewBorder(nil, nil, nil, browse, s.path),
		container.NewBorder(nil, nil, nil, s.openBtn, s.pass))
	ncaHint := widget.NewLabel(i18n.T("submit.ncalayer.hint"))
	ncaHint.Wrapping = fyne.TextWrapWord
	s.ncaBtn = widget.NewButtonWithIcon(i18n.T("submit.ncalayer.sign"), theme.DocumentCreateIcon(), s.signNCALayer)
	s.ncaBox = container.NewVBox(ncaHint, container.NewHBox(s.ncaBtn))
	s.facts = widget.NewLabel("")
	s.facts.Wrapping = fyne.TextWrapWord
	s.facts.Hide()
	s.warn = widget.NewLabel("")
	s.warn.Wrapping = fyne.TextWrapWord
	s.warn.Importance = widget.WarningImportance
	s.warn.Hide()
	s.wait = widget.NewLabel(i18n.T("submit.ncalayer.wait"))
	s.wait.Wrapping = fyne.TextWrapWord
	s.wait.Importance = widget.LowImportance
	s.wait.Hide()
	s.msg = widget.NewLabel("")
	s.msg.Wrapping = fyne.TextWrapWord
	s.msg.Importance = widget.DangerImportance
	s.msg.Hide()
	s.busy = widget.NewProgressBarInfinite()
	s.busy.Stop()
	s.busy.Hide()

	s.sign = widget.NewButtonWithIcon(i18n.T("submit.sign"), theme.MailSendIcon(), s.submit)
	s.sign.Importance = widget.HighImportance
	s.sign.Disable()
	s.cancel = widget.NewButton(i18n.T("ui.cancel"), s.close)

	s.method = widget.NewRadioGroup([]string{i18n.T("submit.method.file"), i18n.T("submit.method.ncalayer")},
		func(string) { s.switchMethod() })
	s.method.Horizontal = true
	s.method.Required = true
	s.method.SetSelected(i18n.T("submit.method.file"))
	if e.a.submitMethod() == signInNCALayer {
		s.method.SetSelected(i18n.T("submit.method.ncalayer"))
	}
	s.switchMethod()

	body := container.NewVBox(intro, s.method, s.fileBox, s.ncaBox,
		s.facts, s.warn, s.wait, s.msg, s.busy)
	s.d = dialog.NewCustomWithoutButtons(i18n.T("submit.title"), container.NewStack(minSize(fyne.NewSize(640, 0)), body), e.a.win)
	s.d.SetButtons([]fyne.CanvasObject{s.cancel, s.sign})
	return s
}

// submitMethod is how the dialog offers to sign: the way the last
// application was signed, else the way the user signs in. A head who keeps
// the keys on a token signs in with NCALayer and so starts on NCALayer
// here; one who signs in with the AUTH key file but signs with a token
// chooses NCALayer once and it is remembered from then on.
func (a *App) submitMethod() string {
	if a.svc.Store == nil {
		return signInFile
	}
	for _, k := range []string{SettingSubmitMethod, SettingSignInMethod} {
		if v, ok, err := a.svc.Store.Setting(k); err == nil && ok && (v == signInFile || v == signInNCALayer) {
			return v
		}
	}
	return signInFile
}

// ncaLayer: NCALayer is chosen rather than a key file.
func (s *submitDialog) ncaLayer() bool {
	return s.method.Selected == i18n.T("submit.method.ncalayer")
}

// switchMethod shows the chosen way's fields and forgets a key or a
// signature of the other way. With NCALayer the signature comes first, so
// the final button only sends it.
func (s *submitDialog) switchMethod() {
	if s.sign == nil {
		return // still being built
	}
	s.clearKey()
	if s.ncaLayer() {
		s.fileBox.Hide()
		s.ncaBox.Show()
		s.sign.SetText(i18n.T("submit.send"))
		return
	}
	s.ncaBox.Hide()
	s.fileBox.Show()
	s.sign.SetText(i18n.T("submit.sign"))
}

// remember keeps the way that gave a key for the next application.
func (s *submitDialog) remember() {
	if st := s.e.a.svc.Store; st != nil {
		m := signInFile
		if s.ncaLayer() {
			m = signInNCALayer
		}
		_ = st.SetSetting(SettingSubmitMethod, m) // a preference: losing it costs one click
	}
}

func (s *submitDialog) show() {
	s.e.a.signing = s
	s.d.Show()
}

// close wipes an opened key (forgets a signature) and closes the dialog;
// a wait for NCALayer is stopped, other work is let finish.
func (s *submitDialog) close() {
	if s.working && s.stop == nil {
		return
	}
	if s.stop != nil {
		s.stop()
	}
	s.done = true
	s.closeKey()
	s.pass.SetText("")
	s.d.Hide()
	if s.e.a.signing == s {
		s.e.a.signing = nil
	}
}

// closeSigning closes the signing dialog and wipes its key (the lock, the
// app closing); a wait for NCALayer is stopped. A signature already on its
// way finishes and wipes the key itself.
func (a *App) closeSigning() {
	if s := a.signing; s != nil {
		s.close()
	}
}

// flushed writes the pending edit (what is signed must be the latest),
// saying why when it cannot.
func (s *submitDialog) flushed() bool {
	if sv := s.e.a.saver; sv != nil {
		if err := sv.Flush(); err != nil {
			s.say(s.e.a.message(err))
			return false
		}
	}
	return true
}

// clearKey wipes the key (forgets the signature) and what the dialog said
// of it.
func (s *submitDialog) clearKey() {
	s.closeKey()
	s.facts.Hide()
	s.warn.Hide()
	s.sign.Disable()
	s.say("")
}

func (s *submitDialog) closeKey() {
	if s.key != nil {
		s.key.Close()
		s.key = nil
	}
}

func (s *submitDialog) say(msg string) {
	s.msg.SetText(msg)
	if msg == "" {
		s.msg.Hide()
	} else {
		s.msg.Show()
	}
}

func (s *submitDialog) browse() {
	chooseKeyFile(s.e.a.win, s.path.Text, s.e.a.showError, s.path.SetText)
}

// open reads the key file's SIGN key (off the UI goroutine: NCA's
// containers take a moment) and shows whose it is before anything is
// signed. The password is taken out of its entry and wiped by the
// service.
func (s *submitDialog) open() {
	if s.working {
		return
	}
	path := strings.TrimSpace(s.path.Text)
	if path == "" {
		s.say(i18n.T("submit.err.nokeyfile"))
		return
	}
	if s.pass.Text == "" {
		s.say(i18n.T("submit.err.nokeypass"))
		return
	}
	s.clearKey()
	pw := takePassword(s.pass)
	s.setWorking(true)
	sub := s.e.a.svc.Submitter
	go func() {
		k, err := sub.OpenSignKey(path, pw)
		clear(pw) // the service wipes it too
		s.e.a.do(func() {
			s.setWorking(false)
			s.took(k, err)
		})
	}()
}

// signNCALayer writes the pending edit, then has the service sign the
// draft through NCALayer (off the UI goroutine: NCALayer's window waits
// for the user; Cancel here stops the wait) and shows whose certificate
// signed. Nothing is sent until "Submit". A Cancel in NCALayer shows
// nothing.
func (s *submitDialog) signNCALayer() {
	if s.working {
		return
	}
	if !s.flushed() {
		return
	}
	e := s.e
	s.clearKey()
	ctx, stop := context.WithCancel(context.Background())
	s.stop = stop
	s.setWorking(true)
	s.wait.Show()
	id := e.draft.ID
	sub := e.a.svc.Submitter
	go func() {
		k, err := sub.SignNCALayer(ctx, id)
		stop()
		e.a.do(func() {
			s.stop = nil
			s.wait.Hide()
			s.setWorking(false)
			s.took(k, err)
		})
	}()
}

// took shows what opening the key file or signing with NCALayer gave:
// whose certificate it is, or why there is none (nothing for a Cancel in
// NCALayer). A dialog closed meanwhile wipes the key at once.
func (s *submitDialog) took(k SignKey, err error) {
	if s.done {
		if k != nil {
			k.Close()
		}
		return
	}
	if err != nil {
		if !errors.Is(err, ErrSignCanceled) {
			s.say(s.e.a.message(err))
		}
		return
	}
	s.key = k
	s.showFacts(k.Facts())
	s.sign.Enable()
	s.remember()
}

// showFacts names the certificate's owner, and warns when it is not the
// head the form names (the server refuses such a signature).
func (s *submitDialog) showFacts(f SignKeyFacts) {
	lines := []string{i18n.T("submit.facts.owner", "name", f.CommonName, "iin", f.IIN)}
	if f.Organization != "" {
		lines = append(lines, i18n.T("submit.facts.org", "org", f.Organization))
	}
	lines = append(lines, i18n.T("submit.facts.cert", "serial", f.Serial, "issuer", f.Issuer,
		"until", showInAlmaty(f.NotAfter, "02.01.2006")))
	s.facts.SetText(strings.Join(lines, "\n"))
	s.facts.Show()
	head := s.e.draft.Form.Head.FullName
	if !namesHead(f.CommonName, head) {
		s.warn.SetText(i18n.T("submit.facts.not_head", "name", f.CommonName, "head", head))
		s.warn.Show()
	}
}

// namesHead: the certificate's common name (NCA: "SURNAME GIVENNAME") is
// how the head's full name begins, letter case aside (the server's rule).
func namesHead(commonName, head string) bool {
	cn := strings.Fields(strings.ToLower(commonName))
	h := strings.Fields(strings.ToLower(head))
	if len(cn) == 0 || len(cn) > len(h) {
		return false
	}
	for i := range cn {
		if cn[i] != h[i] {
			return false
		}
	}
	return true
}

func (s *submitDialog) setWorking(on bool) {
	s.working = on
	if on {
		s.busy.Show()
		s.busy.Start()
		s.method.Disable()
		s.openBtn.Disable()
		s.ncaBtn.Disable()
		if s.stop == nil {
			s.cancel.Disable()
		}
		s.sign.Disable()
		return
	}
	s.busy.Stop()
	s.busy.Hide()
	s.method.Enable()
	s.openBtn.Enable()
	s.ncaBtn.Enable()
	s.cancel.Enable()
	if s.key != nil {
		s.sign.Enable()
	}
}

// submit writes the pending edit, signs the canonical content and submits
// it. The key is wiped when it is done, whatever the outcome.
func (s *submitDialog) submit() {
	if s.working || s.key == nil {
		return
	}
	if !s.flushed() {
		return
	}
	e := s.e
	key := s.key
	s.key = nil
	s.say("")
	s.setWorking(true)
	id := e.draft.ID
	sub := e.a.svc.Submitter
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), submitTimeout)
		defer cancel()
		st, err := sub.Submit(ctx, id, key)
		key.Close()
		e.a.do(func() {
			s.setWorking(false)
			if err != nil {
				again := i18n.T("submit.err.again")
				if s.ncaLayer() {
					again = i18n.T("submit.err.again_ncalayer")
				}
				s.say(e.a.message(err) + " " + again)
				return
			}
			s.done = true
			s.d.Hide()
			if e.a.signing == s {
				e.a.signing = nil
			}
			if e.a.editor != e {
				return
			}
			e.app = st
			e.readOnly = st.Status != ""
			e.rebuild()
			e.a.win.SetContent(e.a.frame(e.title(), e.content))
			e.a.info("submit.title", i18n.T("submit.done"))
		})
	}()
}

// message is err in the user's language.
func (a *App) message(err error) string {
	if err == nil {
		return ""
	}
	if a.svc.Message != nil {
		return a.svc.Message(err)
	}
	return err.Error()
}
