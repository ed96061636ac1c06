package server

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"kense/api"
	"kense/eds"
)

func TestSignInUNISAcceptedAndSession(t *testing.T) {
	e := newEnv(t, nil)
	c := e.cert(0, pNotary, "AUTH", t0.AddDate(0, -1, 0))
	e.addAccount(NewAccount{IIN: pNotary.IIN, FullName: "Нұрланова Айгүл Серікқызы", Kind: api.KindUNIS, Cert: c})
	s := e.signer(0, c)
	for _, detached := range []bool{false, true} {
		r := e.ok(s, attempt{detached: detached})
		if r.Account.IIN != pNotary.IIN || r.Account.Kind != api.KindUNIS || r.Account.Status != api.StatusActive {
			t.Fatalf("account %+v", r.Account)
		}
		if len(r.Warnings) != 0 {
			t.Fatalf("warnings %+v", r.Warnings)
		}
		if raw, err := base64.RawURLEncoding.DecodeString(r.Token); err != nil || len(raw) != 32 {
			t.Fatalf("token %q is not 32 bytes base64url", r.Token)
		}
		if !r.ExpiresAt.Equal(t0.Add(DefaultSessionMaxAge)) {
			t.Fatalf("expiresAt %v", r.ExpiresAt)
		}
		st, b := e.do(nil, "GET", "/v1/me", r.Token, nil)
		if st != 200 {
			t.Fatalf("me: %d %s", st, b)
		}
		var me api.Me
		json.Unmarshal(b, &me)
		if me.Account.FullName != "Нұрланова Айгүл Серікқызы" || len(me.Account.Certificates) != 1 || me.Account.EDSYearEndsAt == nil {
			t.Fatalf("me %+v", me)
		}
		// The store keeps the token's hash, never the token.
		if _, err := e.store.Session(tokenHash(r.Token)); err != nil {
			t.Fatal(err)
		}
		if _, err := e.store.Session([]byte(r.Token)); err == nil {
			t.Fatal("session found under the clear token")
		}
		st, b = e.do(nil, "POST", "/v1/auth/signout", r.Token, nil)
		if st != http.StatusNoContent {
			t.Fatalf("signout %d %s", st, b)
		}
		st, b = e.do(nil, "GET", "/v1/me", r.Token, nil)
		wantCode(t, st, b, 401, api.CodeUnauthorized)
	}
}

func TestMeNeedsToken(t *testing.T) {
	e := newEnv(t, nil)
	st, b := e.do(nil, "GET", "/v1/me", "", nil)
	wantCode(t, st, b, 401, api.CodeUnauthorized)
	st, b = e.do(nil, "GET", "/v1/me", "bogus", nil)
	wantCode(t, st, b, 401, api.CodeUnauthorized)
	st, b = e.do(nil, "POST", "/v1/auth/signout", "", nil)
	wantCode(t, st, b, 401, api.CodeUnauthorized)
	st, b = e.do(nil, "GET", "/v1/nothing", "", nil)
	wantCode(t, st, b, 404, api.CodeNotFound)
}

func TestPolicy(t *testing.T) {
	for _, demo := range []bool{false, true} {
		e := newEnv(t, func(c *Config, _ *eds.Verifier) { c.Demo = demo; c.IdleLockMinutes = 7 })
		st, b := e.do(nil, "GET", "/v1/policy", "", nil)
		var p api.Policy
		if st != 200 || json.Unmarshal(b, &p) != nil {
			t.Fatalf("%d %s", st, b)
		}
		if p.Demo != demo || p.IdleLockMinutes != 7 || p.SessionIdleTimeoutMinutes != 30 || p.SessionMaxHours != 12 ||
			p.ChallengeLifetimeSeconds != 120 || p.AuthEKU != EKUAuth || len(p.EDSWarningDays) != 4 {
			t.Fatalf("policy %+v", p)
		}
	}
}

