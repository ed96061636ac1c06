package wire

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"kense/cache"
	"kense/form"
	"kense/i18n"
	"kense/server"
	"kense/session"
	"kense/session/sessiontest"
	"kense/ui"
)

// TestShellEndToEnd runs the app's shell as cmd/kense wires it: a real demo
// kense-server on 127.0.0.1, a real cache file, the demo notary's key file.
// Signing in unlocks the account's drafts; signing out leaves nothing of
// them readable; the lock event reaches the log without form data.
func TestShellEndToEnd(t *testing.T) {
	demo := sessiontest.Start(t)
	test.NewTempApp(t)
	i18n.SetLang(i18n.EN)
	t.Cleanup(func() { i18n.SetLang(i18n.KK) })
	path := filepath.Join(t.TempDir(), "kense.db")
	st, err := cache.Open(path, cache.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var logBuf bytes.Buffer
	queue := make(chan func(), 1000)
	pump := func() {
		for {
			select {
			case fn := <-queue:
				fn()
			default:
				return
			}
		}
	}
	w := test.NewTempWindow(t, widget.NewLabel(""))
	w.Resize(fyne.NewSize(1400, 900))
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		for end := time.Now().Add(20 * time.Second); !ok(); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(end) {
				t.Fatalf("timed out waiting for %s; the window says:\n%s", what, allText(w))
			}
			pump()
		}
	}
	sess := session.New(session.Options{})
	cfg := Shell(st, sess, ShellOptions{
		Server: demo.URL(),
		Log:    slog.New(slog.NewJSONHandler(&logBuf, nil)),
		Base:   ui.Services{TempDir: t.TempDir()},
		// Rounds come quickly here; the app's default is 30 s.
		SyncInterval: 100 * time.Millisecond,
	})
	cfg.Do = func(fn func()) { queue <- fn }
	sh := ui.NewShell(fyne.CurrentApp(), w, cfg)
	sh.Start()
	t.Cleanup(sh.Close)
	pump()

	// The sign-in screen, filled as a user would.
	entries := findAll[*widget.Entry](w.Canvas().Content())
	var keyPath, keyPass *widget.Entry
	for _, e := range entries {
		switch {
		case e.PlaceHolder == i18n.T("signin.keyfile.placeholder"):
			keyPath = e
		case e.PlaceHolder == i18n.T("signin.keypass.placeholder"):
			keyPass = e
		}
	}
	if keyPath == nil || keyPass == nil {
		t.Fatal("sign-in screen without key file fields")
	}
	keyPath.SetText(demo.Key(sessiontest.KeyNotary))
	test.Type(keyPass, server.DemoKeyPassword)
	test.Tap(button(t, w, i18n.T("signin.keyfile.open")))
	waitFor("the key's facts", func() bool { return strings.Contains(allText(w), "NOTARY") || strings.Contains(allText(w), "AUTH") })
	submit := button(t, w, i18n.T("signin.submit"))
	waitFor("sign-in enabled", func() bool { return !submit.Disabled() })
	test.Tap(submit)
	waitFor("the work screen", func() bool { return sh.App() != nil })
	acct, ok := st.Unlocked()
	if !ok || acct == "" || acct != sess.Account().IIN {
		t.Fatalf("cache unlocked for %q (%v), session %q", acct, ok, sess.Account().IIN)
	}
	if !strings.Contains(allText(w), i18n.T("signin.demo")) {
		t.Fatal("the demo server is not said plainly")
	}

	// A draft of the account.
	if _, err := (Store{S: st, Account: acct}).NewDraft(form.Form{Subunit: "Құпия бөлімі"}); err != nil {
		t.Fatal(err)
	}
	list, err := st.ListDraftsFor(acct, "")
	if err != nil || len(list) != 1 {
		t.Fatalf("account drafts %v %v", list, err)
	}
	// The background runner sends it to the server, and the bar and the
	// list say so.
	waitFor("the draft synced", func() bool {
		o, err := st.SyncOverview(acct)
		return err == nil && o.Synced == 1 && o.Pending == 0
	})
	waitFor("the bar's sync line", func() bool { return strings.Contains(allText(w), "Synced ") })
	waitFor("the list's sync status", func() bool {
		return strings.Contains(allText(w), "Құпия бөлімі") && strings.Contains(allText(w), i18n.T("sync.status.synced"))
	})

	// Lock: keys wiped (the cache refuses), the event logged.
	sh.Locker().Lock(ui.LockManual)
	pump()
	if _, ok := st.Unlocked(); ok {
		t.Fatal("cache keys still in memory while locked")
	}
	if _, err := st.ListDrafts(""); err == nil {
		t.Fatal("the locked cache still reads drafts")
	}
	logged := logBuf.String()
	if !strings.Contains(logged, `"event":"lock"`) || !strings.Contains(logged, `"reason":"manual"`) || strings.Contains(logged, "Құпия") || strings.Contains(logged, acct) {
		t.Fatalf("lock log: %s", logged)
	}

	// Sign out from the lock screen (the "another person" path): the local
	// profile is back, the account's draft is unreadable.
	test.Tap(button(t, w, i18n.T("lock.signout")))
	pump()
	if b := windowButton(w, i18n.T("lock.signout.confirm")); b != nil {
		test.Tap(b)
		pump()
	}
	waitFor("the sign-in screen", func() bool { return sh.App() == nil })
	if a, ok := st.Unlocked(); !ok || a != "" {
		t.Fatalf("after sign-out the cache is open for %q (%v)", a, ok)
	}
	if list, _ := st.ListDrafts(""); len(list) != 0 {
		t.Fatalf("signed out, yet the account's drafts read: %+v", list)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("Құпия")) || bytes.Contains(raw, []byte(acct)) {
		t.Fatal("the cache file holds the draft or the IIN in clear")
	}
}

func allText(w fyne.Window) string {
	var out []string
	for _, l := range findAll[*widget.Label](w.Canvas().Content()) {
		out = append(out, l.Text)
	}
	for _, x := range findAll[*canvas.Text](w.Canvas().Content()) {
		out = append(out, x.Text)
	}
	for _, o := range w.Canvas().Overlays().List() {
		for _, l := range findAll[*widget.Label](o) {
			out = append(out, l.Text)
		}
	}
	return strings.Join(out, "\n")
}

// windowButton looks in the content and the dialogs over it.
func windowButton(w fyne.Window, text string) *widget.Button {
	roots := append([]fyne.CanvasObject{w.Canvas().Content()}, w.Canvas().Overlays().List()...)
	for _, r := range roots {
		if b := findButton(r, text); b != nil {
			return b
		}
	}
	return nil
}

func button(t *testing.T, w fyne.Window, text string) *widget.Button {
	t.Helper()
	b := windowButton(w, text)
	if b == nil {
		t.Fatalf("no %q button; texts:\n%s", text, allText(w))
	}
	return b
}
