package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"kense/api"
	"kense/eds"
	"kense/i18n"
	"kense/server"
)

func TestMain(m *testing.M) {
	i18n.SetLang(i18n.EN)
	os.Exit(m.Run())
}

func runCmd(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestAccountsCommands(t *testing.T) {
	data := t.TempDir()
	pki, err := server.NewDemoPKI(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	nb := time.Now().Add(-time.Hour)
	_, c, err := pki.Issue(server.DemoPerson{IIN: "780312450016", Surname: "НҰРЛАНОВА", GivenName: "АЙГҮЛ"}, "AUTH", nb, nb.AddDate(1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	certFile := filepath.Join(t.TempDir(), "notary.cer")
	os.WriteFile(certFile, c.Raw, 0o644)
	pemFile := filepath.Join(t.TempDir(), "notary.pem")
	os.WriteFile(pemFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}), 0o644)

	code, out, errs := runCmd(t, "", "accounts", "create", "-data", data, "-iin", "780312450016", "-name", "Нұрланова  Айгүл Серікқызы", "-kind", "unis")
	if code != 0 || !strings.Contains(out, "780312450016") {
		t.Fatalf("%d %q %q", code, out, errs)
	}
	code, _, errs = runCmd(t, "Сенім-2026!x\n", "accounts", "create", "-data", data, "-iin", "850505400028", "-name", "Сейітова Дана", "-kind", "rer", "-login", "dana.s", "-ip", "10.20.30.40")
	if code != 0 {
		t.Fatalf("rer: %d %q", code, errs)
	}
	for _, bad := range [][]string{
		{"-iin", "780312450017", "-name", "X", "-kind", "unis"},                                      // check digit
		{"-iin", "780312450016", "-name", "X", "-kind", "unis"},                                      // exists
		{"-iin", "901120300033", "-name", "X", "-kind", "rer", "-login", "a"},                        // no ip
		{"-iin", "901120300033", "-name", "X", "-kind", "boss"},                                      // kind
		{"-iin", "901120300033", "-name", "", "-kind", "unis"},                                       // name
		{"-iin", "901120300033", "-name", "X", "-kind", "unis", "-cert", certFile},                   // cert of another IIN
		{"-iin", "901120300033", "-name", "X", "-kind", "rer", "-login", "dana.S", "-ip", "1.2.3.4"}, // login taken
	} {
		code, _, errs := runCmd(t, "pw\n", append([]string{"accounts", "create", "-data", data}, bad...)...)
		if code != 1 || !strings.Contains(errs, "Error:") {
			t.Errorf("%v: %d %q", bad, code, errs)
		}
	}
	if code, _, errs := runCmd(t, "", "accounts", "register-cert", "-data", data, "-iin", "780312450016", "-cert", pemFile); code != 0 {
		t.Fatalf("register-cert: %q", errs)
	}
	if code, _, _ := runCmd(t, "", "accounts", "register-cert", "-data", data, "-iin", "780312450016", "-cert", certFile); code != 1 {
		t.Fatal("registered the same certificate twice")
	}
	if code, _, _ := runCmd(t, "", "accounts", "block", "-data", data, "-iin", "780312450016"); code != 1 {
		t.Fatal("blocked without a reason")
	}
	if code, out, _ := runCmd(t, "", "accounts", "block", "-data", data, "-iin", "780312450016", "-reason", "licence ended"); code != 0 || !strings.Contains(out, "licence ended") {
		t.Fatalf("block: %d %q", code, out)
	}
	code, out, _ = runCmd(t, "", "accounts", "list", "-data", data)
	if code != 0 || !strings.Contains(out, "blocked (licence ended)") || !strings.Contains(out, "10.20.30.40") || !strings.Contains(out, "Нұрланова Айгүл Серікқызы") {
		t.Fatalf("list:\n%s", out)
	}
	code, out, _ = runCmd(t, "", "accounts", "list", "-data", data, "-json")
	var list []api.Account
	if code != 0 || json.Unmarshal([]byte(out), &list) != nil || len(list) != 2 {
		t.Fatalf("list -json: %s", out)
	}
	if list[0].Status != api.StatusBlocked || len(list[0].Certificates) != 1 || list[0].Certificates[0].Serial != strings.ToUpper(c.SerialNumber.Text(16)) || list[1].Login != "dana.s" {
		t.Fatalf("%+v", list)
	}
	if code, _, _ := runCmd(t, "", "accounts", "unblock", "-data", data, "-iin", "780312450016"); code != 0 {
		t.Fatal("unblock")
	}
	if code, _, _ := runCmd(t, "", "accounts", "unblock", "-data", data, "-iin", "901120300033"); code != 1 {
		t.Fatal("unblocked an absent account")
	}
	st, err := server.OpenBolt(data)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a, _ := st.Account("850505400028")
	if ok, _ := server.CheckPassword(a.PasswordHash, []byte("Сенім-2026!x")); !ok || a.BoundIP != "10.20.30.40" {
		t.Fatalf("%+v", a)
	}
	a, _ = st.Account("780312450016")
	if a.Status != api.StatusActive || a.FullName != "Нұрланова Айгүл Серікқызы" {
		t.Fatalf("%+v", a)
	}
	if code, _, _ := runCmd(t, "", "accounts", "list"); code != 1 {
		t.Fatal("list without -data")
	}
	if code, _, _ := runCmd(t, "", "accounts", "frobnicate"); code != 2 {
		t.Fatal("unknown verb")
	}
}

// serveFor starts `kense-server serve` with args and returns its URL and a
// stop function that returns the exit code.
func serveFor(t *testing.T, args ...string) (string, *bytes.Buffer, func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan int, 1)
	var out bytes.Buffer
	var errb syncBuf
	go func() { done <- runServe(ctx, args, &out, &errb, ready) }()
	select {
	case url := <-ready:
		return url, &out, func() int { cancel(); return <-done }
	case code := <-done:
		cancel()
		t.Fatalf("serve exited %d: %s %s", code, out.String(), errb.String())
	case <-time.After(2 * time.Minute):
		t.Fatal("serve did not start")
	}
	return "", nil, nil
}

// syncBuf is a buffer that the server's logger and the test share.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestServeDemo is the newcomer's path: serve -demo, then sign in with the
// demo key files as printed, each with its expected outcome.
func TestServeDemo(t *testing.T) {
	data := t.TempDir()
	url, out, stop := serveFor(t, "-data", data, "-addr", "127.0.0.1:0", "-demo")
	if !strings.Contains(out.String(), server.DemoKeyPassword) || !strings.Contains(out.String(), "notary_AUTH_RSA256.p12") {
		t.Fatalf("demo output lacks the keys or the password:\n%s", out)
	}
	var p api.Policy
	getJSON(t, http.DefaultClient, url+"/v1/policy", &p)
	if !p.Demo {
		t.Fatal("policy does not say demo")
	}
	keys := filepath.Join(data, "demo", "keys")
	cases := []struct {
		file, login, password string
		status                int
		code                  string
	}{
		{"notary_AUTH_RSA256.p12", "", "", 200, ""},
		{"notary_RSA256.p12", "", "", 401, api.CodeWrongKeyUsage},
		{"notary_revoked_AUTH_RSA256.p12", "", "", 401, api.CodeRevoked},
		{"notary2_AUTH_RSA256.p12", "", "", 200, ""},
		{"rer_AUTH_RSA256.p12", server.DemoRERLogin, server.DemoRERPassword, 200, ""},
		{"rer_AUTH_RSA256.p12", "", "", 401, api.CodePasswordRequired},
		{"blocked_AUTH_RSA256.p12", "", "", 403, api.CodeAccountBlocked},
		{"stranger_AUTH_RSA256.p12", "", "", 403, api.CodeAccountNotFound},
	}
	for _, c := range cases {
		st, body := demoSignIn(t, url, filepath.Join(keys, c.file), c.login, c.password)
		if st != c.status {
			t.Fatalf("%s: %d %s", c.file, st, body)
		}
		if c.code != "" {
			var e api.Error
			json.Unmarshal(body, &e)
			if e.Code != c.code {
				t.Fatalf("%s: %s, want %s", c.file, body, c.code)
			}
			continue
		}
		var r api.SignInResponse
		json.Unmarshal(body, &r)
		if c.file == "notary2_AUTH_RSA256.p12" && (len(r.Warnings) != 1 || r.Warnings[0].DaysLeft < 15 || r.Warnings[0].DaysLeft > 16 || r.Warnings[0].Threshold != 30) {
			t.Fatalf("notary2 warnings %+v", r.Warnings)
		}
	}
	// The running server holds the data directory.
	code, _, errs := runCmd(t, "", "accounts", "list", "-data", data)
	if code != 1 || !strings.Contains(errs, "in use") {
		t.Fatalf("list while serving: %d %q", code, errs)
	}
	if code := stop(); code != 0 {
		t.Fatalf("serve exited %d", code)
	}
	// A second start reuses the demo.
	url, out, stop = serveFor(t, "-data", data, "-addr", "127.0.0.1:0", "-demo")
	if !strings.Contains(out.String(), "existing demo") {
		t.Fatalf("%s", out)
	}
	if st, body := demoSignIn(t, url, filepath.Join(keys, "notary_AUTH_RSA256.p12"), "", ""); st != 200 {
		t.Fatalf("%d %s", st, body)
	}
	stop()
}

func demoSignIn(t *testing.T, url, keyFile, login, password string) (int, []byte) {
	t.Helper()
	p12, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	ct, err := eds.ReadPKCS12(p12, []byte(server.DemoKeyPassword))
	if err != nil {
		t.Fatal(err)
	}
	s, err := ct.Keys[0].Signer()
	if err != nil {
		t.Fatal(err)
	}
	var ch api.Challenge
	postJSON(t, url+"/v1/auth/challenge", nil, &ch)
	nonce, _ := base64.StdEncoding.DecodeString(ch.Nonce)
	cms, err := s.SignCMS(nonce, true, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	req := api.SignInRequest{ChallengeID: ch.ChallengeID, CMS: base64.StdEncoding.EncodeToString(cms), Login: login, Password: api.Secret(password)}
	b, _ := json.Marshal(req)
	resp, err := http.Post(url+"/v1/auth/signin", "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}

func postJSON(t *testing.T, url string, in, out any) {
	t.Helper()
	b, _ := json.Marshal(in)
	resp, err := http.Post(url, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("%s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatal(err)
	}
}

func getJSON(t *testing.T, c *http.Client, url string, out any) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("%s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatal(err)
	}
}

func TestServeRefusals(t *testing.T) {
	data := t.TempDir()
	code, _, errs := runCmd(t, "", "serve", "-data", data, "-addr", "0.0.0.0:0", "-demo")
	if code != 1 || !strings.Contains(errs, "loopback") {
		t.Fatalf("non-loopback without TLS: %d %q", code, errs)
	}
	code, _, errs = runCmd(t, "", "serve", "-data", data, "-addr", "127.0.0.1:0")
	if code != 1 || !strings.Contains(errs, "trust anchors") {
		t.Fatalf("no trust: %d %q", code, errs)
	}
	code, _, errs = runCmd(t, "", "serve", "-data", data, "-addr", "127.0.0.1:0", "-demo", "-revocation", "sometimes")
	if code != 1 || !strings.Contains(errs, "revocation policy") {
		t.Fatalf("bad policy: %d %q", code, errs)
	}
	if code, _, _ := runCmd(t, "", "serve", "-addr", "127.0.0.1:0"); code != 1 {
		t.Fatal("served without -data")
	}
	if code, _, _ := runCmd(t, "", "nonsense"); code != 2 {
		t.Fatal("unknown command")
	}
}

// TestServeTLSAndConfig serves on a non-loopback-capable path with TLS, the
// trust coming from a config file written by `kense-server demo`.
func TestServeTLSAndConfig(t *testing.T) {
	data, out := t.TempDir(), t.TempDir()
	code, stdout, errs := runCmd(t, "", "demo", "-data", data, "-out", out)
	if code != 0 || !strings.Contains(stdout, filepath.Join(out, "keys")) {
		t.Fatalf("demo: %d %q %q", code, stdout, errs)
	}
	if code, _, _ := runCmd(t, "", "demo", "-data", data, "-out", out); code != 1 {
		t.Fatal("demo twice into one folder")
	}
	certPEM, keyPEM, pool := selfSigned(t)
	dir := t.TempDir()
	cf, kf := filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	os.WriteFile(cf, certPEM, 0o600)
	os.WriteFile(kf, keyPEM, 0o600)
	url, _, stop := serveFor(t, "-data", data, "-addr", "127.0.0.1:0", "-config", filepath.Join(out, server.DemoConfigFile), "-tls-cert", cf, "-tls-key", kf)
	if !strings.HasPrefix(url, "https://") {
		t.Fatal(url)
	}
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	var p api.Policy
	getJSON(t, c, url+"/v1/policy", &p)
	if !p.Demo {
		t.Fatal("config's demo flag lost")
	}
	if code := stop(); code != 0 {
		t.Fatal(code)
	}
}

func selfSigned(t *testing.T) ([]byte, []byte, *x509.CertPool) {
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kd, _ := x509.MarshalPKCS8PrivateKey(k)
	c, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(c)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kd}), pool
}

func TestMessagesFollowTheLanguage(t *testing.T) {
	defer i18n.SetLang(i18n.EN)
	for lang, want := range map[i18n.Lang]string{i18n.KK: "Белгісіз команда", i18n.RU: "Неизвестная команда", i18n.EN: "Unknown command"} {
		i18n.SetLang(lang)
		if _, _, errs := runCmd(t, "", "frob"); !strings.Contains(errs, want) {
			t.Errorf("%s: %q", lang, errs)
		}
	}
}

// TestServeTrustFlags: the trust comes from the command line alone — an
// anchor, an intermediate, and a CRL fetched over HTTP — under the
// require policy: a good key signs in, the revoked one is refused as
// revoked, and a CRL address that answers nothing stops the start.
func TestServeTrustFlags(t *testing.T) {
	data, out := t.TempDir(), t.TempDir()
	if code, _, errs := runCmd(t, "", "demo", "-data", data, "-out", out); code != 0 {
		t.Fatalf("demo: %d %q", code, errs)
	}
	ca := filepath.Join(out, "ca")
	crlSrv := httptest.NewServer(http.FileServer(http.Dir(ca)))
	defer crlSrv.Close()
	url, _, stop := serveFor(t, "-data", data, "-addr", "127.0.0.1:0",
		"-trust", filepath.Join(ca, "demo_root.cer"), "-intermediate", filepath.Join(ca, "demo_ca.cer"),
		"-crl", crlSrv.URL+"/demo_ca.crl", "-revocation", "require")
	keys := filepath.Join(out, "keys")
	if st, body := demoSignIn(t, url, filepath.Join(keys, "notary_AUTH_RSA256.p12"), "", ""); st != 200 {
		t.Fatalf("good key: %d %s", st, body)
	}
	st, body := demoSignIn(t, url, filepath.Join(keys, "notary_revoked_AUTH_RSA256.p12"), "", "")
	var e api.Error
	json.Unmarshal(body, &e)
	if st != 401 || e.Code != api.CodeRevoked {
		t.Fatalf("revoked key: %d %s", st, body)
	}
	if code := stop(); code != 0 {
		t.Fatalf("serve exited %d", code)
	}
	code, _, errs := runCmd(t, "", "serve", "-data", t.TempDir(), "-addr", "127.0.0.1:0",
		"-trust", filepath.Join(ca, "demo_root.cer"), "-crl", crlSrv.URL+"/missing.crl", "-revocation", "require")
	if code != 1 || errs == "" {
		t.Fatalf("unreachable CRL accepted: %d %q", code, errs)
	}
}
