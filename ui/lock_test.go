package ui

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"kense/i18n"
)

// fakeClock runs timers only when the test advances it.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
}

type fakeTimer struct {
	c       *fakeClock
	at      time.Time
	f       func()
	stopped bool
	fired   bool
}

func (t *fakeTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	was := !t.stopped && !t.fired
	t.stopped = true
	return was
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) AfterFunc(d time.Duration, f func()) Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{c: c, at: c.now.Add(d), f: f}
	c.timers = append(c.timers, t)
	return t
}

// Advance moves time on by d, firing the timers that fall due in order.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	end := c.now.Add(d)
	c.mu.Unlock()
	for {
		c.mu.Lock()
		var next *fakeTimer
		for _, t := range c.timers {
			if !t.stopped && !t.fired && !t.at.After(end) && (next == nil || t.at.Before(next.at)) {
				next = t
			}
		}
		if next == nil {
			c.now = end
			c.mu.Unlock()
			return
		}
		next.fired = true
		if next.at.After(c.now) {
			c.now = next.at
		}
		c.mu.Unlock()
		next.f()
	}
}

// Jump moves the wall clock without running any timer: the machine slept.
func (c *fakeClock) Jump(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// fakeUnlocker accepts "right" as the key password (and "rer-right" when a
// RER password is needed).
type fakeUnlocker struct {
	rer    bool
	calls  int
	given  [][]byte
	cancel bool
}

var errFakeUnlock = errors.New("fake: wrong")

func (u *fakeUnlocker) UnlockNeeds() (bool, bool) { return true, u.rer }

func (u *fakeUnlocker) Unlock(key, rer []byte) error {
	u.calls++
	u.given = append(u.given, key, rer)
	ok := string(key) == "right" && (!u.rer || string(rer) == "rer-right")
	clear(key)
	clear(rer)
	switch {
	case u.cancel:
		return errFakeCanceled
	case !ok:
		return errFakeUnlock
	}
	return nil
}

func (u *fakeUnlocker) UnlockMessage(err error) (string, bool) {
	if err == errFakeCanceled {
		return "", true
	}
	return "Wrong key password.", false
}

type lockEvent struct{ event, reason string }

type lockHarness struct {
	t        *testing.T
	clock    *fakeClock
	win      fyne.Window
	app      fyne.Window // what the app draws into
	l        *Locker
	u        *fakeUnlocker
	events   []lockEvent
	before   int
	unlocked int
	signOuts []string
	osLocked bool
	osOn     func(OSEvent) // the fake OS watch's delivery, nil when stopped
	osStarts int
	osStops  int
	form     fyne.CanvasObject
	name     *widget.Label
	iinEntry *widget.Entry
}

// The form's personal data: none of it may show while locked.
const (
	secretName = "Сейткали Айгерим"
	secretIIN  = "850315300012"
	secretSub  = "Филиал по г. Астана"
)

func newLockHarness(t *testing.T, timeout time.Duration) *lockHarness {
	t.Helper()
	test.NewTempApp(t)
	i18n.SetLang(i18n.EN)
	t.Cleanup(func() { i18n.SetLang(i18n.KK) })
	h := &lockHarness{t: t, clock: newFakeClock(), u: &fakeUnlocker{}}
	h.win = test.NewTempWindow(t, widget.NewLabel(""))
	h.win.Resize(fyne.NewSize(800, 600))
	h.l = NewLocker(LockerConfig{
		Window: h.win, Unlocker: h.u, MaxTimeout: timeout, Clock: h.clock,
		OnBeforeLock:  func() { h.before++ },
		OnUnlocked:    func() { h.unlocked++ },
		OnSignOut:     func(r string) { h.signOuts = append(h.signOuts, r) },
		Log:           func(e, r string) { h.events = append(h.events, lockEvent{e, r}) },
		SystemIdle:    func() (time.Duration, bool) { return 0, false },
		SessionLocked: func() bool { return h.osLocked },
		OSEvents: func(on func(OSEvent)) func() {
			h.osOn = on
			h.osStarts++
			return func() { h.osOn = nil; h.osStops++ }
		},
		Do:  func(fn func()) { fn() },
		Run: func(fn func()) { fn() },
	})
	h.app = h.l.Window()
	h.name = widget.NewLabel(secretName)
	h.iinEntry = widget.NewEntry()
	h.iinEntry.SetText(secretIIN)
	h.form = container.NewVBox(widget.NewLabel(secretSub), h.name, h.iinEntry, widget.NewButton("Print", nil))
	h.app.SetContent(h.form)
	h.app.SetTitle("Kense — " + secretSub)
	h.l.Start()
	return h
}

func (h *lockHarness) wantLocked(reason string) {
	h.t.Helper()
	if !h.l.Locked() {
		h.t.Fatalf("not locked (want reason %s)", reason)
	}
	if n := len(h.events); n == 0 || h.events[n-1] != (lockEvent{LockEventLock, reason}) {
		h.t.Fatalf("events %v, want lock/%s", h.events, reason)
	}
	h.wantCovered()
}

// wantCovered: nothing of the form is on the canvas (hidden objects
// included), and the title names the app only.
func (h *lockHarness) wantCovered() {
	h.t.Helper()
	if h.win.Title() != LockTitle {
		h.t.Fatalf("title %q while locked", h.win.Title())
	}
	for _, s := range canvasTexts(h.win.Canvas(), true) {
		for _, secret := range []string{secretName, secretIIN, secretSub} {
			if strings.Contains(s, secret) {
				h.t.Fatalf("%q visible while locked", s)
			}
		}
	}
	var walk func(o fyne.CanvasObject) bool
	walk = func(o fyne.CanvasObject) bool {
		if o == h.name || o == h.iinEntry || o == h.form {
			return true
		}
		switch x := o.(type) {
		case *fyne.Container:
			for _, c := range x.Objects {
				if walk(c) {
					return true
				}
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(x).Objects() {
				if walk(c) {
					return true
				}
			}
		}
		return false
	}
	if walk(h.win.Canvas().Content()) {
		h.t.Fatal("a form widget is in the locked window's tree")
	}
}

func (h *lockHarness) wantUnlockedWithForm() {
	h.t.Helper()
	if h.l.Locked() {
		h.t.Fatal("still locked")
	}
	ac, ok := h.win.Canvas().Content().(*activityCatcher)
	if !ok || ac.content != h.form {
		h.t.Fatalf("content %T is not the form", h.win.Canvas().Content())
	}
	if h.win.Title() != "Kense — "+secretSub || h.iinEntry.Text != secretIIN {
		h.t.Fatalf("title %q, IIN %q", h.win.Title(), h.iinEntry.Text)
	}
}

func (h *lockHarness) typeUnlock(pw string) {
	h.t.Helper()
	s := h.l.screen
	if s == nil {
		h.t.Fatal("no lock screen")
	}
	test.Type(s.keyPW, pw)
	test.Tap(s.unlock)
}

func TestLockIdleTimerFiresAtTimeout(t *testing.T) {
	h := newLockHarness(t, 10*time.Minute)
	h.clock.Advance(10*time.Minute - time.Second)
	if h.l.Locked() || h.before != 0 {
		t.Fatal("locked before the timeout")
	}
	h.clock.Advance(time.Second)
	h.wantLocked(LockIdle)
	if h.before != 1 {
		t.Fatalf("OnBeforeLock ran %d times", h.before)
	}
	// Nothing more happens while locked: no second lock.
	h.clock.Advance(time.Hour)
	if len(h.events) != 1 {
		t.Fatalf("events %v", h.events)
	}
}

func TestLockInputResetsIdle(t *testing.T) {
	h := newLockHarness(t, 10*time.Minute)
	c := h.win.Canvas()
	h.clock.Advance(6 * time.Minute)
	test.TypeOnCanvas(c, "a") // typing with nothing focused
	h.clock.Advance(6 * time.Minute)
	if h.l.Locked() {
		t.Fatal("locked 6 min after typing")
	}
	test.TapCanvas(c, fyne.NewPos(700, 500)) // a click on the window's background
	h.clock.Advance(9 * time.Minute)
	if h.l.Locked() {
		t.Fatal("locked 9 min after a click")
	}
	test.MoveMouse(c, fyne.NewPos(600, 400))
	h.clock.Advance(9 * time.Minute)
	if h.l.Locked() {
		t.Fatal("locked 9 min after the mouse moved")
	}
	h.l.Activity() // what the editor reports on each change
	h.clock.Advance(10*time.Minute - time.Second)
	if h.l.Locked() {
		t.Fatal("locked before the timeout after Activity")
	}
	h.clock.Advance(time.Second)
	h.wantLocked(LockIdle)
}

func TestLockSystemIdleCounts(t *testing.T) {
	h := newLockHarness(t, 10*time.Minute)
	// Windows reports input into an entry that the canvas never saw.
	sys := 2 * time.Minute
	h.l.idle = func() (time.Duration, bool) { return sys, true }
	h.clock.Advance(10 * time.Minute)
	if h.l.Locked() {
		t.Fatal("locked although the system saw input 2 min ago")
	}
	sys = 10 * time.Minute
	h.clock.Advance(8 * time.Minute)
	h.wantLocked(LockIdle)
}

func TestLockCoversContentAndUnlockRestores(t *testing.T) {
	h := newLockHarness(t, 10*time.Minute)
	// An open dialog showing form data is taken off too.
	d := dialog.NewInformation("Row 1", secretName+" "+secretIIN, h.win)
	d.Show()
	if len(h.win.Canvas().Overlays().List()) != 1 {
		t.Fatal("dialog not shown")
	}
	h.win.Canvas().Focus(h.iinEntry)
	h.l.Lock(LockManual)
	h.wantLocked(LockManual)
	if len(h.win.Canvas().Overlays().List()) != 0 {
		t.Fatal("a dialog stays over the lock screen")
	}
	if h.win.Canvas().Focused() == h.iinEntry {
		t.Fatal("a form entry keeps the focus while locked")
	}
	// The app changes its screen while locked: kept hidden.
	other := container.NewVBox(widget.NewLabel(secretName + " (list)"))
	h.app.SetContent(other)
	h.app.SetTitle("Kense — " + secretName)
	h.wantCovered()
	h.app.SetContent(h.form)
	h.app.SetTitle("Kense — " + secretSub)

	h.typeUnlock("right")
	h.wantUnlockedWithForm()
	if h.unlocked != 1 || h.events[len(h.events)-1] != (lockEvent{LockEventUnlock, LockManual}) {
		t.Fatalf("unlocked %d, events %v", h.unlocked, h.events)
	}
	if len(h.win.Canvas().Overlays().List()) != 1 {
		t.Fatal("the dialog did not come back")
	}
	for _, b := range h.u.given {
		if !allZeroBytes(b) {
			t.Fatal("unlock password not wiped")
		}
	}
	// The idle timer runs again from the unlock.
	h.clock.Advance(10 * time.Minute)
	h.wantLocked(LockIdle)
}

func TestLockWrongUnlockRefused(t *testing.T) {
	h := newLockHarness(t, 10*time.Minute)
	h.l.Lock(LockManual)
	h.typeUnlock("wrong")
	if !h.l.Locked() || h.unlocked != 0 {
		t.Fatal("a wrong password unlocked")
	}
	msg := h.l.screen.message
	if !msg.Visible() || !strings.Contains(msg.Text, "Wrong key password.") || !strings.Contains(msg.Text, i18n.T("lock.attempts_left", "n", 4)) {
		t.Fatalf("message %q", msg.Text)
	}
	if h.events[len(h.events)-1] != (lockEvent{LockEventUnlockFailed, LockManual}) {
		t.Fatalf("events %v", h.events)
	}
	h.wantCovered()
	// An empty password is refused without a try.
	test.Tap(h.l.screen.unlock)
	if h.u.calls != 1 || h.l.screen.message.Text != i18n.T("lock.err.empty") {
		t.Fatalf("calls %d, message %q", h.u.calls, h.l.screen.message.Text)
	}
	// Cancel in NCALayer is not a failed attempt.
	h.u.cancel = true
	h.typeUnlock("right")
	h.u.cancel = false
	if h.l.screen.message.Visible() || len(h.signOuts) != 0 {
		t.Fatal("NCALayer cancel counted")
	}
	h.typeUnlock("right")
	h.wantUnlockedWithForm()
}

func TestLockFiveWrongSignOut(t *testing.T) {
	h := newLockHarness(t, 10*time.Minute)
	h.clock.Advance(10 * time.Minute)
	h.wantLocked(LockIdle)
	for i := 0; i < MaxUnlockFailures-1; i++ {
		h.typeUnlock("wrong")
		if len(h.signOuts) != 0 {
			t.Fatalf("signed out after %d failures", i+1)
		}
	}
	h.typeUnlock("wrong")
	if len(h.signOuts) != 1 || h.signOuts[0] != SignOutUnlockFailed {
		t.Fatalf("sign-outs %v", h.signOuts)
	}
	fails := 0
	for _, e := range h.events {
		if e.event == LockEventUnlockFailed {
			fails++
		}
	}
	if fails != MaxUnlockFailures || h.events[len(h.events)-1] != (lockEvent{LockEventSignOut, SignOutUnlockFailed}) {
		t.Fatalf("events %v", h.events)
	}
	// The first person's work is gone from the locker: the next screen
	// the app shows appears as is, and no timer locks it later.
	h.wantCovered()
	if h.l.Locked() || h.app.Content() != nil {
		t.Fatal("locker still holds the work after sign-out")
	}
	signin := widget.NewLabel("sign in")
	h.app.SetContent(signin)
	if ac, ok := h.win.Canvas().Content().(*activityCatcher); !ok || ac.content != signin {
		t.Fatal("sign-in screen not shown")
	}
	n := len(h.events)
	h.win.Canvas().(fyne.Shortcutable).TypedShortcut(LockShortcut)
	h.clock.Advance(time.Hour)
	if len(h.events) != n {
		t.Fatalf("events after sign-out %v", h.events[n:])
	}
}

func TestLockSignOutButton(t *testing.T) {
	h := newLockHarness(t, 10*time.Minute)
	h.l.Lock(LockManual)
	test.Tap(h.l.screen.signOut)
	if len(h.signOuts) != 0 || !h.l.screen.confirm.Visible() {
		t.Fatal("sign-out without confirmation")
	}
	h.wantCovered()
	h.l.screen.cancelSignOut()
	test.Tap(h.l.screen.signOut)
	yes := findButton(t, h.win.Canvas(), i18n.T("lock.signout.confirm"))
	test.Tap(yes)
	if len(h.signOuts) != 1 || h.signOuts[0] != SignOutUser {
		t.Fatalf("sign-outs %v", h.signOuts)
	}
}

func findButton(t *testing.T, c fyne.Canvas, text string) *widget.Button {
	t.Helper()
	var found *widget.Button
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() || found != nil {
			return
		}
		if b, ok := o.(*widget.Button); ok && b.Text == text {
			found = b
			return
		}
		if x, ok := o.(*fyne.Container); ok {
			for _, c := range x.Objects {
				walk(c)
			}
		}
	}
	walk(c.Content())
	if found == nil {
		t.Fatalf("no button %q", text)
	}
	return found
}

func TestLockCtrlL(t *testing.T) {
	h := newLockHarness(t, 10*time.Minute)
	sc, ok := h.win.Canvas().(fyne.Shortcutable)
	if !ok {
		t.Fatal("test canvas takes no shortcuts")
	}
	sc.TypedShortcut(LockShortcut)
	h.wantLocked(LockManual)
	h.typeUnlock("right")
	// The lock button does the same.
	test.Tap(h.l.Button())
	h.wantLocked(LockManual)
	if it := h.l.MenuItem(); it.Shortcut != LockShortcut {
		t.Fatal("menu item without Ctrl+L")
	}
}

func TestLockBackground(t *testing.T) {
	h := newLockHarness(t, 10*time.Minute)
	// A short time away does not lock.
	h.l.Background()
	h.clock.Advance(3 * time.Minute)
	h.l.Foreground()
	h.clock.Advance(9 * time.Minute)
	if h.l.Locked() {
		t.Fatal("locked after 3 min in the background")
	}
	h.l.Background()
	h.clock.Advance(10 * time.Minute)
	h.wantLocked(LockBackground)
	h.l.Foreground()
	h.typeUnlock("right")

	// Away past the timeout while no timer ran (the machine slept):
	// coming back locks.
	h.l.Background()
	h.clock.Jump(11 * time.Minute)
	h.l.Foreground()
	h.wantLocked(LockBackground)
}

func TestLockWakeFromSleep(t *testing.T) {
	h := newLockHarness(t, 10*time.Minute)
	// Ordinary ticks never lock.
	for i := 0; i < 5; i++ {
		h.l.Activity()
		h.clock.Advance(sleepTick)
	}
	if h.l.Locked() {
		t.Fatal("locked without a sleep")
	}
	h.l.Activity()
	h.clock.Jump(2 * time.Minute) // the wall clock jumps while asleep
	h.clock.Advance(sleepTick)
	h.wantLocked(LockSleep)
}

func TestLockTimeoutOnlyShorter(t *testing.T) {
	h := newLockHarness(t, 10*time.Minute)
	if got := h.l.SetTimeout(30 * time.Minute); got != 10*time.Minute {
		t.Fatalf("timeout %v, longer than the policy", got)
	}
	if got := h.l.SetTimeout(10 * time.Second); got != time.Minute {
		t.Fatalf("timeout %v", got)
	}
	if got := h.l.SetTimeout(3 * time.Minute); got != 3*time.Minute {
		t.Fatalf("timeout %v", got)
	}
	h.clock.Advance(3*time.Minute - time.Second)
	if h.l.Locked() {
		t.Fatal("locked early")
	}
	h.clock.Advance(time.Second)
	h.wantLocked(LockIdle)
	h.typeUnlock("right")
	// A stricter policy after the next sign-in cuts the user's choice.
	if got := h.l.SetMaxTimeout(2 * time.Minute); got != 2*time.Minute {
		t.Fatalf("timeout %v", got)
	}
	if got := h.l.SetMaxTimeout(15 * time.Minute); got != 2*time.Minute {
		t.Fatalf("a looser policy lengthened the user's timeout: %v", got)
	}
}

func TestLockRERNeedsBothPasswords(t *testing.T) {
	h := newLockHarness(t, 10*time.Minute)
	h.u.rer = true
	h.l.Lock(LockManual)
	s := h.l.screen
	test.Type(s.keyPW, "right")
	test.Tap(s.unlock)
	if h.u.calls != 0 || !h.l.Locked() {
		t.Fatal("tried without the RER password")
	}
	test.Type(s.keyPW, "right")
	test.Type(s.rerPW, "rer-wrong")
	test.Tap(s.unlock)
	if !h.l.Locked() || h.u.calls != 1 {
		t.Fatal("wrong RER password unlocked")
	}
	test.Type(s.keyPW, "right")
	test.Type(s.rerPW, "rer-right")
	test.Tap(s.unlock)
	h.wantUnlockedWithForm()
}

func TestLockReturnsToTheSameField(t *testing.T) {
	h := newLockHarness(t, 10*time.Minute)
	h.win.Canvas().Focus(h.iinEntry)
	h.clock.Advance(10 * time.Minute)
	h.wantLocked(LockIdle)
	if f := h.win.Canvas().Focused(); f != h.l.screen.keyPW {
		t.Fatalf("focus %T on the lock screen, want the password box", f)
	}
	h.typeUnlock("right")
	h.wantUnlockedWithForm()
	if h.win.Canvas().Focused() != h.iinEntry {
		t.Fatal("focus not back in the field the user was in")
	}
}

func TestLockHidesDialogsShownWhileLocked(t *testing.T) {
	h := newLockHarness(t, 10*time.Minute)
	menu := widget.NewPopUpMenu(fyne.NewMenu("", fyne.NewMenuItem(secretSub, nil)), h.win.Canvas())
	menu.Show()
	h.l.Lock(LockManual)
	h.wantLocked(LockManual)
	// The autosaver fails while locked and the app shows its error.
	dialog.NewError(errors.New("save failed: "+secretName), h.win).Show()
	h.clock.Advance(sleepTick)
	if !h.l.Locked() || len(h.win.Canvas().Overlays().List()) != 0 {
		t.Fatal("a dialog shown while locked stays over the lock screen")
	}
	h.wantCovered()
	h.typeUnlock("right")
	// The dialog comes back; the menu, a leftover of a click, does not.
	ov := h.win.Canvas().Overlays().List()
	if len(ov) != 1 {
		t.Fatalf("overlays after unlock: %d %T %T", len(ov), ov[0], ov[len(ov)-1])
	}
	if _, ok := ov[0].(*widget.PopUp); !ok {
		t.Fatal("the menu came back")
	}
}

// TestLockContentSetOnTheWindow: content the app put on the window itself
// (not through Window()) is watched and restored too.
func TestLockContentSetOnTheWindow(t *testing.T) {
	test.NewTempApp(t)
	clock := newFakeClock()
	win := test.NewTempWindow(t, widget.NewLabel(""))
	win.Resize(fyne.NewSize(600, 400))
	l := NewLocker(LockerConfig{Window: win, Unlocker: &fakeUnlocker{}, MaxTimeout: 5 * time.Minute, Clock: clock,
		SystemIdle: func() (time.Duration, bool) { return 0, false }, Do: func(fn func()) { fn() }, Run: func(fn func()) { fn() }})
	form := container.NewVBox(widget.NewLabel(secretName))
	win.SetContent(form)
	l.Start()
	clock.Advance(4 * time.Minute)
	test.TapCanvas(win.Canvas(), fyne.NewPos(500, 300))
	clock.Advance(4 * time.Minute)
	if l.Locked() {
		t.Fatal("a click on the window did not count")
	}
	clock.Advance(time.Minute)
	if !l.Locked() {
		t.Fatal("not locked 5 min after the click")
	}
	for _, s := range canvasTexts(win.Canvas(), true) {
		if strings.Contains(s, secretName) {
			t.Fatal("form visible while locked")
		}
	}
	test.Type(l.screen.keyPW, "right")
	test.Tap(l.screen.unlock)
	if ac, ok := win.Canvas().Content().(*activityCatcher); !ok || ac.content != form {
		t.Fatal("form not restored")
	}
}

func TestLockOnOSSessionLock(t *testing.T) {
	h := newLockHarness(t, 10*time.Minute)
	h.clock.Advance(sleepTick)
	if h.l.Locked() {
		t.Fatal("locked with the session unlocked")
	}
	h.osLocked = true
	h.clock.Advance(sleepTick)
	h.wantLocked(LockOS)
}
