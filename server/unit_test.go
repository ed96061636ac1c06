package server

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kense/api"
	"kense/eds"
)

func TestPasswordHash(t *testing.T) {
	h, err := HashPassword([]byte("Жаз-2026!qa"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q", h)
	}
	h2, _ := HashPassword([]byte("Жаз-2026!qa"))
	if h == h2 {
		t.Fatal("two hashes of one password are equal: salt not unique")
	}
	if ok, err := CheckPassword(h, []byte("Жаз-2026!qa")); !ok || err != nil {
		t.Fatalf("right password: %v %v", ok, err)
	}
	if ok, _ := CheckPassword(h, []byte("Жаз-2026!qb")); ok {
		t.Fatal("wrong password accepted")
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=1,t=1,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA", "$argon2id$v=19$m=19456,t=2,p=1$!!$xx"} {
		if _, err := CheckPassword(bad, []byte("x")); err == nil {
			t.Errorf("CheckPassword(%q) accepted", bad)
		}
	}
}

func TestDaysLeftAndThresholds(t *testing.T) {
	nb := time.Date(2025, 12, 5, 4, 0, 0, 0, time.UTC) // 09:00 Almaty
	a := &Account{Certificates: []RegisteredCert{{NotBefore: nb.AddDate(0, -3, 0)}, {NotBefore: nb}}}
	end, ok := EDSYearEnd(a)
	if !ok || !end.Equal(nb.AddDate(1, 0, 0)) {
		t.Fatalf("end %v", end)
	}
	cases := []struct {
		now       time.Time
		days, th  int
		expired   bool
		wantThres bool
	}{
		{end.AddDate(0, 0, -31), 31, 0, false, false},
		{end.AddDate(0, 0, -30), 30, 30, false, true},
		{end.AddDate(0, 0, -15), 15, 30, false, true},
		{end.AddDate(0, 0, -14), 14, 14, false, true},
		{end.AddDate(0, 0, -8), 8, 14, false, true},
		{end.AddDate(0, 0, -7), 7, 7, false, true},
		{end.AddDate(0, 0, -1), 1, 1, false, true},
		{end.Add(-time.Hour), 0, 1, false, true},
		{end, 0, 0, true, false},
	}
	for _, c := range cases {
		d, exp := DaysLeft(c.now, end)
		if d != c.days || exp != c.expired {
			t.Errorf("DaysLeft(%v) = %d,%v want %d,%v", c.now, d, exp, c.days, c.expired)
		}
		if !exp {
			if th := warnThreshold(d); th != c.th {
				t.Errorf("threshold(%d) = %d want %d", d, th, c.th)
			}
		}
	}
	if _, ok := EDSYearEnd(&Account{}); ok {
		t.Fatal("EDSYearEnd without certificates")
	}
}

func TestLimiter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := newLimiter(3, time.Minute, 10*time.Minute)
	l.fail("a", now)
	l.fail("a", now.Add(61*time.Second)) // first one left the window
	l.fail("a", now.Add(62*time.Second))
	if l.blocked("a", now.Add(62*time.Second)) != 0 {
		t.Fatal("locked after 2 failures in the window")
	}
	l.fail("a", now.Add(63*time.Second))
	if d := l.blocked("a", now.Add(64*time.Second)); d != 10*time.Minute-time.Second {
		t.Fatalf("locked for %v", d)
	}
	if l.blocked("b", now) != 0 {
		t.Fatal("other key locked")
	}
	if l.blocked("a", now.Add(63*time.Second+10*time.Minute)) != 0 {
		t.Fatal("still locked after the lock time")
	}
	l.fail("c", now)
	l.succeed("c")
	l.fail("c", now)
	l.fail("c", now)
	if l.blocked("c", now) != 0 {
		t.Fatal("success did not clear the count")
	}
}

