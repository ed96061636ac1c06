package ocsphttp

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"

	"kense/eds"
	"kense/eds/edstest"
)

func ncaDir(t *testing.T) string {
	t.Helper()
	dir, _ := os.Getwd()
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

// The NCA test OCSP service's real answers. The one about the RSA signing
// key is signed by an RSA delegated responder and verifies in full; the
// GOST-2015 one is read here unverified, and verified in
// TestRealNCAGOSTResponse.
func TestRealNCAResponses(t *testing.T) {
	d := ncaDir(t)
	read := func(parts ...string) []byte {
		b, err := os.ReadFile(filepath.Join(append([]string{d}, parts...)...))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	rsaResp := read("ocsp", "ocsp_response_individual_sign_2004.bin")
	gostResp := read("ocsp", "ocsp_response_individual_2015.bin")

	caPEM, _ := pem.Decode(read("ca", "nca_rsa_test.crt"))
	ca, err := x509.ParseCertificate(caPEM.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	p12, err := eds.ReadPKCS12(read("keys", "individual_rsa_sign_valid.p12"), []byte("Qwerty12"))
	if err != nil {
		t.Fatal(err)
	}
	leaf := p12.Keys[0].Cert
	c := &Checker{Now: func() time.Time { return time.Date(2022, 9, 2, 17, 0, 0, 0, time.UTC) }}
	if st, err := c.Status(rsaResp, leaf, ca); err != nil || st != eds.StatusGood {
		t.Errorf("RSA response: %q %v", st, err)
	}
	// The same answer about another certificate, or with another issuer, is refused.
	other, _ := eds.ReadPKCS12(read("keys", "individual_rsa_auth_revoked.p12"), []byte("Qwerty12"))
	if _, err := c.Status(rsaResp, other.Keys[0].Cert, ca); err == nil {
		t.Error("answer about another serial accepted")
	}

	for _, tc := range []struct {
		b      []byte
		status string
		serial string
		alg    string
	}{
		{rsaResp, eds.StatusGood, "4279390A141F5353A62947B61ED65E81741467D1", "1.2.840.113549.1.1.11"},
		{gostResp, eds.StatusRevoked, "FF06211DC82BEB00253FFA000F1DE84ABEF454F", "1.2.398.3.10.1.1.2.3.2"},
	} {
		info, err := ParseUnverified(tc.b)
		if err != nil {
			t.Fatal(err)
		}
		if info.Status != tc.status || info.Serial.Text(16) != strings.ToLower(tc.serial) || info.SignatureAlgorithm != tc.alg || info.ThisUpdate.Year() != 2022 {
			t.Errorf("%+v", info)
		}
	}
}

func TestCheckerAgainstTestResponder(t *testing.T) {
	now := time.Now()
	ca := edstest.NewCA(t, "OCSP TEST CA", 0, now.Add(-time.Hour), now.AddDate(1, 0, 0))
	good, _ := ca.Issue(t, edstest.Person{IIN: "880101300123", Surname: "A", Name: "B", EKU: eds.EKUAuth, NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0), KeyIndex: 1})
	revoked, _ := ca.Issue(t, edstest.Person{IIN: "880101300124", Surname: "A", Name: "C", EKU: eds.EKUAuth, NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0), KeyIndex: 1})
	unknown, _ := ca.Issue(t, edstest.Person{IIN: "880101300125", Surname: "A", Name: "D", EKU: eds.EKUAuth, NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0), KeyIndex: 1})
	flaky, _ := ca.Issue(t, edstest.Person{IIN: "880101300126", Surname: "A", Name: "E", EKU: eds.EKUAuth, NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0), KeyIndex: 1})
	status := map[string]int{good.SerialNumber.String(): ocsp.Good, revoked.SerialNumber.String(): ocsp.Revoked, unknown.SerialNumber.String(): ocsp.Unknown, flaky.SerialNumber.String(): -1}
	srv := ca.OCSPResponder(t, now.Add(-time.Minute), func(s *big.Int) int { return status[s.String()] })
	c := &Checker{URL: srv.URL, Timeout: 5 * time.Second}
	for _, tc := range []struct {
		name string
		cert *x509.Certificate
		want string
		err  bool
	}{
		{"good", good, eds.StatusGood, false},
		{"revoked", revoked, eds.StatusRevoked, false},
		{"unknown", unknown, eds.StatusUnknown, false},
		{"try again", flaky, "", true},
	} {
		got, err := c.Check(tc.cert, ca.Cert)
		if got != tc.want || (err != nil) != tc.err {
			t.Errorf("%s: %q %v", tc.name, got, err)
		}
	}
	if got, err := (&Checker{URL: srv.URL, Hash: crypto.SHA1}).Check(revoked, ca.Cert); got != eds.StatusRevoked || err != nil {
		t.Errorf("SHA-1 CertID: %q %v", got, err)
	}
	// Signed by someone else: refused.
	other := edstest.NewCA(t, "OTHER CA", 2, now.Add(-time.Hour), now.AddDate(1, 0, 0))
	if _, err := c.Check(good, other.Cert); err == nil {
		t.Error("answer about another issuer accepted")
	}
	// Stale answer (the clock is two days ahead).
	stale := &Checker{URL: srv.URL, Now: func() time.Time { return now.Add(48 * time.Hour) }}
	if _, err := stale.Check(good, ca.Cert); err == nil {
		t.Error("stale OCSP answer accepted")
	}
	// Nobody listening.
	down := &Checker{URL: "http://127.0.0.1:1/", Timeout: time.Second}
	if _, err := down.Check(good, ca.Cert); err == nil {
		t.Error("no responder, no error")
	}

	// Through eds.Verifier: OCSP first, CRL when OCSP fails, policy when neither answers.
	crl := ca.CRL(t, []*x509.Certificate{revoked}, now.Add(-time.Hour), now.Add(-time.Minute), now.Add(time.Hour))
	for _, tc := range []struct {
		name   string
		cert   *x509.Certificate
		crls   []*x509.RevocationList
		policy eds.RevocationPolicy
		code   string
		status string
		source string
	}{
		{"ocsp good", good, nil, eds.RevocationRequire, "", eds.StatusGood, "ocsp"},
		{"ocsp revoked", revoked, nil, eds.RevocationPrefer, eds.CodeRevoked, "", ""},
		{"ocsp unknown, crl good", unknown, []*x509.RevocationList{crl}, eds.RevocationRequire, "", eds.StatusGood, "crl"},
		{"ocsp down, crl good", flaky, []*x509.RevocationList{crl}, eds.RevocationRequire, "", eds.StatusGood, "crl"},
		{"ocsp down, no crl, require", flaky, nil, eds.RevocationRequire, eds.CodeRevocationUnknown, "", ""},
		{"ocsp down, no crl, prefer", flaky, nil, eds.RevocationPrefer, "", eds.StatusUnknown, ""},
	} {
		v := &eds.Verifier{Anchors: []*x509.Certificate{ca.Cert}, OCSP: c, CRLs: tc.crls, Policy: tc.policy}
		r, err := v.VerifyCert(tc.cert, eds.EKUAuth)
		var e *eds.Error
		switch {
		case tc.code != "":
			if !errors.As(err, &e) || e.Code != tc.code {
				t.Errorf("%s: %v", tc.name, err)
			}
		case err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case r.Revocation != tc.status || r.Source != tc.source:
			t.Errorf("%s: %s from %q", tc.name, r.Revocation, r.Source)
		}
	}
}

func FuzzParseUnverified(f *testing.F) {
	dir, _ := os.Getwd()
	for dir != filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			for _, n := range []string{"ocsp_response_individual_sign_2004.bin", "ocsp_response_individual_2015.bin"} {
				if b, err := os.ReadFile(filepath.Join(dir, "..", "shared", "testdata", "nca", "ocsp", n)); err == nil {
					f.Add(b)
				}
			}
			break
		}
		dir = filepath.Dir(dir)
	}
	f.Add([]byte{0x30, 0x03, 0x0a, 0x01, 0x01})
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = ParseUnverified(b)
	})
}
