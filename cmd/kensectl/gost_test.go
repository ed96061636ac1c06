package main

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
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
	"kense/i18n"
	"kense/server"
)

// gostTrust is a trust folder holding only NCA's GOST-2015 test CA.
func gostTrust(t *testing.T, nca string) string {
	t.Helper()
	dir := t.TempDir()
	b, err := os.ReadFile(filepath.Join(nca, "ca", "nca_gost2015_test.cer"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "gost2015.cer"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestGOSTKeyinfoSignVerify: keyinfo, sign and verify with NCA's test
// GOST-2015 key, as with RSA keys.
func TestGOSTKeyinfoSignVerify(t *testing.T) {
	nca := edsNCADir(t)
	i18n.SetLang(i18n.EN)
	key := filepath.Join(nca, "keys", "individual_gost2015_sign_valid.p12")
	crl := filepath.Join(nca, "crl", "nca_gost2022_test.crl")
	trust := gostTrust(t, nca)
	t.Setenv("KENSE_KEY_PASSWORD", "Aa123456")

	rc, out, errs := edsRun(t, "keyinfo", key)
	if rc != 0 {
		t.Fatalf("keyinfo rc=%d %s", rc, errs)
	}
	var keys []eds.KeyInfo
	if err := json.Unmarshal([]byte(out), &keys); err != nil || len(keys) != 1 {
		t.Fatalf("%v: %s", err, out)
	}
	if k := keys[0]; k.Algorithm != "GOST2015-512" || k.IIN != "123456789012" || k.KeyUsage != "SIGN" || k.Serial != "0FF06211DC82BEB00253FFA000F1DE84ABEF454F" {
		t.Errorf("keyinfo %+v", k)
	}

	dir := t.TempDir()
	data := filepath.Join(dir, "data.txt")
	os.WriteFile(data, []byte("Өтініш № 17, Астана"), 0o644)
	tampered := filepath.Join(dir, "tampered.txt")
	os.WriteFile(tampered, []byte("Өтініш № 18, Астана"), 0o644)
	attached, detached := filepath.Join(dir, "a.cms"), filepath.Join(dir, "d.cms")
	if rc, _, errs := edsRun(t, "sign", key, "-in", data, "-o", attached); rc != 0 || !strings.Contains(errs, "123456789012") {
		t.Fatalf("sign rc=%d %s", rc, errs)
	}
	if rc, _, errs := edsRun(t, "sign", "-detached", key, "-in", data, "-o", detached); rc != 0 {
		t.Fatalf("sign -detached rc=%d %s", rc, errs)
	}
	cms, err := os.ReadFile(attached)
	if err != nil {
		t.Fatal(err)
	}
	sd, err := eds.ParseCMS(cms)
	if err != nil || sd.Signers[0].SignatureAlgorithm.String() != "1.2.398.3.10.1.1.2.3.2" || sd.Signers[0].DigestAlgorithm.String() != "1.2.398.3.10.1.3.3" {
		t.Fatalf("not a GOST CMS: %v", err)
	}
	// A changed signature byte.
	flipped := filepath.Join(dir, "flipped.cms")
	bad := bytes.Clone(cms)
	bad[bytes.Index(cms, sd.Signers[0].Signature)+40] ^= 0x08
	os.WriteFile(flipped, bad, 0o644)

	at := "2023-01-01T00:00:00Z"
	rc, v := edsVerify(t, attached, "-trust", trust, "-crl", crl, "-at", at, "-revocation", "require")
	if rc != 0 || !v.Valid || v.Revocation != "good" || v.Source != "crl" || v.Signer == nil || v.Signer.IIN != "123456789012" {
		t.Errorf("attached: rc=%d %+v", rc, v)
	}
	rc, v = edsVerify(t, detached, "-data", data, "-trust", trust, "-crl", crl, "-at", at, "-eku", "sign")
	if rc != 0 || !v.Valid || v.Revocation != "good" {
		t.Errorf("detached: rc=%d %+v", rc, v)
	}
	for _, tc := range []struct {
		name string
		args []string
		code string
	}{
		{"tampered data", []string{detached, "-data", tampered, "-trust", trust, "-crl", crl, "-at", at}, "bad_signature"},
		{"tampered signature", []string{flipped, "-trust", trust, "-crl", crl, "-at", at}, "bad_signature"},
		{"expired", []string{attached, "-trust", trust, "-crl", crl, "-at", "2024-01-01T00:00:00Z"}, "expired"},
		{"sign key for auth", []string{attached, "-trust", trust, "-crl", crl, "-at", at, "-eku", "auth"}, "wrong_key_usage"},
	} {
		rc, v := edsVerify(t, tc.args...)
		if rc != 1 || v.Valid || v.Code != tc.code || v.Signer == nil || v.Signer.IIN != "123456789012" {
			t.Errorf("%s: rc=%d %+v", tc.name, rc, v)
		}
	}
	rsaOnly := t.TempDir()
	b, _ := os.ReadFile(filepath.Join(nca, "ca", "nca_rsa_test.crt"))
	os.WriteFile(filepath.Join(rsaOnly, "rsa.crt"), b, 0o644)
	if rc, v := edsVerify(t, attached, "-trust", rsaOnly, "-at", at); rc != 1 || v.Code != "untrusted" {
		t.Errorf("RSA CA only: rc=%d %+v", rc, v)
	}
}

// TestGOSTSignin: `kensectl signin` with the GOST key against a real
// kense-server trusting NCA's GOST CA. NCA's test GOST key is a SIGN key, so
// kensectl refuses it for sign-in with the "pick the AUTH key" message
// before anything is signed (the server's own GOST check of a sign-in is in
// server/gost_test.go; TestGOSTAuthSigninOCSP and TestSignin's "gost" sign
// in with generated GOST AUTH keys).
func TestGOSTSignin(t *testing.T) {
	nca := edsNCADir(t)
	prev := i18n.Current()
	i18n.SetLang(i18n.EN)
	t.Cleanup(func() { i18n.SetLang(prev) })
	st, err := server.OpenBolt(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	anchors, err := server.LoadCertificates([]string{filepath.Join(nca, "ca", "nca_gost2015_test.cer")})
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC) }
	v := &eds.Verifier{Anchors: anchors, Policy: eds.RevocationOff, Now: now}
	srv, err := server.New(server.Config{Store: st, Verifier: server.EDSVerifier{V: v}, Now: now, MaxFailures: -1})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	t.Setenv("KENSE_KEY_PASSWORD", "Aa123456")
	t.Setenv("KENSE_PASSWORD", "")
	var out, errb bytes.Buffer
	rc := run([]string{"signin", "-server", hs.URL, filepath.Join(nca, "keys", "individual_gost2015_sign_valid.p12")}, &out, &errb)
	want := (&eds.Error{Code: eds.CodeWrongKeyUsage, Want: "AUTH"}).Message(i18n.EN)
	if rc != 1 || !strings.Contains(errb.String(), want) || out.Len() != 0 {
		t.Errorf("rc=%d stdout=%q stderr=%q", rc, out.String(), errb.String())
	}
}

// TestGOSTAuthSigninOCSP: a GOST-2015 AUTH key from a generated GOST CA, in
// an NCA-form key file, signs in with `kensectl signin` to a real
// kense-server whose revocation policy is "require" with no CRL, so the
// GOST-signed OCSP answer of the CA's delegated responder decides; a key the
// responder calls revoked is refused. `kensectl verify -ocsp` reads the
// same responder.
func TestGOSTAuthSigninOCSP(t *testing.T) {
	prev := i18n.Current()
	i18n.SetLang(i18n.EN)
	t.Cleanup(func() { i18n.SetLang(prev) })
	now := time.Now()
	ca := edstest.NewGOSTCA(t, "TEST ҰКО (GOST)", now.AddDate(-1, 0, 0), now.AddDate(2, 0, 0))
	who := edstest.Person{IIN: "780312450016", Surname: "НҰРЛАНОВА", Name: "АЙГҮЛ", Patronymic: "СЕРІКҚЫЗЫ", EKU: eds.EKUAuth,
		NotBefore: now.AddDate(0, -1, 0), NotAfter: now.AddDate(1, 0, 0)}
	dir := t.TempDir()
	keyFile := func(name string) (string, *big.Int) {
		c, k := ca.Issue(t, who)
		p12, err := eds.EncodeGOSTPKCS12(k, c, []*x509.Certificate{ca.Cert}, []byte("Aa123456"))
		if err != nil {
			t.Fatal(err)
		}
		f := filepath.Join(dir, name)
		if err := os.WriteFile(f, p12, 0o600); err != nil {
			t.Fatal(err)
		}
		return f, c.SerialNumber
	}
	good, _ := keyFile("good_AUTH_GOST.p12")
	revoked, revokedSerial := keyFile("revoked_AUTH_GOST.p12")
	respCert, respKey := ca.IssueResponder(t, now.AddDate(0, -1, 0), now.AddDate(1, 0, 0))
	responder := ca.OCSPResponder(t, edstest.GOSTResponder{Cert: respCert, Key: respKey}, now.Add(-time.Minute), func(s *big.Int) int {
		if s.Cmp(revokedSerial) == 0 {
			return ocsp.Revoked
		}
		return ocsp.Good
	})

	st, err := server.OpenBolt(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := server.CreateAccount(st, server.NewAccount{IIN: who.IIN, FullName: "НҰРЛАНОВА АЙГҮЛ", Kind: api.KindUNIS}, now); err != nil {
		t.Fatal(err)
	}
	v := &eds.Verifier{Anchors: []*x509.Certificate{ca.Cert}, Policy: eds.RevocationRequire,
		OCSP: &server.OCSPClient{URL: responder.URL}}
	srv, err := server.New(server.Config{Store: st, Verifier: server.EDSVerifier{V: v}, MaxFailures: -1})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	t.Setenv("KENSE_KEY_PASSWORD", "Aa123456")
	t.Setenv("KENSE_PASSWORD", "")
	t.Setenv("KENSE_SERVER", "")

	var out, errb bytes.Buffer
	if rc := run([]string{"signin", "-server", hs.URL, good}, &out, &errb); rc != 0 {
		t.Fatalf("rc=%d %s", rc, errb.String())
	}
	var o signinOut
	if err := json.Unmarshal(out.Bytes(), &o); err != nil || o.Account.IIN != who.IIN || o.Key == nil || o.Key.Algorithm != "GOST2015-512" || o.Key.KeyUsage != "AUTH" {
		t.Fatalf("%v %+v", err, o)
	}
	out.Reset()
	errb.Reset()
	rc := run([]string{"signin", "-server", hs.URL, revoked}, &out, &errb)
	want := i18n.T("client.err.revoked")
	if rc != 1 || !strings.Contains(errb.String(), want) || out.Len() != 0 {
		t.Errorf("revoked: rc=%d stdout=%q stderr=%q (want %q)", rc, out.String(), errb.String(), want)
	}

	// kensectl verify asks the same GOST responder.
	trust := t.TempDir()
	os.WriteFile(filepath.Join(trust, "gost_ca.cer"), ca.Cert.Raw, 0o644)
	data := filepath.Join(dir, "data.txt")
	os.WriteFile(data, []byte("Өтініш № 17"), 0o644)
	for _, tc := range []struct {
		key   string
		valid bool
		code  string
	}{{good, true, ""}, {revoked, false, "revoked"}} {
		sig := tc.key + ".cms"
		if rc, _, errs := edsRun(t, "sign", tc.key, "-in", data, "-o", sig); rc != 0 {
			t.Fatalf("sign rc=%d %s", rc, errs)
		}
		rc, v := edsVerify(t, sig, "-trust", trust, "-ocsp", responder.URL, "-revocation", "require")
		if v.Valid != tc.valid || v.Code != tc.code || (tc.valid && (rc != 0 || v.Revocation != "good" || v.Source != "ocsp")) {
			t.Errorf("verify %s: rc=%d %+v", filepath.Base(tc.key), rc, v)
		}
	}
}
