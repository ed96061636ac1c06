package ui

import (
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kense/i18n"
)

// Why the window was locked (the log's reason; UNIS rule 10.4, access rule
// 13.5).
const (
	LockIdle       = "idle"       // no input for the timeout
	LockManual     = "manual"     // the lock button or Ctrl+L
	LockBackground = "background" // minimised or unfocused longer than the timeout
	LockSleep      = "sleep"      // the machine slept (the wall clock jumped)
	LockOS         = "os_lock"    // the operating system's session was locked
)

// Log events of the lock.
const (
	LockEventLock         = "lock"
	LockEventUnlock       = "unlock"
	LockEventUnlockFailed = "unlock_failed"
	LockEventSignOut      = "signout"
)

// Reasons OnSignOut gets.
const (
	SignOutUnlockFailed = "unlock_failed" // MaxUnlockFailures wrong unlocks
	SignOutUser         = "user"          // "Sign out" on the lock screen
)

// MaxUnlockFailures wrong unlocks sign the user out.
const MaxUnlockFailures = 5

// LockTitle is the only window title while locked: the taskbar shows it
// to anyone passing by.
const LockTitle = "Kense"

// The wake-from-sleep check: a tick every sleepTick; a tick that comes more
// than sleepGap late (by the wall clock or Go's monotonic clock, whichever
// saw the sleep: Linux's monotonic clock stops in suspend, Windows' does
// not) means the machine slept, or the process was frozen: lock either way.
const (
	sleepTick = 10 * time.Second
	sleepGap  = 30 * time.Second
)

// Timer is a scheduled call (time.Timer satisfies it).
type Timer interface{ Stop() bool }

// Clock is the locker's time; tests inject a fake one.
type Clock interface {
	Now() time.Time
	AfterFunc(d time.Duration, f func()) Timer
}

type realClock struct{}

func (realClock) Now() time.Time                            { return time.Now() }
func (realClock) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }

// Unlocker proves that the person at the keyboard is the one signed in
// (cmd/kense: session/sessionui over package session).
type Unlocker interface {
	// UnlockNeeds says which passwords the lock screen asks for: the key
	// file's (not for NCALayer) and the RER SDB account's.
	UnlockNeeds() (keyPassword, rerPassword bool)
	// Unlock checks them (wiping both); it may block (network, NCALayer).
	Unlock(keyPassword, rerPassword []byte) error
	// UnlockMessage is err in the user's language; canceled means the user
	// pressed Cancel in NCALayer: no message, and not a failed attempt.
	UnlockMessage(err error) (msg string, canceled bool)
}

// LockerConfig wires a Locker.
type LockerConfig struct {
	Window   fyne.Window
	Unlocker Unlocker
	// MaxTimeout is the server policy's idle lock: the user may only
	// shorten it (SetTimeout). 0 means 10 minutes.
	MaxTimeout time.Duration
	// Clock: nil is the real one.
	Clock Clock
	// OnBeforeLock runs before the content is covered: flush the autosaver
	// and remember where the editor is.
	OnBeforeLock func()
	// OnUnlocked runs after the content is back.
	OnUnlocked func()
	// OnSignOut: sign the user out and show the sign-in screen (after
	// MaxUnlockFailures wrong unlocks, or "Sign out" on the lock screen).
	OnSignOut func(reason string)
	// Log gets every lock event (LockEvent*) with its reason; it holds no
	// form data. The app writes it to its structured log.
	Log func(event, reason string)
	// SystemIdle reports how long the whole system has had no input; nil
	// uses the platform's (Windows: GetLastInputInfo; elsewhere none).
	SystemIdle func() (time.Duration, bool)
	// SessionLocked reports whether the OS session is locked now; nil uses
	// the platform's (Windows: the input desktop is not the user's;
	// elsewhere never). Checked on every wake-from-sleep tick.
	SessionLocked func() bool
	// OSEvents starts delivering what the operating system tells about
	// the session and power (OSEvent) to on, from any goroutine, and
	// returns how to stop; nil uses the platform's (Windows: a hidden
	// window's WTS and power messages; elsewhere none). Start starts it,
	// Stop stops it. The polling above stays as the fallback.
	OSEvents func(on func(OSEvent)) (stop func())
	// Do runs fn on the UI goroutine (nil: fyne.Do); Run starts background
	// work (nil: go fn()). Tests make both synchronous.
	Do  func(fn func())
	Run func(fn func())
}

