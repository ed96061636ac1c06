package ui

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"kense/i18n"
)

// Errors the fake service gives, and what Explain makes of them.
var (
	errFakeWrongKeyPW  = errors.New("fake: wrong key password")
	errFakeSignKey     = errors.New("fake: SIGN key")
	errFakePWRequired  = errors.New("fake: password_required")
	errFakeCanceled    = errors.New("fake: canceled in NCALayer")
	errFakeUnreachable = errors.New("fake: offline")
)

const demoKeyPW = "Demo1234"

// fakeSignIn is a SignInService with a demo server's answers.
type fakeSignIn struct {
	mu        sync.Mutex
	demo      bool
	connected []string
	opened    []string
	passwords [][]byte // the slices handed in, to check they were wiped
	requests  []SignInRequest
	rerLogin  string
	rerPW     string
	signErr   error // forced SignIn error
	keyUsage  string
	update    Update // announced with the sign-in
}

var fakeFacts = KeyFacts{CommonName: "ТЕСТОВ ТЕСТ", IIN: "780312450016", Issuer: "DEMO ҰКО (RSA)",
	KeyUsage: "AUTH", Algorithm: "RSA-2048",
	NotBefore: time.Date(2026, 1, 10, 0, 0, 0, 0, time.Local), NotAfter: time.Date(2027, 1, 10, 0, 0, 0, 0, time.Local)}

func (f *fakeSignIn) Connect(_ context.Context, server string) (ServerFacts, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.connected = append(f.connected, server)
	if strings.Contains(server, "down") {
		return ServerFacts{}, errFakeUnreachable
	}
	return ServerFacts{Demo: f.demo, IdleLock: 10 * time.Minute}, nil
}

func (f *fakeSignIn) OpenKey(path string, pw []byte) (KeyFacts, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	defer clear(pw)
	f.opened = append(f.opened, path)
	f.passwords = append(f.passwords, pw)
	if string(pw) != demoKeyPW {
		return KeyFacts{}, errFakeWrongKeyPW
	}
	k := fakeFacts
	if f.keyUsage != "" {
		k.KeyUsage = f.keyUsage
	}
	if !k.auth() {
		return k, errFakeSignKey
	}
	return k, nil
}

func (f *fakeSignIn) SignIn(_ context.Context, req SignInRequest) (SignedIn, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	defer clear(req.Password)
	f.requests = append(f.requests, SignInRequest{Server: req.Server, NCALayer: req.NCALayer, Login: req.Login, Password: append([]byte(nil), req.Password...)})
	f.passwords = append(f.passwords, req.Password)
	if f.signErr != nil {
		return SignedIn{}, f.signErr
	}
	if f.rerLogin != "" && (req.Login != f.rerLogin || string(req.Password) != f.rerPW) {
		return SignedIn{}, errFakePWRequired
	}
	return SignedIn{Server: req.Server, FullName: fakeFacts.CommonName, IIN: fakeFacts.IIN, RER: f.rerLogin != "",
		Demo: f.demo, IdleLock: 10 * time.Minute, Key: fakeFacts,
		Warnings: []string{"EDS year ends in 14 days"}, Update: f.update}, nil
}

func (f *fakeSignIn) Explain(err error) SignInProblem {
	switch err {
	case errFakeWrongKeyPW:
		return SignInProblem{Message: "Wrong key password. Check the keyboard layout.", WrongKeyPassword: true}
	case errFakeSignKey:
		return SignInProblem{Message: "Pick the AUTH_ key."}
	case errFakePWRequired:
		return SignInProblem{Message: "Enter the login and password.", NeedLogin: true}
	case errFakeCanceled:
		return SignInProblem{Message: "canceled", Canceled: true}
	}
	return SignInProblem{Message: "Server unreachable: " + err.Error()}
}

// memSettings is a SignInSettings in memory.
type memSettings map[string]string

