package wire

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"kense/api"
	"kense/cache"
	"kense/client"
	"kense/i18n"
	"kense/server"
	"kense/session"
	"kense/session/sessiontest"
	"kense/ui"
)

// tuneRER changes the demo RER SDB account before the server starts.
func tuneRER(t *testing.T, fn func(a *server.Account)) func(*server.Config) {
	return func(c *server.Config) {
		accts, err := c.Store.Accounts()
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range accts {
			if a.Login == server.DemoRERLogin {
				if err := c.Store.UpdateAccount(a.IIN, func(a *server.Account) error { fn(a); return nil }); err != nil {
					t.Fatal(err)
				}
				return
			}
		}
		t.Fatal("no demo RER SDB account")
	}
}

// rerShell is the shell as cmd/kense wires it, over a demo server.
type rerShell struct {
	t     *testing.T
	demo  *sessiontest.Demo
	st    *cache.Store
	sess  *session.Session
	sh    *ui.Shell
	w     fyne.Window
	queue chan func()
}

func newRERShell(t *testing.T, demo *sessiontest.Demo) *rerShell {
	t.Helper()
	test.NewTempApp(t)
	i18n.SetLang(i18n.EN)
	t.Cleanup(func() { i18n.SetLang(i18n.KK) })
	st, err := cache.Open(filepath.Join(t.TempDir(), "kense.db"), cache.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	r := &rerShell{t: t, demo: demo, st: st, queue: make(chan func(), 1000)}
	r.w = test.NewTempWindow(t, widget.NewLabel(""))
	r.w.Resize(fyne.NewSize(1400, 1000))
	r.sess = session.New(session.Options{Client: client.Options{Timeout: 10 * time.Second, Retries: -1}})
	cfg := Shell(st, r.sess, ShellOptions{Server: demo.URL(), Base: ui.Services{TempDir: t.TempDir()}, SyncInterval: time.Hour})
	cfg.Do = func(fn func()) { r.queue <- fn }
	r.sh = ui.NewShell(fyne.CurrentApp(), r.w, cfg)
	r.sh.Start()
	t.Cleanup(r.sh.Close)
	r.pump()
	return r
}

func (r *rerShell) pump() {
	for {
		select {
		case fn := <-r.queue:
			fn()
		default:
			return
		}
	}
}

func (r *rerShell) waitFor(what string, ok func() bool) {
	r.t.Helper()
	for end := time.Now().Add(30 * time.Second); !ok(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(end) {
			r.t.Fatalf("timed out waiting for %s; the window says:\n%s", what, allText(r.w))
		}
		r.pump()
	}
}

// entry finds an entry by its placeholder, in the window or its dialogs.
func (r *rerShell) entry(placeholder string) *widget.Entry {
	r.t.Helper()
	var found *widget.Entry
	r.waitFor("the entry "+placeholder, func() bool {
		roots := append([]fyne.CanvasObject{r.w.Canvas().Content()}, r.w.Canvas().Overlays().List()...)
		for _, root := range roots {
			for _, e := range findAll[*widget.Entry](root) {
				if e.PlaceHolder == placeholder {
					found = e
					return true
				}
			}
		}
		return false
	})
	return found
}

func (r *rerShell) tap(text string) {
	r.t.Helper()
	var b *widget.Button
	r.waitFor("the button "+text, func() bool { b = windowButton(r.w, text); return b != nil && !b.Disabled() })
	test.Tap(b)
	r.pump()
}

// signIn signs in with the demo RER SDB key, login and password.
func (r *rerShell) signIn(pw string) {
	r.t.Helper()
	r.entry(i18n.T("signin.keyfile.placeholder")).SetText(r.demo.Key(sessiontest.KeyRER))
	test.Type(r.entry(i18n.T("signin.keypass.placeholder")), server.DemoKeyPassword)
	r.tap(i18n.T("signin.keyfile.open"))
	r.waitFor("the key's facts", func() bool { return strings.Contains(allText(r.w), "850505400028") })
	// A RER SDB account: the server asks for the login and password.
	r.tap(i18n.T("signin.submit"))
	login := r.entry(i18n.T("signin.rer.login"))
	login.SetText(server.DemoRERLogin)
	test.Type(r.entry(i18n.T("signin.rer.password")), pw)
	r.tap(i18n.T("signin.submit"))
}

// TestForcedPasswordChangeAgainstDemoServer: the demo RER SDB account with
// a primary password (rule 14), as cmd/kense wires the app: the change form
// comes before anything else, its checklist is package password's in the
// user's language, the server's refusal is shown translated, and once
// changed the work opens on the same session and the next sign-in takes
// the new password without asking again.
func TestForcedPasswordChangeAgainstDemoServer(t *testing.T) {
	demo := sessiontest.StartWith(t, tuneRER(t, func(a *server.Account) { a.PasswordPrimary = true }))
	r := newRERShell(t, demo)
	r.signIn(server.DemoRERPassword)
	r.waitFor("the forced change form", func() bool { return strings.Contains(allText(r.w), i18n.T("pwui.title.forced")) })
	if r.sh.App() != nil {
		t.Fatal("the work opened with a primary password")
	}
	if a, ok := r.st.Unlocked(); ok && a != "" {
		t.Fatal("the account's cache opened before the password was changed")
	}
	txt := allText(r.w)
	for _, want := range []string{client.PasswordChangeRequiredMessage("primary", i18n.EN),
		i18n.T("pw.rule.length", "min", 8, "max", 128), i18n.T("pw.rule.login_or_name")} {
		if !strings.Contains(txt, want) {
			t.Fatalf("the form lacks %q:\n%s", want, txt)
		}
	}
	// The server refuses anything but the change meanwhile.
	var ae *client.APIError
	if _, err := r.sess.Client().Notifications(context.Background()); !errors.As(err, &ae) || ae.Code != api.CodePasswordChangeRequired {
		t.Fatalf("a restricted session got %v", err)
	}

	// Live: Cyrillic letters and part of the name are named as typed.
	newPW := r.entry(i18n.T("pwui.new"))
	test.Type(newPW, "Дана1985!")
	r.waitFor("the live checklist", func() bool {
		t := allText(r.w)
		return strings.Contains(t, i18n.T("pw.broken.inadmissible.cyrillic")) && strings.Contains(t, i18n.T("pw.broken.name"))
	})

	// A wrong current password: the server's refusal, translated.
	old := r.entry(i18n.T("pwui.old"))
	test.Type(old, "Wrong-Old-1")
	newPW.SetText("")
	test.Type(newPW, "Kt7#vLq9@wz")
	test.Type(r.entry(i18n.T("pwui.repeat")), "Kt7#vLq9@wz")
	r.tap(i18n.T("pwui.submit"))
	r.waitFor("the refusal", func() bool { return strings.Contains(allText(r.w), i18n.T("pwc.err.wrong_old")) })
	if old.Text != "" || newPW.Text != "" {
		t.Fatal("passwords left in the entries after use")
	}

	// Right: the work opens on this session.
	test.Type(old, server.DemoRERPassword)
	test.Type(newPW, "Kt7#vLq9@wz")
	test.Type(r.entry(i18n.T("pwui.repeat")), "Kt7#vLq9@wz")
	r.tap(i18n.T("pwui.submit"))
	r.waitFor("the work screen", func() bool { return r.sh.App() != nil })
	if a, ok := r.st.Unlocked(); !ok || a != r.sess.Account().IIN {
		t.Fatalf("cache open for %q %v", a, ok)
	}
	if !strings.Contains(allText(r.w), i18n.T("pwui.done")) {
		t.Fatalf("no confirmation:\n%s", allText(r.w))
	}
	// The same session now works in full.
	if _, err := r.sess.Client().Notifications(context.Background()); err != nil {
		t.Fatalf("after the change: %v", err)
	}

	// A fresh sign-in with the new password: straight into the work.
	r2 := newRERShell(t, demo)
	r2.signIn("Kt7#vLq9@wz")
	r2.waitFor("the work screen", func() bool { return r2.sh.App() != nil })
	if strings.Contains(allText(r2.w), i18n.T("pwui.title.forced")) {
		t.Fatal("asked to change the password again")
	}
}

// TestPasswordDueAgainstDemoServer: on day 27 the sign-in lets the user in
// and offers to change the password now (rule 15), with the server's count
// of days in the user's language.
func TestPasswordDueAgainstDemoServer(t *testing.T) {
	demo := sessiontest.StartWith(t, tuneRER(t, func(a *server.Account) {
		a.PasswordPrimary = false
		a.PasswordChangedAt = time.Now().AddDate(0, 0, -27)
	}))
	r := newRERShell(t, demo)
	r.signIn(server.DemoRERPassword)
	r.waitFor("the work screen", func() bool { return r.sh.App() != nil })
	r.waitFor("the offer", func() bool { return windowButton(r.w, i18n.T("pwui.due.change")) != nil })
	r.tap(i18n.T("pwui.due.change"))
	r.entry(i18n.T("pwui.old"))
	if !strings.Contains(allText(r.w), i18n.T("pwui.title")) {
		t.Fatalf("no change form:\n%s", allText(r.w))
	}
}

// TestPasswordExpiresMidSessionAgainstDemoServer: signed in on day 27, the
// user works on; the password passes 30 days (rule 17) and the server
// refuses the next sync round with password_change_required. The app then
// opens the forced change form, rather than calling the server
// unreachable.
func TestPasswordExpiresMidSessionAgainstDemoServer(t *testing.T) {
	var store server.Store
	var rer string
	demo := sessiontest.StartWith(t, func(c *server.Config) {
		store = c.Store
		tuneRER(t, func(a *server.Account) {
			a.PasswordPrimary = false
			a.PasswordChangedAt = time.Now().AddDate(0, 0, -27)
			rer = a.IIN
		})(c)
	})
	r := newRERShell(t, demo)
	r.signIn(server.DemoRERPassword)
	r.waitFor("the work screen", func() bool { return r.sh.App() != nil })
	r.waitFor("the day-25 offer", func() bool { return windowButton(r.w, i18n.T("pwui.due.later")) != nil })
	r.tap(i18n.T("pwui.due.later"))
	if strings.Contains(allText(r.w), i18n.T("pwui.title.forced")) {
		t.Fatal("forced before the password expired")
	}

	// Day 31 arrives while she works.
	if err := store.UpdateAccount(rer, func(a *server.Account) error {
		a.PasswordChangedAt = time.Now().AddDate(0, 0, -31)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	r.tap(i18n.T("ui.drafts.new"))
	// An edit is saved and kicks a sync round.
	entries := findAll[*widget.Entry](r.w.Canvas().Content())
	if len(entries) == 0 {
		t.Fatal("no entries in the editor")
	}
	test.Type(entries[0], "Астана")
	r.waitFor("the forced change form", func() bool { return strings.Contains(allText(r.w), i18n.T("pwui.title.forced")) })
	r.entry(i18n.T("pwui.old"))
}
