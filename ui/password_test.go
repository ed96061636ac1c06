package ui

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kense/i18n"
)

// fakePassword is a PasswordService with a small policy of its own: the
// checklist follows whatever rules the service gives, in its order.
type fakePassword struct {
	mu          sync.Mutex
	current     string
	changes     []string // the new passwords the server took
	handed      [][]byte // every slice handed to Change, to check they were wiped
	compromised int
	head        bool
	refuse      error // Change's forced answer
}

var (
	errFakeWrongOld = errors.New("fake: the current password is wrong")
	errFakePolicy   = errors.New("fake: the server refused the password: reused")
)

// The fake's rules, in display order.
const (
	fakeRuleLength  = "At least 8 characters"
	fakeRuleDigit   = "A digit"
	fakeRuleRun     = "No qwe"
	fakeRuleReused  = "Not used before"
	fakeRuleDiffers = "Differs from the previous one"
)

func (p *fakePassword) Check(cand, old []byte) []PasswordRule {
	c := string(cand)
	rule := func(label string, ok bool, problem string) PasswordRule {
		r := PasswordRule{Label: label, OK: ok}
		if !ok {
			r.Problem = problem
		}
		return r
	}
	out := []PasswordRule{
		rule(fakeRuleLength, len(c) >= 8, "too short"),
		rule(fakeRuleDigit, strings.ContainsAny(c, "0123456789"), "no digit"),
		rule(fakeRuleRun, !strings.Contains(strings.ToLower(c), "qwe"), "a keyboard run"),
		{Label: fakeRuleReused, OK: true, Skipped: true},
	}
	if len(old) == 0 {
		return append(out, PasswordRule{Label: fakeRuleDiffers, OK: true, Skipped: true})
	}
	return append(out, rule(fakeRuleDiffers, string(old) != c, "the same as before"))
}

func (p *fakePassword) Change(_ context.Context, old, nw []byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	defer clear(old)
	defer clear(nw)
	p.handed = append(p.handed, old, nw)
	switch {
	case p.refuse != nil:
		return p.refuse
	case string(old) != p.current:
		return errFakeWrongOld
	}
	p.current = string(nw)
	p.changes = append(p.changes, string(nw))
	return nil
}

func (p *fakePassword) ReportCompromised(context.Context) (bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.compromised++
	return p.head, nil
}

func (p *fakePassword) Message(err error) string { return "Refused: " + err.Error() }

// rowStates is the checklist as the user sees it: each rule's state by
// its label, checked against the icon shown.
func rowStates(t *testing.T, f *passwordForm) map[string]pwState {
	t.Helper()
	out := map[string]pwState{}
	want := map[pwState]string{pwPending: theme.RadioButtonIcon().Name(), pwMet: theme.ConfirmIcon().Name(),
		pwBroken: theme.CancelIcon().Name(), pwServer: theme.InfoIcon().Name()}
	for _, r := range append(append([]*pwRow(nil), f.rows...), f.match) {
		if got := r.icon.Resource.Name(); got != want[r.state] {
			t.Fatalf("rule %q is %v but shows icon %s", r.label.Text, r.state, got)
		}
		out[r.label.Text] = r.state
	}
	return out
}

func newFormHarness(t *testing.T, svc PasswordService) (*passwordForm, fyne.Window) {
	t.Helper()
	test.NewTempApp(t)
	i18n.SetLang(i18n.EN)
	t.Cleanup(func() { i18n.SetLang(i18n.KK) })
	now := func(fn func()) { fn() }
	f := newPasswordForm(svc, false, now, now)
	w := test.NewTempWindow(t, f.content)
	w.Resize(fyne.NewSize(800, 900))
	return f, w
}

