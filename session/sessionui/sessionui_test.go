package sessionui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"kense/client"
	"kense/i18n"
	"kense/server"
	"kense/session"
	"kense/session/sessiontest"
	"kense/ui"
)

type memSettings map[string]string

func (m memSettings) Setting(k string) (string, bool, error) { v, ok := m[k]; return v, ok, nil }
func (m memSettings) SetSetting(k, v string) error           { m[k] = v; return nil }

func sync(fn func()) { fn() }

// screen is the sign-in screen over a real Session and a real demo server,
// driven the way a user drives it: by the texts on the screen.
type screen struct {
	t    *testing.T
	demo *sessiontest.Demo
	s    *session.Session
	a    *Adapter
	win  fyne.Window
	si   *ui.SignIn
	done []ui.SignedIn
}

func newScreen(t *testing.T) *screen {
	t.Helper()
	test.NewTempApp(t)
	i18n.SetLang(i18n.EN)
	t.Cleanup(func() { i18n.SetLang(i18n.KK) })
	sc := &screen{t: t, demo: sessiontest.Start(t)}
	sc.s = session.New(session.Options{Client: client.Options{Timeout: 5 * time.Second, Retries: -1}})
	sc.a = New(sc.s)
	sc.win = test.NewTempWindow(t, widget.NewLabel(""))
	sc.win.Resize(fyne.NewSize(900, 1000))
	sc.si = ui.NewSignIn(sc.a, sc.win, func(r ui.SignedIn) { sc.done = append(sc.done, r) })
	sc.si.SetRunner(sync, sync)
	sc.win.SetContent(sc.si.Content())
	sc.si.UseSettings(memSettings{ui.SettingSignInServer: sc.demo.URL()}, "")
	return sc
}

// walk visits every visible object on the canvas, overlays included.
func walk(c fyne.Canvas, visit func(fyne.CanvasObject)) {
	var w func(o fyne.CanvasObject)
	w = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		visit(o)
		switch x := o.(type) {
		case *fyne.Container:
			for _, c := range x.Objects {
				w(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(x).Objects() {
				w(c)
			}
		}
	}
	w(c.Content())
	for _, o := range c.Overlays().List() {
		w(o)
	}
}

func (sc *screen) shows(text string) bool {
	found := false
	walk(sc.win.Canvas(), func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *widget.Label:
			found = found || strings.Contains(x.Text, text)
		case *canvas.Text:
			found = found || strings.Contains(x.Text, text)
		}
	})
	return found
}

func (sc *screen) entry(placeholder string) *widget.Entry {
	sc.t.Helper()
	var e *widget.Entry
	walk(sc.win.Canvas(), func(o fyne.CanvasObject) {
		if x, ok := o.(*widget.Entry); ok && x.PlaceHolder == placeholder && e == nil {
			e = x
		}
	})
	if e == nil {
		sc.t.Fatalf("no entry %q", placeholder)
	}
	return e
}

func (sc *screen) button(text string) *widget.Button {
	sc.t.Helper()
	var b *widget.Button
	walk(sc.win.Canvas(), func(o fyne.CanvasObject) {
		if x, ok := o.(*widget.Button); ok && x.Text == text && b == nil {
			b = x
		}
	})
	if b == nil {
		sc.t.Fatalf("no button %q", text)
	}
	return b
}

func (sc *screen) openKey(name, password string) {
	sc.t.Helper()
	sc.entry(i18n.T("signin.keyfile.placeholder")).SetText(sc.demo.Key(name))
	test.Type(sc.entry(i18n.T("signin.keypass.placeholder")), password)
	test.Tap(sc.button(i18n.T("signin.keyfile.open")))
}

func TestSignInScreenAgainstDemoServer(t *testing.T) {
	sc := newScreen(t)
	if !sc.shows(i18n.T("signin.demo")) {
		t.Fatal("no demo banner on the demo server")
	}
	// A SIGN key: its owner is shown, with the "pick the AUTH key" warning.
	sc.openKey(sessiontest.KeySign, server.DemoKeyPassword)
	if !sc.shows("780312450016") || !sc.shows(i18n.T("signin.warn.sign_key")) {
		t.Fatal("SIGN key facts or warning missing")
	}
	if !sc.button(i18n.T("signin.submit")).Disabled() {
		t.Fatal("Sign in enabled with a SIGN key")
	}
	// The AUTH key with a wrong password, then the right one.
	sc.openKey(sessiontest.KeyNotary, "wrong")
	if !sc.shows(i18n.T("eds.err.wrong_password")) {
		t.Fatal("wrong password not explained")
	}
	sc.openKey(sessiontest.KeyNotary, server.DemoKeyPassword)
	if !sc.shows("780312450016") || !sc.shows("DEMO ҰКО") {
		t.Fatal("facts of the AUTH key missing")
	}
	test.Tap(sc.button(i18n.T("signin.submit")))
	if len(sc.done) != 1 {
		t.Fatal("no sign-in")
	}
	d := sc.done[0]
	if d.IIN != "780312450016" || !d.Demo || d.RER || d.IdleLock <= 0 || d.Key.IIN != d.IIN || d.FullName == "" {
		t.Fatalf("signed in %+v", d)
	}
	if !sc.s.SignedIn() || sc.s.Client().Token() == "" {
		t.Fatal("session not signed in")
	}
}

