package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"kense/form"
	"kense/i18n"
)

// fakeSubmitter stands for wire.Submitter: it keeps the password it was
// given (to see it wiped) and the application states.
type fakeSubmitter struct {
	mu        sync.Mutex
	password  []byte // the very slice the UI handed over
	path      string
	facts     SignKeyFacts
	keys      []*fakeKey
	submitted []string
	fail      error
	states    map[string]AppState
	// NCALayer: ncaErr is its answer instead of a signature; with
	// ncaBlock set it waits for that channel or ctx (the user in
	// NCALayer's window); ncaAsked counts the requests, ncaStopped those
	// ended by ctx.
	ncaErr     error
	ncaBlock   chan struct{}
	ncaAsked   int
	ncaStopped int
}

type fakeKey struct {
	facts  SignKeyFacts
	closed bool
	mu     *sync.Mutex
}

func (k *fakeKey) Facts() SignKeyFacts { return k.facts }
func (k *fakeKey) Close() {
	k.mu.Lock()
	k.closed = true
	k.mu.Unlock()
}

func (f *fakeSubmitter) OpenSignKey(path string, password []byte) (SignKey, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.path, f.password = path, password
	if string(password) != "Demo1234" {
		return nil, errors.New("wrong password")
	}
	k := &fakeKey{facts: f.facts, mu: &f.mu}
	f.keys = append(f.keys, k)
	return k, nil
}

func (f *fakeSubmitter) SignNCALayer(ctx context.Context, id string) (SignKey, error) {
	f.mu.Lock()
	f.ncaAsked++
	block, fail := f.ncaBlock, f.ncaErr
	f.mu.Unlock()
	if block != nil {
		select {
		case <-block:
		case <-ctx.Done():
			f.mu.Lock()
			f.ncaStopped++
			f.mu.Unlock()
			return nil, fmt.Errorf("%w: %w", ErrSignCanceled, ctx.Err())
		}
	}
	if fail != nil {
		return nil, fail
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	k := &fakeKey{facts: f.facts, mu: &f.mu}
	f.keys = append(f.keys, k)
	return k, nil
}

func (f *fakeSubmitter) Submit(_ context.Context, id string, key SignKey) (AppState, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if k := key.(*fakeKey); k.closed {
		return AppState{}, errors.New("closed key")
	}
	if f.fail != nil {
		return AppState{}, f.fail
	}
	f.submitted = append(f.submitted, id)
	st := AppState{Status: "submitted", SignerName: f.facts.CommonName, SignerIIN: f.facts.IIN,
		CertSerial: f.facts.Serial, SignedAt: time.Date(2026, 11, 23, 10, 5, 0, 0, time.UTC)}
	f.states[id] = st
	return st, nil
}

func (f *fakeSubmitter) state(id string) AppState {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.states[id]
}

func (f *fakeSubmitter) allClosed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, k := range f.keys {
		if !k.closed {
			return false
		}
	}
	return len(f.keys) > 0
}

func newSubmitHarness(t *testing.T, valid bool) (*harness, *fakeSubmitter, Draft) {
	s := newMemStore()
	f := validForm(t, 2)
	if !valid {
		f.Rows[1].IIN = "123"
	}
	d := s.put(f, time.Now())
	h := newHarness(t, s)
	fs := &fakeSubmitter{states: map[string]AppState{},
		facts: SignKeyFacts{CommonName: "СЕЙТКАЛИ АЙГЕРИМ", IIN: "850315300012", Serial: "4A1B2C", Issuer: "ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (RSA)",
			NotAfter: time.Date(2027, 5, 1, 0, 0, 0, 0, time.UTC)}}
	h.app.svc.Submitter = fs
	h.app.svc.Application = fs.state
	h.app.svc.Message = func(err error) string { return "MSG: " + err.Error() }
	h.app.openDraft(d.ID)
	return h, fs, d
}

func overlayEntry(h *harness, placeholder string) *widget.Entry {
	for _, o := range h.win.Canvas().Overlays().List() {
		if es := find(o, func(e *widget.Entry) bool { return e.PlaceHolder == placeholder }); len(es) > 0 {
			return es[0]
		}
	}
	h.t.Fatalf("no entry %q in a dialog", placeholder)
	return nil
}