func TestChallenge(t *testing.T) {
	e := newEnv(t, nil)
	st, b := e.do(nil, "POST", "/v1/auth/challenge", "", api.ChallengeRequest{ClientNonce: "win-42"})
	var ch api.Challenge
	if st != 200 || json.Unmarshal(b, &ch) != nil {
		t.Fatalf("%d %s", st, b)
	}
	if ch.ClientNonce != "win-42" || !ch.ExpiresAt.Equal(t0.Add(2*time.Minute)) || ch.ChallengeID == "" {
		t.Fatalf("%+v", ch)
	}
	ch2 := e.challenge(nil)
	if ch2.Nonce == ch.Nonce || ch2.ChallengeID == ch.ChallengeID {
		t.Fatal("challenges repeat")
	}
	st, b = e.do(nil, "POST", "/v1/auth/challenge", "", map[string]string{"clientNonce": strings.Repeat("x", 65)})
	wantCode(t, st, b, 400, api.CodeBadRequest)
	st, b = e.do(nil, "POST", "/v1/auth/challenge", "", map[string]string{"other": "x"})
	wantCode(t, st, b, 400, api.CodeBadRequest)
}

// TestSignInRefusals runs every refused case that needs no revocation
// source, each end to end over HTTP.
func TestSignInRefusals(t *testing.T) {
	e := newEnv(t, nil)
	auth := e.cert(0, pNotary, "AUTH", t0.AddDate(0, -1, 0))
	sign := e.cert(1, pNotary, "SIGN", t0.AddDate(0, -1, 0))
	e.addAccount(NewAccount{IIN: pNotary.IIN, FullName: "Нұрланова Айгүл", Kind: api.KindUNIS, Cert: auth})
	blocked := e.cert(2, pBlocked, "AUTH", t0.AddDate(0, -1, 0))
	e.addAccount(NewAccount{IIN: pBlocked.IIN, FullName: "Ким Виктор", Kind: api.KindUNIS, Cert: blocked})
	if err := BlockAccount(e.store, pBlocked.IIN, "dismissed (UNIS rule 5.2)", t0); err != nil {
		t.Fatal(err)
	}
	stranger := e.cert(3, pStranger, "AUTH", t0.AddDate(0, -1, 0))
	_, other, _ := fixtures(t)
	foreign, err := other.IssueFor(e.keys[0], pNotary, "AUTH", t0.AddDate(0, -1, 0), t0.AddDate(0, 11, 0))
	if err != nil {
		t.Fatal(err)
	}
	future := e.cert(0, pNotary, "AUTH", t0.Add(24*time.Hour))

	cases := []struct {
		name   string
		signer eds.Signer
		a      attempt
		before func()
		status int
		code   string
	}{
		{"other data signed", e.signer(0, auth), attempt{data: []byte("not the nonce")}, nil, 401, api.CodeBadSignature},
		{"garbage cms", e.signer(0, auth), attempt{mutate: func(r *api.SignInRequest) { r.CMS = base64.StdEncoding.EncodeToString([]byte("junk")) }}, nil, 400, api.CodeBadCMS},
		{"not base64", e.signer(0, auth), attempt{mutate: func(r *api.SignInRequest) { r.CMS = "%%%" }}, nil, 400, api.CodeBadCMS},
		{"tampered signature", e.signer(0, auth), attempt{mutate: func(r *api.SignInRequest) {
			b, _ := base64.StdEncoding.DecodeString(r.CMS)
			b[len(b)-10] ^= 1 // inside the RSA signature, the last field of SignerInfo
			r.CMS = base64.StdEncoding.EncodeToString(b)
		}}, nil, 401, api.CodeBadSignature},
		{"foreign CA", signerFor(t, other, e.keys[0], foreign), attempt{}, nil, 401, api.CodeUntrusted},
		{"not yet valid", e.signer(0, future), attempt{}, nil, 401, api.CodeNotYetValid},
		{"SIGN key", e.signer(1, sign), attempt{}, nil, 401, api.CodeWrongKeyUsage},
		{"unknown challenge", e.signer(0, auth), attempt{mutate: func(r *api.SignInRequest) { r.ChallengeID = "nope" }}, nil, 401, api.CodeNonceUnknown},
		{"no account", e.signer(3, stranger), attempt{}, nil, 403, api.CodeAccountNotFound},
		{"blocked", e.signer(2, blocked), attempt{}, nil, 403, api.CodeAccountBlocked},
		{"missing fields", e.signer(0, auth), attempt{mutate: func(r *api.SignInRequest) { r.CMS = "" }}, nil, 400, api.CodeBadRequest},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.before != nil {
				c.before()
			}
			st, b := e.signIn(c.signer, c.a)
			er := wantCode(t, st, b, c.status, c.code)
			if c.code == api.CodeWrongKeyUsage && !strings.Contains(er.Message, "authentication key") {
				t.Fatalf("message %q does not say to pick the AUTH key", er.Message)
			}
			if c.code == api.CodeAccountBlocked && !strings.Contains(er.Message, "UNIS rule 5.2") {
				t.Fatalf("message %q lacks the reason", er.Message)
			}
			// Each refusal counts against 127.0.0.1: reset so the
			// table is not cut short by rate limiting (tested apart).
			e.srv.byIP.succeed("127.0.0.1")
			e.srv.byIIN.succeed(pNotary.IIN)
		})
	}
}

