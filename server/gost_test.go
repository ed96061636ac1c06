package server

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/base64"
	"log/slog"
	"math/big"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"

	"kense/api"
	"kense/eds"
	"kense/eds/edstest"
)

// gostEnv is a real kense-server on 127.0.0.1 (bbolt in t.TempDir())
// trusting NCA's GOST-2015 test CA and its GOST-signed CRL, with the clock
// inside the test GOST certificate's validity and an account for its IIN.
// wrap, when not nil, wraps the verifier the server calls.
func gostEnv(t *testing.T, nca string, wrap func(SignatureVerifier) SignatureVerifier) *env {
	t.Helper()
	anchors, err := LoadCertificates([]string{filepath.Join(nca, "ca", "nca_gost2015_test.cer")})
	if err != nil {
		t.Fatal(err)
	}
	crls, err := LoadCRLs(context.Background(), []string{filepath.Join(nca, "crl", "nca_gost2022_test.crl")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, clock: &testClock{t: time.Date(2023, 1, 10, 6, 0, 0, 0, time.UTC)}, logs: &syncBuffer{}}
	if e.store, err = OpenBolt(t.TempDir()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.store.Close() })
	e.ver = &eds.Verifier{Anchors: anchors, CRLs: crls, Policy: eds.RevocationRequire, Now: e.clock.Now}
	e.rv = NewReloadingVerifier(e.ver, nil, nil)
	var ver SignatureVerifier = e.rv
	if wrap != nil {
		ver = wrap(ver)
	}
	e.srv, err = New(Config{Store: e.store, Verifier: ver, Now: e.clock.Now, MaxFailures: -1,
		Logger: slog.New(slog.NewJSONHandler(e.logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	e.hs = httptest.NewServer(e.srv.Handler())
	t.Cleanup(e.hs.Close)
	e.client = e.hs.Client()
	// NCA's test IIN fails the check digit, as in TestRealNCAKeys: stored directly.
	if err := e.store.CreateAccount(&Account{IIN: "123456789012", FullName: "ТЕСТТОВ ТЕСТТ", Kind: api.KindUNIS, Status: api.StatusActive}); err != nil {
		t.Fatal(err)
	}
	return e
}

func gostNCASigner(t *testing.T, nca string) eds.Signer {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(nca, "keys", "individual_gost2015_sign_valid.p12"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := eds.ReadPKCS12(data, []byte("Aa123456"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := c.Keys[0].Signer()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// flipSignature changes one byte of the CMS signature in a sign-in request.
func flipSignature(t *testing.T) func(*api.SignInRequest) {
	return func(req *api.SignInRequest) {
		cms, err := base64.StdEncoding.DecodeString(req.CMS)
		if err != nil {
			t.Fatal(err)
		}
		sd, err := eds.ParseCMS(cms)
		if err != nil {
			t.Fatal(err)
		}
		i := bytes.Index(cms, sd.Signers[0].Signature)
		if i < 0 {
			t.Fatal("signature not found")
		}
		cms[i+64] ^= 0x20
		req.CMS = base64.StdEncoding.EncodeToString(cms)
	}
}

// TestGOSTSignIn: kense-server verifies the NCA test GOST-2015 key's
// signature over its challenge. Sign-in requires an AUTH key and NCA's test
// GOST key is a SIGN key, so the right answer is wrong_key_usage, which eds
// gives only after the GOST signature, the GOST chain to NCA's GOST CA and
// validity have passed (the other refusals below show each of those steps
// is really checked).
func TestGOSTSignIn(t *testing.T) {
	nca := ncaDir(t)
	e := gostEnv(t, nca, nil)
	s := gostNCASigner(t, nca)

	st, b := e.signIn(s, attempt{})
	wantCode(t, st, b, 401, api.CodeWrongKeyUsage)
	st, b = e.signIn(s, attempt{detached: true})
	wantCode(t, st, b, 401, api.CodeWrongKeyUsage)

	st, b = e.signIn(s, attempt{mutate: flipSignature(t)})
	wantCode(t, st, b, 401, api.CodeBadSignature)
	st, b = e.signIn(s, attempt{data: []byte("not the server's nonce")})
	wantCode(t, st, b, 401, api.CodeBadSignature)

	e.clock.Set(time.Date(2024, 1, 10, 6, 0, 0, 0, time.UTC))
	st, b = e.signIn(s, attempt{})
	wantCode(t, st, b, 401, api.CodeExpired)
	e.clock.Set(time.Date(2023, 1, 10, 6, 0, 0, 0, time.UTC))

	// Trusting the RSA CA instead: the GOST chain is refused.
	rsaCA, err := LoadCertificates([]string{filepath.Join(nca, "ca", "nca_rsa_test.crt")})
	if err != nil {
		t.Fatal(err)
	}
	e.tune(func(v *eds.Verifier) { v.Anchors = rsaCA })
	st, b = e.signIn(s, attempt{})
	wantCode(t, st, b, 401, api.CodeUntrusted)
}

// signKeyAccepted is a test-only verifier wrapper: it asks eds for the SIGN
// usage where the server asks for AUTH. kense-server has (rightly) no
// setting for the usage a sign-in requires, and NCA publishes no GOST AUTH
// test key; with this wrapper the rest of the sign-in — GOST signature,
// chain, GOST CRL, account, session — runs to the end with NCA's real key.
// TestGOSTAuthSignIn signs in without it, with a generated GOST AUTH key.
type signKeyAccepted struct{ inner SignatureVerifier }

func (w signKeyAccepted) VerifyCMS(cms, data []byte, requireEKU string) (*Verified, error) {
	if requireEKU == EKUAuth {
		requireEKU = eds.EKUSign
	}
	return w.inner.VerifyCMS(cms, data, requireEKU)
}

// TestGOSTSignInAccepted: with the usage requirement swapped (see
// signKeyAccepted) the NCA GOST key signs in and its certificate is
// registered to the account.
func TestGOSTSignInAccepted(t *testing.T) {
	nca := ncaDir(t)
	e := gostEnv(t, nca, func(v SignatureVerifier) SignatureVerifier { return signKeyAccepted{v} })
	s := gostNCASigner(t, nca)

	st, b := e.signIn(s, attempt{mutate: flipSignature(t)})
	wantCode(t, st, b, 401, api.CodeBadSignature)

	r := e.ok(s, attempt{})
	if r.Account.IIN != "123456789012" || len(r.Account.Certificates) != 1 || // The server writes the serial without its leading zero digit.
		strings.TrimLeft(r.Account.Certificates[0].Serial, "0") != "FF06211DC82BEB00253FFA000F1DE84ABEF454F" {
		t.Fatalf("%+v", r.Account)
	}
	st, b = e.do(nil, "GET", api.PathMe, r.Token, nil)
	if st != 200 || !bytes.Contains(b, []byte("123456789012")) {
		t.Fatalf("me: %d %s", st, b)
	}
	// Without a CRL the "require" policy refuses: revocation is checked
	// with the GOST CRL, not skipped.
	e.tune(func(v *eds.Verifier) { v.CRLs = nil })
	st, b = e.signIn(s, attempt{})
	wantCode(t, st, b, 503, api.CodeRevocationUnknown)
}

// gostAuthSigner issues a GOST-2015 AUTH key from the demo PKI's GOST CA
// and signs with it through NCA's key file form (encode, read back).
func gostAuthSigner(t *testing.T, pki *DemoPKI, who DemoPerson, nb time.Time) (eds.Signer, *x509.Certificate) {
	t.Helper()
	k, c, err := pki.IssueGOST(who, "AUTH", nb, nb.AddDate(1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	p12, err := pki.GOSTKeyFile(k, c, "Aa123456")
	if err != nil {
		t.Fatal(err)
	}
	ct, err := eds.ReadPKCS12(p12, []byte("Aa123456"))
	if err != nil {
		t.Fatal(err)
	}
	if ct.Keys[0].Info.Algorithm != "GOST2015-512" || ct.Keys[0].Info.KeyUsage != "AUTH" {
		t.Fatalf("%+v", ct.Keys[0].Info)
	}
	s, err := ct.Keys[0].Signer()
	if err != nil {
		t.Fatal(err)
	}
	return s, c
}

// TestGOSTAuthSignIn: a real kense-server on 127.0.0.1 signs in a GOST-2015
// AUTH key (no test-only wrapper: the server asks for AUTH as always),
// issued by the demo PKI's GOST CA, under the "require" revocation policy:
// first with the GOST CA's GOST-signed CRL, then with no CRL and a
// GOST-signed OCSP responder (CA-signed and delegated). A changed
// signature byte, a revoked key, a CA that is not trusted and a responder
// that is down are refused.
func TestGOSTAuthSignIn(t *testing.T) {
	e := newEnv(t, func(c *Config, v *eds.Verifier) { v.Policy = eds.RevocationRequire })
	pki := e.pki
	nb := t0.AddDate(0, -1, 0)
	s, cert := gostAuthSigner(t, pki, pNotary, nb)
	bad, badCert := gostAuthSigner(t, pki, pNotary, nb)
	e.addAccount(NewAccount{IIN: pNotary.IIN, FullName: "Нұрланова Айгүл", Kind: api.KindUNIS, Cert: cert})

	// Not trusted yet: only the RSA root is an anchor.
	st, b := e.signIn(s, attempt{})
	wantCode(t, st, b, 401, api.CodeUntrusted)

	crlDER, err := pki.GOSTCRL(e.clock.Now().Add(-time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	crl, err := ParseCRL(crlDER)
	if err != nil {
		t.Fatal(err)
	}
	e.tune(func(v *eds.Verifier) {
		v.Anchors = append(v.Anchors, pki.GOSTCA)
		v.CRLs = []*x509.RevocationList{crl}
	})
	r := e.ok(s, attempt{})
	if r.Account.IIN != pNotary.IIN || r.Token == "" {
		t.Fatalf("%+v", r.Account)
	}
	if st, b := e.do(nil, "GET", api.PathMe, r.Token, nil); st != 200 || !bytes.Contains(b, []byte(pNotary.IIN)) {
		t.Fatalf("me: %d %s", st, b)
	}
	e.ok(s, attempt{detached: true})
	st, b = e.signIn(s, attempt{mutate: flipSignature(t)})
	wantCode(t, st, b, 401, api.CodeBadSignature)
	st, b = e.signIn(s, attempt{data: []byte("not the server's nonce")})
	wantCode(t, st, b, 401, api.CodeBadSignature)

	// Revoked in the GOST CRL.
	p := *pki
	p.Revoke(badCert, e.clock.Now().Add(-time.Hour))
	if len(p.GOSTRevoked) != 1 || len(p.Revoked) != 0 {
		t.Fatal("the GOST certificate went to the RSA CA's CRL")
	}
	crlDER, _ = p.GOSTCRL(e.clock.Now().Add(-time.Minute))
	crl, _ = ParseCRL(crlDER)
	e.tune(func(v *eds.Verifier) { v.CRLs = []*x509.RevocationList{crl} })
	st, b = e.signIn(bad, attempt{})
	wantCode(t, st, b, 401, api.CodeRevoked)
	e.ok(s, attempt{})

	// No CRL: a GOST-signed OCSP answer decides ("require" refuses without one).
	e.tune(func(v *eds.Verifier) { v.CRLs = nil })
	st, b = e.signIn(s, attempt{})
	wantCode(t, st, b, 503, api.CodeRevocationUnknown)
	ca := &edstest.GOSTCA{Cert: pki.GOSTCA, Key: pki.GOSTCAKey()}
	answer := func(serial *big.Int) int {
		if serial.Cmp(badCert.SerialNumber) == 0 {
			return ocsp.Revoked
		}
		return ocsp.Good
	}
	respCert, respKey := ca.IssueResponder(t, nb, t0.AddDate(1, 0, 0))
	for _, by := range []edstest.GOSTResponder{{}, {Cert: respCert, Key: respKey}} {
		responder := ca.OCSPResponder(t, by, e.clock.Now().Add(-time.Minute), answer)
		e.tune(func(v *eds.Verifier) { v.OCSP = &OCSPClient{URL: responder.URL, Now: e.clock.Now} })
		e.ok(s, attempt{})
		st, b = e.signIn(bad, attempt{})
		wantCode(t, st, b, 401, api.CodeRevoked)
		st, b = e.signIn(s, attempt{mutate: flipSignature(t)})
		wantCode(t, st, b, 401, api.CodeBadSignature)
		responder.Close()
		st, b = e.signIn(s, attempt{})
		wantCode(t, st, b, 503, api.CodeRevocationUnknown)
	}
	// An answer signed by another GOST key is no answer.
	forger := edstest.NewGOSTCA(t, pki.GOSTCA.Subject.CommonName, nb, t0.AddDate(1, 0, 0))
	fake := &edstest.GOSTCA{Cert: pki.GOSTCA, Key: forger.Key}
	responder := fake.OCSPResponder(t, edstest.GOSTResponder{}, e.clock.Now().Add(-time.Minute), answer)
	e.tune(func(v *eds.Verifier) { v.OCSP = &OCSPClient{URL: responder.URL, Now: e.clock.Now} })
	st, b = e.signIn(s, attempt{})
	wantCode(t, st, b, 503, api.CodeRevocationUnknown)
}
