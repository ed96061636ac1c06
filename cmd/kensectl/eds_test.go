package main

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"

	"kense/eds"
	"kense/eds/edstest"
	"kense/i18n"
)

func edsNCADir(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for dir != filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			d := filepath.Join(dir, "..", "shared", "testdata", "nca")
			if _, err := os.Stat(d); err != nil {
				t.Skip("NCA test data absent")
			}
			return d
		}
		dir = filepath.Dir(dir)
	}
	t.Skip("module root not found")
	return ""
}

func edsRun(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	rc := run(args, &out, &errb)
	return rc, out.String(), errb.String()
}

func TestKeyinfo(t *testing.T) {
	nca := edsNCADir(t)
	i18n.SetLang(i18n.EN)
	t.Setenv("KENSE_KEY_PASSWORD", "Qwerty12")
	rc, out, errs := edsRun(t, "keyinfo", filepath.Join(nca, "keys", "individual_rsa_sign_valid.p12"))
	if rc != 0 {
		t.Fatalf("rc=%d %s", rc, errs)
	}
	var keys []map[string]any
	if err := json.Unmarshal([]byte(out), &keys); err != nil || len(keys) != 1 {
		t.Fatalf("%v: %s", err, out)
	}
	k := keys[0]
	for key, want := range map[string]string{"iin": "123456789011", "bin": "", "commonName": "ТЕСТОВ ТЕСТ", "keyUsage": "SIGN", "algorithm": "RSA-2048",
		"notBefore": "2021-01-18T13:09:14Z", "notAfter": "2022-01-18T13:09:14Z", "serial": "4279390A141F5353A62947B61ED65E81741467D1"} {
		if got, ok := k[key]; !ok || got != want {
			t.Errorf("%s = %v, want %q", key, got, want)
		}
	}

	// GOST: facts work.
	t.Setenv("KENSE_KEY_PASSWORD", "Aa123456")
	rc, out, errs = edsRun(t, "keyinfo", filepath.Join(nca, "keys", "individual_gost2015_sign_valid.p12"))
	if rc != 0 || !strings.Contains(out, `"algorithm": "GOST2015-512"`) || !strings.Contains(out, `"iin": "123456789012"`) {
		t.Errorf("GOST keyinfo rc=%d %s %s", rc, out, errs)
	}

	// Password from stdin when the variable is unset (a pipe, not a terminal).
	os.Unsetenv("KENSE_KEY_PASSWORD")
	old := edsStdin
	t.Cleanup(func() { edsStdin = old })
	edsStdin = strings.NewReader("Qwerty12\r\nmore")
	if rc, out, errs = edsRun(t, "keyinfo", filepath.Join(nca, "keys", "individual_rsa_auth_revoked.p12")); rc != 0 || !strings.Contains(out, `"keyUsage": "AUTH"`) {
		t.Errorf("stdin password rc=%d %s %s", rc, out, errs)
	}
	edsStdin = strings.NewReader("wrong\n")
	if rc, _, errs = edsRun(t, "keyinfo", filepath.Join(nca, "keys", "individual_rsa_auth_revoked.p12")); rc != 1 || !strings.Contains(errs, "Wrong password") {
		t.Errorf("wrong password rc=%d %s", rc, errs)
	}
	edsStdin = strings.NewReader("")
	if rc, _, errs = edsRun(t, "keyinfo", filepath.Join(nca, "keys", "individual_rsa_auth_revoked.p12")); rc != 1 || !strings.Contains(errs, "KENSE_KEY_PASSWORD") {
		t.Errorf("no password rc=%d %s", rc, errs)
	}
	if rc, _, _ = edsRun(t, "keyinfo"); rc != 2 {
		t.Errorf("no file: rc=%d", rc)
	}
	if rc, _, errs = edsRun(t, "keyinfo", filepath.Join(t.TempDir(), "missing.p12")); rc != 1 || !strings.Contains(errs, "Cannot read") {
		t.Errorf("missing file rc=%d %s", rc, errs)
	}
}

type edsVerifyOut struct {
	Valid      bool   `json:"valid"`
	Code       string `json:"code"`
	Message    string `json:"message"`
	Revocation string `json:"revocation"`
	Source     string `json:"source"`
	Signer     *struct {
		IIN      string `json:"iin"`
		KeyUsage string `json:"keyUsage"`
	} `json:"signer"`
}

