package client

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"kense/api"
	"kense/eds"
	"kense/i18n"
	"kense/server"
)

// Demo key files (server.CreateDemo).
const (
	keyNotary   = "notary_AUTH_RSA256.p12"
	keySign     = "notary_RSA256.p12"
	keyRevoked  = "notary_revoked_AUTH_RSA256.p12"
	keyNotary2  = "notary2_AUTH_RSA256.p12" // EDS year ends in 15 days
	keyRER      = "rer_AUTH_RSA256.p12"
	keyBlocked  = "blocked_AUTH_RSA256.p12"
	keyStranger = "stranger_AUTH_RSA256.p12"
)

func TestSignInUNIS(t *testing.T) {
	e := newDemo(t, nil)
	c := e.client()
	ctx := context.Background()

	p, err := c.Policy(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Demo || p.AuthEKU != eds.EKUAuth || p.IdleLockMinutes <= 0 {
		t.Fatalf("policy %+v", p)
	}
	k := e.open(keyNotary)
	if k.Info.IIN != "780312450016" || k.Info.KeyUsage != "AUTH" || k.Info.Issuer == "" || k.Info.NotAfter.IsZero() {
		t.Fatalf("key facts %+v", k.Info)
	}
	res, err := c.SignIn(ctx, k, "", nil)
	if err != nil {
		t.Fatal(UserMessage(err, i18n.EN))
	}
	if res.Account.IIN != "780312450016" || res.Account.Kind != api.KindUNIS || res.Account.Status != api.StatusActive {
		t.Fatalf("account %+v", res.Account)
	}
	if len(res.Warnings) != 0 {
		t.Fatalf("warnings %+v", res.Warnings)
	}
	if c.Token() == "" || c.Token() != res.Token {
		t.Fatal("token not kept")
	}
	me, err := c.Me(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if me.Account.IIN != res.Account.IIN || !me.SessionIdleUntil.After(time.Now()) {
		t.Fatalf("me %+v", me)
	}

	tok := c.Token()
	if err := c.SignOut(ctx); err != nil {
		t.Fatal(err)
	}
	if c.Token() != "" {
		t.Fatal("token kept after sign-out")
	}
	// The old token no longer works on the server.
	c.SetToken(tok)
	_, err = c.Me(ctx)
	var ae *APIError
	if !errors.As(err, &ae) || ae.Code != api.CodeUnauthorized || ae.Status != http.StatusUnauthorized {
		t.Fatalf("me after sign-out: %v", err)
	}
	if got, want := UserMessage(err, i18n.RU), i18n.TL(i18n.RU, "client.err.unauthorized"); got != want {
		t.Fatalf("message %q, want %q", got, want)
	}
	// Signing out of an ended session is no error.
	if err := c.SignOut(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestSignInRER(t *testing.T) {
	e := newDemo(t, nil)
	c := e.client()
	ctx := context.Background()
	k := e.open(keyRER)
	if k.Info.BIN != "160440007161" {
		t.Fatalf("key facts %+v", k.Info)
	}

	// Without login and password: the server asks for them.
	_, err := c.SignIn(ctx, k, "", nil)
	wantAPI(t, err, api.CodePasswordRequired)

	pw := []byte("wrong-" + server.DemoRERPassword)
	_, err = c.SignIn(ctx, k, server.DemoRERLogin, pw)
	wantAPI(t, err, api.CodeWrongPassword)
	if !allZero(pw) {
		t.Fatal("password not wiped after a refusal")
	}

	pw = []byte(server.DemoRERPassword)
	res, err := c.SignIn(ctx, k, strings.ToUpper(server.DemoRERLogin), pw)
	if err != nil {
		t.Fatal(UserMessage(err, i18n.EN))
	}
	if !allZero(pw) {
		t.Fatal("password not wiped after sign-in")
	}
	if res.Account.Kind != api.KindRER || res.Account.Login != server.DemoRERLogin || res.Account.BoundIP != "127.0.0.1" {
		t.Fatalf("account %+v", res.Account)
	}
	if _, err := c.Me(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestSignInWarning(t *testing.T) {
	e := newDemo(t, nil)
	c := e.client()
	res, err := c.SignIn(context.Background(), e.open(keyNotary2), "", nil)
	if err != nil {
		t.Fatal(UserMessage(err, i18n.EN))
	}
	if len(res.Warnings) != 1 {
		t.Fatalf("warnings %+v", res.Warnings)
	}
	w := res.Warnings[0]
	if w.Code != api.WarnEDSYearEnding || w.Threshold != 30 || w.DaysLeft < 13 || w.DaysLeft > 16 {
		t.Fatalf("warning %+v", w)
	}
	for _, l := range i18n.Langs {
		m := WarningMessage(w, l)
		if !strings.Contains(m, strconv.Itoa(w.DaysLeft)) || m == i18n.TL(l, "client.warn.unknown") {
			t.Errorf("%s: %q", l, m)
		}
	}
}

// TestSignInRefused: each refusal reaches the user as its own message.
func TestSignInRefused(t *testing.T) {
	e := newDemo(t, nil)
	ctx := context.Background()
	for _, tc := range []struct {
		key  string
		code string
		want string // a text the English message must contain
	}{
		{keyRevoked, api.CodeRevoked, "revoked"},
		{keyBlocked, api.CodeAccountBlocked, "demo: access terminated (UNIS rule 5)"},
		{keyStranger, api.CodeAccountNotFound, "No account"},
	} {
		t.Run(tc.code, func(t *testing.T) {
			c := e.client()
			_, err := c.SignIn(ctx, e.open(tc.key), "", nil)
			wantAPI(t, err, tc.code)
			if m := UserMessage(err, i18n.EN); !strings.Contains(m, tc.want) {
				t.Fatalf("message %q lacks %q", m, tc.want)
			}
			if c.Token() != "" {
				t.Fatal("token after a refusal")
			}
		})
	}
}

// TestWrongKeyUsage: a SIGN-only key file is refused here, before any
// server is asked; forced through, the server refuses it the same way.
func TestWrongKeyUsage(t *testing.T) {
	e := newDemo(t, nil)
	_, err := OpenKeyFile(e.key(keySign), []byte(server.DemoKeyPassword))
	var ee *eds.Error
	if !errors.As(err, &ee) || ee.Code != eds.CodeWrongKeyUsage {
		t.Fatalf("got %v", err)
	}
	for _, l := range i18n.Langs {
		if m := UserMessage(err, l); !strings.Contains(m, "AUTH_") || m != i18n.TL(l, "eds.err.wrong_key_usage.AUTH") {
			t.Errorf("%s: %q", l, m)
		}
	}

	data, err := os.ReadFile(e.key(keySign))
	if err != nil {
		t.Fatal(err)
	}
	ct, err := eds.ReadPKCS12(data, []byte(server.DemoKeyPassword))
	if err != nil {
		t.Fatal(err)
	}
	s, err := ct.Keys[0].Signer()
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.client().SignIn(context.Background(), s, "", nil)
	wantAPI(t, err, api.CodeWrongKeyUsage)
	for _, l := range i18n.Langs {
		if m := UserMessage(err, l); !strings.Contains(m, "AUTH_") || m != i18n.TL(l, "client.err.wrong_key_usage") {
			t.Errorf("%s: %q", l, m)
		}
	}
}

func TestKeyFileErrors(t *testing.T) {
	e := newDemo(t, nil)
	pw := []byte("not-the-password")
	_, err := OpenKeyFile(e.key(keyNotary), pw)
	if !errors.Is(err, eds.ErrWrongPassword) {
		t.Fatalf("got %v", err)
	}
	if !allZero(pw) {
		t.Fatal("key password not wiped")
	}
	if m := UserMessage(err, i18n.KK); m != i18n.TL(i18n.KK, "eds.err.wrong_password") {
		t.Fatalf("message %q", m)
	}
	_, err = OpenKeyFile(e.key("missing.p12"), []byte("x"))
	if err == nil || !strings.Contains(UserMessage(err, i18n.EN), "missing.p12") {
		t.Fatalf("got %v", err)
	}
	_, err = ReadKeyFile([]byte("not a key file"), []byte("x"))
	var ee *eds.Error
	if !errors.As(err, &ee) || ee.Code != eds.CodeBadContainer {
		t.Fatalf("got %v", err)
	}
	if _, err := e.client().SignIn(context.Background(), nil, "", nil); UserMessage(err, i18n.EN) != i18n.TL(i18n.EN, "client.err.no_signer") {
		t.Fatalf("nil signer: %v", err)
	}
}

func TestRateLimited(t *testing.T) {
	e := newDemo(t, func(c *server.Config) { c.MaxFailures = 2; c.LockDuration = 3 * time.Minute })
	c := e.client()
	k := e.open(keyStranger)
	for range 2 {
		_, err := c.SignIn(context.Background(), k, "", nil)
		wantAPI(t, err, api.CodeAccountNotFound)
	}
	_, err := c.SignIn(context.Background(), k, "", nil)
	ae := wantAPI(t, err, api.CodeRateLimited)
	if ae.RetryAfter < 2*time.Minute || ae.RetryAfter > 3*time.Minute {
		t.Fatalf("retry after %v", ae.RetryAfter)
	}
	if m := UserMessage(err, i18n.EN); !strings.Contains(m, "3 min") {
		t.Fatalf("message %q", m)
	}
	if m := UserMessage(err, i18n.RU); !strings.Contains(m, "3 мин.") {
		t.Fatalf("message %q", m)
	}
}

func TestServerDown(t *testing.T) {
	e := newDemo(t, nil)
	k := e.open(keyNotary)
	url := e.hs.URL
	e.hs.Close()
	c := New(url, Options{Timeout: 2 * time.Second, RetryWait: time.Millisecond, RetryMaxWait: 5 * time.Millisecond})
	_, err := c.SignIn(context.Background(), k, "", nil)
	if !errors.Is(err, ErrOffline) || !IsOffline(err) {
		t.Fatalf("got %v", err)
	}
	for _, l := range i18n.Langs {
		if m := UserMessage(err, l); m != i18n.TL(l, "client.err.offline") {
			t.Errorf("%s: %q", l, m)
		}
	}
	if _, err := c.Policy(context.Background()); !errors.Is(err, ErrOffline) {
		t.Fatalf("policy: %v", err)
	}
}

func TestTimeoutIsOffline(t *testing.T) {
	release := make(chan struct{})
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
	}))
	defer hs.Close()
	defer close(release)
	c := New(hs.URL, Options{Timeout: 100 * time.Millisecond, Retries: -1})
	start := time.Now()
	_, err := c.Policy(context.Background())
	if !errors.Is(err, ErrOffline) {
		t.Fatalf("got %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("timeout not applied: %v", d)
	}
}

func TestCancelIsNotOffline(t *testing.T) {
	release := make(chan struct{})
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
	}))
	defer hs.Close()
	defer close(release)
	c := New(hs.URL, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err := c.Policy(ctx)
	if errors.Is(err, ErrOffline) || !IsCanceled(err) {
		t.Fatalf("got %v", err)
	}
}

// flakyHandler answers 503 (or drops the connection) fails times, then
// passes to h; n counts the requests.
func flakyHandler(fails int32, drop bool, h http.Handler) (http.Handler, *atomic.Int32) {
	var n atomic.Int32
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) <= fails {
			if drop {
				conn, _, err := w.(http.Hijacker).Hijack()
				if err == nil {
					conn.Close()
				}
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte(`{"code":"internal","message":"restarting"}`))
			return
		}
		h.ServeHTTP(w, r)
	}), &n
}