func TestPasswordChecklistTicksLive(t *testing.T) {
	svc := &fakePassword{current: "Old-pass1"}
	f, w := newFormHarness(t, svc)
	// Every rule listed from the start, none ticked before anything is typed.
	st := rowStates(t, f)
	for _, l := range []string{fakeRuleLength, fakeRuleDigit, fakeRuleRun, fakeRuleReused, fakeRuleDiffers, i18n.T("pwui.rule.match")} {
		if s, ok := st[l]; !ok || s != pwPending {
			t.Fatalf("rule %q: %v (listed %v) before typing", l, s, ok)
		}
	}
	// No password generator anywhere (rule 15).
	for _, txt := range canvasTexts(w.Canvas(), true) {
		if low := strings.ToLower(txt); strings.Contains(low, "generat") || strings.Contains(low, "suggest a") {
			t.Fatalf("something offers to make up a password: %q", txt)
		}
	}

	test.Type(f.pw, "qwe")
	st = rowStates(t, f)
	if st[fakeRuleLength] != pwBroken || st[fakeRuleDigit] != pwBroken || st[fakeRuleRun] != pwBroken {
		t.Fatalf("after qwe: %v", st)
	}
	if st[fakeRuleReused] != pwServer || st[fakeRuleDiffers] != pwServer {
		t.Fatalf("rules checked by the server shown as %v", st)
	}
	// What is wrong is said under the rule.
	if !strings.Contains(strings.Join(canvasTexts(w.Canvas(), false), "\n"), "a keyboard run") {
		t.Fatal("the broken rule's problem is not shown")
	}
	f.pw.SetText("")
	test.Type(f.pw, "Zebra")
	st = rowStates(t, f)
	if st[fakeRuleLength] != pwBroken || st[fakeRuleDigit] != pwBroken || st[fakeRuleRun] != pwMet {
		t.Fatalf("after Zebra: %v", st)
	}
	test.Type(f.pw, "-rw7")
	st = rowStates(t, f)
	if st[fakeRuleLength] != pwMet || st[fakeRuleDigit] != pwMet || st[fakeRuleRun] != pwMet {
		t.Fatalf("after Zebra-rw7: %v", st)
	}
	if strings.Contains(strings.Join(canvasTexts(w.Canvas(), false), "\n"), "too short") {
		t.Fatal("a met rule still shows its problem")
	}
	// The previous password typed: the 5-position rule is checked here.
	test.Type(f.old, "Zebra-rw7")
	if st = rowStates(t, f); st[fakeRuleDiffers] != pwBroken {
		t.Fatalf("the same as the old one: %v", st)
	}
	f.old.SetText("Old-pass1")
	if st = rowStates(t, f); st[fakeRuleDiffers] != pwMet {
		t.Fatalf("differs from the old one: %v", st)
	}
	// The repeat.
	test.Type(f.repeat, "Zebra")
	if st = rowStates(t, f); st[i18n.T("pwui.rule.match")] != pwBroken {
		t.Fatalf("repeat differs: %v", st)
	}
	test.Type(f.repeat, "-rw7")
	if st = rowStates(t, f); st[i18n.T("pwui.rule.match")] != pwMet {
		t.Fatalf("repeat matches: %v", st)
	}
}

func TestPasswordMismatchRefused(t *testing.T) {
	svc := &fakePassword{current: "Old-pass1"}
	f, _ := newFormHarness(t, svc)
	done := 0
	f.onDone = func() { done++ }
	test.Type(f.old, "Old-pass1")
	test.Type(f.pw, "Zebra-rw7")
	test.Type(f.repeat, "Zebra-rw8")
	test.Tap(f.submit)
	if len(svc.handed) != 0 || done != 0 {
		t.Fatalf("a mismatch was sent: %d calls", len(svc.handed)/2)
	}
	if !f.msg.Visible() || f.msg.Text != i18n.T("pwui.err.mismatch") {
		t.Fatalf("message %q", f.msg.Text)
	}
	// A broken rule is refused here too (the server would).
	f.pw.SetText("")
	f.repeat.SetText("")
	test.Type(f.pw, "short1")
	test.Type(f.repeat, "short1")
	test.Tap(f.submit)
	if len(svc.handed) != 0 || f.msg.Text != i18n.T("pwui.err.rules") {
		t.Fatalf("broken rules sent (%d) or not said: %q", len(svc.handed), f.msg.Text)
	}
	// No current password.
	f.old.SetText("")
	f.pw.SetText("Zebra-rw7")
	f.repeat.SetText("Zebra-rw7")
	test.Tap(f.submit)
	if len(svc.handed) != 0 || f.msg.Text != i18n.T("pwui.err.old_required") {
		t.Fatalf("sent without the old password (%d): %q", len(svc.handed), f.msg.Text)
	}

	// Right: sent once, the entries emptied, the slices wiped.
	test.Type(f.old, "Old-pass1")
	test.Tap(f.submit)
	if done != 1 || len(svc.changes) != 1 || svc.changes[0] != "Zebra-rw7" || svc.current != "Zebra-rw7" {
		t.Fatalf("done %d, changes %v", done, svc.changes)
	}
	if f.old.Text != "" || f.pw.Text != "" || f.repeat.Text != "" {
		t.Fatal("passwords left in the entries")
	}
	for _, b := range svc.handed {
		if !allZeroBytes(b) {
			t.Fatal("a password slice was not wiped")
		}
	}
}