func overlayHasText(h *harness, text string) bool {
	for _, o := range h.win.Canvas().Overlays().List() {
		if len(find(o, func(l *widget.Label) bool { return strings.Contains(l.Text, text) })) > 0 {
			return true
		}
	}
	return false
}

func overlayButton(h *harness, text string) *widget.Button {
	h.t.Helper()
	bs := overlayButtons(h, text)
	if len(bs) == 0 {
		h.t.Fatalf("no %q button in a dialog", text)
	}
	return bs[len(bs)-1]
}

// openKey fills the signing dialog's key file and password and opens it.
func openKey(h *harness, password string) {
	h.t.Helper()
	test.Tap(h.button(i18n.T("submit.button")))
	overlayEntry(h, i18n.T("submit.keyfile.placeholder")).SetText("/keys/RSA256_demo.p12")
	test.Type(overlayEntry(h, i18n.T("submit.keypass.placeholder")), password)
	test.Tap(overlayButton(h, i18n.T("submit.keyfile.open")))
}

// TestSubmitSignsAndLocksTheForm: the owner of the key is shown before it
// signs; signing submits the draft, wipes the password and the key, and
// the editor becomes read-only with the status over the form.
func TestSubmitSignsAndLocksTheForm(t *testing.T) {
	h, fs, d := newSubmitHarness(t, true)
	if h.app.editor.readOnly {
		t.Fatal("a draft opens read-only")
	}
	openKey(h, "Demo1234")
	sign := overlayButton(h, i18n.T("submit.sign"))
	h.waitFor("the key's owner", func() bool { return overlayHasText(h, "СЕЙТКАЛИ АЙГЕРИМ") })
	if !overlayHasText(h, "4A1B2C") || !overlayHasText(h, "850315300012") {
		t.Fatal("the certificate's IIN and serial are not shown before signing")
	}
	if overlayHasText(h, i18n.T("submit.facts.not_head", "name", "СЕЙТКАЛИ АЙГЕРИМ", "head", "Сейткали Айгерим")) {
		t.Fatal("the head named on the form is warned about")
	}
	fs.mu.Lock()
	pw, path := fs.password, fs.path
	fs.mu.Unlock()
	if path != "/keys/RSA256_demo.p12" || strings.Trim(string(pw), "\x00") != "" {
		t.Fatalf("key %q opened; password left in memory: %q", path, pw)
	}
	if e := overlayEntry(h, i18n.T("submit.keypass.placeholder")); e.Text != "" {
		t.Fatal("the password stays in its entry")
	}
	if sign.Disabled() {
		t.Fatal("sign disabled with the key open")
	}
	test.Tap(sign)
	h.waitFor("the submission", func() bool { return h.app.editor.readOnly })
	if len(fs.submitted) != 1 || fs.submitted[0] != d.ID || !fs.allClosed() {
		t.Fatalf("submitted %v, keys closed %v", fs.submitted, fs.allClosed())
	}
	if !h.hasText(i18n.T("submit.status.submitted")) || !h.hasText(i18n.T("submit.readonly")) {
		t.Fatal("the status is not shown over the form")
	}
	if bs := find(h.content(), func(b *widget.Button) bool { return b.Text == i18n.T("submit.button") }); len(bs) != 0 {
		t.Fatal("a submitted application can be submitted again")
	}
	if !h.app.editor.subunit.Disabled() {
		t.Fatal("the header stays editable")
	}
	if ri := h.row(0); !ri.fullName.Disabled() || !ri.userType.Disabled() || ri.remove.Visible() {
		t.Fatal("the rows stay editable")
	}
	if bs := find(h.content(), func(b *widget.Button) bool { return b.Text == i18n.T("ui.rows.add") }); len(bs) != 0 {
		t.Fatal("rows can still be added")
	}
	// Edits that reach it anyway are not saved.
	saves := h.store.saves
	h.app.editor.changed()
	h.app.editor.editRow(0, "fullName", func(r *form.Row) { r.FullName = "changed" })
	h.app.Flush()
	if h.store.saves != saves || h.app.editor.draft.Form.Rows[0].FullName == "changed" {
		t.Fatal("a submitted application was changed")
	}

	// The Operator's decision arrives by sync: the open form shows it.
	fs.mu.Lock()
	st := fs.states[d.ID]
	st.Status, st.Reason = "rejected", "бұйрық қоса берілмеген"
	fs.states[d.ID] = st
	fs.mu.Unlock()
	h.app.refreshApplication()
	if !h.hasText(i18n.T("submit.status.rejected", "reason", "бұйрық қоса берілмеген")) {
		t.Fatal("the rejection and its reason are not shown")
	}
	if !h.hasText(i18n.T("submit.signed_by", "name", "СЕЙТКАЛИ АЙГЕРИМ", "iin", "850315300012", "serial", "4A1B2C",
		"time", st.SignedAt.In(Almaty).Format("02.01.2006 15:04"))) {
		t.Fatal("who signed is not shown")
	}
	// Reopened later, it is still read-only.
	h.app.showDrafts()
	h.app.openDraft(d.ID)
	if !h.app.editor.readOnly {
		t.Fatal("a submitted application reopens editable")
	}
}