// TestValidityByClock: one certificate, refused before its NotBefore and
// after its NotAfter as the clock moves, accepted between.
func TestValidityByClock(t *testing.T) {
	e := newEnv(t, nil)
	nb := t0.AddDate(0, -3, 0)
	c, err := e.pki.IssueFor(e.keys[0], pNotary, "AUTH", nb, nb.AddDate(0, 6, 0))
	if err != nil {
		t.Fatal(err)
	}
	e.addAccount(NewAccount{IIN: pNotary.IIN, FullName: "Нұрланова Айгүл", Kind: api.KindUNIS, Cert: c})
	s := e.signer(0, c)
	e.ok(s, attempt{})
	e.clock.Set(c.NotAfter.Add(time.Second))
	st, b := e.signIn(s, attempt{})
	wantCode(t, st, b, 401, api.CodeExpired)
	e.clock.Set(c.NotBefore.Add(-time.Second))
	st, b = e.signIn(s, attempt{})
	wantCode(t, st, b, 401, api.CodeNotYetValid)
	e.clock.Set(c.NotAfter.Add(-time.Second))
	e.ok(s, attempt{})
}

func TestNonceSingleUseAndExpiry(t *testing.T) {
	e := newEnv(t, nil)
	c := e.cert(0, pNotary, "AUTH", t0.AddDate(0, -1, 0))
	e.addAccount(NewAccount{IIN: pNotary.IIN, FullName: "Нұрланова Айгүл", Kind: api.KindUNIS, Cert: c})
	s := e.signer(0, c)

	// Replay: the same challenge and CMS twice.
	var saved api.SignInRequest
	e.ok(s, attempt{mutate: func(r *api.SignInRequest) { saved = *r }})
	st, b := e.do(nil, "POST", "/v1/auth/signin", "", saved)
	wantCode(t, st, b, 401, api.CodeNonceUsed)

	// A failed attempt uses the challenge up too.
	ch := e.challenge(nil)
	nonce, _ := base64.StdEncoding.DecodeString(ch.Nonce)
	bad, _ := s.SignCMS([]byte("other"), false, t0)
	st, b = e.do(nil, "POST", "/v1/auth/signin", "", api.SignInRequest{ChallengeID: ch.ChallengeID, CMS: base64.StdEncoding.EncodeToString(bad)})
	wantCode(t, st, b, 401, api.CodeBadSignature)
	good, _ := s.SignCMS(nonce, false, t0)
	st, b = e.do(nil, "POST", "/v1/auth/signin", "", api.SignInRequest{ChallengeID: ch.ChallengeID, CMS: base64.StdEncoding.EncodeToString(good)})
	wantCode(t, st, b, 401, api.CodeNonceUsed)

	// Expiry: 2 minutes.
	ch = e.challenge(nil)
	nonce, _ = base64.StdEncoding.DecodeString(ch.Nonce)
	e.clock.Add(2*time.Minute + time.Second)
	good, _ = s.SignCMS(nonce, false, e.clock.Now())
	st, b = e.do(nil, "POST", "/v1/auth/signin", "", api.SignInRequest{ChallengeID: ch.ChallengeID, CMS: base64.StdEncoding.EncodeToString(good)})
	wantCode(t, st, b, 401, api.CodeNonceExpired)

	// Just inside the lifetime it works.
	ch = e.challenge(nil)
	nonce, _ = base64.StdEncoding.DecodeString(ch.Nonce)
	e.clock.Add(2*time.Minute - time.Second)
	good, _ = s.SignCMS(nonce, false, e.clock.Now())
	st, b = e.do(nil, "POST", "/v1/auth/signin", "", api.SignInRequest{ChallengeID: ch.ChallengeID, CMS: base64.StdEncoding.EncodeToString(good)})
	wantOK(t, st, b)

	// A challenge is bound to the address that asked for it.
	other := e.clientFrom("127.0.0.2")
	ch = e.challenge(other)
	nonce, _ = base64.StdEncoding.DecodeString(ch.Nonce)
	good, _ = s.SignCMS(nonce, false, e.clock.Now())
	st, b = e.do(nil, "POST", "/v1/auth/signin", "", api.SignInRequest{ChallengeID: ch.ChallengeID, CMS: base64.StdEncoding.EncodeToString(good)})
	wantCode(t, st, b, 401, api.CodeNonceUnknown)
	// The try from the wrong address did not use the challenge up (another
	// address cannot burn a user's challenges).
	e.ok(s, attempt{client: other, mutate: func(r *api.SignInRequest) {
		r.ChallengeID, r.CMS = ch.ChallengeID, base64.StdEncoding.EncodeToString(good)
	}})
}