func TestPasswordServerRefusalShown(t *testing.T) {
	svc := &fakePassword{current: "Old-pass1", refuse: errFakePolicy}
	f, _ := newFormHarness(t, svc)
	f.onDone = func() { t.Fatal("done after a refusal") }
	test.Type(f.old, "Old-pass1")
	test.Type(f.pw, "Zebra-rw7")
	test.Type(f.repeat, "Zebra-rw7")
	test.Tap(f.submit)
	if len(svc.handed) != 2 || f.msg.Text != svc.Message(errFakePolicy) || !f.msg.Visible() {
		t.Fatalf("refusal not shown: %q", f.msg.Text)
	}
	if f.old.Text != "" || f.pw.Text != "" || f.repeat.Text != "" {
		t.Fatal("passwords left in the entries after use")
	}
	if f.submit.Disabled() || f.old.Disabled() {
		t.Fatal("the form stays busy after the answer")
	}
	// Cancel empties whatever was typed.
	test.Type(f.old, "x")
	test.Type(f.pw, "y")
	test.Tap(f.cancel)
	if f.old.Text != "" || f.pw.Text != "" {
		t.Fatal("cancel left passwords in the entries")
	}
}

// pwSignIn makes the fake sign-in a RER SDB one that must change, or soon
// change, its password.
type pwSignIn struct {
	*fakeSignIn
	change    bool
	why, due  string
	signedIns int
}

func (p *pwSignIn) SignIn(ctx context.Context, req SignInRequest) (SignedIn, error) {
	r, err := p.fakeSignIn.SignIn(ctx, req)
	p.signedIns++
	r.RER = true
	r.PasswordChange, r.PasswordChangeWhy, r.PasswordDue = p.change, p.why, p.due
	r.Warnings = nil
	return r, err
}

func newPasswordShell(t *testing.T, si *pwSignIn, pw PasswordService) *shellHarness {
	t.Helper()
	test.NewTempApp(t)
	i18n.SetLang(i18n.EN)
	t.Cleanup(func() { i18n.SetLang(i18n.KK) })
	h := &shellHarness{t: t, clock: newFakeClock(), svc: si.fakeSignIn, u: &fakeUnlocker{rer: true},
		store: newMemStore(), queue: make(chan func(), 1000)}
	h.win = test.NewTempWindow(t, widget.NewLabel(""))
	h.win.Resize(fyne.NewSize(1400, 900))
	h.sh = NewShell(fyne.CurrentApp(), h.win, ShellConfig{
		SignIn:        si,
		Unlocker:      h.u,
		Settings:      memSettings{SettingLanguage: "en"},
		DefaultServer: "kense.test.kz",
		Enter: func(who SignedIn, changed func()) (Services, error) {
			h.entered = append(h.entered, who)
			return Services{
				Store:        h.store,
				NewAutosaver: func(on func(Draft, error)) Autosaver { return &memSaver{s: h.store, onSaved: on} },
				Validate:     formValidate,
				Now:          fixedNow,
				TempDir:      t.TempDir(),
			}, nil
		},
		Leave:    func() { h.left++ },
		Seal:     func() { h.sealed++ },
		Unseal:   func() error { h.unsealed++; return nil },
		Clock:    h.clock,
		Do:       func(fn func()) { h.queue <- fn },
		Run:      func(fn func()) { fn() },
		Message:  func(err error) string { return err.Error() },
		Password: pw,
	})
	h.sh.Start()
	t.Cleanup(h.sh.Close)
	h.pump()
	return h
}

// anyButton finds a visible button in the window or the dialogs over it.
func anyButton(t *testing.T, w fyne.Window, text string) *widget.Button {
	t.Helper()
	roots := append([]fyne.CanvasObject{w.Canvas().Content()}, w.Canvas().Overlays().List()...)
	for i := len(roots) - 1; i >= 0; i-- { // the top dialog first
		if bs := find(roots[i], func(b *widget.Button) bool { return b.Text == text }); len(bs) > 0 {
			return bs[0]
		}
	}
	t.Fatalf("no %q button in\n%s", text, strings.Join(canvasTexts(w.Canvas(), false), "\n"))
	return nil
}

