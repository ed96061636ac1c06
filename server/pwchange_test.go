package server

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"kense/api"
	"kense/eds"
	"kense/password"
)

// Passwords that meet rule 18 for dana.s / Сейітова Дана, and differ from
// each other in at least 5 positions.
const (
	pwA = "Vk7#mQ2!pLz9"
	pwB = "Tr4$wX8@nBq6"
	pwC = "Hy2%cJ9&fRu5"
)

// pwEnv: a real server with the RER account dana.s (primary password
// rerPassword, set at t0) and its signer.
type pwEnv struct {
	*env
	s eds.Signer
}

func newPwEnv(t *testing.T, cfg func(*Config, *eds.Verifier)) *pwEnv {
	e := newEnv(t, cfg)
	c := e.cert(0, pRER, "AUTH", t0.AddDate(0, -1, 0))
	e.addAccount(NewAccount{IIN: pRER.IIN, FullName: "Сейітова Дана Маратқызы", Kind: api.KindRER, Login: "dana.s",
		Password: []byte(rerPassword), BoundIP: "127.0.0.1", Cert: c})
	return &pwEnv{env: e, s: e.signer(0, c)}
}

func (e *pwEnv) signInWith(pw string) api.SignInResponse {
	e.t.Helper()
	return e.ok(e.s, attempt{login: "dana.s", password: pw})
}

func (e *pwEnv) change(token, old, new string) (int, []byte) {
	e.t.Helper()
	return e.do(nil, "POST", api.PathPassword, token, api.PasswordChangeRequest{Old: api.Secret(old), New: api.Secret(new)})
}