func (m memSettings) Setting(k string) (string, bool, error) { v, ok := m[k]; return v, ok, nil }
func (m memSettings) SetSetting(k, v string) error           { m[k] = v; return nil }

type signInHarness struct {
	t    *testing.T
	svc  *fakeSignIn
	s    *SignIn
	win  fyne.Window
	done []SignedIn
}

func newSignInHarness(t *testing.T, svc *fakeSignIn, st SignInSettings) *signInHarness {
	t.Helper()
	test.NewTempApp(t)
	i18n.SetLang(i18n.EN)
	t.Cleanup(func() { i18n.SetLang(i18n.KK) })
	h := &signInHarness{t: t, svc: svc}
	h.win = test.NewTempWindow(t, widget.NewLabel(""))
	h.win.Resize(fyne.NewSize(900, 900))
	h.s = NewSignIn(svc, h.win, func(r SignedIn) { h.done = append(h.done, r) })
	h.s.do = func(fn func()) { fn() }
	h.s.run = func(fn func()) { fn() }
	h.win.SetContent(h.s.Content())
	h.s.UseSettings(st, "kense.example.kz")
	return h
}

// texts lists every text on the canvas (content and overlays), hidden
// objects included when all is true.
func canvasTexts(c fyne.Canvas, all bool) []string {
	var out []string
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || (!all && !o.Visible()) {
			return
		}
		switch x := o.(type) {
		case *widget.Label:
			out = append(out, x.Text)
		case *widget.Entry:
			out = append(out, x.Text)
		case *widget.Button:
			out = append(out, x.Text)
		case *widget.Check:
			out = append(out, x.Text)
		case *canvas.Text:
			out = append(out, x.Text)
		}
		switch x := o.(type) {
		case *fyne.Container:
			for _, c := range x.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(x).Objects() {
				walk(c)
			}
		}
	}
	walk(c.Content())
	for _, o := range c.Overlays().List() {
		walk(o)
	}
	return out
}

func (h *signInHarness) shows(text string) bool {
	for _, s := range canvasTexts(h.win.Canvas(), false) {
		if strings.Contains(s, text) {
			return true
		}
	}
	return false
}

func (h *signInHarness) openKey(pw string) {
	h.s.keyPath.SetText("/keys/AUTH_RSA256_test.p12")
	test.Type(h.s.keyPass, pw)
	test.Tap(h.s.openKey)
}

func TestSignInShowsFactsBeforeSigning(t *testing.T) {
	svc := &fakeSignIn{}
	h := newSignInHarness(t, svc, memSettings{})
	if !h.s.signIn.Disabled() {
		t.Fatal("Sign in enabled before a key is open")
	}
	if h.s.server.Text != "kense.example.kz" {
		t.Fatalf("server %q", h.s.server.Text)
	}
	h.openKey(demoKeyPW)
	for _, want := range []string{fakeFacts.CommonName, fakeFacts.IIN, fakeFacts.Issuer, "10.01.2026", "10.01.2027", i18n.T("signin.usage.auth")} {
		if !h.shows(want) {
			t.Errorf("facts lack %q", want)
		}
	}
	if h.s.keyWarn.Visible() || h.s.signIn.Disabled() {
		t.Fatal("a valid AUTH key warns or cannot sign in")
	}
	if h.s.keyPass.Text != "" || !allZeroBytes(svc.passwords[0]) {
		t.Fatal("key password kept")
	}
	if len(h.done) != 0 || len(svc.requests) != 0 {
		t.Fatal("signed before Sign in was pressed")
	}
	// Another file: the facts of the old one go.
	h.s.keyPath.SetText("/keys/other.p12")
	if h.s.factsBox.Visible() || !h.s.signIn.Disabled() {
		t.Fatal("facts of the previous file still shown")
	}
}