// Locker covers the window with a lock screen after the idle timeout, on
// demand (button, Ctrl+L), after a long time in the background, and after
// the machine slept; unlocking needs the same person. Give the app
// Window() instead of the real window, so that a screen it shows while
// locked stays hidden until the unlock. Call its methods on the UI
// goroutine, except Activity, which any goroutine may call.
type Locker struct {
	cfg      LockerConfig
	win      fyne.Window
	clock    Clock
	do       func(fn func())
	run      func(fn func())
	idle     func() (time.Duration, bool)
	osLocked func() bool

	mu           sync.Mutex
	timeout      time.Duration
	lastActivity time.Time
	started      bool
	hooked       bool
	locked       bool
	reason       string
	background   bool
	bgSince      time.Time
	idleTimer    Timer
	bgTimer      Timer
	tickTimer    Timer
	lastTick     time.Time
	failures     int
	busy         bool

	// What the lock hides, restored on unlock.
	appContent fyne.CanvasObject
	appTitle   string
	overlays   []fyne.CanvasObject
	focused    fyne.Focusable    // the field the user was in
	lockedOver fyne.CanvasObject // the content when the lock came

	screen *lockScreen

	// The main menu's "Lock" item (lock_shortcut.go): menu is the menu
	// that holds it while started, ownMenu the main menu made for it.
	menuItem *fyne.MenuItem
	menu     *fyne.Menu
	ownMenu  *fyne.MainMenu

	osStop func() // ends the OSEvents delivery; nil when not watching
}

// NewLocker makes a Locker; Start begins watching.
func NewLocker(cfg LockerConfig) *Locker {
	l := &Locker{cfg: cfg, win: cfg.Window, clock: cfg.Clock, do: cfg.Do, run: cfg.Run, idle: cfg.SystemIdle}
	if l.clock == nil {
		l.clock = realClock{}
	}
	if l.do == nil {
		l.do = fyne.Do
	}
	if l.run == nil {
		l.run = func(fn func()) { go fn() }
	}
	if l.idle == nil {
		l.idle = systemIdle
	}
	l.osLocked = cfg.SessionLocked
	if l.osLocked == nil {
		l.osLocked = sessionLocked
	}
	if l.cfg.MaxTimeout <= 0 {
		l.cfg.MaxTimeout = 10 * time.Minute
	}
	l.timeout = l.cfg.MaxTimeout
	l.appTitle = LockTitle
	if cfg.Window != nil {
		l.appTitle = cfg.Window.Title()
		l.appContent = cfg.Window.Content()
	}
	return l
}

// Window is the window the app should draw into: the same window, except
// that while locked SetContent and SetTitle are kept for the unlock.
func (l *Locker) Window() fyne.Window { return &lockedWindow{Window: l.win, l: l} }

// Start installs the input hooks and the Ctrl+L shortcut and starts the
// timers. Calling it again does nothing.
func (l *Locker) Start() {
	l.mu.Lock()
	if l.started {
		l.mu.Unlock()
		return
	}
	l.started = true
	now := l.clock.Now()
	l.lastActivity = now
	l.lastTick = now
	l.mu.Unlock()
	l.hook()
	l.installMenu()
	l.watchOS()
	l.armIdle(l.Timeout())
	l.armTick()
}

// Stop ends the timers (sign-out, quit) and takes the menu item away. The
// hooks stay but do nothing.
func (l *Locker) Stop() {
	l.mu.Lock()
	l.started = false
	l.stopTimersLocked()
	stopOS := l.takeOSStopLocked()
	l.mu.Unlock()
	stopOS()
	l.removeMenu()
}