func (e *pwEnv) account() *Account {
	e.t.Helper()
	a, err := e.store.Account(pRER.IIN)
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

// TestPrimaryPasswordFlow: rule 14. The first sign-in with the
// administrator's password gives a session that can only change it; the
// policy is enforced with every broken rule listed; the same session then
// works in full.
func TestPrimaryPasswordFlow(t *testing.T) {
	e := newPwEnv(t, nil)
	r := e.signInWith(rerPassword)
	if !r.PasswordChangeRequired || r.PasswordChangeReason != api.PasswordPrimary {
		t.Fatalf("primary password not flagged: %+v", r)
	}
	for _, p := range []struct{ method, path string }{{"GET", api.PathMe}, {"GET", api.PathNotifications}, {"GET", api.PathDraftsChanges}} {
		st, b := e.do(nil, p.method, p.path, r.Token, nil)
		wantCode(t, st, b, 403, api.CodePasswordChangeRequired)
	}
	// Wrong old password.
	st, b := e.change(r.Token, rerPassword+"x", pwA)
	wantCode(t, st, b, 403, api.CodeWrongPassword)
	// Missing fields, unknown fields, a body that is not JSON.
	st, b = e.do(nil, "POST", api.PathPassword, r.Token, map[string]string{"old": rerPassword})
	wantCode(t, st, b, 400, api.CodeBadRequest)
	st, b = e.do(nil, "POST", api.PathPassword, r.Token, map[string]string{"old": rerPassword, "new": pwA, "x": "1"})
	wantCode(t, st, b, 400, api.CodeBadRequest)
	// Policy: every broken rule, in the checker's order, with its message.
	rules := e.refused(r.Token, rerPassword, "qwerty12")
	if want := []string{"classes", "keyboard_run", "dictionary", "estimate"}; !slices.Equal(rules, want) {
		t.Fatalf("rules %v, want %v", rules, want)
	}
	// Cyrillic, the login, the birth date (850505).
	rules = e.refused(r.Token, rerPassword, "Дана850505!")
	for _, want := range []string{"inadmissible", "login_or_name", "guessable_date"} {
		if !slices.Contains(rules, want) {
			t.Fatalf("rules %v lack %s", rules, want)
		}
	}
	// The primary password itself: reused.
	rules = e.refused(r.Token, rerPassword, rerPassword)
	if !slices.Contains(rules, "reused") {
		t.Fatalf("rules %v lack reused", rules)
	}
	if st, b := e.change(r.Token, rerPassword, pwA); st != 204 {
		t.Fatalf("change: %d %s", st, b)
	}
	// The same session is a full one now.
	if st, b := e.do(nil, "GET", api.PathMe, r.Token, nil); st != 200 {
		t.Fatalf("me after the change: %d %s", st, b)
	}
	a := e.account()
	if a.PasswordPrimary || !a.PasswordChangedAt.Equal(t0) || len(a.PasswordHistory) != 1 {
		t.Fatalf("account after the change: primary %v changed %v history %d", a.PasswordPrimary, a.PasswordChangedAt, len(a.PasswordHistory))
	}
	if ok, _ := CheckPassword(a.PasswordHash, []byte(pwA)); !ok {
		t.Fatal("the new password does not verify")
	}
	if ok, _ := CheckPassword(a.PasswordHistory[0], []byte(rerPassword)); !ok {
		t.Fatal("the history does not hold the primary password's hash")
	}
	// The old password no longer signs in; the new one does, unrestricted.
	st, b = e.signIn(e.s, attempt{login: "dana.s", password: rerPassword})
	wantCode(t, st, b, 401, api.CodeWrongPassword)
	r = e.signInWith(pwA)
	if r.PasswordChangeRequired || r.PasswordChangeReason != "" || len(r.Warnings) != 0 {
		t.Fatalf("after the change: %+v", r)
	}

	// Reuse (18.7): A → B → back to A is refused with password_reused;
	// a one-character change (18.8) is refused for the 5 positions.
	if st, b := e.change(r.Token, pwA, pwB); st != 204 {
		t.Fatalf("change: %d %s", st, b)
	}
	if rules := e.refused(r.Token, pwB, pwA); !slices.Equal(rules, []string{"reused"}) {
		t.Fatalf("rules %v", rules)
	}
	if rules := e.refused(r.Token, pwB, pwB[:len(pwB)-1]+"7"); !slices.Equal(rules, []string{"differs_from_previous"}) {
		t.Fatalf("rules %v", rules)
	}
	if pe := e.policy(r.Token, pwB, pwB[:len(pwB)-1]+"7"); pe.Rules[0].Args["n"] != "1" || pe.Rules[0].Args["min"] != "5" {
		t.Fatalf("args %v", pe.Rules[0].Args)
	}

	// No plaintext password anywhere in the data file.
	data, err := os.ReadFile(filepath.Join(filepath.Dir(e.store.db.Path()), DataFileName))
	if err != nil {
		t.Fatal(err)
	}
	for _, pw := range []string{rerPassword, pwA, pwB} {
		if bytes.Contains(data, []byte(pw)) {
			t.Fatalf("the data file holds %q in clear", pw)
		}
	}
	// Nor in the log.
	for _, pw := range []string{rerPassword, pwA, pwB, "qwerty12"} {
		if strings.Contains(e.logs.String(), pw) {
			t.Fatalf("the log holds %q", pw)
		}
	}
}

// refused changes the password expecting a 422 and returns the broken
// rules: code password_reused when reuse is the only one.
func (e *pwEnv) refused(token, old, new string) []string {
	e.t.Helper()
	pe := e.policy(token, old, new)
	var rules []string
	for _, r := range pe.Rules {
		if !strings.HasPrefix(r.Key, "pw.broken.") {
			e.t.Fatalf("rule %s: key %q", r.Rule, r.Key)
		}
		rules = append(rules, r.Rule)
	}
	want := api.CodePasswordPolicy
	if slices.Equal(rules, []string{"reused"}) {
		want = api.CodePasswordReused
	}
	if pe.Code != want || pe.Message == "" {
		e.t.Fatalf("code %q message %q, want %s", pe.Code, pe.Message, want)
	}
	return rules
}

func (e *pwEnv) policy(token, old, new string) api.PasswordPolicyError {
	e.t.Helper()
	st, b := e.change(token, old, new)
	var pe api.PasswordPolicyError
	if err := json.Unmarshal(b, &pe); err != nil || st != 422 || len(pe.Rules) == 0 {
		e.t.Fatalf("want 422 with rules, got %d %s", st, b)
	}
	return pe
}

// TestPasswordAge31Days: rules 15 and 17 on an injected clock. No warning
// through day 24; warnings on days 25–30 with the days left; from day 31
// sign-in gives only the change form — and a session open across the
// midnight that starts day 31 is restricted at its next request.
func TestPasswordAge31Days(t *testing.T) {
	e := newPwEnv(t, nil)
	r := e.signInWith(rerPassword)
	if st, b := e.change(r.Token, rerPassword, pwA); st != 204 {
		t.Fatalf("change: %d %s", st, b)
	}
	// t0 is 14:00 in Almaty; day n is n calendar days later.
	for day := 1; day <= 30; day++ {
		e.clock.Set(t0.AddDate(0, 0, day))
		r := e.signInWith(pwA)
		if r.PasswordChangeRequired {
			t.Fatalf("day %d: restricted", day)
		}
		if day < password.WarnFromDay {
			if len(r.Warnings) != 0 {
				t.Fatalf("day %d: %+v", day, r.Warnings)
			}
			continue
		}
		if len(r.Warnings) != 1 || r.Warnings[0].Code != api.WarnPasswordChangeDue || r.Warnings[0].DaysLeft != 30-day {
			t.Fatalf("day %d: %+v", day, r.Warnings)
		}
		if st, b := e.do(nil, "GET", api.PathMe, r.Token, nil); st != 200 {
			t.Fatalf("day %d: me %d %s", day, st, b)
		}
	}
	// Day 30, 23:50 in Almaty: the session works; ten minutes later it
	// is day 31 and the same session may only change the password.
	y, m, d := t0.AddDate(0, 0, 30).In(password.Almaty).Date()
	e.clock.Set(time.Date(y, m, d, 23, 50, 0, 0, password.Almaty))
	r = e.signInWith(pwA)
	if st, b := e.do(nil, "GET", api.PathMe, r.Token, nil); st != 200 {
		t.Fatalf("day 30, 23:50: %d %s", st, b)
	}
	e.clock.Add(15 * time.Minute)
	st, b := e.do(nil, "GET", api.PathMe, r.Token, nil)
	wantCode(t, st, b, 403, api.CodePasswordChangeRequired)
	// Day 31 sign-in: restricted, reason expired.
	e.clock.Set(t0.AddDate(0, 0, 31))
	r = e.signInWith(pwA)
	if !r.PasswordChangeRequired || r.PasswordChangeReason != api.PasswordExpired {
		t.Fatalf("day 31: %+v", r)
	}
	st, b = e.do(nil, "GET", api.PathDraftsChanges, r.Token, nil)
	wantCode(t, st, b, 403, api.CodePasswordChangeRequired)
	if st, b := e.change(r.Token, pwA, pwB); st != 204 {
		t.Fatalf("change on day 31: %d %s", st, b)
	}
	if st, b := e.do(nil, "GET", api.PathMe, r.Token, nil); st != 200 {
		t.Fatalf("after the change: %d %s", st, b)
	}
	if a := e.account(); !a.PasswordChangedAt.Equal(t0.AddDate(0, 0, 31)) {
		t.Fatalf("changed at %v", a.PasswordChangedAt)
	}
}

// TestPasswordCompromised: rules 12.3 and 16. The report restricts the
// account at once (this session too), and the head finds a notification.
func TestPasswordCompromised(t *testing.T) {
	e := newPwEnv(t, nil)
	e.addAccount(NewAccount{IIN: pNotary.IIN, FullName: "Нұрланова Айгүл", Kind: api.KindUNIS})
	for _, bad := range []string{"123", pRER.IIN, pStranger.IIN} {
		if err := SetHead(e.store, pRER.IIN, bad); err == nil {
			t.Fatalf("head %q accepted", bad)
		}
	}
	if err := SetHead(e.store, pRER.IIN, pNotary.IIN); err != nil {
		t.Fatal(err)
	}
	r := e.signInWith(rerPassword)
	if st, b := e.change(r.Token, rerPassword, pwA); st != 204 {
		t.Fatalf("change: %d %s", st, b)
	}
	e.clock.Add(time.Hour)
	r = e.signInWith(pwA)
	st, b := e.do(nil, "POST", api.PathPasswordCompromised, r.Token, nil)
	var cr api.CompromisedResponse
	if json.Unmarshal(b, &cr); st != 200 || !cr.HeadNotified {
		t.Fatalf("compromised: %d %s", st, b)
	}
	// Twice: no second notification.
	if st, _ := e.do(nil, "POST", api.PathPasswordCompromised, r.Token, nil); st != 200 {
		t.Fatalf("second report: %d", st)
	}
	st, b = e.do(nil, "GET", api.PathMe, r.Token, nil)
	wantCode(t, st, b, 403, api.CodePasswordChangeRequired)
	r2 := e.signInWith(pwA)
	if !r2.PasswordChangeRequired || r2.PasswordChangeReason != api.PasswordCompromised {
		t.Fatalf("sign-in after the report: %+v", r2)
	}
	// The head's notifications.
	tok, err := IssueSession(e.store, pNotary.IIN, e.clock.Now(), 0)
	if err != nil {
		t.Fatal(err)
	}
	st, b = e.do(nil, "GET", api.PathNotifications, tok, nil)
	var ns api.Notifications
	if err := json.Unmarshal(b, &ns); err != nil || st != 200 || len(ns.Notifications) != 1 {
		t.Fatalf("head's notifications: %d %s", st, b)
	}
	n := ns.Notifications[0]
	if n.Kind != api.NotePasswordCompromised || n.SubjectIIN != pRER.IIN || n.SubjectUser != "dana.s" ||
		n.SubjectName != "Сейітова Дана Маратқызы" || !n.CreatedAt.Equal(e.clock.Now()) || n.ID == "" {
		t.Fatalf("notification %+v", n)
	}
	// Nobody else's.
	e.addAccount(NewAccount{IIN: pNotary2.IIN, FullName: "Әбенов Ерлан", Kind: api.KindUNIS})
	tok2, _ := IssueSession(e.store, pNotary2.IIN, e.clock.Now(), 0)
	st, b = e.do(nil, "GET", api.PathNotifications, tok2, nil)
	if st != 200 || !strings.Contains(string(b), `"notifications":[]`) {
		t.Fatalf("another account's notifications: %d %s", st, b)
	}
	// A UNIS account has no password to report.
	st, b = e.do(nil, "POST", api.PathPasswordCompromised, tok, nil)
	wantCode(t, st, b, 400, api.CodeBadRequest)
	// Changing ends the compromise.
	if st, b := e.change(r2.Token, pwA, pwB); st != 204 {
		t.Fatalf("change: %d %s", st, b)
	}
	if a := e.account(); !a.PasswordCompromisedAt.IsZero() {
		t.Fatal("still compromised")
	}
	if r := e.signInWith(pwB); r.PasswordChangeRequired {
		t.Fatalf("%+v", r)
	}
}

// TestCompromisedWithoutHead: the report still restricts the account.
func TestCompromisedWithoutHead(t *testing.T) {
	e := newPwEnv(t, nil)
	r := e.signInWith(rerPassword)
	st, b := e.do(nil, "POST", api.PathPasswordCompromised, r.Token, nil)
	if st != 200 || !strings.Contains(string(b), `"headNotified":false`) {
		t.Fatalf("%d %s", st, b)
	}
	if r := e.signInWith(rerPassword); r.PasswordChangeReason != api.PasswordCompromised {
		t.Fatalf("%+v", r)
	}
}

// TestPasswordChangeRateLimit: guessing the old password through the change
// form is limited like sign-in, on the same counters: after 5 wrong old
// passwords even the right one is refused, sign-in is locked too, until
// the lock ends.
func TestPasswordChangeRateLimit(t *testing.T) {
	e := newPwEnv(t, nil)
	r := e.signInWith(rerPassword)
	for i := range DefaultMaxFailures {
		st, b := e.change(r.Token, "guess-"+string(rune('a'+i)), pwA)
		wantCode(t, st, b, 403, api.CodeWrongPassword)
	}
	st, b := e.change(r.Token, rerPassword, pwA)
	er := wantCode(t, st, b, 429, api.CodeRateLimited)
	if er.RetryAfterSeconds <= 0 {
		t.Fatalf("%+v", er)
	}
	// Sign-in from this address is locked too (at its first step).
	st, b = e.do(nil, "POST", api.PathChallenge, "", nil)
	wantCode(t, st, b, 429, api.CodeRateLimited)
	if d := e.srv.byIIN.blocked(pRER.IIN, e.clock.Now()); d <= 0 {
		t.Fatal("the account's sign-in counter is not locked")
	}
	if a := e.account(); !a.PasswordPrimary {
		t.Fatal("changed while locked")
	}
	e.clock.Add(DefaultLockDuration)
	r = e.signInWith(rerPassword)
	if st, b := e.change(r.Token, rerPassword, pwA); st != 204 {
		t.Fatalf("after the lock: %d %s", st, b)
	}
	// Policy refusals are not guesses: they do not count.
	for range DefaultMaxFailures + 1 {
		e.refused(r.Token, pwA, "qwerty12")
	}
	if st, b := e.change(r.Token, pwA, pwC); st != 204 {
		t.Fatalf("%d %s", st, b)
	}
}

// TestResetPassword: the administrator's reset makes a new primary
// password; the user's history is kept.
func TestResetPassword(t *testing.T) {
	e := newPwEnv(t, nil)
	r := e.signInWith(rerPassword)
	if st, b := e.change(r.Token, rerPassword, pwA); st != 204 {
		t.Fatalf("%d %s", st, b)
	}
	pw := []byte("Admin-Reset-77")
	if err := ResetPassword(e.store, pRER.IIN, pw, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(pw, make([]byte, len(pw))) {
		t.Fatal("primary password not wiped")
	}
	r = e.signInWith("Admin-Reset-77")
	if r.PasswordChangeReason != api.PasswordPrimary {
		t.Fatalf("%+v", r)
	}
	// pwA is in the history now.
	if rules := e.refused(r.Token, "Admin-Reset-77", pwA); !slices.Contains(rules, "reused") {
		t.Fatalf("rules %v", rules)
	}
	if err := ResetPassword(e.store, pRER.IIN, nil, e.clock.Now()); err == nil {
		t.Fatal("empty primary password accepted")
	}
}

// TestPasswordHistoryBound: the history keeps the last PasswordHistoryLen.
func TestPasswordHistoryBound(t *testing.T) {
	a := &Account{PasswordHash: "h0"}
	for i := 1; i <= PasswordHistoryLen+5; i++ {
		setPassword(a, "h"+string(rune('0'+i%10)), t0)
	}
	if len(a.PasswordHistory) != PasswordHistoryLen {
		t.Fatalf("history %d", len(a.PasswordHistory))
	}
}

// TestUNISUnaffected: UNIS accounts have no password: no restriction and no
// change endpoint.
func TestUNISUnaffected(t *testing.T) {
	e := newEnv(t, nil)
	c := e.cert(1, pNotary, "AUTH", t0.AddDate(0, -1, 0))
	e.addAccount(NewAccount{IIN: pNotary.IIN, FullName: "Нұрланова Айгүл", Kind: api.KindUNIS, Cert: c})
	e.clock.Add(60 * 24 * time.Hour)
	r := e.ok(e.signer(1, c), attempt{})
	if r.PasswordChangeRequired {
		t.Fatalf("%+v", r)
	}
	st, b := e.do(nil, "POST", api.PathPassword, r.Token, api.PasswordChangeRequest{Old: api.Secret("a"), New: api.Secret(pwA)})
	wantCode(t, st, b, 400, api.CodeBadRequest)
}

func FuzzDecodePasswordChange(f *testing.F) {
	for _, s := range []string{
		`{"old":"a","new":"b"}`, `{"old":"Сенім-2026!x","new":"Vk7#mQ2!pLz9"}`, `{"old":"\u0041\ud83d\ude00","new":"x"}`,
		`{"old":"","new":"b"}`, `{"old":null,"new":"b"}`, `{"old":1,"new":"b"}`, `{"old":"a","new":"b","x":1}`,
		`{"old":"a"}`, `{"old":"a","new":"b"} {}`, `[]`, ``, `{"old":"\x"}`, `{"old":"a\`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		req, err := DecodePasswordChange(data)
		if err != nil {
			if req != nil {
				t.Fatal("request with an error")
			}
			return
		}
		if len(req.Old) == 0 || len(req.New) == 0 {
			t.Fatal("empty password accepted")
		}
		req.Wipe()
		if !bytes.Equal(req.Old, make([]byte, len(req.Old))) {
			t.Fatal("not wiped")
		}
	})
}