func TestRER(t *testing.T) {
	e := newEnv(t, nil)
	c := e.cert(0, pRER, "AUTH", t0.AddDate(0, -1, 0))
	e.addAccount(NewAccount{IIN: pRER.IIN, FullName: "Сейітова Дана", Kind: api.KindRER, Login: "dana.s",
		Password: []byte(rerPassword), BoundIP: "127.0.0.1", Cert: c})
	s := e.signer(0, c)
	st, b := e.signIn(s, attempt{})
	wantCode(t, st, b, 401, api.CodePasswordRequired)
	st, b = e.signIn(s, attempt{login: "dana.s"})
	wantCode(t, st, b, 401, api.CodePasswordRequired)
	st, b = e.signIn(s, attempt{login: "dana.s", password: rerPassword + "x"})
	wantCode(t, st, b, 401, api.CodeWrongPassword)
	st, b = e.signIn(s, attempt{login: "other", password: rerPassword})
	wantCode(t, st, b, 401, api.CodeWrongPassword)
	r := e.ok(s, attempt{login: "Dana.S", password: rerPassword})
	if r.Account.Kind != api.KindRER || r.Account.BoundIP != "127.0.0.1" || r.Account.Login != "dana.s" {
		t.Fatalf("%+v", r.Account)
	}
	// From another address: wrong_ip.
	st, b = e.signIn(s, attempt{client: e.clientFrom("127.0.0.3"), login: "dana.s", password: rerPassword})
	wantCode(t, st, b, 403, api.CodeWrongIP)

	// Neither the password nor the token nor the nonce nor the CMS reached the log.
	logs := e.logs.String()
	if !strings.Contains(logs, `"msg":"signin"`) || !strings.Contains(logs, pRER.IIN) {
		t.Fatalf("the log lacks the sign-in: %s", logs)
	}
	for _, secret := range []string{rerPassword, r.Token, "Сенім"} {
		if strings.Contains(logs, secret) {
			t.Fatalf("log contains %q", secret)
		}
	}
}

