package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"kense/i18n"
)

// shellHarness runs the whole shell (sign-in → work → lock → sign-out)
// over the fakes, with UI callbacks queued and pumped by the test.
type shellHarness struct {
	t                      *testing.T
	sh                     *Shell
	win                    fyne.Window
	clock                  *fakeClock
	svc                    *fakeSignIn
	u                      *fakeUnlocker
	store                  *memStore
	queue                  chan func()
	entered                []SignedIn
	left, sealed, unsealed int
	events                 []lockEvent
}

func newShellHarness(t *testing.T, idleCap time.Duration) *shellHarness {
	t.Helper()
	test.NewTempApp(t)
	i18n.SetLang(i18n.EN)
	t.Cleanup(func() { i18n.SetLang(i18n.KK) })
	h := &shellHarness{t: t, clock: newFakeClock(), svc: &fakeSignIn{demo: true}, u: &fakeUnlocker{},
		store: newMemStore(), queue: make(chan func(), 1000)}
	h.win = test.NewTempWindow(t, widget.NewLabel(""))
	h.win.Resize(fyne.NewSize(1400, 900))
	settings := memSettings{SettingLanguage: "en"}
	h.sh = NewShell(fyne.CurrentApp(), h.win, ShellConfig{
		SignIn:        h.svc,
		Unlocker:      h.u,
		Settings:      settings,
		DefaultServer: "kense.test.kz",
		IdleLock:      idleCap,
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
		Leave:   func() { h.left++ },
		Seal:    func() { h.sealed++ },
		Unseal:  func() error { h.unsealed++; return nil },
		LockLog: func(e, r string) { h.events = append(h.events, lockEvent{e, r}) },
		Clock:   h.clock,
		Do:      func(fn func()) { h.queue <- fn },
		Run:     func(fn func()) { fn() },
		Message: func(err error) string { return err.Error() },
	})
	h.sh.Start()
	t.Cleanup(h.sh.Close)
	h.pump()
	return h
}

func (h *shellHarness) pump() {
	for {
		select {
		case fn := <-h.queue:
			fn()
		default:
			return
		}
	}
}

// advance moves the clock in small steps, running what the timers queue
// at each (the wake-from-sleep tick must see time pass evenly).
func (h *shellHarness) advance(d time.Duration) {
	for step := 5 * time.Second; d > 0; d -= step {
		h.clock.Advance(min(step, d))
		h.pump()
	}
}

func (h *shellHarness) texts() string { return strings.Join(canvasTexts(h.win.Canvas(), false), "\n") }

func (h *shellHarness) signIn() {
	h.t.Helper()
	s := h.sh.signIn
	if s == nil {
		h.t.Fatal("no sign-in screen")
	}
	s.keyPath.SetText("/keys/AUTH_RSA256_test.p12")
	test.Type(s.keyPass, demoKeyPW)
	test.Tap(s.openKey)
	h.pump()
	test.Tap(s.signIn)
	h.pump()
}

func (h *shellHarness) button(text string) *widget.Button {
	h.t.Helper()
	for _, b := range find(h.win.Canvas().Content(), func(b *widget.Button) bool { return b.Text == text }) {
		return b
	}
	h.t.Fatalf("no %q button in\n%s", text, h.texts())
	return nil
}