// One address asking for challenges in a loop is refused before the
// table fills; another address still gets one; pruning frees the first.
func TestChallengesPerAddressCap(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := newChallenges(2 * time.Minute)
	c.perAddr = 5
	for i := 0; i < 5; i++ {
		if _, _, ok := c.issue("10.0.0.1", now); !ok {
			t.Fatalf("challenge %d refused", i)
		}
	}
	if _, _, ok := c.issue("10.0.0.1", now); ok {
		t.Fatal("sixth challenge from one address issued")
	}
	if _, _, ok := c.issue("10.0.0.2", now); !ok {
		t.Fatal("another address refused")
	}
	// An answered challenge no longer counts: a busy office signing in
	// all day is never refused.
	id, _, _ := c.issue("10.0.0.2", now)
	if _, st := c.take(id, "10.0.0.2", now); st != "" {
		t.Fatalf("take: %s", st)
	}
	if c.byAddr["10.0.0.2"] != 1 {
		t.Fatalf("answered challenge still counted: %v", c.byAddr)
	}
	later := now.Add(c.life + c.keep + time.Second)
	if _, _, ok := c.issue("10.0.0.1", later); !ok {
		t.Fatal("still refused after the old challenges expired")
	}
	if c.byAddr["10.0.0.1"] != 1 || c.byAddr["10.0.0.2"] != 0 {
		t.Fatalf("per-address counts %v", c.byAddr)
	}
}

func TestDecodeStrict(t *testing.T) {
	var r api.SignInRequest
	ok := `{"challengeId":"x","cms":"AAAA","login":"a","password":"p\u0430\"ss"}`
	if err := DecodeStrict([]byte(ok), &r); err != nil {
		t.Fatal(err)
	}
	if string(r.Password) != "pа\"ss" || r.Login != "a" {
		t.Fatalf("%+v", r)
	}
	for _, bad := range []string{
		`{"challengeId":"x","cms":"A","extra":1}`,
		`{"challengeId":"x"} {}`,
		`{"challengeId":1}`,
		`[]`,
		`{"password":"a` + "\x01" + `"}`,
		`{"challengeId":"` + strings.Repeat("a", MaxBodyBytes) + `"}`,
	} {
		if err := DecodeStrict([]byte(bad), &api.SignInRequest{}); err == nil {
			t.Errorf("accepted %.60q", bad)
		}
	}
	if err := DecodeStrict(bytes.Repeat([]byte(" "), MaxBodyBytes+1), &r); !errors.Is(err, errTooLarge) {
		t.Fatalf("size limit: %v", err)
	}
}

// FuzzDecodeSignIn: the strict decoder never panics, and whatever it accepts
// encoding/json reads the same way (the hand-written password decoder
// agrees with the standard one).
func FuzzDecodeSignIn(f *testing.F) {
	f.Add([]byte(`{"challengeId":"abc","cms":"MIIB","login":"u","password":"p\ud83d\ude00\u0000x"}`))
	f.Add([]byte(`{"challengeId":"abc","cms":"MIIB","password":"\ud800"}`))
	f.Add([]byte(`{"challengeId":"abc","unknown":true}`))
	f.Add([]byte(`{"password":null}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"password":"\u00e9\\\/\b\f\n\r\t"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var r api.SignInRequest
		if err := DecodeStrict(data, &r); err != nil {
			return
		}
		var std struct {
			ChallengeID string  `json:"challengeId"`
			CMS         string  `json:"cms"`
			Login       string  `json:"login"`
			Password    *string `json:"password"`
		}
		if err := json.Unmarshal(data, &std); err != nil {
			t.Fatalf("strict accepted what encoding/json refuses: %v", err)
		}
		// encoding/json maps each invalid UTF-8 byte to U+FFFD; ours keeps
		// the bytes.
		if std.Password != nil && *std.Password != string(bytes.ToValidUTF8(r.Password, nil)) {
			if !strings.Contains(*std.Password, "\uFFFD") {
				t.Fatalf("password %q, encoding/json %q", []byte(r.Password), *std.Password)
			}
		}
		if std.ChallengeID != r.ChallengeID || std.CMS != r.CMS || std.Login != r.Login {
			t.Fatal("fields differ")
		}
	})
}

// FuzzDecodeChallenge covers the other request body.
func FuzzDecodeChallenge(f *testing.F) {
	f.Add([]byte(`{"clientNonce":"abc"}`))
	f.Add([]byte(`{"clientNonce":1}`))
	f.Add([]byte(`{"x":1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var r api.ChallengeRequest
		if DecodeStrict(data, &r) != nil {
			return
		}
		var std map[string]any
		if err := json.Unmarshal(data, &std); err != nil {
			t.Fatalf("accepted invalid JSON: %v", err)
		}
		for k := range std {
			if k != "clientNonce" {
				t.Fatalf("unknown field %q accepted", k)
			}
		}
	})
}

// TestOpenAPIDocumentsEveryRoute compares the server's routes with the
// paths and methods of api/openapi.yaml.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "api", "openapi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	path := ""
	inPaths := false
	for _, line := range strings.Split(string(data), "\n") {
		switch {
		case line == "paths:":
			inPaths = true
		case inPaths && len(line) > 0 && line[0] != ' ':
			inPaths = false
		case inPaths && strings.HasPrefix(line, "  /"):
			path = strings.TrimSuffix(strings.TrimSpace(line), ":")
		case inPaths && path != "" && strings.HasPrefix(line, "    ") && !strings.HasPrefix(line, "     "):
			m := strings.TrimSuffix(strings.TrimSpace(line), ":")
			documented[strings.ToUpper(m)+" "+path] = true
		}
	}
	s := &Server{}
	served := map[string]bool{}
	for _, r := range s.routes() {
		served[r.pattern] = true
		if !documented[r.pattern] {
			t.Errorf("%s is not in openapi.yaml", r.pattern)
		}
	}
	for p := range documented {
		if !served[p] {
			t.Errorf("openapi.yaml documents %s, which the server does not serve", p)
		}
	}
	if len(served) == 0 {
		t.Fatal("no routes")
	}
}