// TestSubmitRefusesInvalidForm: a form with problems is not signed; the
// problems are listed instead.
func TestSubmitRefusesInvalidForm(t *testing.T) {
	h, fs, _ := newSubmitHarness(t, false)
	test.Tap(h.button(i18n.T("submit.button")))
	if len(overlayButtons(h, i18n.T("submit.keyfile.open"))) != 0 {
		t.Fatal("the key dialog opened for a form with problems")
	}
	if !overlayHasText(h, i18n.T("submit.refused", "n", len(h.app.editor.problems))) || !h.app.editor.showAll {
		t.Fatal("the problems are not shown")
	}
	if len(fs.keys) != 0 {
		t.Fatal("a key was opened")
	}
}

// TestSubmitErrors: a wrong password and a refused submission are said in
// the user's words (Services.Message); the key is wiped either way.
func TestSubmitErrors(t *testing.T) {
	h, fs, _ := newSubmitHarness(t, true)
	openKey(h, "wrong")
	h.waitFor("the error", func() bool { return overlayHasText(h, "MSG: wrong password") })
	if !overlayButton(h, i18n.T("submit.sign")).Disabled() {
		t.Fatal("sign enabled with no key")
	}
	fs.mu.Lock()
	fs.fail = errors.New("signer_not_head")
	fs.mu.Unlock()
	test.Type(overlayEntry(h, i18n.T("submit.keypass.placeholder")), "Demo1234")
	test.Tap(overlayButton(h, i18n.T("submit.keyfile.open")))
	sign := overlayButton(h, i18n.T("submit.sign"))
	h.waitFor("the key", func() bool { return !sign.Disabled() })
	test.Tap(sign)
	h.waitFor("the refusal", func() bool { return overlayHasText(h, "MSG: signer_not_head") })
	if h.app.editor.readOnly || !fs.allClosed() {
		t.Fatalf("after a refusal: read-only %v, keys wiped %v", h.app.editor.readOnly, fs.allClosed())
	}
	// Cancel closes the dialog.
	test.Tap(overlayButton(h, i18n.T("ui.cancel")))
	if len(overlayButtons(h, i18n.T("submit.sign"))) != 0 {
		t.Fatal("cancel left the dialog open")
	}
}

// TestSubmitWarnsWhenKeyIsNotTheHeads: the server refuses a signature by
// anyone but the head named on the form; the dialog says so first.
func TestSubmitWarnsWhenKeyIsNotTheHeads(t *testing.T) {
	h, fs, _ := newSubmitHarness(t, true)
	fs.facts.CommonName = "ӘБЕНОВ ЕРЛАН"
	openKey(h, "Demo1234")
	h.waitFor("the warning", func() bool {
		return overlayHasText(h, i18n.T("submit.facts.not_head", "name", "ӘБЕНОВ ЕРЛАН", "head", "Сейткали Айгерим"))
	})
	// The lock (which flushes the app first) wipes the opened key and
	// closes the dialog.
	h.app.Flush()
	if !fs.allClosed() || len(overlayButtons(h, i18n.T("submit.sign"))) != 0 || h.app.signing != nil {
		t.Fatal("an opened signing key outlives the lock")
	}
}

func TestNoSubmitOffline(t *testing.T) {
	s := newMemStore()
	d := s.put(validForm(t, 1), time.Now())
	h := newHarness(t, s)
	h.app.openDraft(d.ID)
	if bs := find(h.content(), func(b *widget.Button) bool { return b.Text == i18n.T("submit.button") }); len(bs) != 0 {
		t.Fatal("sign and submit offered with nobody signed in")
	}
}