func shows(w fyne.Window, text string) bool {
	return strings.Contains(strings.Join(canvasTexts(w.Canvas(), false), "\n"), text)
}

func TestShellForcedPasswordChangeOnSignIn(t *testing.T) {
	pw := &fakePassword{current: "Primary-1"}
	si := &pwSignIn{fakeSignIn: &fakeSignIn{demo: true}, change: true, why: "The administrator gave you this password"}
	h := newPasswordShell(t, si, pw)
	h.signIn()
	// The change form, and nothing of the work: no cache opened, no app.
	if h.sh.pwForm == nil || h.sh.App() != nil || len(h.entered) != 0 {
		t.Fatalf("form %v, app %v, entered %d", h.sh.pwForm != nil, h.sh.App() != nil, len(h.entered))
	}
	for _, want := range []string{i18n.T("pwui.title.forced"), si.why, fakeRuleLength, i18n.T("pwui.cancel.forced")} {
		if !shows(h.win, want) {
			t.Fatalf("forced form lacks %q:\n%s", want, h.texts())
		}
	}
	// Cancel signs out.
	test.Tap(anyButton(t, h.win, i18n.T("pwui.cancel.forced")))
	h.pump()
	if h.left != 1 || h.sh.signIn == nil || h.sh.App() != nil || !shows(h.win, i18n.T("signin.title")) {
		t.Fatalf("cancel did not sign out: left %d\n%s", h.left, h.texts())
	}

	// Again, and this time the password is changed: then the work opens.
	h.signIn()
	f := h.sh.pwForm
	if f == nil || h.sh.App() != nil {
		t.Fatal("no forced form on the second sign-in")
	}
	test.Type(f.old, "Primary-1")
	test.Type(f.pw, "Zebra-rw7")
	test.Type(f.repeat, "Zebra-rw7")
	test.Tap(anyButton(t, h.win, i18n.T("pwui.submit")))
	h.pump()
	if pw.current != "Zebra-rw7" || len(h.entered) != 1 || h.entered[0].PasswordChange || h.sh.App() == nil {
		t.Fatalf("after the change: current %q, entered %+v, app %v", pw.current, h.entered, h.sh.App() != nil)
	}
	if !shows(h.win, i18n.T("pwui.done")) {
		t.Fatalf("the change is not confirmed:\n%s", h.texts())
	}
	if f.old.Text != "" || f.pw.Text != "" || f.repeat.Text != "" {
		t.Fatal("passwords left in the entries")
	}
}

func TestShellForcedPasswordChangeWrongOld(t *testing.T) {
	pw := &fakePassword{current: "Primary-1"}
	si := &pwSignIn{fakeSignIn: &fakeSignIn{demo: true}, change: true}
	h := newPasswordShell(t, si, pw)
	h.signIn()
	f := h.sh.pwForm
	test.Type(f.old, "Wrong-1")
	test.Type(f.pw, "Zebra-rw7")
	test.Type(f.repeat, "Zebra-rw7")
	test.Tap(f.submit)
	h.pump()
	if h.sh.App() != nil || len(h.entered) != 0 || !shows(h.win, pw.Message(errFakeWrongOld)) {
		t.Fatalf("wrong old password let in, or not said:\n%s", h.texts())
	}
}

func TestShellPasswordDueOffersChange(t *testing.T) {
	pw := &fakePassword{current: "Old-pass1"}
	due := "Your password must be changed within 3 day(s)"
	si := &pwSignIn{fakeSignIn: &fakeSignIn{demo: true}, due: due}
	h := newPasswordShell(t, si, pw)
	h.signIn()
	if h.sh.App() == nil || len(h.entered) != 1 || h.sh.pwForm != nil {
		t.Fatal("a due password kept the user out of the work")
	}
	if !shows(h.win, due) {
		t.Fatalf("the warning is not shown:\n%s", h.texts())
	}
	test.Tap(anyButton(t, h.win, i18n.T("pwui.due.change")))
	h.pump()
	f := h.sh.pwForm
	if f == nil || !shows(h.win, i18n.T("pwui.title")) {
		t.Fatalf("change now opened no form:\n%s", h.texts())
	}
	test.Type(f.old, "Old-pass1")
	test.Type(f.pw, "Zebra-rw7")
	test.Type(f.repeat, "Zebra-rw7")
	test.Tap(f.submit)
	h.pump()
	if pw.current != "Zebra-rw7" || h.sh.pwForm != nil || h.sh.App() == nil || h.left != 0 {
		t.Fatalf("current %q, form %v, left %d", pw.current, h.sh.pwForm != nil, h.left)
	}
}