// FuzzSignInCMS feeds arbitrary bytes as the CMS of a sign-in answering a
// real challenge: the server must refuse with a code, never panic or fail
// internally.
func FuzzSignInCMS(f *testing.F) {
	e := newEnv(f, func(c *Config, _ *eds.Verifier) { c.MaxFailures = -1 })
	c := e.cert(0, pNotary, "AUTH", t0.AddDate(0, -1, 0))
	valid, err := e.signer(0, c).SignCMS([]byte("some other data"), false, t0)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid)
	f.Add(valid[:len(valid)/2])
	f.Add([]byte{0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02, 0xa0, 0x80, 0, 0, 0, 0})
	f.Add([]byte{})
	h := e.srv.Handler()
	f.Fuzz(func(t *testing.T, cms []byte) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", "/v1/auth/challenge", nil))
		var ch api.Challenge
		if err := json.Unmarshal(rec.Body.Bytes(), &ch); err != nil {
			t.Fatal(err)
		}
		body, _ := json.Marshal(api.SignInRequest{ChallengeID: ch.ChallengeID, CMS: base64.StdEncoding.EncodeToString(cms)})
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", "/v1/auth/signin", bytes.NewReader(body)))
		var er api.Error
		if rec.Code == 200 || rec.Code >= 500 && rec.Code != 503 || json.Unmarshal(rec.Body.Bytes(), &er) != nil || er.Code == "" {
			t.Fatalf("%d %s", rec.Code, rec.Body.Bytes())
		}
	})
}

func TestLoadFileConfig(t *testing.T) {
	pki, _, _ := fixtures(t)
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "ca"), 0o755)
	os.WriteFile(filepath.Join(dir, "ca", "root.cer"), pki.Root.Raw, 0o644)
	os.WriteFile(filepath.Join(dir, "ca", "ca.pem"), pemCert(pki.CA.Raw), 0o644)
	os.WriteFile(filepath.Join(dir, "ca", "notes.txt"), []byte("ignored"), 0o644)
	cfg := filepath.Join(dir, "kense.json")
	os.WriteFile(cfg, []byte(`{"addr":"127.0.0.1:9000","trust":{"anchors":["ca"],"crls":["https://crl.example.kz/nca_rsa.crl"],"revocation":"require"},"sessionIdleMinutes":5}`), 0o644)
	c, err := LoadFileConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if c.Trust.Anchors[0] != filepath.Join(dir, "ca") || c.Trust.CRLs[0] != "https://crl.example.kz/nca_rsa.crl" || c.SessionIdleMinutes != 5 {
		t.Fatalf("%+v", c)
	}
	certs, err := LoadCertificates(c.Trust.Anchors)
	if err != nil || len(certs) != 2 {
		t.Fatalf("%d certificates, %v", len(certs), err)
	}
	os.WriteFile(cfg, []byte(`{"trust":{"anchors":[]},"tls":"x"}`), 0o644)
	if _, err := LoadFileConfig(cfg); err == nil {
		t.Fatal("unknown field accepted")
	}
	if _, err := CheckRevocationPolicy("maybe"); err == nil {
		t.Fatal("bad policy accepted")
	}
	if _, err := NewEDSVerifier(context.Background(), TrustConfig{}, nil, nil); err == nil {
		t.Fatal("verifier without anchors")
	}
	if _, err := ParseCertificates([]byte("nothing")); err == nil {
		t.Fatal("parsed nothing")
	}
}