func TestRERAndWarningsAgainstDemoServer(t *testing.T) {
	sc := newScreen(t)
	sc.openKey(sessiontest.KeyRER, server.DemoKeyPassword)
	test.Tap(sc.button(i18n.T("signin.submit")))
	if len(sc.done) != 0 || !sc.shows(i18n.T("client.err.password_required")) {
		t.Fatal("password_required not explained")
	}
	login := sc.entry(i18n.T("signin.rer.login")) // the RER fields are there now
	test.Type(login, server.DemoRERLogin)
	test.Type(sc.entry(i18n.T("signin.rer.password")), "wrong")
	test.Tap(sc.button(i18n.T("signin.submit")))
	if len(sc.done) != 0 || !sc.shows(i18n.T("client.err.wrong_password")) {
		t.Fatal("wrong RER password not explained")
	}
	test.Type(sc.entry(i18n.T("signin.rer.password")), server.DemoRERPassword)
	test.Tap(sc.button(i18n.T("signin.submit")))
	if len(sc.done) != 1 || !sc.done[0].RER {
		t.Fatalf("done %+v", sc.done)
	}

	// The EDS-year warning shows after signing in.
	sc2 := newScreen(t)
	sc2.openKey(sessiontest.KeyNotary2, server.DemoKeyPassword)
	test.Tap(sc2.button(i18n.T("signin.submit")))
	if len(sc2.done) != 1 || len(sc2.done[0].Warnings) != 1 {
		t.Fatalf("done %+v", sc2.done)
	}
	if !sc2.shows(sc2.done[0].Warnings[0]) || len(sc2.win.Canvas().Overlays().List()) != 1 {
		t.Fatal("EDS-year warning not shown")
	}
}

// TestLockUnlockAgainstDemoServer: the lock over the real session: a wrong
// key password is refused with the EDS message, the right one starts a
// fresh server session and brings the work back.
func TestLockUnlockAgainstDemoServer(t *testing.T) {
	sc := newScreen(t)
	sc.openKey(sessiontest.KeyNotary, server.DemoKeyPassword)
	test.Tap(sc.button(i18n.T("signin.submit")))
	if len(sc.done) != 1 {
		t.Fatal("no sign-in")
	}
	var events []string
	l := ui.NewLocker(ui.LockerConfig{Window: sc.win, Unlocker: sc.a, MaxTimeout: sc.done[0].IdleLock,
		Log: func(e, r string) { events = append(events, e+"/"+r) }, Do: sync, Run: sync,
		SystemIdle: func() (time.Duration, bool) { return 0, false }})
	work := container.NewVBox(widget.NewLabel("Сейткали Айгерим 850315300012"))
	l.Window().SetContent(work)
	l.Start()
	defer l.Stop()
	old := sc.s.Client().Token()
	l.Lock(ui.LockManual)
	if sc.shows("Сейткали") || sc.win.Title() != ui.LockTitle {
		t.Fatal("work visible while locked")
	}
	pwEntry := sc.entry(i18n.T("lock.keypass"))
	test.Type(pwEntry, "wrong")
	test.Tap(sc.button(i18n.T("lock.unlock")))
	if !l.Locked() || !sc.shows(i18n.T("eds.err.wrong_password")) {
		t.Fatal("wrong key password not refused with its message")
	}
	test.Type(pwEntry, server.DemoKeyPassword)
	test.Tap(sc.button(i18n.T("lock.unlock")))
	if l.Locked() || !sc.shows("Сейткали") {
		t.Fatal("right key password did not unlock")
	}
	if tok := sc.s.Client().Token(); tok == "" || tok == old {
		t.Fatal("unlock did not renew the session")
	}
	want := []string{"lock/manual", "unlock_failed/manual", "unlock/manual"}
	if strings.Join(events, " ") != strings.Join(want, " ") {
		t.Fatalf("events %v", events)
	}
}
