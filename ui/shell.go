package ui

import (
	"errors"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kense/i18n"
)

// ShellConfig wires the Shell: what comes before the work (sign-in) and
// around it (the idle lock, sign-out). cmd/kense fills it from package
// session (session/sessionui) and the cache.
type ShellConfig struct {
	SignIn   SignInService
	Unlocker Unlocker
	// Settings remembers the sign-in screen's server and key file.
	Settings      SignInSettings
	DefaultServer string
	// Enter opens the work for who signed in (Offline: this OS user's
	// local profile, no account): it unlocks the cache for that account
	// and returns the services App works with. changed may be called from
	// any goroutine when the sync state moved (a round ended): the shell
	// then refreshes the bar's sync line and the drafts list.
	Enter func(who SignedIn, changed func()) (Services, error)
	// Leave signs out: ends the server session and wipes the account's
	// cache key, so nothing of its drafts can be read until it signs in
	// again.
	Leave func()
	// Seal wipes the cache keys while locked; Unseal brings them back
	// after the same person unlocked.
	Seal   func()
	Unseal func() error
	// IdleLock, when set, caps the server policy's idle timeout (the
	// -idle-lock flag, for testing and for IT); it can only shorten it.
	IdleLock time.Duration
	// LockLog gets every lock event; no form data.
	LockLog func(event, reason string)
	// Clock, Do and Run as in LockerConfig (tests inject them).
	Clock   Clock
	Do, Run func(fn func())
	// Message is an error as the user reads it; nil: err.Error().
	Message func(err error) string
	// Password changes a RER SDB account's password (ui/password.go);
	// nil: the shell offers no password actions.
	Password PasswordService
}

// Shell runs Kense's screens in order: sign-in, the work (App), the lock.
// One Locker serves the whole run; it watches only while someone is
// signed in (the offline profile has no EDS to unlock with).
type Shell struct {
	fa     fyne.App
	win    fyne.Window // the real window
	cfg    ShellConfig
	locker *Locker
	signIn *SignIn
	app    *App
	who    SignedIn
	// syncLine is the bar's sync state (nil offline); the bar is rebuilt
	// on a language switch, so it is the latest one.
	syncLine *widget.Label
	session  int // counts sign-ins: a late "changed" of an old one is dropped
	// pwForm is the open password change form (nil: none).
	pwForm *passwordForm
	// noticeFetch is the session whose notifications are being fetched
	// (0: none; notice.go).
	noticeFetch int
}

// NewShell builds the shell on w. Call Start to show the sign-in screen.
func NewShell(fa fyne.App, w fyne.Window, cfg ShellConfig) *Shell {
	s := &Shell{fa: fa, win: w, cfg: cfg}
	s.locker = NewLocker(LockerConfig{
		Window:       w,
		Unlocker:     cfg.Unlocker,
		Clock:        cfg.Clock,
		Do:           cfg.Do,
		Run:          cfg.Run,
		Log:          cfg.LockLog,
		OnBeforeLock: s.beforeLock,
		OnUnlocked:   s.afterUnlock,
		OnSignOut:    func(string) { s.SignOut() },
	})
	return s
}

// Locker is the shell's lock (the app's lifecycle hooks call it).
func (s *Shell) Locker() *Locker { return s.locker }

// App is the work screen, nil before a sign-in.
func (s *Shell) App() *App { return s.app }

// Start shows the sign-in screen in the remembered language.
func (s *Shell) Start() {
	if s.cfg.Settings != nil {
		if err := ApplyLang(StartLang(s.cfg.Settings)); err != nil {
			fyne.LogError("language", err)
		}
	}
	s.showSignIn()
}

func (s *Shell) showSignIn() {
	w := s.locker.Window()
	s.signIn = NewSignIn(s.cfg.SignIn, w, s.entered)
	s.signIn.SetRunner(s.cfg.Do, s.cfg.Run)
	w.SetTitle(LockTitle)
	w.SetContent(s.signIn.Content())
	s.signIn.UseSettings(s.cfg.Settings, s.cfg.DefaultServer)
}