func flaky(fails int32, drop bool, h http.Handler) (*httptest.Server, *atomic.Int32) {
	fh, n := flakyHandler(fails, drop, h)
	return httptest.NewServer(fh), n
}

func TestRetryIdempotent(t *testing.T) {
	policy := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(api.Policy{IdleLockMinutes: 7})
	})
	for _, drop := range []bool{false, true} {
		hs, n := flaky(2, drop, policy)
		c := New(hs.URL, Options{RetryWait: time.Millisecond, RetryMaxWait: 5 * time.Millisecond})
		p, err := c.Policy(context.Background())
		hs.Close()
		if err != nil || p.IdleLockMinutes != 7 {
			t.Fatalf("drop=%v: %+v %v", drop, p, err)
		}
		if n.Load() != 3 {
			t.Fatalf("drop=%v: %d attempts, want 3", drop, n.Load())
		}
	}
	// Retries run out: the last error is returned.
	hs, n := flaky(100, false, policy)
	defer hs.Close()
	c := New(hs.URL, Options{Retries: 2, RetryWait: time.Millisecond, RetryMaxWait: 5 * time.Millisecond})
	_, err := c.Policy(context.Background())
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != 503 || n.Load() != 3 {
		t.Fatalf("%v after %d attempts", err, n.Load())
	}
}