// submitMethod picks the signing dialog's way (its radio choice).
func submitMethod(h *harness, label string) {
	h.t.Helper()
	for _, o := range h.win.Canvas().Overlays().List() {
		if rs := find(o, func(r *widget.RadioGroup) bool {
			return len(r.Options) == 2 && r.Options[1] == i18n.T("submit.method.ncalayer")
		}); len(rs) > 0 {
			rs[0].SetSelected(label)
			return
		}
	}
	h.t.Fatal("no signing method choice in the dialog")
}

// keyFileShown: the key file's fields are visible in the dialog.
func keyFileShown(h *harness) bool {
	for _, o := range h.win.Canvas().Overlays().List() {
		if len(find(o, func(e *widget.Entry) bool {
			return e.PlaceHolder == i18n.T("submit.keyfile.placeholder") || e.PlaceHolder == i18n.T("submit.keypass.placeholder")
		})) > 0 || len(find(o, func(b *widget.Button) bool { return b.Text == i18n.T("submit.keyfile.open") })) > 0 {
			return true
		}
	}
	return false
}

// TestSubmitWithNCALayer: NCALayer chosen, the key file's fields go; its
// signature's certificate is shown and nothing is submitted until
// "Submit", which sends that signature (NCALayer is not asked again). The
// choice is remembered.
func TestSubmitWithNCALayer(t *testing.T) {
	h, fs, d := newSubmitHarness(t, true)
	test.Tap(h.button(i18n.T("submit.button")))
	if !keyFileShown(h) || len(overlayButtons(h, i18n.T("submit.ncalayer.sign"))) != 0 {
		t.Fatal("the dialog does not start on the key file")
	}
	submitMethod(h, i18n.T("submit.method.ncalayer"))
	if keyFileShown(h) {
		t.Fatal("the key file's fields stay with NCALayer chosen")
	}
	send := overlayButton(h, i18n.T("submit.send"))
	if !send.Disabled() || len(overlayButtons(h, i18n.T("submit.sign"))) != 0 {
		t.Fatal("something to submit before NCALayer signed")
	}
	test.Tap(overlayButton(h, i18n.T("submit.ncalayer.sign")))
	h.waitFor("the signer", func() bool { return overlayHasText(h, "СЕЙТКАЛИ АЙГЕРИМ") })
	if !overlayHasText(h, "4A1B2C") || !overlayHasText(h, "850315300012") || !overlayHasText(h, "ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (RSA)") {
		t.Fatal("the certificate's IIN, serial and issuer are not shown")
	}
	fs.mu.Lock()
	submitted, asked := len(fs.submitted), fs.ncaAsked
	fs.mu.Unlock()
	if submitted != 0 || asked != 1 || h.app.editor.readOnly {
		t.Fatalf("submitted %d before \"Submit\" (NCALayer asked %d times)", submitted, asked)
	}
	if send.Disabled() {
		t.Fatal("submit disabled with a signature made")
	}
	test.Tap(send)
	h.waitFor("the submission", func() bool { return h.app.editor.readOnly })
	fs.mu.Lock()
	submitted, asked = len(fs.submitted), fs.ncaAsked
	fs.mu.Unlock()
	if submitted != 1 || fs.submitted[0] != d.ID || asked != 1 || !fs.allClosed() {
		t.Fatalf("submitted %v, NCALayer asked %d times, signature forgotten %v", fs.submitted, asked, fs.allClosed())
	}
	if !h.hasText(i18n.T("submit.status.submitted")) {
		t.Fatal("the status is not shown over the form")
	}
	if v, _, _ := h.store.Setting(SettingSubmitMethod); v != signInNCALayer {
		t.Fatalf("the choice is not remembered: %q", v)
	}
}