func TestSignInWrongKeyPassword(t *testing.T) {
	svc := &fakeSignIn{}
	h := newSignInHarness(t, svc, nil)
	h.openKey("wrong")
	if !h.shows("Wrong key password. Check the keyboard layout.") {
		t.Fatal("no wrong-password message")
	}
	if h.s.factsBox.Visible() || !h.s.signIn.Disabled() {
		t.Fatal("facts or Sign in after a wrong password")
	}
	if h.win.Canvas().Focused() != h.s.keyPass {
		t.Fatal("focus not back in the password box")
	}
	// Empty password: asked for, the service not called.
	test.Tap(h.s.openKey)
	if len(svc.opened) != 1 || !h.shows(i18n.T("signin.err.nokeypass")) {
		t.Fatalf("empty password: opened %v", svc.opened)
	}
}

func TestSignInSignKeyWarning(t *testing.T) {
	svc := &fakeSignIn{keyUsage: "SIGN"}
	h := newSignInHarness(t, svc, nil)
	h.openKey(demoKeyPW)
	if !h.s.keyWarn.Visible() || h.s.keyWarn.Text != i18n.T("signin.warn.sign_key") {
		t.Fatalf("warning %q", h.s.keyWarn.Text)
	}
	if !h.shows(fakeFacts.CommonName) || !h.shows(i18n.T("signin.usage.sign")) {
		t.Fatal("the SIGN key's owner is not shown")
	}
	if !h.s.signIn.Disabled() {
		t.Fatal("Sign in enabled with a SIGN key")
	}
	if h.s.message.Visible() {
		t.Fatalf("the warning is said twice: %q", h.s.message.Text)
	}
	test.Tap(h.s.signIn)
	if len(svc.requests) != 0 {
		t.Fatal("signed with a SIGN key")
	}
}

func TestSignInSuccess(t *testing.T) {
	svc := &fakeSignIn{}
	st := memSettings{}
	h := newSignInHarness(t, svc, st)
	h.s.server.SetText("  kense.test.kz ")
	h.openKey(demoKeyPW)
	test.Tap(h.s.signIn)
	if len(h.done) != 1 || h.done[0].IIN != fakeFacts.IIN || h.done[0].Offline {
		t.Fatalf("done %+v", h.done)
	}
	if r := svc.requests[0]; r.Server != "kense.test.kz" || r.NCALayer || r.Login != "" || len(r.Password) != 0 {
		t.Fatalf("request %+v", r)
	}
	if st[SettingSignInServer] != "kense.test.kz" || st[SettingSignInKeyFile] != "/keys/AUTH_RSA256_test.p12" || st[SettingSignInMethod] != "file" {
		t.Fatalf("settings %v", st)
	}
	for k, v := range st {
		if strings.Contains(v, demoKeyPW) {
			t.Fatalf("setting %s holds the password", k)
		}
	}
	// The EDS-year warning is shown after the sign-in.
	if len(h.win.Canvas().Overlays().List()) == 0 || !h.shows("EDS year ends in 14 days") {
		t.Fatal("sign-in warnings not shown")
	}

	// The next start pre-fills what was remembered.
	h2 := newSignInHarness(t, &fakeSignIn{}, st)
	if h2.s.server.Text != "kense.test.kz" || h2.s.keyPath.Text != "/keys/AUTH_RSA256_test.p12" {
		t.Fatalf("not remembered: %q %q", h2.s.server.Text, h2.s.keyPath.Text)
	}
}

func TestSignInDemoBanner(t *testing.T) {
	h := newSignInHarness(t, &fakeSignIn{demo: true}, memSettings{SettingSignInServer: "127.0.0.1:8443"})
	if !h.s.demo.Visible() || !h.shows(i18n.T("signin.demo")) {
		t.Fatal("no demo banner for a demo server")
	}
	if h.svc.connected[0] != "127.0.0.1:8443" {
		t.Fatalf("connected %v", h.svc.connected)
	}
	h = newSignInHarness(t, &fakeSignIn{}, nil)
	if h.s.demo.Visible() {
		t.Fatal("demo banner for a real server")
	}
	// An unreachable server is explained at once.
	h = newSignInHarness(t, &fakeSignIn{}, memSettings{SettingSignInServer: "down.example.kz"})
	if !h.shows("Server unreachable") {
		t.Fatal("unreachable server not explained")
	}
}