// entered: the sign-in screen is done; open the work.
func (s *Shell) entered(who SignedIn) {
	if who.PasswordChange && !who.Offline {
		// Rules 14, 16, 17: the change form before anything else.
		s.forcePasswordChange(who)
		return
	}
	s.session++
	n := s.session
	svc, err := s.cfg.Enter(who, func() { s.do(func() { s.syncChanged(n) }) })
	if err != nil {
		if !who.Offline && s.cfg.Leave != nil {
			s.cfg.Leave()
		}
		s.showError(err)
		return
	}
	s.who = who
	s.signIn = nil
	svc.Activity = s.locker.Activity
	svc.Bar = s.bar
	if svc.Do == nil {
		svc.Do = s.cfg.Do
	}
	s.app = New(s.fa, s.locker.Window(), svc)
	s.app.locked = s.locker.Locked
	s.app.Start()
	if who.Offline {
		return
	}
	timeout := who.IdleLock
	if s.cfg.IdleLock > 0 && (timeout <= 0 || s.cfg.IdleLock < timeout) {
		timeout = s.cfg.IdleLock
	}
	s.locker.SetMaxTimeout(timeout)
	if v, ok, err := s.setting(SettingLockMinutes); err == nil && ok {
		if m, err := strconv.Atoi(v); err == nil && m > 0 {
			s.locker.SetTimeout(time.Duration(m) * time.Minute)
		}
	}
	s.locker.Start()
	// The bar's lock choice shows the timeout now in force.
	s.app.rebuildFrame()
	if who.PasswordDue != "" {
		s.offerPasswordChange(who.PasswordDue)
	}
	s.checkNotices() // the head's notifications (notice.go)
}

// SettingLockMinutes remembers the user's own, shorter idle lock.
const SettingLockMinutes = "lock.minutes"

func (s *Shell) setting(k string) (string, bool, error) {
	if s.cfg.Settings == nil {
		return "", false, nil
	}
	return s.cfg.Settings.Setting(k)
}

// lockChoices are the idle locks a user may pick: the policy's and the
// usual shorter ones (never longer: UNIS rule 10.4 is the server's).
func lockChoices(max time.Duration) []time.Duration {
	var out []time.Duration
	for _, m := range []int{1, 2, 5, 10, 15, 30, 60} {
		if d := time.Duration(m) * time.Minute; d < max {
			out = append(out, d)
		}
	}
	return append(out, max)
}

func lockChoiceText(d time.Duration) string {
	if d < time.Minute || d%time.Minute != 0 {
		return i18n.T("shell.lock.seconds", "n", int(d/time.Second))
	}
	return i18n.T("shell.lock.minutes", "n", int(d/time.Minute))
}

// lockSelect lets the user shorten the idle lock, and remembers it.
func (s *Shell) lockSelect() fyne.CanvasObject {
	choices := lockChoices(s.locker.MaxTimeout())
	texts := make([]string, len(choices))
	for i, d := range choices {
		texts[i] = lockChoiceText(d)
	}
	sel := widget.NewSelect(texts, nil)
	sel.SetSelected(lockChoiceText(s.locker.Timeout()))
	sel.OnChanged = func(v string) {
		for i, t := range texts {
			if t != v {
				continue
			}
			got := s.locker.SetTimeout(choices[i])
			if s.cfg.Settings != nil {
				if err := s.cfg.Settings.SetSetting(SettingLockMinutes, strconv.Itoa(int(got/time.Minute))); err != nil {
					fyne.LogError("lock setting", err)
				}
			}
		}
	}
	return sel
}

func (s *Shell) do(fn func()) {
	if s.cfg.Do != nil {
		s.cfg.Do(fn)
		return
	}
	fyne.Do(fn)
}

