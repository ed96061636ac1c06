package ui

import (
	"context"
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
// submits.
type submitDialog struct {
	e       *editor
	d       *dialog.CustomDialog
	path    *widget.Entry
	pass    *widget.Entry
	openBtn *widget.Button
	facts   *widget.Label
	warn    *widget.Label
	msg     *widget.Label
	busy    *widget.ProgressBarInfinite
	sign    *widget.Button
	cancel  *widget.Button
	key     SignKey
	working bool
	done    bool
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
	s.facts = widget.NewLabel("")
	s.facts.Wrapping = fyne.TextWrapWord
	s.facts.Hide()
	s.warn = widget.NewLabel("")
	s.warn.Wrapping = fyne.TextWrapWord
	s.warn.Importance = widget.WarningImportance
	s.warn.Hide()
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

	body := container.NewVBox(intro,
		widget.NewLabelWithStyle(i18n.T("submit.keyfile"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewBorder(nil, nil, nil, browse, s.path),
		container.NewBorder(nil, nil, nil, s.openBtn, s.pass),
		s.facts, s.warn, s.msg, s.busy)
	s.d = dialog.NewCustomWithoutButtons(i18n.T("submit.title"), container.NewStack(minSize(fyne.NewSize(640, 0)), body), e.a.win)
	s.d.SetButtons([]fyne.CanvasObject{s.cancel, s.sign})
	return s
}

func (s *submitDialog) show() {
	s.e.a.signing = s
	s.d.Show()
}

// close wipes an opened key and closes the dialog.
func (s *submitDialog) close() {
	if s.working {
		return
	}
	s.closeKey()
	s.pass.SetText("")
	s.d.Hide()
	if s.e.a.signing == s {
		s.e.a.signing = nil
	}
}

// closeSigning closes the signing dialog and wipes its key (the lock, the
// app closing). A signature already on its way finishes and wipes the key
// itself.
func (a *App) closeSigning() {
	if s := a.signing; s != nil && !s.working {
		s.close()
	}
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
	s.closeKey()
	s.facts.Hide()
	s.warn.Hide()
	s.sign.Disable()
	s.say("")
	pw := takePassword(s.pass)
	s.setWorking(true)
	sub := s.e.a.svc.Submitter
	go func() {
		k, err := sub.OpenSignKey(path, pw)
		clear(pw) // the service wipes it too
		s.e.a.do(func() {
			s.setWorking(false)
			if s.done {
				if k != nil {
					k.Close()
				}
				return
			}
			if err != nil {
				s.say(s.e.a.message(err))
				return
			}
			s.key = k
			s.showFacts(k.Facts())
			s.sign.Enable()
		})
	}()
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
		s.openBtn.Disable()
		s.cancel.Disable()
		s.sign.Disable()
		return
	}
	s.busy.Stop()
	s.busy.Hide()
	s.openBtn.Enable()
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
	e := s.e
	if e.a.saver != nil {
		if err := e.a.saver.Flush(); err != nil {
			s.say(e.a.message(err))
			return
		}
	}
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
				s.say(e.a.message(err) + " " + i18n.T("submit.err.again"))
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