func TestShellPasswordActionsInBar(t *testing.T) {
	pw := &fakePassword{current: "Old-pass1", head: true}
	si := &pwSignIn{fakeSignIn: &fakeSignIn{demo: true}}
	h := newPasswordShell(t, si, pw)
	h.signIn()
	if h.sh.App() == nil {
		t.Fatal("not in the work")
	}
	anyButton(t, h.win, i18n.T("pwui.menu")) // on the top bar
	m := h.sh.passwordMenu()
	if len(m.Items) != 2 || m.Items[0].Label != i18n.T("pwui.menu.change") || m.Items[1].Label != i18n.T("pwui.menu.compromised") {
		t.Fatalf("menu %+v", m.Items)
	}

	// Change password, then cancel: nothing happens, still signed in.
	m.Items[0].Action()
	h.pump()
	if h.sh.pwForm == nil {
		t.Fatal("no change form")
	}
	test.Tap(anyButton(t, h.win, i18n.T("pwui.cancel")))
	h.pump()
	if h.sh.pwForm != nil || h.left != 0 || h.sh.App() == nil {
		t.Fatal("a voluntary cancel signed out")
	}

	// Compromised: asked first; No reports nothing.
	m.Items[1].Action()
	h.pump()
	if !shows(h.win, i18n.T("pwui.compromised.ask")) {
		t.Fatalf("not asked:\n%s", h.texts())
	}
	test.Tap(anyButton(t, h.win, i18n.T("pwui.cancel")))
	h.pump()
	if pw.compromised != 0 {
		t.Fatal("reported without the user's yes")
	}
	m.Items[1].Action()
	h.pump()
	test.Tap(anyButton(t, h.win, i18n.T("pwui.compromised.confirm")))
	h.pump()
	if pw.compromised != 1 || h.sh.pwForm == nil {
		t.Fatalf("reported %d, form %v", pw.compromised, h.sh.pwForm != nil)
	}
	if !shows(h.win, i18n.T("pwui.compromised.head_notified")) || !shows(h.win, i18n.T("pwui.title.forced")) {
		t.Fatalf("the forced change does not say why:\n%s", h.texts())
	}
	// The forced change cannot be put off: cancel signs out.
	test.Tap(anyButton(t, h.win, i18n.T("pwui.cancel.forced")))
	h.pump()
	if h.left != 1 || h.sh.App() != nil || h.sh.signIn == nil {
		t.Fatalf("cancel after a compromise did not sign out: left %d", h.left)
	}
}

func TestShellNoPasswordActionsForNotaries(t *testing.T) {
	h := newShellHarness(t, 0) // fakeSignIn: not a RER SDB account
	h.sh.cfg.Password = &fakePassword{}
	h.signIn()
	if bs := find(h.win.Canvas().Content(), func(b *widget.Button) bool { return b.Text == i18n.T("pwui.menu") }); len(bs) != 0 {
		t.Fatal("a UNIS account is offered password actions")
	}
}

func TestPasswordFormInEveryLanguage(t *testing.T) {
	for _, l := range i18n.Langs {
		t.Run(string(l), func(t *testing.T) {
			f, w := newFormHarness(t, &fakePassword{})
			i18n.SetLang(l)
			f = newPasswordForm(&fakePassword{}, true, func(fn func()) { fn() }, func(fn func()) { fn() })
			w.SetContent(f.content)
			for _, k := range []string{"pwui.submit", "pwui.cancel.forced", "pwui.rule.match", "pwui.own"} {
				if !i18n.Has(l, k) || !shows(w, i18n.TL(l, k)) {
					t.Fatalf("%s: %q missing", l, k)
				}
			}
			if f.old.PlaceHolder != i18n.TL(l, "pwui.old") || f.repeat.PlaceHolder != i18n.TL(l, "pwui.repeat") {
				t.Fatalf("%s: placeholders %q %q", l, f.old.PlaceHolder, f.repeat.PlaceHolder)
			}
		})
	}
}