// TestSubmitNCALayerCancelAndErrors: Cancel in NCALayer shows nothing; an
// NCALayer failure is said in the user's words; a refused submission asks
// to sign with NCALayer again.
func TestSubmitNCALayerCancelAndErrors(t *testing.T) {
	h, fs, _ := newSubmitHarness(t, true)
	test.Tap(h.button(i18n.T("submit.button")))
	submitMethod(h, i18n.T("submit.method.ncalayer"))
	fs.mu.Lock()
	fs.ncaErr = fmt.Errorf("%w: the user pressed Cancel", ErrSignCanceled)
	fs.mu.Unlock()
	test.Tap(overlayButton(h, i18n.T("submit.ncalayer.sign")))
	h.waitFor("the answer", func() bool { return !h.app.signing.working })
	if overlayHasText(h, "MSG:") || overlayHasText(h, "Cancel") || h.app.signing.msg.Visible() || h.app.signing.facts.Visible() {
		t.Fatalf("a cancel in NCALayer shows %q", h.app.signing.msg.Text)
	}
	if !overlayButton(h, i18n.T("submit.send")).Disabled() {
		t.Fatal("submit enabled after a cancel")
	}

	fs.mu.Lock()
	fs.ncaErr = errors.New("NCALayer is not running")
	fs.mu.Unlock()
	test.Tap(overlayButton(h, i18n.T("submit.ncalayer.sign")))
	h.waitFor("the error", func() bool { return overlayHasText(h, "MSG: NCALayer is not running") })

	fs.mu.Lock()
	fs.ncaErr, fs.fail = nil, errors.New("changed after signing")
	fs.mu.Unlock()
	test.Tap(overlayButton(h, i18n.T("submit.ncalayer.sign")))
	send := overlayButton(h, i18n.T("submit.send"))
	h.waitFor("the signature", func() bool { return !send.Disabled() })
	if overlayHasText(h, "MSG:") {
		t.Fatal("an old error stays over a new signature")
	}
	test.Tap(send)
	h.waitFor("the refusal", func() bool {
		return overlayHasText(h, "MSG: changed after signing "+i18n.T("submit.err.again_ncalayer"))
	})
	if h.app.editor.readOnly || !fs.allClosed() || !send.Disabled() {
		t.Fatal("a refused signature is kept, or the form locked")
	}
}

// TestSubmitNCALayerWaitCanceled: the dialog's Cancel (and the lock) stop
// the wait for NCALayer and close the dialog; a late answer shows nothing.
func TestSubmitNCALayerWaitCanceled(t *testing.T) {
	h, fs, _ := newSubmitHarness(t, true)
	// Signing in with NCALayer makes it the dialog's first choice.
	h.store.SetSetting(SettingSignInMethod, signInNCALayer)
	fs.ncaBlock = make(chan struct{})
	test.Tap(h.button(i18n.T("submit.button")))
	if keyFileShown(h) {
		t.Fatal("the sign-in's NCALayer is not the first choice")
	}
	test.Tap(overlayButton(h, i18n.T("submit.ncalayer.sign")))
	if !overlayHasText(h, i18n.T("submit.ncalayer.wait")) {
		t.Fatal("no word that NCALayer is waiting")
	}
	cancel := overlayButton(h, i18n.T("ui.cancel"))
	if cancel.Disabled() {
		t.Fatal("the wait for NCALayer cannot be canceled")
	}
	test.Tap(cancel)
	if len(overlayButtons(h, i18n.T("submit.send"))) != 0 || h.app.signing != nil {
		t.Fatal("cancel left the dialog open")
	}
	stopped := func(n int) func() bool {
		return func() bool {
			fs.mu.Lock()
			defer fs.mu.Unlock()
			return fs.ncaStopped == n
		}
	}
	h.waitFor("the wait to stop", stopped(1))
	h.pump()
	if len(fs.submitted) != 0 || len(fs.keys) != 0 {
		t.Fatal("a canceled wait signed or submitted")
	}

	// The lock stops it too.
	test.Tap(h.button(i18n.T("submit.button")))
	test.Tap(overlayButton(h, i18n.T("submit.ncalayer.sign")))
	h.app.Flush()
	if len(overlayButtons(h, i18n.T("submit.send"))) != 0 || h.app.signing != nil {
		t.Fatal("the lock left the dialog open")
	}
	h.waitFor("the wait to stop", stopped(2))
	// A dialog opened afterwards starts clean.
	test.Tap(h.button(i18n.T("submit.button")))
	if overlayHasText(h, "MSG:") || overlayHasText(h, "СЕЙТКАЛИ АЙГЕРИМ") {
		t.Fatal("the stopped wait left something in a new dialog")
	}
}