// TestSignInNotRetried: a POST /signin that failed is never sent again,
// while the challenge before it may be.
func TestSignInNotRetried(t *testing.T) {
	e := newDemo(t, nil)
	k := e.open(keyNotary)
	for _, drop := range []bool{false, true} {
		never := http.HandlerFunc(func(http.ResponseWriter, *http.Request) { t.Error("sign-in retried") })
		signin, signins := flakyHandler(1, drop, never)
		challenge, challenges := flakyHandler(1, drop, e.srv.Handler())
		mux := http.NewServeMux()
		mux.Handle("POST "+api.PathSignIn, signin)
		mux.Handle("/", challenge)
		front := httptest.NewServer(mux)
		c := New(front.URL, Options{RetryWait: time.Millisecond, RetryMaxWait: 5 * time.Millisecond})
		_, err := c.SignIn(context.Background(), k, "", nil)
		front.Close()
		if err == nil {
			t.Fatal("sign-in passed")
		}
		if signins.Load() != 1 {
			t.Fatalf("drop=%v: %d sign-in attempts", drop, signins.Load())
		}
		if challenges.Load() != 2 {
			t.Fatalf("drop=%v: %d challenge attempts, want 2", drop, challenges.Load())
		}
		if drop != errors.Is(err, ErrOffline) {
			t.Fatalf("drop=%v: %v", drop, err)
		}
	}
}