func (l *Locker) stopTimersLocked() {
	for _, t := range []*Timer{&l.idleTimer, &l.bgTimer, &l.tickTimer} {
		if *t != nil {
			(*t).Stop()
			*t = nil
		}
	}
}

// hook makes input on the canvas count as activity: keys typed while
// nothing has the focus, mouse movement and taps that reach the window's
// background (activityCatcher). Keys typed into entries do not reach
// the canvas: the editor reports them through Activity, and on Windows the
// system's own idle time covers every input.
func (l *Locker) hook() {
	l.mu.Lock()
	done := l.hooked
	l.hooked = true
	l.mu.Unlock()
	if done {
		return
	}
	c := l.win.Canvas()
	prevRune, prevKey := c.OnTypedRune(), c.OnTypedKey()
	c.SetOnTypedRune(func(r rune) {
		l.Activity()
		if prevRune != nil {
			prevRune(r)
		}
	})
	c.SetOnTypedKey(func(e *fyne.KeyEvent) {
		l.Activity()
		if prevKey != nil {
			prevKey(e)
		}
	})
	if dc, ok := c.(desktop.Canvas); ok {
		prev := dc.OnKeyDown()
		dc.SetOnKeyDown(func(e *fyne.KeyEvent) {
			l.Activity()
			if prev != nil {
				prev(e)
			}
		})
	}
	c.AddShortcut(LockShortcut, func(fyne.Shortcut) { l.Lock(LockManual) })
	// Watch the content already shown (set on the window itself, maybe).
	cur := l.win.Content()
	if _, ok := cur.(*activityCatcher); ok || cur == nil {
		return
	}
	l.mu.Lock()
	locked := l.locked
	if !locked {
		l.appContent = cur
	}
	l.mu.Unlock()
	if !locked {
		l.win.SetContent(newActivityCatcher(l, cur))
	}
}

// LockShortcut is Ctrl+L (Cmd+L on a Mac). A window-wide shortcut reaches
// the canvas only while no entry has the focus; MenuItem carries the same
// shortcut, which the main menu delivers whatever has the focus, and the
// table's entries pass it on to the canvas (lock_shortcut.go).
var LockShortcut = &desktop.CustomShortcut{KeyName: fyne.KeyL, Modifier: fyne.KeyModifierShortcutDefault}

// Button is a "Lock" button for the app's top bar. The bar is rebuilt on a
// language switch: the menu's words follow then too.
func (l *Locker) Button() *widget.Button {
	b := widget.NewButtonWithIcon(i18n.T("lock.button"), theme.VisibilityOffIcon(), func() { l.Lock(LockManual) })
	l.labelMenu()
	return b
}

// MenuItem is the "Lock (Ctrl+L)" item of the main menu; Start puts it
// there (lock_shortcut.go) unless the app's own menu already holds it.
func (l *Locker) MenuItem() *fyne.MenuItem {
	l.mu.Lock()
	if l.menuItem == nil {
		l.menuItem = fyne.NewMenuItem(i18n.T("lock.button"), func() { l.Lock(LockManual) })
		l.menuItem.Shortcut = LockShortcut
		l.menuItem.Icon = theme.VisibilityOffIcon()
	}
	m := l.menuItem
	l.mu.Unlock()
	return m
}

// Activity records user input now; any goroutine may call it (the editor
// calls it on every change).
func (l *Locker) Activity() {
	now := l.clock.Now()
	l.mu.Lock()
	if !l.locked {
		l.lastActivity = now
	}
	l.mu.Unlock()
}

// Timeout is the idle timeout in force.
func (l *Locker) Timeout() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.timeout
}

// MaxTimeout is the server policy's timeout.
func (l *Locker) MaxTimeout() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.cfg.MaxTimeout
}

// SetTimeout sets the user's idle timeout: never longer than the policy's
// (a longer one is cut to it), never under a minute unless the policy is.
// It returns the timeout in force.
func (l *Locker) SetTimeout(d time.Duration) time.Duration {
	l.mu.Lock()
	max := l.cfg.MaxTimeout
	switch {
	case d <= 0 || d > max:
		d = max
	case d < time.Minute:
		d = min(time.Minute, max)
	}
	l.timeout = d
	started, locked := l.started, l.locked
	l.mu.Unlock()
	if started && !locked {
		l.armIdle(d)
	}
	return d
}