func TestSignInRERFieldsOnPasswordRequired(t *testing.T) {
	svc := &fakeSignIn{rerLogin: "dana.seitova", rerPW: "Demo-Rer-2026!"}
	h := newSignInHarness(t, svc, nil)
	if h.s.rerBox.Visible() {
		t.Fatal("RER fields shown before asked")
	}
	h.openKey(demoKeyPW)
	test.Tap(h.s.signIn)
	if !h.s.rer.Checked || !h.s.rerBox.Visible() || !h.shows("Enter the login and password.") {
		t.Fatal("RER fields not shown on password_required")
	}
	if h.win.Canvas().Focused() != h.s.login || len(h.done) != 0 {
		t.Fatal("focus not in the login box")
	}
	// Missing password: asked for locally.
	test.Type(h.s.login, "dana.seitova")
	test.Tap(h.s.signIn)
	if len(svc.requests) != 1 || !h.shows(i18n.T("signin.err.rer_fields")) {
		t.Fatal("sent without a password")
	}
	test.Type(h.s.rerPass, "Demo-Rer-2026!")
	test.Tap(h.s.signIn)
	if len(h.done) != 1 || !h.done[0].RER {
		t.Fatalf("done %+v", h.done)
	}
	r := svc.requests[1]
	if r.Login != "dana.seitova" || string(r.Password) != "Demo-Rer-2026!" || h.s.rerPass.Text != "" {
		t.Fatalf("request %+v", r)
	}
	if !allZeroBytes(svc.passwords[len(svc.passwords)-1]) {
		t.Fatal("RER password not wiped")
	}
}

func TestSignInNCALayerCancelShowsNothing(t *testing.T) {
	svc := &fakeSignIn{signErr: errFakeCanceled}
	st := memSettings{}
	h := newSignInHarness(t, svc, st)
	h.s.method.SetSelected(i18n.T("signin.method.ncalayer"))
	if h.s.fileBox.Visible() || h.s.signIn.Disabled() {
		t.Fatal("NCALayer needs no key file")
	}
	test.Tap(h.s.signIn)
	if len(svc.requests) != 1 || !svc.requests[0].NCALayer {
		t.Fatalf("requests %+v", svc.requests)
	}
	if h.s.message.Visible() || len(h.done) != 0 || h.s.signIn.Disabled() {
		t.Fatal("Cancel in NCALayer showed something")
	}
	svc.signErr = errors.New("boom")
	test.Tap(h.s.signIn)
	if !h.shows("Server unreachable: boom") {
		t.Fatal("a real failure not shown")
	}
	svc.signErr = nil
	test.Tap(h.s.signIn)
	if len(h.done) != 1 || st[SettingSignInMethod] != "ncalayer" || h.s.message.Visible() {
		t.Fatalf("done %+v settings %v", h.done, st)
	}
}

func TestSignInWorkOffline(t *testing.T) {
	h := newSignInHarness(t, &fakeSignIn{}, nil)
	test.Tap(h.s.offline)
	if len(h.done) != 1 || !h.done[0].Offline {
		t.Fatalf("done %+v", h.done)
	}
}

func TestSignInTextsInEveryLanguage(t *testing.T) {
	for _, l := range i18n.Langs {
		for _, k := range i18n.Keys(i18n.EN) {
			if !strings.HasPrefix(k, "signin.") && !strings.HasPrefix(k, "lock.") {
				continue
			}
			if !i18n.Has(l, k) || strings.TrimSpace(i18n.TL(l, k)) == "" {
				t.Errorf("%s: %s missing", l, k)
			}
		}
	}
}

func allZeroBytes(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