// TestChallengeChecked: a challenge that is not the answer to our request
// is refused before anything is signed.
func TestChallengeChecked(t *testing.T) {
	for name, body := range map[string]string{
		"no echo":   `{"challengeId":"x","nonce":"` + base64.StdEncoding.EncodeToString(make([]byte, 32)) + `","expiresAt":"2030-01-01T00:00:00Z"}`,
		"bad nonce": `{"challengeId":"x","nonce":"AAAA","clientNonce":"ECHO"}`,
		"not json":  `<html>hello</html>`,
	} {
		t.Run(name, func(t *testing.T) {
			hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				var req api.ChallengeRequest
				json.NewDecoder(r.Body).Decode(&req)
				ct := "application/json"
				if strings.HasPrefix(body, "<") {
					ct = "text/html"
				}
				w.Header().Set("Content-Type", ct)
				w.Write([]byte(strings.ReplaceAll(body, "ECHO", req.ClientNonce)))
			}))
			defer hs.Close()
			signed := false
			_, err := New(hs.URL, Options{}).SignIn(context.Background(), signerFunc(func() { signed = true }), "", nil)
			var ae *APIError
			if !errors.As(err, &ae) || ae.Code != CodeBadResponse || signed {
				t.Fatalf("got %v (signed %v)", err, signed)
			}
			if UserMessage(err, i18n.EN) != i18n.TL(i18n.EN, "client.err.bad_response") {
				t.Fatal(UserMessage(err, i18n.EN))
			}
		})
	}
}