// SetMaxTimeout applies a new server policy (after a sign-in); the user's
// shorter choice stays when it is still shorter.
func (l *Locker) SetMaxTimeout(max time.Duration) time.Duration {
	if max <= 0 {
		max = 10 * time.Minute
	}
	l.mu.Lock()
	l.cfg.MaxTimeout = max
	cur := l.timeout
	l.mu.Unlock()
	return l.SetTimeout(cur)
}

// armIdle schedules the idle check at lastActivity + timeout.
func (l *Locker) armIdle(after time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.idleTimer != nil {
		l.idleTimer.Stop()
	}
	if !l.started || l.locked {
		l.idleTimer = nil
		return
	}
	l.idleTimer = l.clock.AfterFunc(after, func() { l.do(l.idleCheck) })
}

// idleCheck locks when the user has been away for the timeout, else
// sleeps until the moment they would have been.
func (l *Locker) idleCheck() {
	l.mu.Lock()
	if !l.started || l.locked {
		l.mu.Unlock()
		return
	}
	now := l.clock.Now()
	idle := now.Sub(l.lastActivity)
	bg := l.background
	timeout := l.timeout
	l.mu.Unlock()
	// Input anywhere on the system counts while Kense is in front (the
	// keys typed into an entry never reach the canvas hooks).
	if !bg {
		if sys, ok := l.idle(); ok && sys < idle {
			idle = sys
		}
	}
	if idle >= timeout {
		reason := LockIdle
		if bg {
			reason = LockBackground
		}
		l.Lock(reason)
		return
	}
	l.armIdle(timeout - idle)
}

// Background: the app was minimised or lost the focus (fyne.App's
// Lifecycle SetOnExitedForeground).
func (l *Locker) Background() {
	now := l.clock.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.background {
		return
	}
	l.background, l.bgSince = true, now
	if l.bgTimer != nil {
		l.bgTimer.Stop()
	}
	if l.started && !l.locked {
		l.bgTimer = l.clock.AfterFunc(l.timeout, func() { l.do(l.bgCheck) })
	}
}

func (l *Locker) bgCheck() {
	l.mu.Lock()
	lock := l.started && !l.locked && l.background && l.clock.Now().Sub(l.bgSince) >= l.timeout
	l.mu.Unlock()
	if lock {
		l.Lock(LockBackground)
	}
}

// Foreground: the app is in front again (SetOnEnteredForeground). Away for
// longer than the timeout locks (the timer may not have run in a sleep).
func (l *Locker) Foreground() {
	now := l.clock.Now()
	l.mu.Lock()
	if !l.background {
		l.mu.Unlock()
		return
	}
	l.background = false
	if l.bgTimer != nil {
		l.bgTimer.Stop()
		l.bgTimer = nil
	}
	away := now.Sub(l.bgSince)
	lock := l.started && !l.locked && away >= l.timeout
	l.mu.Unlock()
	if lock {
		l.Lock(LockBackground)
		return
	}
	l.Activity()
}

// armTick schedules the next wake-from-sleep check.
func (l *Locker) armTick() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.started {
		return
	}
	l.tickTimer = l.clock.AfterFunc(sleepTick, func() { l.do(l.tick) })
}

func (l *Locker) tick() {
	now := l.clock.Now()
	l.mu.Lock()
	if !l.started {
		l.mu.Unlock()
		return
	}
	last := l.lastTick
	l.lastTick = now
	locked := l.locked
	l.mu.Unlock()
	// Sub uses the monotonic clock; Round(0) strips it to compare walls.
	late := max(now.Sub(last), now.Round(0).Sub(last.Round(0))) - sleepTick
	switch {
	case !locked && late > sleepGap:
		l.Lock(LockSleep)
	case !locked && l.osLocked():
		l.Lock(LockOS)
	case locked:
		l.hideNewOverlays(true)
	}
	l.armTick()
}