func TestShellSignInWorkLockSignOut(t *testing.T) {
	h := newShellHarness(t, 0)
	if !strings.Contains(h.texts(), i18n.T("signin.title")) || h.sh.App() != nil {
		t.Fatalf("does not start on the sign-in screen:\n%s", h.texts())
	}
	h.signIn()
	if len(h.entered) != 1 || h.entered[0].IIN != fakeFacts.IIN || h.sh.App() == nil {
		t.Fatalf("entered %+v", h.entered)
	}
	// The work, with who is signed in, the demo notice, lock and sign-out.
	txt := h.texts()
	for _, want := range []string{fakeFacts.CommonName, i18n.T("lock.button"), i18n.T("shell.signout"), i18n.T("signin.demo")} {
		if !strings.Contains(txt, want) {
			t.Fatalf("top bar lacks %q:\n%s", want, txt)
		}
	}
	if h.sh.Locker().Timeout() != 10*time.Minute {
		t.Fatalf("idle timeout %v, want the server's 10m", h.sh.Locker().Timeout())
	}

	// Type into a new draft; the lock button saves it, wipes the keys and
	// covers everything.
	h.sh.App().newDraft()
	e := h.sh.App().editor
	test.Type(e.subunit, "Құпия филиалы")
	test.Tap(h.button(i18n.T("lock.button")))
	h.pump()
	if !h.sh.Locker().Locked() || h.sealed != 1 {
		t.Fatalf("locked %v sealed %d", h.sh.Locker().Locked(), h.sealed)
	}
	list, _ := h.store.ListDrafts("")
	if len(list) != 1 || list[0].Subunit != "Құпия филиалы" {
		t.Fatalf("draft not saved before the lock: %+v", list)
	}
	if txt := strings.Join(canvasTexts(h.win.Canvas(), true), "\n"); strings.Contains(txt, "Құпия") || strings.Contains(txt, fakeFacts.CommonName) {
		t.Fatalf("the lock screen shows the work:\n%s", txt)
	}
	if h.win.Title() != LockTitle {
		t.Fatalf("title %q", h.win.Title())
	}

	// The same person unlocks: the same draft, the same text.
	test.Type(h.sh.locker.screen.keyPW, "right")
	test.Tap(h.sh.locker.screen.unlock)
	h.pump()
	if h.sh.Locker().Locked() || h.unsealed != 1 || h.sh.App().editor != e || e.subunit.Text != "Құпия филиалы" {
		t.Fatalf("not back: locked %v unsealed %d", h.sh.Locker().Locked(), h.unsealed)
	}

	// Typing into the form counts as activity for the idle lock.
	h.advance(9 * time.Minute)
	test.Type(e.subunit, "!")
	h.advance(9 * time.Minute)
	if h.sh.Locker().Locked() {
		t.Fatal("locked while the user was typing")
	}
	h.advance(2 * time.Minute)
	if !h.sh.Locker().Locked() || h.events[len(h.events)-1] != (lockEvent{LockEventLock, LockIdle}) {
		t.Fatalf("idle lock did not come: %v", h.events)
	}

	// Five wrong unlocks sign out: back to the sign-in screen, the account
	// closed, nothing of the work left.
	for range MaxUnlockFailures {
		test.Type(h.sh.locker.screen.keyPW, "wrong")
		test.Tap(h.sh.locker.screen.unlock)
		h.pump()
	}
	if h.left != 1 || h.sh.App() != nil || h.sh.signIn == nil {
		t.Fatalf("not signed out: left %d", h.left)
	}
	if txt := strings.Join(canvasTexts(h.win.Canvas(), true), "\n"); strings.Contains(txt, "Құпия") {
		t.Fatalf("the work shows after sign-out:\n%s", txt)
	}
	// A signed-out app does not lock (nobody to unlock for).
	h.advance(time.Hour)
	if h.sh.Locker().Locked() {
		t.Fatal("locked while signed out")
	}
}

func TestShellIdleCapShortens(t *testing.T) {
	h := newShellHarness(t, 30*time.Second)
	h.signIn()
	if got := h.sh.Locker().Timeout(); got != 30*time.Second {
		t.Fatalf("timeout %v, want the 30s cap", got)
	}
	h.advance(31 * time.Second)
	if !h.sh.Locker().Locked() {
		t.Fatal("not locked after the capped timeout")
	}
}

func TestShellOfflineHasNoLock(t *testing.T) {
	h := newShellHarness(t, 0)
	test.Tap(h.sh.signIn.offline)
	h.pump()
	if len(h.entered) != 1 || !h.entered[0].Offline || h.sh.App() == nil {
		t.Fatalf("entered %+v", h.entered)
	}
	if !strings.Contains(h.texts(), i18n.T("shell.offline")) {
		t.Fatalf("offline not said:\n%s", h.texts())
	}
	h.advance(time.Hour)
	if h.sh.Locker().Locked() {
		t.Fatal("the offline profile locked with no EDS to unlock")
	}
	// "Sign in" goes back to the sign-in screen without a server sign-out.
	test.Tap(h.button(i18n.T("shell.signin")))
	h.pump()
	if h.sh.signIn == nil || h.left != 0 {
		t.Fatalf("sign-in screen %v, left %d", h.sh.signIn != nil, h.left)
	}
}

func TestShellUserShortensIdleLock(t *testing.T) {
	h := newShellHarness(t, 0)
	h.signIn()
	sels := find(h.win.Canvas().Content(), func(s *widget.Select) bool { return s.Selected == lockChoiceText(10*time.Minute) })
	if len(sels) != 1 {
		t.Fatalf("no idle-lock choice showing the server's 10 min:\n%s", h.texts())
	}
	sel := sels[0]
	for _, o := range sel.Options {
		if o == lockChoiceText(15*time.Minute) || o == lockChoiceText(30*time.Minute) {
			t.Fatalf("a longer lock than the policy's is offered: %v", sel.Options)
		}
	}
	sel.SetSelected(lockChoiceText(5 * time.Minute))
	if got := h.sh.Locker().Timeout(); got != 5*time.Minute {
		t.Fatalf("timeout %v after choosing 5 min", got)
	}
	if v, _, _ := h.sh.cfg.Settings.Setting(SettingLockMinutes); v != "5" {
		t.Fatalf("choice not remembered: %q", v)
	}
	h.advance(5*time.Minute + 5*time.Second)
	if !h.sh.Locker().Locked() {
		t.Fatal("not locked after the user's 5 min")
	}
	// The next sign-in keeps the user's choice.
	h.sh.SignOut()
	h.signIn()
	if got := h.sh.Locker().Timeout(); got != 5*time.Minute {
		t.Fatalf("the choice was lost across sign-ins: %v", got)
	}
}