// TestNCALayerSignIn signs in through a fake NCALayer that signs with the
// demo AUTH key, and shows that Cancel in NCALayer is not a failure.
func TestNCALayerSignIn(t *testing.T) {
	e := newDemo(t, nil)
	k := e.open(keyNotary)
	cancel := false
	url := fakeNCALayer(t, func(data []byte, detached bool) string {
		if cancel {
			return `{"status":true,"body":{}}`
		}
		cms, err := k.SignCMS(data, detached, time.Now())
		if err != nil {
			t.Error(err)
		}
		return `{"status":true,"body":{"result":"` + base64.StdEncoding.EncodeToString(cms) + `"}}`
	})
	s := NCALayerSigner(i18n.KK)
	s.URL = url
	c := e.client()
	res, err := c.SignIn(context.Background(), s, "", nil)
	if err != nil {
		t.Fatal(UserMessage(err, i18n.EN))
	}
	if res.Account.IIN != "780312450016" || s.Certificate() == nil || eds.Facts(s.Certificate()).IIN != "780312450016" {
		t.Fatalf("account %+v", res.Account)
	}
	cancel = true
	_, err = e.client().SignIn(context.Background(), s, "", nil)
	if !IsCanceled(err) {
		t.Fatalf("cancel: %v", err)
	}
}

func wantAPI(t testing.TB, err error, code string) *APIError {
	t.Helper()
	var ae *APIError
	if !errors.As(err, &ae) || ae.Code != code {
		t.Fatalf("got %v, want %s", err, code)
	}
	if !errors.Is(err, &APIError{Code: code}) {
		t.Fatal("errors.Is by code fails")
	}
	if !i18n.Has(i18n.EN, "client.err."+code) {
		t.Fatalf("no message for %s", code)
	}
	for _, l := range i18n.Langs {
		if m := UserMessage(err, l); m == "" || m != ae.UserMessage(l) || strings.Contains(m, "client.") {
			t.Fatalf("%s: message %q", l, m)
		}
	}
	return ae
}

func allZero(b []byte) bool { return len(bytes.Trim(b, "\x00")) == 0 }

// signerFunc is an eds.Signer that only records that it was asked.
type signerFunc func()

func (f signerFunc) Certificate() *x509.Certificate { return nil }
func (f signerFunc) SignCMS([]byte, bool, time.Time) ([]byte, error) {
	f()
	return nil, errors.New("not a real signer")
}

// TestServerTLS: an untrusted server certificate is its own error (not
// "offline"); with the server's CA configured, the same server works.
func TestServerTLS(t *testing.T) {
	hs := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"idleLockMinutes":10,"demo":true}`))
	}))
	defer hs.Close()
	_, err := New(hs.URL, Options{Retries: -1}).Policy(context.Background())
	if !errors.Is(err, ErrServerCertificate) || errors.Is(err, ErrOffline) {
		t.Fatalf("got %v", err)
	}
	if m := UserMessage(err, i18n.EN); m != i18n.TL(i18n.EN, "client.err.server_certificate") {
		t.Fatalf("message %q", m)
	}
	pool := x509.NewCertPool()
	pool.AddCert(hs.Certificate())
	p, err := New(hs.URL, Options{TLSConfig: &tls.Config{RootCAs: pool}}).Policy(context.Background())
	if err != nil || !p.Demo {
		t.Fatalf("%+v %v", p, err)
	}
}