// Locked reports whether the lock screen is up.
func (l *Locker) Locked() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.locked
}

// Lock covers the window now. reason is one of the Lock* constants. It
// does nothing before Start or after a sign-out (nobody to unlock for).
func (l *Locker) Lock(reason string) {
	l.mu.Lock()
	if l.locked || l.screen != nil || !l.started {
		l.mu.Unlock()
		return
	}
	l.locked, l.reason, l.failures, l.busy = true, reason, 0, false
	l.stopTimersExceptTickLocked()
	l.mu.Unlock()

	if l.cfg.OnBeforeLock != nil {
		l.cfg.OnBeforeLock()
	}
	c := l.win.Canvas()
	focused := c.Focused()
	c.Unfocus()
	l.mu.Lock()
	l.focused = focused
	l.appTitle = l.win.Title()
	if cur := l.win.Content(); cur != nil {
		if ac, ok := cur.(*activityCatcher); ok {
			l.appContent = ac.content
		} else {
			l.appContent = cur
		}
	}
	l.lockedOver = l.appContent
	l.mu.Unlock()
	l.hideNewOverlays(false)
	l.win.SetTitle(LockTitle)
	scr := newLockScreen(l)
	l.mu.Lock()
	l.screen = scr
	l.mu.Unlock()
	l.win.SetContent(scr.content)
	scr.focus()
	l.log(LockEventLock, reason)
}

func (l *Locker) stopTimersExceptTickLocked() {
	for _, t := range []*Timer{&l.idleTimer, &l.bgTimer} {
		if *t != nil {
			(*t).Stop()
			*t = nil
		}
	}
}

// hideNewOverlays takes dialogs and pop-ups off the canvas (they may show
// form data), keeping dialogs (*widget.PopUp) for the unlock. Menus (a
// select's list, an entry's context menu) are dropped: they make no sense
// after the unlock. While locked, only dialogs are taken (the app's): the
// lock screen's own menus stay.
func (l *Locker) hideNewOverlays(whileLocked bool) {
	ov := l.win.Canvas().Overlays()
	var keep []fyne.CanvasObject
	for _, o := range ov.List() {
		_, dialog := o.(*widget.PopUp)
		if whileLocked && !dialog {
			continue
		}
		ov.Remove(o)
		if dialog {
			keep = append(keep, o)
		}
	}
	l.mu.Lock()
	l.overlays = append(l.overlays, keep...) // List is bottom first
	l.mu.Unlock()
}

func (l *Locker) log(event, reason string) {
	if l.cfg.Log != nil {
		l.cfg.Log(event, reason)
	}
}

// tryUnlock runs the Unlocker off the UI goroutine.
func (l *Locker) tryUnlock(keyPW, rerPW []byte) {
	l.mu.Lock()
	if !l.locked || l.busy {
		l.mu.Unlock()
		clear(keyPW)
		clear(rerPW)
		return
	}
	l.busy = true
	l.mu.Unlock()
	l.screen.setBusy(true)
	u := l.cfg.Unlocker
	l.run(func() {
		var err error
		if u == nil {
			err = errNoUnlocker
		} else {
			err = u.Unlock(keyPW, rerPW)
		}
		clear(keyPW)
		clear(rerPW)
		l.do(func() { l.unlockDone(err) })
	})
}

func (l *Locker) unlockDone(err error) {
	l.mu.Lock()
	l.busy = false
	if !l.locked || l.screen == nil {
		l.mu.Unlock()
		return
	}
	reason := l.reason
	if err == nil {
		l.mu.Unlock()
		l.unlock()
		return
	}
	msg, canceled := i18n.T("lock.err.failed"), false
	if l.cfg.Unlocker != nil {
		msg, canceled = l.cfg.Unlocker.UnlockMessage(err)
	}
	if canceled {
		l.mu.Unlock()
		l.screen.setBusy(false)
		l.screen.say("")
		return
	}
	l.failures++
	left := MaxUnlockFailures - l.failures
	l.mu.Unlock()
	l.log(LockEventUnlockFailed, reason)
	if left <= 0 {
		l.signOut(SignOutUnlockFailed)
		return
	}
	l.screen.setBusy(false)
	l.screen.say(msg + "\n" + i18n.T("lock.attempts_left", "n", left))
}