func edsVerify(t *testing.T, args ...string) (int, edsVerifyOut) {
	t.Helper()
	rc, out, errs := edsRun(t, append([]string{"verify"}, args...)...)
	var v edsVerifyOut
	if rc < 2 {
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			t.Fatalf("rc=%d %v: %s %s", rc, err, out, errs)
		}
	}
	return rc, v
}

func TestSignVerify(t *testing.T) {
	nca := edsNCADir(t)
	i18n.SetLang(i18n.EN)
	dir := t.TempDir()
	data := filepath.Join(dir, "data.txt")
	if err := os.WriteFile(data, []byte("Application No. 17, Астана"), 0o644); err != nil {
		t.Fatal(err)
	}
	tampered := filepath.Join(dir, "tampered.txt")
	os.WriteFile(tampered, []byte("Application No. 18, Астана"), 0o644)
	trust := filepath.Join(nca, "ca")
	crl := filepath.Join(nca, "crl", "nca_rsa_test.crl")

	t.Setenv("KENSE_KEY_PASSWORD", "Qwerty12")
	attached := filepath.Join(dir, "sign.cms")
	if rc, _, errs := edsRun(t, "sign", filepath.Join(nca, "keys", "individual_rsa_sign_valid.p12"), "-in", data, "-o", attached); rc != 0 || !strings.Contains(errs, "123456789011") {
		t.Fatalf("sign rc=%d %s", rc, errs)
	}
	detached := filepath.Join(dir, "auth.cms")
	if rc, _, errs := edsRun(t, "sign", filepath.Join(nca, "keys", "individual_rsa_auth_revoked.p12"), "-in", data, "-o", detached, "-detached"); rc != 0 {
		t.Fatalf("sign rc=%d %s", rc, errs)
	}

	rc, v := edsVerify(t, attached, "-trust", trust, "-crl", crl, "-at", "2021-06-01T12:00:00Z", "-revocation", "require")
	if rc != 0 || !v.Valid || v.Revocation != "good" || v.Source != "crl" || v.Signer == nil || v.Signer.IIN != "123456789011" {
		t.Errorf("valid signature: rc=%d %+v", rc, v)
	}
	rc, v = edsVerify(t, detached, "-data", data, "-trust", trust, "-crl", crl, "-at", "2022-06-01T12:00:00Z", "-eku", "auth")
	if rc != 1 || v.Valid || v.Code != "revoked" || v.Signer == nil || v.Signer.KeyUsage != "AUTH" {
		t.Errorf("revoked: rc=%d %+v", rc, v)
	}
	rc, v = edsVerify(t, attached, "-trust", trust, "-at", "2025-01-01T00:00:00Z")
	if rc != 1 || v.Code != "expired" || !strings.Contains(v.Message, "expired") {
		t.Errorf("expired: rc=%d %+v", rc, v)
	}
	rc, v = edsVerify(t, detached, "-data", tampered, "-trust", trust, "-at", "2022-01-18T04:40:00Z")
	if rc != 1 || v.Code != "bad_signature" {
		t.Errorf("tampered: rc=%d %+v", rc, v)
	}
	rc, v = edsVerify(t, attached, "-trust", trust, "-at", "2021-06-01T12:00:00Z", "-eku", "auth", "-revocation", "off")
	if rc != 1 || v.Code != "wrong_key_usage" || !strings.Contains(v.Message, "AUTHENTICATION") {
		t.Errorf("sign key for auth: rc=%d %+v", rc, v)
	}
	// Trust only the GOST CA: untrusted.
	gostOnly := t.TempDir()
	b, _ := os.ReadFile(filepath.Join(nca, "ca", "nca_gost2015_test.cer"))
	os.WriteFile(filepath.Join(gostOnly, "gost.cer"), b, 0o644)
	rc, v = edsVerify(t, attached, "-trust", gostOnly, "-at", "2021-06-01T12:00:00Z")
	if rc != 1 || v.Code != "untrusted" {
		t.Errorf("untrusted: rc=%d %+v", rc, v)
	}
	// Problems with the command itself: exit 2.
	for _, args := range [][]string{
		{"verify", attached},
		{"verify", attached, "-trust", trust, "-at", "yesterday"},
		{"verify", attached, "-trust", trust, "-eku", "both"},
		{"verify", attached, "-trust", trust, "-revocation", "maybe"},
		{"verify", attached, "-trust", t.TempDir()},
		{"sign", filepath.Join(nca, "keys", "individual_rsa_sign_valid.p12"), "-in", data},
	} {
		if rc, _, errs := edsRun(t, args...); rc != 2 || errs == "" {
			t.Errorf("%v: rc=%d %q", args, rc, errs)
		}
	}

	// GOST keys sign as well (gost_test.go verifies them).
	t.Setenv("KENSE_KEY_PASSWORD", "Aa123456")
	rc, _, errs := edsRun(t, "sign", filepath.Join(nca, "keys", "individual_gost2015_sign_valid.p12"), "-in", data, "-o", filepath.Join(dir, "g.cms"))
	if rc != 0 || !strings.Contains(errs, "123456789012") {
		t.Errorf("GOST sign: rc=%d %s", rc, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "g.cms")); err != nil {
		t.Error("GOST sign wrote no file")
	}
}