// syncChanged shows a finished sync round: the bar's line, the list.
func (s *Shell) syncChanged(session int) {
	if session != s.session || s.app == nil {
		return
	}
	s.showSync()
	if s.app.drafts != nil && !s.locker.Locked() {
		s.app.drafts.reload()
	}
	if !s.locker.Locked() {
		s.app.refreshApplication() // the Operator's decision, on the open form
		// Tickets registered in the round: their confirmation (rule 9);
		// while locked they wait for the next round after the unlock.
		s.app.TicketsChanged()
		s.checkNotices() // notifications that came since
		// The password expired while working: the server refuses the
		// rounds until it is changed, so the change comes first.
		if f := s.app.svc.PasswordRequired; f != nil && s.pwForm == nil {
			if why, must := f(); must {
				s.showPasswordDialog(true, why)
			}
		}
	}
}

func (s *Shell) showSync() {
	if s.syncLine == nil || s.app == nil || s.app.svc.SyncState == nil || s.locker.Locked() {
		return
	}
	text, problem := s.app.svc.SyncState()
	s.syncLine.SetText(text)
	s.syncLine.Importance = widget.MediumImportance
	if problem {
		s.syncLine.Importance = widget.WarningImportance
	}
	s.syncLine.Refresh()
	s.app.relayoutBar()
}

// bar is what the shell adds to the app's top bar: who is signed in, the
// demo notice, lock and sign-out (or, offline, a way to sign in).
func (s *Shell) bar() []fyne.CanvasObject {
	if s.who.Offline {
		return []fyne.CanvasObject{
			widget.NewLabel(i18n.T("shell.offline")),
			widget.NewButtonWithIcon(i18n.T("shell.signin"), theme.LoginIcon(), s.SignOut),
		}
	}
	var out []fyne.CanvasObject
	if s.who.Demo {
		out = append(out, DemoBanner())
	}
	if s.who.Update.Version != "" {
		out = append(out, updateNotice(s.who.Update, s.dismissUpdate))
	}
	s.syncLine = shrinkLabel("")
	out = append(out, s.syncLine)
	if s.app != nil {
		s.showSync()
	}
	out = append(out, shrinkLabel(s.who.FullName))
	if s.who.RER && s.cfg.Password != nil {
		out = append(out, s.passwordButton())
	}
	out = append(out,
		s.lockSelect(),
		s.locker.Button(),
		widget.NewButtonWithIcon(i18n.T("shell.signout"), theme.LogoutIcon(), s.confirmSignOut),
	)
	return out
}

func (s *Shell) confirmSignOut() {
	dialog.NewConfirm(i18n.T("lock.signout.title"), i18n.T("lock.signout.ask"), func(ok bool) {
		if ok {
			s.SignOut()
		}
	}, s.win).Show()
}

// SignOut saves the open draft, closes the work and the account, and shows
// the sign-in screen.
func (s *Shell) SignOut() {
	s.locker.Stop()
	if s.app != nil {
		s.app.Close()
		s.app = nil
	}
	if !s.who.Offline && s.cfg.Leave != nil {
		s.cfg.Leave()
	}
	s.who = SignedIn{}
	s.syncLine = nil
	s.session++
	s.showSignIn()
}

// Close ends the run (the window closes): pending edits are written.
func (s *Shell) Close() {
	s.locker.Stop()
	if s.signIn != nil {
		s.signIn.Cancel()
	}
	if s.app != nil {
		s.app.Close()
	}
}

// beforeLock: the open draft is written before the keys go.
func (s *Shell) beforeLock() {
	if s.app != nil {
		s.app.Flush()
	}
	if s.cfg.Seal != nil {
		s.cfg.Seal()
	}
}

func (s *Shell) afterUnlock() {
	if s.cfg.Unseal == nil {
		return
	}
	if err := s.cfg.Unseal(); err != nil {
		// The keys could not come back: nothing can be saved, so the
		// safe way on is a fresh sign-in (the draft was written before
		// the lock).
		s.showError(err)
		s.SignOut()
	}
}

func (s *Shell) showError(err error) {
	msg := err.Error()
	if s.cfg.Message != nil {
		msg = s.cfg.Message(err)
	}
	dialog.NewError(errors.New(msg), s.win).Show()
}
