package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"

	"kense/api"
	"kense/eds"
)

// testClock is the injectable clock the server and eds share.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}
func (c *testClock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// t0 is the tests' "now": fixed, so failures reproduce.
var t0 = time.Date(2026, 6, 15, 9, 0, 0, 0, time.UTC)

// Key generation is slow on a shared machine: one PKI and a few RSA keys
// serve the whole test binary; certificates are issued per test.
var (
	shared     struct{ pki, other *DemoPKI }
	sharedKeys []*rsa.PrivateKey
	sharedOnce sync.Once
	sharedErr  error
)

func fixtures(t testing.TB) (*DemoPKI, *DemoPKI, []*rsa.PrivateKey) {
	t.Helper()
	sharedOnce.Do(func() {
		if shared.pki, sharedErr = NewDemoPKI(t0.AddDate(-1, 0, 0)); sharedErr != nil {
			return
		}
		if shared.other, sharedErr = NewDemoPKI(t0.AddDate(-1, 0, 0)); sharedErr != nil {
			return
		}
		for range 4 {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				sharedErr = err
				return
			}
			sharedKeys = append(sharedKeys, k)
		}
	})
	if sharedErr != nil {
		t.Fatal(sharedErr)
	}
	p := *shared.pki
	p.Revoked = nil
	return &p, shared.other, sharedKeys
}

// Demo people with valid IINs.
var (
	pNotary   = DemoPerson{IIN: "780312450016", Surname: "НҰРЛАНОВА", GivenName: "АЙГҮЛ", Patronymic: "СЕРІКҚЫЗЫ"}
	pRER      = DemoPerson{IIN: "850505400028", Surname: "СЕЙІТОВА", GivenName: "ДАНА", Patronymic: "МАРАТҚЫЗЫ", Org: "ГОСКОРПОРАЦИЯ", BIN: "160440007161"}
	pBlocked  = DemoPerson{IIN: "880404300058", Surname: "КИМ", GivenName: "ВИКТОР"}
	pStranger = DemoPerson{IIN: "700101300075", Surname: "ОСПАНОВ", GivenName: "БОЛАТ"}
	pNotary2  = DemoPerson{IIN: "901120300033", Surname: "ӘБЕНОВ", GivenName: "ЕРЛАН"}
)

const rerPassword = "Сенім-2026!x"