// A key made by EncodePKCS12 signs through kensectl, and verify asks an OCSP
// responder on 127.0.0.1.
func TestSignVerifyGeneratedWithOCSP(t *testing.T) {
	i18n.SetLang(i18n.EN)
	now := time.Now()
	ca := edstest.NewCA(t, "KENSE DEMO CA", 0, now.Add(-time.Hour), now.AddDate(1, 0, 0))
	leaf, key := ca.Issue(t, edstest.Person{IIN: "900202400456", Surname: "ОМАРОВА", Name: "ДИНА", Patronymic: "ЕРЛАНҚЫЗЫ", EKU: eds.EKUAuth,
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0), KeyIndex: 1})
	p12, err := eds.EncodePKCS12(key, leaf, []*x509.Certificate{ca.Cert}, []byte("demo-пароль"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	trust := filepath.Join(dir, "trust")
	os.Mkdir(trust, 0o755)
	os.WriteFile(filepath.Join(trust, "ca.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Cert.Raw}), 0o644)
	keyFile := filepath.Join(dir, "AUTH_RSA256_demo.p12")
	os.WriteFile(keyFile, p12, 0o600)
	data := filepath.Join(dir, "nonce")
	os.WriteFile(data, []byte("nonce-1"), 0o644)
	sig := filepath.Join(dir, "nonce.cms")
	t.Setenv("KENSE_KEY_PASSWORD", "demo-пароль")
	if rc, _, errs := edsRun(t, "sign", keyFile, "-in", data, "-o", sig, "-detached"); rc != 0 {
		t.Fatalf("sign rc=%d %s", rc, errs)
	}
	var revoked atomic.Bool
	srv := ca.OCSPResponder(t, now.Add(-time.Minute), func(*big.Int) int {
		if revoked.Load() {
			return ocsp.Revoked
		}
		return ocsp.Good
	})
	rc, v := edsVerify(t, sig, "-data", data, "-trust", trust, "-ocsp", srv.URL, "-revocation", "require", "-eku", "auth")
	if rc != 0 || !v.Valid || v.Revocation != "good" || v.Source != "ocsp" || v.Signer.IIN != "900202400456" {
		t.Errorf("good: rc=%d %+v", rc, v)
	}
	revoked.Store(true)
	rc, v = edsVerify(t, sig, "-data", data, "-trust", trust, "-ocsp", srv.URL, "-eku", "auth")
	if rc != 1 || v.Code != "revoked" {
		t.Errorf("revoked: rc=%d %+v", rc, v)
	}
	// Nobody answers and no CRL: require refuses, prefer reports unknown.
	rc, v = edsVerify(t, sig, "-data", data, "-trust", trust, "-ocsp", "http://127.0.0.1:1/", "-revocation", "require")
	if rc != 1 || v.Code != "revocation_unknown" {
		t.Errorf("no answer, require: rc=%d %+v", rc, v)
	}
	rc, v = edsVerify(t, sig, "-data", data, "-trust", trust, "-ocsp", "http://127.0.0.1:1/")
	if rc != 0 || v.Revocation != "unknown" {
		t.Errorf("no answer, prefer: rc=%d %+v", rc, v)
	}
}