// TestLogsHoldNoSecrets captures the JSON log of a full sign-in, /me and
// sign-out and looks for the token, password, nonce and CMS in it.
func TestLogsHoldNoSecrets(t *testing.T) {
	e := newEnv(t, nil)
	c := e.cert(0, pRER, "AUTH", t0.AddDate(0, -1, 0))
	e.addAccount(NewAccount{IIN: pRER.IIN, FullName: "Сейітова Дана", Kind: api.KindRER, Login: "dana.s",
		Password: []byte(rerPassword), BoundIP: "127.0.0.1", Cert: c})
	s := e.signer(0, c)
	var req api.SignInRequest
	var ch api.Challenge
	r := e.ok(s, attempt{login: "dana.s", password: rerPassword, mutate: func(x *api.SignInRequest) { req = *x },
		onChallenge: func(c api.Challenge) { ch = c }})
	e.do(nil, "GET", "/v1/me", r.Token, nil)
	e.do(nil, "POST", "/v1/auth/signout", r.Token, nil)
	e.signIn(s, attempt{login: "dana.s", password: "wrong-one-77"})
	logs := e.logs.String()
	if strings.Count(logs, "\n") < 6 {
		t.Fatalf("too few log lines:\n%s", logs)
	}
	cmsRaw, _ := base64.StdEncoding.DecodeString(req.CMS)
	for name, secret := range map[string]string{
		"token": r.Token, "password": rerPassword, "wrong password": "wrong-one-77", "nonce": ch.Nonce,
		"nonce (base64url)": base64.RawURLEncoding.EncodeToString(mustB64(ch.Nonce)),
		"cms":               req.CMS[:40], "challenge id": req.ChallengeID, "cms tail": base64.StdEncoding.EncodeToString(cmsRaw[len(cmsRaw)-30:]),
	} {
		if strings.Contains(logs, secret) {
			t.Fatalf("log contains the %s", name)
		}
	}
}

func TestFirstUseRegistersCert(t *testing.T) {
	e := newEnv(t, nil)
	c := e.cert(0, pNotary, "AUTH", t0.AddDate(0, -2, 0))
	e.addAccount(NewAccount{IIN: pNotary.IIN, FullName: "Нұрланова Айгүл", Kind: api.KindUNIS})
	r := e.ok(e.signer(0, c), attempt{})
	if len(r.Account.Certificates) != 1 || r.Account.Certificates[0].Serial != serialHex(c) || !r.Account.Certificates[0].RegisteredAt.Equal(t0) {
		t.Fatalf("%+v", r.Account.Certificates)
	}
	// A second, newer certificate is not registered by signing in.
	c2 := e.cert(1, pNotary, "AUTH", t0.AddDate(0, 0, -1))
	r = e.ok(e.signer(1, c2), attempt{})
	if len(r.Account.Certificates) != 1 {
		t.Fatalf("%+v", r.Account.Certificates)
	}
}