type env struct {
	t      testing.TB
	pki    *DemoPKI
	keys   []*rsa.PrivateKey
	clock  *testClock
	store  *BoltStore
	ver    *eds.Verifier // the initial verifier; change it with tune
	rv     *ReloadingVerifier
	srv    *Server
	hs     *httptest.Server
	logs   *syncBuffer
	client *http.Client
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// newEnv starts a real server on 127.0.0.1 with a real bbolt store in a
// temporary directory, trusting the test PKI's root with the intermediate
// as an intermediate. cfg may adjust the configuration.
func newEnv(t testing.TB, cfg func(*Config, *eds.Verifier)) *env {
	t.Helper()
	pki, _, keys := fixtures(t)
	e := &env{t: t, pki: pki, keys: keys, clock: &testClock{t: t0}, logs: &syncBuffer{}}
	st, err := OpenBolt(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e.store = st
	e.ver = &eds.Verifier{Anchors: []*x509.Certificate{pki.Root}, Intermediates: []*x509.Certificate{pki.CA},
		Policy: eds.RevocationOff, Now: e.clock.Now}
	e.rv = NewReloadingVerifier(e.ver, nil, nil)
	c := Config{Store: st, Verifier: e.rv, Now: e.clock.Now,
		Logger: slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	if cfg != nil {
		cfg(&c, e.ver)
	}
	if e.srv, err = New(c); err != nil {
		t.Fatal(err)
	}
	e.hs = httptest.NewServer(e.srv.Handler())
	t.Cleanup(e.hs.Close)
	e.client = e.hs.Client()
	return e
}

// tune changes the running server's trust: a modified copy of the
// verifier replaces it atomically.
func (e *env) tune(f func(v *eds.Verifier)) {
	v := *e.rv.Current()
	f(&v)
	e.rv.p.Store(&v)
}

// clientFrom is an HTTP client whose connections come from the loopback
// address ip (127.0.0.x); it skips the test where the system refuses.
func (e *env) clientFrom(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	c, err := d.Dial("tcp", e.hs.Listener.Addr().String())
	if err != nil {
		e.t.Skipf("cannot connect from %s: %v", ip, err)
	}
	c.Close()
	return &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
}

// cert issues a certificate for who with shared key i, valid for a year
// from nb.
func (e *env) cert(i int, who DemoPerson, usage string, nb time.Time) *x509.Certificate {
	e.t.Helper()
	c, err := e.pki.IssueFor(e.keys[i], who, usage, nb, nb.AddDate(1, 0, 0))
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// signer goes through NCA's key file form: encode, read back, sign.
func signerFor(t testing.TB, pki *DemoPKI, k *rsa.PrivateKey, c *x509.Certificate) eds.Signer {
	t.Helper()
	p12, err := pki.KeyFile(k, c, "Qwerty12")
	if err != nil {
		t.Fatal(err)
	}
	ct, err := eds.ReadPKCS12(p12, []byte("Qwerty12"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ct.Keys) != 1 {
		t.Fatalf("%d keys in the container", len(ct.Keys))
	}
	s, err := ct.Keys[0].Signer()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (e *env) signer(i int, c *x509.Certificate) eds.Signer {
	return signerFor(e.t, e.pki, e.keys[i], c)
}

func (e *env) addAccount(n NewAccount) *Account {
	e.t.Helper()
	a, err := CreateAccount(e.store, n, e.clock.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

func (e *env) do(c *http.Client, method, path, token string, body any) (int, []byte) {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, e.hs.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if c == nil {
		c = e.client
	}
	resp, err := c.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

func (e *env) challenge(c *http.Client) api.Challenge {
	e.t.Helper()
	st, b := e.do(c, "POST", "/v1/auth/challenge", "", nil)
	if st != 200 {
		e.t.Fatalf("challenge: %d %s", st, b)
	}
	var ch api.Challenge
	if err := json.Unmarshal(b, &ch); err != nil {
		e.t.Fatal(err)
	}
	return ch
}

type attempt struct {
	client   *http.Client
	login    string
	password string
	detached bool
	// data overrides what is signed (default: the nonce).
	data        []byte
	mutate      func(*api.SignInRequest)
	onChallenge func(api.Challenge)
}

// signIn runs challenge → sign → signin and returns the status and body.
func (e *env) signIn(s eds.Signer, a attempt) (int, []byte) {
	e.t.Helper()
	ch := e.challenge(a.client)
	if a.onChallenge != nil {
		a.onChallenge(ch)
	}
	nonce, err := base64.StdEncoding.DecodeString(ch.Nonce)
	if err != nil || len(nonce) != 32 {
		e.t.Fatalf("nonce %q", ch.Nonce)
	}
	data := nonce
	if a.data != nil {
		data = a.data
	}
	cms, err := s.SignCMS(data, a.detached, e.clock.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	req := api.SignInRequest{ChallengeID: ch.ChallengeID, CMS: base64.StdEncoding.EncodeToString(cms), Login: a.login}
	if a.password != "" {
		req.Password = api.Secret(a.password)
	}
	if a.mutate != nil {
		a.mutate(&req)
	}
	return e.do(a.client, "POST", "/v1/auth/signin", "", req)
}

func (e *env) ok(s eds.Signer, a attempt) api.SignInResponse {
	e.t.Helper()
	st, b := e.signIn(s, a)
	return wantOK(e.t, st, b)
}

// wantOK decodes a successful sign-in.
func wantOK(t testing.TB, st int, b []byte) api.SignInResponse {
	t.Helper()
	if st != 200 {
		t.Fatalf("sign-in refused: %d %s", st, b)
	}
	var r api.SignInResponse
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	if r.Token == "" {
		t.Fatal("no token")
	}
	return r
}

// wantCode checks a refusal's status and code.
func wantCode(t testing.TB, st int, b []byte, status int, code string) api.Error {
	t.Helper()
	var er api.Error
	if err := json.Unmarshal(b, &er); err != nil {
		t.Fatalf("%d %s: %v", st, b, err)
	}
	if st != status || er.Code != code {
		t.Fatalf("got %d %s (%s), want %d %s", st, er.Code, er.Message, status, code)
	}
	if er.Message == "" {
		t.Fatal("no message")
	}
	return er
}

// ocspResponder is a test OCSP responder on 127.0.0.1 that answers for
// the test CA: serials in revoked are revoked, others good.
func ocspResponder(t testing.TB, pki *DemoPKI, clock *testClock, revoked map[string]bool) *httptest.Server {
	var mu sync.Mutex
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		req, err := ocsp.ParseRequest(body)
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		mu.Lock()
		status := ocsp.Good
		if revoked[req.SerialNumber.Text(16)] {
			status = ocsp.Revoked
		}
		mu.Unlock()
		now := clock.Now()
		tpl := ocsp.Response{Status: status, SerialNumber: req.SerialNumber, ThisUpdate: now.Add(-time.Minute),
			NextUpdate: now.Add(time.Hour), RevokedAt: now.Add(-time.Hour), RevocationReason: ocsp.KeyCompromise}
		resp, err := ocsp.CreateResponse(pki.CA, pki.CA, tpl, pki.CAKey())
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.Header().Set("Content-Type", "application/ocsp-response")
		w.Write(resp)
	}))
	t.Cleanup(hs.Close)
	return hs
}
