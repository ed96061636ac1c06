package ocsphttp

import (
	"bytes"
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

// TestRealNCAGOSTResponse: NCA's test OCSP service's answer about the test
// GOST-2015 key, signed with GOST by its delegated "OCSP RESPONDER"
// (issued by NCA's GOST-2015 test CA), verifies and is read. What it says
// is "revoked" as of 1970-01-01 with reason certificateHold, and it carries
// the extended-revoke extension: RFC 6960's form for a certificate the
// responder has no record of ("non-issued"). The CRL of the same CA lists
// no such serial (the testdata README calls the key good by that CRL);
// Kense takes the responder's word: revoked.
func TestRealNCAGOSTResponse(t *testing.T) {
	d := ncaDir(t)
	resp, err := os.ReadFile(filepath.Join(d, "ocsp", "ocsp_response_individual_2015.bin"))
	if err != nil {
		t.Fatal(err)
	}
	caDER, err := os.ReadFile(filepath.Join(d, "ca", "nca_gost2015_test.cer"))
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	p12, err := os.ReadFile(filepath.Join(d, "keys", "individual_gost2015_sign_valid.p12"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := eds.ReadPKCS12(p12, []byte("Aa123456"))
	if err != nil {
		t.Fatal(err)
	}
	leaf := c.Keys[0].Cert
	at := func(s string) func() time.Time {
		return func() time.Time { tm, _ := time.Parse(time.RFC3339, s); return tm }
	}
	ch := &Checker{Now: at("2022-09-02T17:10:00Z")}

	if !gostSigned(resp) {
		t.Fatal("not seen as GOST-signed")
	}
	r, err := parseGOST(resp, leaf, ca, ch.Now())
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != ocsp.Revoked || r.RevocationReason != ocsp.CertificateHold || r.RevokedAt.Year() != 1970 ||
		r.Certificate == nil || r.Certificate.Subject.CommonName != "OCSP RESPONDER" || r.ThisUpdate.Format(time.RFC3339) != "2022-09-02T16:58:34Z" {
		t.Fatalf("%+v", r)
	}
	if st, err := ch.Status(resp, leaf, ca); err != nil || st != eds.StatusRevoked {
		t.Fatalf("Status: %q %v", st, err)
	}

	// Each check can fail.
	flipped := bytes.Clone(resp)
	flipped[bytes.Index(resp, []byte{0x03, 0x81, 0x81, 0x00, 0xdc, 0x2b})+20] ^= 0x01 // the response's own signature
	rsaBlock, _ := pem.Decode(mustRead(t, d, "ca", "nca_rsa_test.crt"))
	rsaCA, err := x509.ParseCertificate(rsaBlock.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	other, err := eds.ReadPKCS12(mustRead(t, d, "keys", "individual_rsa_sign_valid.p12"), []byte("Qwerty12"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		der    []byte
		cert   *x509.Certificate
		issuer *x509.Certificate
		ch     *Checker
		want   string
	}{
		{"tampered signature", flipped, leaf, ca, ch, "signature"},
		{"another issuer", resp, leaf, rsaCA, ch, "not from the certificate's issuer"},
		{"another certificate", resp, other.Keys[0].Cert, ca, ch, "no response matching"},
		{"an hour later (no nextUpdate)", resp, leaf, ca, &Checker{Now: at("2022-09-02T18:10:00Z")}, "stale"},
		{"responder certificate expired", resp, leaf, ca, &Checker{Now: at("2023-09-01T00:00:00Z"), MaxAge: 2 * 365 * 24 * time.Hour}, "not valid at"},
		{"before the answer", resp, leaf, ca, &Checker{Now: at("2022-09-02T16:00:00Z")}, "future"},
	} {
		st, err := tc.ch.Status(tc.der, tc.cert, tc.issuer)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %q %v", tc.name, st, err)
		}
	}

	// Through eds.Verifier with the "require" policy and no CRL: the GOST
	// answer is what decides.
	v := &eds.Verifier{Anchors: []*x509.Certificate{ca}, Policy: eds.RevocationRequire, Now: ch.Now,
		OCSP: fixedOCSP{ch, resp}}
	var e *eds.Error
	if _, err := v.VerifyCert(leaf, ""); !errors.As(err, &e) || e.Code != eds.CodeRevoked || !strings.Contains(e.Detail, "ocsp") {
		t.Fatalf("verifier: %v", err)
	}
}

func mustRead(t *testing.T, parts ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(parts...))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fixedOCSP answers every question with one stored response, checked by ch.
type fixedOCSP struct {
	ch   *Checker
	resp []byte
}

func (f fixedOCSP) Check(cert, issuer *x509.Certificate) (string, error) {
	return f.ch.Status(f.resp, cert, issuer)
}

// TestGOSTResponder: a GOST CA's OCSP responder (edstest) on 127.0.0.1,
// signing itself or through a delegated GOST responder, through Checker
// and eds.Verifier with the "require" policy and no CRL.
func TestGOSTResponder(t *testing.T) {
	now := time.Now()
	yearAgo, inYear := now.AddDate(-1, 0, 0), now.AddDate(1, 0, 0)
	ca := edstest.NewGOSTCA(t, "GOST OCSP TEST CA", yearAgo, inYear.AddDate(1, 0, 0))
	person := func(iin string) edstest.Person {
		return edstest.Person{IIN: iin, Surname: "ТЕСТОВ", Name: "ТЕСТ", EKU: eds.EKUAuth, NotBefore: yearAgo, NotAfter: inYear}
	}
	good, _ := ca.Issue(t, person("880101300123"))
	revoked, _ := ca.Issue(t, person("880101300124"))
	unknown, _ := ca.Issue(t, person("880101300125"))
	flaky, _ := ca.Issue(t, person("880101300126"))
	status := map[string]int{good.SerialNumber.String(): ocsp.Good, revoked.SerialNumber.String(): ocsp.Revoked,
		unknown.SerialNumber.String(): ocsp.Unknown, flaky.SerialNumber.String(): -1}
	answer := func(s *big.Int) int { return status[s.String()] }

	respCert, respKey := ca.IssueResponder(t, yearAgo, inYear)
	delegated := edstest.GOSTResponder{Cert: respCert, Key: respKey}
	self := ca.OCSPResponder(t, edstest.GOSTResponder{}, now.Add(-time.Minute), answer)
	deleg := ca.OCSPResponder(t, delegated, now.Add(-time.Minute), answer)
	for _, srv := range []string{self.URL, deleg.URL} {
		c := &Checker{URL: srv, Timeout: 10 * time.Second}
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
				t.Errorf("%s %s: %q %v", srv, tc.name, got, err)
			}
		}
		if got, err := (&Checker{URL: srv, Hash: crypto.SHA1}).Check(revoked, ca.Cert); got != eds.StatusRevoked || err != nil {
			t.Errorf("SHA-1 CertID: %q %v", got, err)
		}
	}

	// Answers the checker must refuse.
	other := edstest.NewGOSTCA(t, "GOST OCSP TEST CA", yearAgo, inYear)
	otherCert, otherKey := other.IssueResponder(t, yearAgo, inYear)
	noEKU, noEKUKey := ca.Issue(t, person("880101300127"))
	expiredResp, expiredKey := ca.IssueResponder(t, yearAgo, now.Add(-time.Hour))
	ch := &Checker{}
	at := now.Add(-time.Minute)
	goodBy := func(by edstest.GOSTResponder, issuer *edstest.GOSTCA) []byte {
		return issuer.OCSPResponse(t, by, good.SerialNumber, ocsp.Good, 0, at, time.Time{})
	}
	tampered := goodBy(edstest.GOSTResponder{}, ca)
	tampered[len(tampered)-5] ^= 0x40
	for _, tc := range []struct {
		name string
		der  []byte
		want string
	}{
		{"tampered", tampered, "signature"},
		{"signed by another CA with the same name", goodBy(edstest.GOSTResponder{}, other), "signature"},
		{"responder of another CA", goodBy(edstest.GOSTResponder{Cert: otherCert, Key: otherKey}, ca), "bad issuer signature"},
		{"responder without OCSPSigning", goodBy(edstest.GOSTResponder{Cert: noEKU, Key: noEKUKey}, ca), "OCSPSigning"},
		{"expired responder", goodBy(edstest.GOSTResponder{Cert: expiredResp, Key: expiredKey}, ca), "not valid at"},
		{"about another serial", ca.OCSPResponse(t, edstest.GOSTResponder{}, revoked.SerialNumber, ocsp.Good, 0, at, time.Time{}), "no response matching"},
		{"stale", ca.OCSPResponse(t, edstest.GOSTResponder{}, good.SerialNumber, ocsp.Good, 0, now.Add(-48*time.Hour), now.Add(-24*time.Hour)), "stale"},
	} {
		if st, err := ch.Status(tc.der, good, ca.Cert); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %q %v", tc.name, st, err)
		}
	}
	if st, err := ch.Status(goodBy(delegated, ca), good, ca.Cert); err != nil || st != eds.StatusGood {
		t.Fatalf("delegated good: %q %v", st, err)
	}

	// eds.Verifier, policy "require", no CRL: the GOST OCSP answer decides.
	for _, tc := range []struct {
		name   string
		cert   *x509.Certificate
		code   string
		status string
	}{
		{"good", good, "", eds.StatusGood},
		{"revoked", revoked, eds.CodeRevoked, ""},
		{"unknown", unknown, eds.CodeRevocationUnknown, ""},
		{"responder down", flaky, eds.CodeRevocationUnknown, ""},
	} {
		v := &eds.Verifier{Anchors: []*x509.Certificate{ca.Cert}, OCSP: &Checker{URL: deleg.URL}, Policy: eds.RevocationRequire}
		r, err := v.VerifyCert(tc.cert, eds.EKUAuth)
		var e *eds.Error
		switch {
		case tc.code != "":
			if !errors.As(err, &e) || e.Code != tc.code {
				t.Errorf("%s: %v", tc.name, err)
			}
		case err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case r.Revocation != tc.status || r.Source != "ocsp":
			t.Errorf("%s: %s from %q", tc.name, r.Revocation, r.Source)
		}
	}
}