func TestEDSYearRule(t *testing.T) {
	e := newEnv(t, nil)
	nb := t0.AddDate(0, -6, 0) // certificate valid a year from nb; registered EDS from nb
	c := e.cert(0, pNotary, "AUTH", nb)
	// A certificate good for two years, so that validity is not what stops
	// the sign-in after the EDS year.
	long, err := e.pki.IssueFor(e.keys[0], pNotary, "AUTH", nb, nb.AddDate(2, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	e.addAccount(NewAccount{IIN: pNotary.IIN, FullName: "Нұрланова Айгүл", Kind: api.KindUNIS, Cert: c})
	end := nb.In(Almaty).AddDate(1, 0, 0)
	s := e.signer(0, long)
	for _, w := range []struct{ days, threshold int }{{31, 0}, {30, 30}, {20, 30}, {14, 14}, {7, 7}, {3, 7}, {1, 1}} {
		e.clock.Set(end.AddDate(0, 0, -w.days))
		r := e.ok(s, attempt{})
		if w.threshold == 0 {
			if len(r.Warnings) != 0 {
				t.Fatalf("%d days: %+v", w.days, r.Warnings)
			}
			continue
		}
		if len(r.Warnings) != 1 || r.Warnings[0].Code != api.WarnEDSYearEnding || r.Warnings[0].DaysLeft != w.days || r.Warnings[0].Threshold != w.threshold {
			t.Fatalf("%d days: %+v", w.days, r.Warnings)
		}
		if r.Account.EDSYearEndsAt == nil || !r.Account.EDSYearEndsAt.Equal(end) {
			t.Fatalf("edsYearEndsAt %v, want %v", r.Account.EDSYearEndsAt, end)
		}
	}
	// A live session survives until the block; the block ends it.
	e.clock.Set(end.Add(-time.Minute))
	live := e.ok(s, attempt{})
	e.clock.Set(end.Add(time.Second))
	st, b := e.signIn(s, attempt{})
	wantCode(t, st, b, 403, api.CodeEDSYearExpired)
	a, _ := e.store.Account(pNotary.IIN)
	if a.Status != api.StatusBlocked || a.BlockedReason != api.CodeEDSYearExpired || !a.BlockedAt.Equal(e.clock.Now()) {
		t.Fatalf("%+v", a)
	}
	st, b = e.do(nil, "GET", "/v1/me", live.Token, nil)
	wantCode(t, st, b, 403, api.CodeAccountBlocked)
	st, b = e.signIn(s, attempt{})
	wantCode(t, st, b, 403, api.CodeAccountBlocked)
	// Unblocking alone is refused; registering a new EDS unblocks.
	if err := UnblockAccount(e.store, pNotary.IIN, e.clock.Now()); err == nil {
		t.Fatal("unblocked with an EDS more than a year old")
	}
	fresh := e.cert(1, pNotary, "AUTH", e.clock.Now().Add(-time.Hour))
	if err := RegisterCert(e.store, pNotary.IIN, fresh, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	r := e.ok(e.signer(1, fresh), attempt{})
	if r.Account.Status != api.StatusActive || len(r.Account.Certificates) != 2 || len(r.Warnings) != 0 {
		t.Fatalf("%+v", r)
	}
}

func TestRevocationCRL(t *testing.T) {
	var e *env
	e = newEnv(t, func(c *Config, v *eds.Verifier) { v.Policy = eds.RevocationRequire })
	good := e.cert(0, pNotary, "AUTH", t0.AddDate(0, -1, 0))
	bad := e.cert(1, pNotary, "AUTH", t0.AddDate(0, -1, 0))
	e.addAccount(NewAccount{IIN: pNotary.IIN, FullName: "Нұрланова Айгүл", Kind: api.KindUNIS, Cert: good})

	// require, no CRL and no OCSP: unknown.
	st, b := e.signIn(e.signer(0, good), attempt{})
	wantCode(t, st, b, 503, api.CodeRevocationUnknown)

	e.pki.Revoke(bad, t0.Add(-time.Hour))
	der, err := e.pki.CRL(t0.Add(-time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	crl, err := ParseCRL(der)
	if err != nil {
		t.Fatal(err)
	}
	e.tune(func(v *eds.Verifier) { v.CRLs = []*x509.RevocationList{crl} })
	e.ok(e.signer(0, good), attempt{})
	st, b = e.signIn(e.signer(1, bad), attempt{})
	wantCode(t, st, b, 401, api.CodeRevoked)

	// The CRL runs out after a week: require refuses, prefer accepts.
	e.srv.byIP.succeed("127.0.0.1")
	e.srv.byIIN.succeed(pNotary.IIN)
	e.clock.Add(8 * 24 * time.Hour)
	st, b = e.signIn(e.signer(0, good), attempt{})
	wantCode(t, st, b, 503, api.CodeRevocationUnknown)
	e.tune(func(v *eds.Verifier) { v.Policy = eds.RevocationPrefer })
	e.ok(e.signer(0, good), attempt{})
}

func TestRevocationOCSP(t *testing.T) {
	e := newEnv(t, func(c *Config, v *eds.Verifier) { v.Policy = eds.RevocationRequire })
	good := e.cert(0, pNotary, "AUTH", t0.AddDate(0, -1, 0))
	bad := e.cert(1, pNotary, "AUTH", t0.AddDate(0, -1, 0))
	e.addAccount(NewAccount{IIN: pNotary.IIN, FullName: "Нұрланова Айгүл", Kind: api.KindUNIS, Cert: good})
	responder := ocspResponder(t, e.pki, e.clock, map[string]bool{bad.SerialNumber.Text(16): true})
	e.tune(func(v *eds.Verifier) { v.OCSP = &OCSPClient{URL: responder.URL, Now: e.clock.Now} })
	e.ok(e.signer(0, good), attempt{})
	st, b := e.signIn(e.signer(1, bad), attempt{})
	wantCode(t, st, b, 401, api.CodeRevoked)

	// The responder down: require refuses; with a CRL it falls back.
	responder.Close()
	st, b = e.signIn(e.signer(0, good), attempt{})
	wantCode(t, st, b, 503, api.CodeRevocationUnknown)
	der, _ := e.pki.CRL(e.clock.Now().Add(-time.Minute))
	crl, _ := ParseCRL(der)
	e.tune(func(v *eds.Verifier) { v.CRLs = []*x509.RevocationList{crl} })
	e.ok(e.signer(0, good), attempt{})
}

func TestRateLimitPerAddress(t *testing.T) {
	e := newEnv(t, nil)
	c := e.cert(0, pNotary, "AUTH", t0.AddDate(0, -1, 0))
	e.addAccount(NewAccount{IIN: pNotary.IIN, FullName: "Нұрланова Айгүл", Kind: api.KindUNIS, Cert: c})
	s := e.signer(0, c)
	bad := e.clientFrom("127.0.0.7")
	for i := range DefaultMaxFailures {
		st, b := e.signIn(s, attempt{client: bad, mutate: func(r *api.SignInRequest) { r.ChallengeID = "x" + string(rune('a'+i)) }})
		wantCode(t, st, b, 401, api.CodeNonceUnknown)
	}
	st, b := e.do(bad, "POST", "/v1/auth/challenge", "", nil)
	er := wantCode(t, st, b, 429, api.CodeRateLimited)
	if er.RetryAfterSeconds != int(DefaultLockDuration/time.Second) {
		t.Fatalf("retry after %d", er.RetryAfterSeconds)
	}
	// Other addresses, and the same account from them, are not affected.
	e.ok(s, attempt{})
	e.clock.Add(DefaultLockDuration)
	e.ok(s, attempt{client: bad})
}

func TestRateLimitPerAccount(t *testing.T) {
	e := newEnv(t, nil)
	c := e.cert(0, pRER, "AUTH", t0.AddDate(0, -1, 0))
	e.addAccount(NewAccount{IIN: pRER.IIN, FullName: "Сейітова Дана", Kind: api.KindRER, Login: "dana.s",
		Password: []byte(rerPassword), BoundIP: "127.0.0.1", Cert: c})
	s := e.signer(0, c)
	// Five wrong passwords, each from its own address.
	for i := range DefaultMaxFailures {
		cl := e.clientFrom("127.0.0." + string(rune('2'+i)))
		st, b := e.signIn(s, attempt{client: cl, login: "dana.s", password: "guess" + string(rune('0'+i))})
		wantCode(t, st, b, 401, api.CodeWrongPassword)
	}
	st, b := e.signIn(s, attempt{login: "dana.s", password: rerPassword})
	wantCode(t, st, b, 429, api.CodeRateLimited)
	if e.srv.byIP.blocked("127.0.0.2", e.clock.Now()) != 0 {
		t.Fatal("one failure locked an address")
	}
	// Another account from the same address signs in.
	n := e.cert(1, pNotary, "AUTH", t0.AddDate(0, -1, 0))
	e.addAccount(NewAccount{IIN: pNotary.IIN, FullName: "Нұрланова Айгүл", Kind: api.KindUNIS, Cert: n})
	e.ok(e.signer(1, n), attempt{})
	e.clock.Add(DefaultLockDuration + time.Second)
	e.ok(s, attempt{login: "dana.s", password: rerPassword})
}

func TestSessionTimeouts(t *testing.T) {
	e := newEnv(t, func(c *Config, _ *eds.Verifier) {
		c.SessionIdleTimeout = 10 * time.Minute
		c.SessionMaxAge = time.Hour
	})
	c := e.cert(0, pNotary, "AUTH", t0.AddDate(0, -1, 0))
	e.addAccount(NewAccount{IIN: pNotary.IIN, FullName: "Нұрланова Айгүл", Kind: api.KindUNIS, Cert: c})
	s := e.signer(0, c)

	// Idle: each request pushes the idle end; 10 quiet minutes end it.
	r := e.ok(s, attempt{})
	if r.IdleTimeoutSeconds != 600 {
		t.Fatal(r.IdleTimeoutSeconds)
	}
	for range 3 {
		e.clock.Add(9 * time.Minute)
		if st, b := e.do(nil, "GET", "/v1/me", r.Token, nil); st != 200 {
			t.Fatalf("%d %s", st, b)
		}
	}
	e.clock.Add(10 * time.Minute)
	st, b := e.do(nil, "GET", "/v1/me", r.Token, nil)
	wantCode(t, st, b, 401, api.CodeUnauthorized)

	// Absolute: active all along, it still ends after an hour.
	r = e.ok(s, attempt{})
	for range 6 {
		e.clock.Add(9*time.Minute + 59*time.Second)
		if st, b := e.do(nil, "GET", "/v1/me", r.Token, nil); st != 200 {
			t.Fatalf("%d %s", st, b)
		}
	}
	e.clock.Add(6 * time.Second) // 60 min 0 s after sign-in
	st, b = e.do(nil, "GET", "/v1/me", r.Token, nil)
	wantCode(t, st, b, 401, api.CodeUnauthorized)

	// Prune removes ended sessions from the store.
	r = e.ok(s, attempt{})
	e.clock.Add(11 * time.Minute)
	e.srv.Prune()
	if _, err := e.store.Session(tokenHash(r.Token)); err != ErrNotFound {
		t.Fatalf("ended session still stored: %v", err)
	}
}

func TestBodyLimits(t *testing.T) {
	e := newEnv(t, nil)
	big := api.SignInRequest{ChallengeID: "x", CMS: strings.Repeat("A", MaxBodyBytes)}
	st, b := e.do(nil, "POST", "/v1/auth/signin", "", big)
	wantCode(t, st, b, 413, api.CodeBadRequest)
	st, b = e.do(nil, "POST", "/v1/auth/signin", "", map[string]any{"challengeId": "x", "cms": "A", "admin": true})
	wantCode(t, st, b, 400, api.CodeBadRequest)
}

// TestRevocationOutageDoesNotLock: revocation_unknown is the server's
// trouble, not the user's failure.
func TestRevocationOutageDoesNotLock(t *testing.T) {
	e := newEnv(t, func(c *Config, v *eds.Verifier) { v.Policy = eds.RevocationRequire })
	c := e.cert(0, pNotary, "AUTH", t0.AddDate(0, -1, 0))
	e.addAccount(NewAccount{IIN: pNotary.IIN, FullName: "Нұрланова Айгүл", Kind: api.KindUNIS, Cert: c})
	s := e.signer(0, c)
	for range DefaultMaxFailures + 2 {
		st, b := e.signIn(s, attempt{})
		wantCode(t, st, b, 503, api.CodeRevocationUnknown)
	}
	der, _ := e.pki.CRL(t0.Add(-time.Minute))
	crl, _ := ParseCRL(der)
	e.tune(func(v *eds.Verifier) { v.CRLs = []*x509.RevocationList{crl} })
	e.ok(s, attempt{})
}

func mustB64(s string) []byte {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// TestEDSYearRuleIsUNISOnly: an RER SDB account with an EDS registered more
// than a year ago is not blocked by UNIS rule 12.
func TestEDSYearRuleIsUNISOnly(t *testing.T) {
	e := newEnv(t, nil)
	old := e.cert(0, pRER, "AUTH", t0.AddDate(-1, -1, 0))
	c, err := e.pki.IssueFor(e.keys[0], pRER, "AUTH", t0.AddDate(-1, -1, 0), t0.AddDate(1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	e.addAccount(NewAccount{IIN: pRER.IIN, FullName: "Сейітова Дана", Kind: api.KindRER, Login: "dana.s",
		Password: []byte(rerPassword), BoundIP: "127.0.0.1", Cert: old})
	r := e.ok(e.signer(0, c), attempt{login: "dana.s", password: rerPassword})
	if r.Account.Status != api.StatusActive || len(r.Warnings) != 0 || r.Account.EDSYearEndsAt != nil {
		t.Fatalf("%+v", r)
	}
}