func pemCert(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func TestBoltSessions(t *testing.T) {
	st, err := OpenBolt(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	h := tokenHash("tok")
	se := &Session{IIN: "780312450016", CreatedAt: t0, LastSeen: t0, ExpiresAt: t0.Add(time.Hour)}
	if err := st.PutSession(h, se); err != nil {
		t.Fatal(err)
	}
	idle := 10 * time.Minute
	// Within touchEvery nothing is written; after it LastSeen moves.
	got, err := st.TouchSession(h, t0.Add(10*time.Second), idle)
	if err != nil || !got.LastSeen.Equal(t0) {
		t.Fatalf("%v %v", got, err)
	}
	got, err = st.TouchSession(h, t0.Add(time.Minute), idle)
	if err != nil || !got.LastSeen.Equal(t0.Add(time.Minute)) {
		t.Fatalf("%v %v", got, err)
	}
	stored, _ := st.Session(h)
	if !stored.LastSeen.Equal(t0.Add(time.Minute)) {
		t.Fatal("LastSeen not stored")
	}
	if _, err := st.TouchSession(h, t0.Add(11*time.Minute+time.Second), idle); err != ErrNotFound {
		t.Fatalf("idle session alive: %v", err)
	}
	if _, err := st.Session(h); err != ErrNotFound {
		t.Fatal("ended session not deleted")
	}
	// A second open of the same file while the first holds it.
	if _, err := OpenBolt(filepath.Dir(st.db.Path())); !errors.Is(err, ErrInUse) {
		t.Fatalf("second open: %v", err)
	}
}

// TestDemoCertificateShape: demo certificates read like NCA's to eds.
func TestDemoCertificateShape(t *testing.T) {
	pki, _, keys := fixtures(t)
	who := DemoPerson{IIN: "850505400028", Surname: "СЕЙІТОВА", GivenName: "ДАНА", Patronymic: "МАРАТҚЫЗЫ", Org: "ГОСКОРПОРАЦИЯ", BIN: "160440007161"}
	c, err := pki.IssueFor(keys[0], who, "AUTH", t0, t0.AddDate(1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	f := eds.Facts(c)
	if f.IIN != who.IIN || f.BIN != who.BIN || f.Surname != who.Surname || f.Patronymic != who.Patronymic ||
		f.CommonName != "СЕЙІТОВА ДАНА" || f.Organization != who.Org || f.KeyUsage != "AUTH" || f.Algorithm != "RSA-2048" {
		t.Fatalf("%+v", f)
	}
	if !strings.Contains(strings.Join(f.Policies, " "), "1.2.398.3.3.4.1.2") {
		t.Fatalf("policies %v", f.Policies)
	}
	ind := DemoPerson{IIN: "780312450016", Surname: "НҰРЛАНОВА", GivenName: "АЙГҮЛ", Patronymic: "СЕРІКҚЫЗЫ"}
	c, err = pki.IssueFor(keys[1], ind, "SIGN", t0, t0.AddDate(1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	f = eds.Facts(c)
	if f.KeyUsage != "SIGN" || f.BIN != "" || strings.Join(f.Policies, " ") != "1.2.398.3.3.4.1.1" || !strings.Contains(f.Issuer, "DEMO ҰКО") {
		t.Fatalf("%+v", f)
	}
	if CertIIN(c) != ind.IIN {
		t.Fatal(CertIIN(c))
	}
	if _, err := pki.IssueFor(keys[1], ind, "BOTH", t0, t0.AddDate(1, 0, 0)); err == nil {
		t.Fatal("unknown usage accepted")
	}
}
