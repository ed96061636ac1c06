package client

import (
	"context"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"kense/api"
	"kense/i18n"
	"kense/password"
	"kense/server"
)

// Rule-18 passwords for the demo RER user (dana.seitova, Сейітова Дана
// Маратқызы), at least 5 positions apart from each other.
const (
	cpwA = "Vk7#mQ2!pLz9"
	cpwB = "Tr4$wX8@nBq6"
)

const (
	demoRERIIN    = "850505400028"
	demoNotaryIIN = "780312450016"
)

// pwDemo is the demo on a real kense-server on 127.0.0.1 whose clock runs
// ahead by a settable offset, with its store at hand for the administrator's
// steps (reset, head).
type pwDemo struct {
	*demoEnv
	st *server.BoltStore

	mu     sync.Mutex
	offset time.Duration
}

func (e *pwDemo) now() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return time.Now().Add(e.offset)
}

func (e *pwDemo) ahead(days int) {
	e.mu.Lock()
	e.offset = time.Duration(days) * 24 * time.Hour
	e.mu.Unlock()
}

func newPwDemo(t *testing.T) *pwDemo {
	t.Helper()
	demoOnce.Do(makeDemo)
	if demoErr != nil {
		t.Fatal(demoErr)
	}
	dir := t.TempDir()
	for rel, b := range demoFiles {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	st, err := server.OpenBolt(filepath.Join(dir, "data"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	fc, err := server.LoadFileConfig(filepath.Join(dir, "demo", server.DemoConfigFile))
	if err != nil {
		t.Fatal(err)
	}
	// The EDS checks keep the real clock: the demo certificates and CRL
	// are valid around now; only the password's days run ahead.
	v, err := server.NewEDSVerifier(context.Background(), fc.Trust, time.Now, nil)
	if err != nil {
		t.Fatal(err)
	}
	e := &pwDemo{st: st}
	srv, err := server.New(server.Config{Store: st, Verifier: server.EDSVerifier{V: v}, Demo: fc.Demo, Now: e.now})
	if err != nil {
		t.Fatal(err)
	}
	hs := newLocalServer(t, srv)
	e.demoEnv = &demoEnv{t: t, dir: dir, hs: hs, srv: srv}
	return e
}

func newLocalServer(t *testing.T, srv *server.Server) *httptest.Server {
	hs := httptest.NewServer(srv.Handler()) // 127.0.0.1
	t.Cleanup(hs.Close)
	return hs
}

// rer signs the demo RER user in with pw on a new client.
func (e *pwDemo) rer(pw string) (*Client, *api.SignInResponse) {
	e.t.Helper()
	c := e.client()
	res, err := c.SignIn(context.Background(), e.open(keyRER), server.DemoRERLogin, []byte(pw))
	if err != nil {
		e.t.Fatalf("RER sign-in: %v", err)
	}
	return c, res
}

// wantRequired checks that a call is refused for the password change, with
// the reason's message in every language.
func wantRequired(t *testing.T, err error, reason string) {
	t.Helper()
	var ae *APIError
	if !errors.As(err, &ae) || ae.Code != api.CodePasswordChangeRequired || ae.Status != 403 {
		t.Fatalf("got %v, want 403 %s", err, api.CodePasswordChangeRequired)
	}
	for _, l := range i18n.Langs {
		if m := UserMessage(err, l); m != i18n.TL(l, "pwc.required."+reason, "days", password.MaxAgeDays) {
			t.Fatalf("%s: %q", l, m)
		}
	}
}

// TestChangePasswordPrimary: the administrator resets the password (a
// primary one); the user signs in to a restricted session, is refused with
// translated reasons, changes it, and the same session works in full.
func TestChangePasswordPrimary(t *testing.T) {
	e := newPwDemo(t)
	ctx := context.Background()
	if err := server.ResetPassword(e.st, demoRERIIN, []byte("Admin-Primary-1"), e.now()); err != nil {
		t.Fatal(err)
	}
	c, res := e.rer("Admin-Primary-1")
	if !res.PasswordChangeRequired || res.PasswordChangeReason != api.PasswordPrimary {
		t.Fatalf("%+v", res)
	}
	for _, l := range i18n.Langs {
		if m := PasswordChangeRequiredMessage(res.PasswordChangeReason, l); m == "" || m == PasswordChangeRequiredMessage("", l) {
			t.Fatalf("%s: %q", l, m)
		}
	}
	_, err := c.Me(ctx)
	wantRequired(t, err, api.PasswordPrimary)

	// Wrong old password: both slices wiped, a typed, translated error.
	old, nw := []byte("Admin-Primary-2"), []byte(cpwA)
	err = c.ChangePassword(ctx, old, nw)
	var pe *PasswordError
	if !errors.As(err, &pe) || pe.Code != api.CodeWrongPassword || !errors.Is(err, &APIError{Code: api.CodeWrongPassword}) {
		t.Fatalf("got %v", err)
	}
	if !allZero(old) || !allZero(nw) {
		t.Fatal("passwords not wiped")
	}
	for _, l := range i18n.Langs {
		if UserMessage(err, l) != i18n.TL(l, "pwc.err.wrong_old") {
			t.Fatalf("%s: %q", l, UserMessage(err, l))
		}
	}

	// Policy: each broken rule, worded by the password package.
	err = c.ChangePassword(ctx, []byte("Admin-Primary-1"), []byte("qwerty12"))
	if !errors.As(err, &pe) || pe.Code != api.CodePasswordPolicy {
		t.Fatalf("got %v", err)
	}
	var rules []password.Rule
	for _, r := range pe.Rules {
		rules = append(rules, r.Rule)
	}
	if want := []password.Rule{password.Classes, password.KeyboardRun, password.Dictionary, password.Estimate}; !slices.Equal(rules, want) {
		t.Fatalf("rules %v, want %v", rules, want)
	}
	// The same words the checker gives locally, in every language.
	local := password.Broken(password.Check([]byte("qwerty12"), password.User{Login: server.DemoRERLogin}, nil, nil))
	for _, l := range i18n.Langs {
		m := UserMessage(err, l)
		if !strings.HasPrefix(m, i18n.TL(l, "pwc.err.policy")) || strings.Count(m, "\n") != 4 {
			t.Fatalf("%s: %q", l, m)
		}
		for _, r := range local {
			if !strings.Contains(m, r.Message(l)) {
				t.Fatalf("%s: %q lacks %q", l, m, r.Message(l))
			}
		}
	}
	if !strings.Contains(err.Error(), "keyboard_run") || strings.Contains(err.Error(), "qwerty12") {
		t.Fatalf("Error() %q", err.Error())
	}

	if err := c.ChangePassword(ctx, []byte("Admin-Primary-1"), []byte(cpwA)); err != nil {
		t.Fatalf("change: %v", err)
	}
	if _, err := c.Me(ctx); err != nil {
		t.Fatalf("me after the change: %v", err)
	}
	// Reuse: A → B → A.
	if err := c.ChangePassword(ctx, []byte(cpwA), []byte(cpwB)); err != nil {
		t.Fatal(err)
	}
	err = c.ChangePassword(ctx, []byte(cpwB), []byte(cpwA))
	if !errors.As(err, &pe) || pe.Code != api.CodePasswordReused || len(pe.Rules) != 1 || pe.Rules[0].Rule != password.Reused {
		t.Fatalf("got %v", err)
	}
	if UserMessage(err, i18n.KK) != i18n.TL(i18n.KK, "pwc.err.reused") {
		t.Fatalf("%q", UserMessage(err, i18n.KK))
	}
	// Under 5 positions.
	err = c.ChangePassword(ctx, []byte(cpwB), []byte(cpwB[:len(cpwB)-1]+"7"))
	if !errors.As(err, &pe) || len(pe.Rules) != 1 || pe.Rules[0].Rule != password.DiffersFromPrevious {
		t.Fatalf("got %v", err)
	}
	if m := UserMessage(err, i18n.RU); !strings.Contains(m, i18n.TL(i18n.RU, "pw.broken.differs", "n", 1, "min", 5)) {
		t.Fatalf("%q", m)
	}
	if err := c.ChangePassword(ctx, nil, []byte(cpwA)); UserMessage(err, i18n.EN) != i18n.TL(i18n.EN, "pwc.err.passwords_required") {
		t.Fatalf("got %v", err)
	}
	// A new sign-in with B: a full session, no warnings.
	if _, res := e.rer(cpwB); res.PasswordChangeRequired || len(res.Warnings) != 0 {
		t.Fatalf("%+v", res)
	}
}

// TestPasswordDueAndExpired: day 25 warns (translated), day 31 restricts.
func TestPasswordDueAndExpired(t *testing.T) {
	e := newPwDemo(t)
	e.ahead(25)
	_, res := e.rer(server.DemoRERPassword)
	if res.PasswordChangeRequired || len(res.Warnings) != 1 || res.Warnings[0].Code != api.WarnPasswordChangeDue || res.Warnings[0].DaysLeft != 5 {
		t.Fatalf("day 25: %+v", res)
	}
	for _, l := range i18n.Langs {
		if m := WarningMessage(res.Warnings[0], l); m != i18n.TL(l, "pwc.warn.due", "days", 5) {
			t.Fatalf("%s: %q", l, m)
		}
	}
	if m := WarningMessage(api.Warning{Code: api.WarnPasswordChangeDue}, i18n.EN); m != i18n.TL(i18n.EN, "pwc.warn.due_today") {
		t.Fatalf("%q", m)
	}
	e.ahead(31)
	c, res := e.rer(server.DemoRERPassword)
	if !res.PasswordChangeRequired || res.PasswordChangeReason != api.PasswordExpired {
		t.Fatalf("day 31: %+v", res)
	}
	_, err := c.Me(context.Background())
	wantRequired(t, err, api.PasswordExpired)
	if err := c.ChangePassword(context.Background(), []byte(server.DemoRERPassword), []byte(cpwA)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Me(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestReportCompromised: the report restricts the account and the head
// (the demo notary) reads the notification.
func TestReportCompromised(t *testing.T) {
	e := newPwDemo(t)
	ctx := context.Background()
	if err := server.SetHead(e.st, demoRERIIN, demoNotaryIIN); err != nil {
		t.Fatal(err)
	}
	c, _ := e.rer(server.DemoRERPassword)
	notified, err := c.ReportCompromised(ctx)
	if err != nil || !notified {
		t.Fatalf("report: %v %v", notified, err)
	}
	_, err = c.Me(ctx)
	wantRequired(t, err, api.PasswordCompromised)
	_, err = c.Notifications(ctx)
	wantRequired(t, err, api.PasswordCompromised)

	head := e.client()
	if _, err := head.SignIn(ctx, e.open(keyNotary), "", nil); err != nil {
		t.Fatal(err)
	}
	list, err := head.Notifications(ctx)
	if err != nil || len(list) != 1 || list[0].Kind != api.NotePasswordCompromised || list[0].SubjectIIN != demoRERIIN ||
		list[0].SubjectUser != server.DemoRERLogin {
		t.Fatalf("%+v %v", list, err)
	}
	if err := c.ChangePassword(ctx, []byte(server.DemoRERPassword), []byte(cpwA)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Me(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestChangePasswordRateLimited: wrong old passwords lock the change (and
// sign-in) like failed sign-ins; the client says how long to wait.
func TestChangePasswordRateLimited(t *testing.T) {
	e := newPwDemo(t)
	ctx := context.Background()
	c, _ := e.rer(server.DemoRERPassword)
	for i := range server.DefaultMaxFailures {
		err := c.ChangePassword(ctx, []byte("wrong-"+string(rune('a'+i))), []byte(cpwA))
		if !errors.Is(err, &APIError{Code: api.CodeWrongPassword}) {
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
	err := c.ChangePassword(ctx, []byte(server.DemoRERPassword), []byte(cpwA))
	var ae *APIError
	if !errors.As(err, &ae) || ae.Code != api.CodeRateLimited || ae.RetryAfter < 14*time.Minute {
		t.Fatalf("got %v", err)
	}
	if m := UserMessage(err, i18n.EN); !strings.Contains(m, "15 min") {
		t.Fatalf("%q", m)
	}
}

// TestBrokenRuleMessageFallbacks: a key outside pw.broken.* or unknown to
// this build is never looked up as given.
func TestBrokenRuleMessageFallbacks(t *testing.T) {
	rules := parseBrokenRules([]byte(`{"code":"password_policy","message":"x","rules":[
		{"rule":"length","key":"client.err.offline"},
		{"rule":"future_rule","key":"pw.broken.future"},
		{"rule":"Bad Rule!","key":"pw.broken.short"},
		{"rule":"classes","key":"pw.broken.classes","args":{"n":"2","min":"3","Bad Key":"x"}}]}`))
	if len(rules) != 3 {
		t.Fatalf("%+v", rules)
	}
	if m := rules[0].Message(i18n.EN); m != password.Length.Label(i18n.EN) {
		t.Fatalf("%q", m)
	}
	if m := rules[1].Message(i18n.EN); m != i18n.TL(i18n.EN, "pwc.err.rule_unknown", "rule", "future_rule") {
		t.Fatalf("%q", m)
	}
	if m := rules[2].Message(i18n.KK); m != i18n.TL(i18n.KK, "pw.broken.classes", "n", "2", "min", "3") {
		t.Fatalf("%q", m)
	}
}

func FuzzParseBrokenRules(f *testing.F) {
	for _, s := range []string{
		`{"code":"password_policy","message":"m","rules":[{"rule":"length","key":"pw.broken.short","args":{"n":"3","min":"8"}}]}`,
		`{"rules":[{"rule":"reused","key":"pw.broken.reused"}]}`, `{"rules":null}`, `{"rules":[{}]}`, `[]`, `{`, ``,
		`{"rules":[{"rule":"x","key":"pw.` + strings.Repeat("a", 100) + `"}]}`, `{"rules":[{"rule":1}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rules := parseBrokenRules(data)
		if len(rules) > maxRules {
			t.Fatalf("%d rules", len(rules))
		}
		for _, r := range rules {
			if r.Message(i18n.EN) == "" {
				t.Fatal("empty message")
			}
			if r.Key != "" && !strings.HasPrefix(r.Key, "pw.") {
				t.Fatalf("key %q kept", r.Key)
			}
		}
		(&PasswordError{Code: api.CodePasswordPolicy, Rules: rules}).UserMessage(i18n.RU)
	})
}