// unlock brings the work back exactly as it was.
func (l *Locker) unlock() {
	l.mu.Lock()
	content, title, overlays, reason, focused := l.appContent, l.appTitle, l.overlays, l.reason, l.focused
	same := content != nil && content == l.lockedOver
	l.overlays, l.focused, l.lockedOver = nil, nil, nil
	l.screen = nil
	l.locked, l.failures = false, 0
	l.lastActivity = l.clock.Now()
	bg := l.background
	if bg {
		l.bgSince = l.lastActivity
	}
	timeout := l.timeout
	l.mu.Unlock()
	if content != nil {
		l.win.SetContent(newActivityCatcher(l, content))
	}
	l.win.SetTitle(title)
	for _, o := range overlays {
		l.win.Canvas().Overlays().Add(o)
	}
	// Back in the same field, when the screen is the one locked away.
	if focused != nil && same && len(overlays) == 0 {
		l.win.Canvas().Focus(focused)
	}
	l.armIdle(timeout)
	l.log(LockEventUnlock, reason)
	if l.cfg.OnUnlocked != nil {
		l.cfg.OnUnlocked()
	}
}

// signOut drops what the lock hides (the next person never sees it) and
// hands over to the app, which shows the sign-in screen.
func (l *Locker) signOut(reason string) {
	l.mu.Lock()
	l.appContent, l.overlays, l.focused, l.lockedOver = nil, nil, nil, nil
	l.appTitle = LockTitle
	l.locked, l.screen, l.busy = false, nil, false
	l.started = false
	l.stopTimersLocked()
	stopOS := l.takeOSStopLocked()
	l.mu.Unlock()
	stopOS()
	l.removeMenu()
	l.log(LockEventSignOut, reason)
	if l.cfg.OnSignOut != nil {
		l.cfg.OnSignOut(reason)
	}
}

// lockedWindow is the window the app draws into through the Locker.
type lockedWindow struct {
	fyne.Window
	l *Locker
}

func (w *lockedWindow) SetContent(o fyne.CanvasObject) {
	l := w.l
	l.mu.Lock()
	l.appContent = o
	locked := l.locked
	l.mu.Unlock()
	if locked {
		return
	}
	w.Window.SetContent(newActivityCatcher(l, o))
}

func (w *lockedWindow) Content() fyne.CanvasObject {
	l := w.l
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.appContent
}

func (w *lockedWindow) SetTitle(t string) {
	l := w.l
	l.mu.Lock()
	l.appTitle = t
	locked := l.locked
	l.mu.Unlock()
	if !locked {
		w.Window.SetTitle(t)
	}
}

func (w *lockedWindow) Title() string {
	l := w.l
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.appTitle
}

// lockScreen is what the window shows while locked: nothing of the work.
type lockScreen struct {
	l       *Locker
	keyPW   *widget.Entry
	rerPW   *widget.Entry
	unlock  *widget.Button
	signOut *widget.Button
	message *widget.Label
	main    *fyne.Container // the unlock form
	confirm *fyne.Container // "sign out?" in its place
	shown   map[*widget.Entry]bool
	content fyne.CanvasObject
}

func newLockScreen(l *Locker) *lockScreen {
	s := &lockScreen{l: l, shown: map[*widget.Entry]bool{}}
	needKey, needRER := false, false
	if l.cfg.Unlocker != nil {
		needKey, needRER = l.cfg.Unlocker.UnlockNeeds()
	}
	icon := widget.NewIcon(theme.VisibilityOffIcon())
	title := widget.NewLabelWithStyle(i18n.T("lock.title"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	hintKey := "lock.hint.ncalayer"
	if needKey {
		hintKey = "lock.hint.key"
	}
	hint := widget.NewLabelWithStyle(i18n.T(hintKey), fyne.TextAlignCenter, fyne.TextStyle{})
	hint.Wrapping = fyne.TextWrapWord
	box := container.NewVBox(container.NewCenter(icon), title, hint)
	s.keyPW = widget.NewPasswordEntry()
	s.keyPW.SetPlaceHolder(i18n.T("lock.keypass"))
	s.keyPW.OnSubmitted = func(string) { s.submit() }
	if needKey {
		box.Add(s.keyPW)
		s.shown[s.keyPW] = true
	}
	s.rerPW = widget.NewPasswordEntry()
	s.rerPW.SetPlaceHolder(i18n.T("lock.rerpass"))
	s.rerPW.OnSubmitted = func(string) { s.submit() }
	if needRER {
		box.Add(s.rerPW)
		s.shown[s.rerPW] = true
	}
	s.message = widget.NewLabel("")
	s.message.Wrapping = fyne.TextWrapWord
	s.message.Importance = widget.DangerImportance
	s.message.Hide()
	box.Add(s.message)
	s.unlock = widget.NewButtonWithIcon(i18n.T("lock.unlock"), theme.LoginIcon(), s.submit)
	s.unlock.Importance = widget.HighImportance
	s.signOut = widget.NewButtonWithIcon(i18n.T("lock.signout"), theme.LogoutIcon(), s.confirmSignOut)
	box.Add(container.NewGridWithColumns(2, s.signOut, s.unlock))
	note := widget.NewLabelWithStyle(i18n.T("lock.other_person"), fyne.TextAlignCenter, fyne.TextStyle{Italic: true})
	note.Wrapping = fyne.TextWrapWord
	box.Add(note)
	s.main = box

	ask := widget.NewLabelWithStyle(i18n.T("lock.signout.ask"), fyne.TextAlignCenter, fyne.TextStyle{})
	ask.Wrapping = fyne.TextWrapWord
	yes := widget.NewButtonWithIcon(i18n.T("lock.signout.confirm"), theme.LogoutIcon(), func() { l.signOut(SignOutUser) })
	yes.Importance = widget.DangerImportance
	no := widget.NewButton(i18n.T("lock.signout.cancel"), s.cancelSignOut)
	s.confirm = container.NewVBox(widget.NewLabelWithStyle(i18n.T("lock.signout.title"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true}),
		ask, container.NewGridWithColumns(2, no, yes))
	s.confirm.Hide()
	s.content = container.NewCenter(container.NewVBox(signInMinWidth(420), s.main, s.confirm))
	return s
}

func (s *lockScreen) focus() {
	c := s.l.win.Canvas()
	for _, e := range []*widget.Entry{s.keyPW, s.rerPW} {
		if s.shown[e] {
			c.Focus(e)
			return
		}
	}
}

func (s *lockScreen) submit() {
	needKey, needRER := false, false
	if s.l.cfg.Unlocker != nil {
		needKey, needRER = s.l.cfg.Unlocker.UnlockNeeds()
	}
	if (needKey && s.keyPW.Text == "") || (needRER && s.rerPW.Text == "") {
		s.say(i18n.T("lock.err.empty"))
		return
	}
	s.l.tryUnlock(takePassword(s.keyPW), takePassword(s.rerPW))
}

func (s *lockScreen) setBusy(on bool) {
	for _, b := range []*widget.Button{s.unlock, s.signOut} {
		if on {
			b.Disable()
		} else {
			b.Enable()
		}
	}
}

func (s *lockScreen) say(msg string) {
	s.message.SetText(msg)
	if msg == "" {
		s.message.Hide()
	} else {
		s.message.Show()
	}
}

// confirmSignOut asks on the lock screen itself: a dialog would be an
// overlay, which the lock takes off the canvas.
func (s *lockScreen) confirmSignOut() {
	s.main.Hide()
	s.confirm.Show()
}

func (s *lockScreen) cancelSignOut() {
	s.confirm.Hide()
	s.main.Show()
}

// errNoUnlocker: a Locker made without an Unlocker cannot be unlocked,
// only signed out.
var errNoUnlocker = &lockError{}

type lockError struct{}

func (*lockError) Error() string { return "ui: no unlocker" }
