package eds

import (
	"crypto/x509"
	"errors"
	"strings"
	"testing"
	"time"

	"kense/eds/edstest"
	"kense/i18n"
)

func code(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if err == nil {
		return ""
	}
	return "other: " + err.Error()
}

func ncaSign(t *testing.T, file string, data []byte, detached bool, at time.Time) ([]byte, *Key) {
	t.Helper()
	k := readNCAKey(t, file, "Qwerty12").Keys[0]
	s, err := k.Signer()
	if err != nil {
		t.Fatal(err)
	}
	cms, err := s.SignCMS(data, detached, at)
	if err != nil {
		t.Fatal(err)
	}
	return cms, k
}

func TestVerifyRealNCA(t *testing.T) {
	rsaCA := ncaCert(t, "nca_rsa_test.crt")
	crl := ncaCRL(t, "nca_rsa_test.crl")
	at := func(s string) func() time.Time { return func() time.Time { return date(s) } }
	data := []byte("challenge 6f1c")
	signCMS, _ := ncaSign(t, "individual_rsa_sign_valid.p12", data, false, date("2021-06-01T10:00:00Z"))
	authCMS, _ := ncaSign(t, "individual_rsa_auth_revoked.p12", data, true, date("2022-06-01T10:00:00Z"))

	for _, tc := range []struct {
		name   string
		cms    []byte
		data   []byte
		v      Verifier
		eku    string
		want   string
		status string
	}{
		{"sign key, in validity, CRL good", signCMS, nil, Verifier{Anchors: []*x509.Certificate{rsaCA}, CRLs: []*x509.RevocationList{crl}, Policy: RevocationRequire, Now: at("2021-06-01T12:00:00Z")}, EKUSign, "", StatusGood},
		{"sign key, no CRL, prefer", signCMS, data, Verifier{Anchors: []*x509.Certificate{rsaCA}, Now: at("2021-06-01T12:00:00Z")}, "", "", StatusUnknown},
		{"sign key, no CRL, require", signCMS, nil, Verifier{Anchors: []*x509.Certificate{rsaCA}, Policy: RevocationRequire, Now: at("2021-06-01T12:00:00Z")}, "", CodeRevocationUnknown, ""},
		{"sign key, off", signCMS, nil, Verifier{Anchors: []*x509.Certificate{rsaCA}, Policy: RevocationOff, Now: at("2021-06-01T12:00:00Z")}, "", "", StatusOff},
		{"sign key used for sign-in", signCMS, nil, Verifier{Anchors: []*x509.Certificate{rsaCA}, Policy: RevocationOff, Now: at("2021-06-01T12:00:00Z")}, EKUAuth, CodeWrongKeyUsage, ""},
		{"sign key expired", signCMS, nil, Verifier{Anchors: []*x509.Certificate{rsaCA}, Policy: RevocationOff, Now: at("2025-01-01T00:00:00Z")}, "", CodeExpired, ""},
		{"sign key before validity", signCMS, nil, Verifier{Anchors: []*x509.Certificate{rsaCA}, Policy: RevocationOff, Now: at("2020-06-01T00:00:00Z")}, "", CodeNotYetValid, ""},
		{"tampered data", signCMS, []byte("challenge 6f1d"), Verifier{Anchors: []*x509.Certificate{rsaCA}, Policy: RevocationOff, Now: at("2021-06-01T12:00:00Z")}, "", CodeBadSignature, ""},
		{"no anchors", signCMS, nil, Verifier{Policy: RevocationOff, Now: at("2021-06-01T12:00:00Z")}, "", CodeUntrusted, ""},
		{"wrong anchor", signCMS, nil, Verifier{Anchors: []*x509.Certificate{ncaCert(t, "nca_gost_test.crt")}, Policy: RevocationOff, Now: at("2021-06-01T12:00:00Z")}, "", CodeUntrusted, ""},
		{"wrong anchor, expired too", signCMS, nil, Verifier{Anchors: []*x509.Certificate{ncaCert(t, "nca_gost_test.crt")}, Policy: RevocationOff, Now: at("2025-01-01T00:00:00Z")}, "", CodeUntrusted, ""},
		{"auth key revoked by CRL", authCMS, data, Verifier{Anchors: []*x509.Certificate{rsaCA}, CRLs: []*x509.RevocationList{crl}, Policy: RevocationPrefer, Now: at("2022-06-01T12:00:00Z")}, EKUAuth, CodeRevoked, ""},
		{"auth key before its revocation", authCMS, data, Verifier{Anchors: []*x509.Certificate{rsaCA}, CRLs: []*x509.RevocationList{crl}, Policy: RevocationRequire, Now: at("2022-01-18T04:40:30Z")}, EKUAuth, "", StatusGood},
		{"detached without data", authCMS, nil, Verifier{Anchors: []*x509.Certificate{rsaCA}, Now: at("2022-06-01T12:00:00Z")}, "", CodeBadCMS, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := tc.v
			r, err := v.VerifyCMS(tc.cms, tc.data, tc.eku)
			if code(err) != tc.want {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
			if err != nil {
				return
			}
			if r.Revocation != tc.status || r.Signer.IIN != "123456789011" || r.Cert == nil || len(r.Chain) != 2 {
				t.Errorf("result %+v", r)
			}
			if tc.status == StatusGood && r.Source != "crl" {
				t.Errorf("source %q", r.Source)
			}
		})
	}
	// The revoked entry's time is what decides.
	var revokedAt time.Time
	for _, e := range crl.RevokedCertificateEntries {
		if strings.EqualFold(e.SerialNumber.Text(16), "1ab11253653b2537f2edd55f0f66281ca4fa3f98") {
			revokedAt = e.RevocationTime
		}
	}
	if revokedAt.IsZero() || !revokedAt.After(date("2022-01-18T04:40:30Z")) {
		t.Errorf("revocation time %v does not fit the test", revokedAt)
	}
}

func TestWrongKeyUsageMessage(t *testing.T) {
	e := &Error{Code: CodeWrongKeyUsage, Want: "AUTH"}
	for _, l := range i18n.Langs {
		if m := e.Message(l); !strings.Contains(m, "AUTH_") {
			t.Errorf("%s: %q does not point to the AUTH key", l, m)
		}
	}
	if !strings.Contains(e.Message(i18n.EN), "pick the AUTHENTICATION key") {
		t.Error(e.Message(i18n.EN))
	}
}

func TestAllCodesTranslated(t *testing.T) {
	for _, c := range []string{CodeBadSignature, CodeUntrusted, CodeExpired, CodeNotYetValid, CodeWrongKeyUsage, CodeRevoked, CodeRevocationUnknown,
		CodeUnsupportedAlgorithm, CodeWrongPassword, CodeBadContainer, CodeBadCMS, CodeCanceled, CodeNCALayerNotRunning, CodeNCALayerFailed} {
		for _, l := range i18n.Langs {
			if !i18n.Has(l, "eds.err."+c) {
				t.Errorf("%s: eds.err.%s missing", l, c)
			}
		}
	}
	if err := i18n.Err(); err != nil {
		t.Error(err)
	}
}

func TestVerifyGenerated(t *testing.T) {
	now := time.Now()
	ca, leaf, key := testPKI(t, EKUAuth)
	signer := &keySigner{key: key, cert: leaf}
	cms, err := signer.SignCMS([]byte("n1"), true, now)
	if err != nil {
		t.Fatal(err)
	}
	good := ca.CRL(t, nil, now, now.Add(-time.Minute), now.Add(time.Hour))
	revoked := ca.CRL(t, []*x509.Certificate{leaf}, now.Add(-time.Minute), now.Add(-time.Minute), now.Add(time.Hour))
	stale := ca.CRL(t, nil, now, now.Add(-48*time.Hour), now.Add(-24*time.Hour))
	other := edstest.NewCA(t, "OTHER CA", 2, now.Add(-time.Hour), now.AddDate(1, 0, 0))
	forged := other.CRL(t, nil, now, now.Add(-time.Minute), now.Add(time.Hour))
	forged.RawIssuer = ca.Cert.RawSubject // claims the right issuer, signed by another key
	for _, tc := range []struct {
		name   string
		crls   []*x509.RevocationList
		policy RevocationPolicy
		want   string
	}{
		{"good CRL", []*x509.RevocationList{good}, RevocationRequire, ""},
		{"revoked", []*x509.RevocationList{revoked}, RevocationPrefer, CodeRevoked},
		{"stale CRL require", []*x509.RevocationList{stale}, RevocationRequire, CodeRevocationUnknown},
		{"stale CRL prefer", []*x509.RevocationList{stale}, RevocationPrefer, ""},
		{"forged CRL require", []*x509.RevocationList{forged}, RevocationRequire, CodeRevocationUnknown},
		{"stale then good", []*x509.RevocationList{stale, good}, RevocationRequire, ""},
		{"bad policy", nil, "sometimes", CodeRevocationUnknown},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := &Verifier{Anchors: []*x509.Certificate{ca.Cert}, CRLs: tc.crls, Policy: tc.policy}
			r, err := v.VerifyCMS(cms, []byte("n1"), EKUAuth)
			if code(err) != tc.want {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
			if err == nil && !r.SigningTime.Equal(now.UTC().Truncate(time.Second)) {
				t.Errorf("signing time %v", r.SigningTime)
			}
		})
	}
	// VerifyCert alone, with an OCSP checker that answers.
	v := &Verifier{Anchors: []*x509.Certificate{ca.Cert}, OCSP: fixedOCSP{StatusRevoked, nil}, CRLs: []*x509.RevocationList{good}}
	if _, err := v.VerifyCert(leaf, EKUAuth); code(err) != CodeRevoked {
		t.Errorf("OCSP revoked: %v", err)
	}
	v.OCSP = fixedOCSP{"", errors.New("try again")} // NCA's OCSP hiccup: CRL decides
	if r, err := v.VerifyCert(leaf, EKUAuth); err != nil || r.Source != "crl" || r.Revocation != StatusGood {
		t.Errorf("OCSP down, CRL: %v %+v", err, r)
	}
	v.OCSP = fixedOCSP{StatusGood, nil}
	if r, err := v.VerifyCert(leaf, EKUSign); code(err) != CodeWrongKeyUsage || r != nil {
		t.Errorf("AUTH key as SIGN: %v", err)
	} else if e := err.(*Error); e.Want != "SIGN" {
		t.Errorf("want %q", e.Want)
	}
	if r, err := v.VerifyCert(leaf, EKUAuth); err != nil || r.Source != "ocsp" {
		t.Errorf("OCSP good: %v %+v", err, r)
	}
}

type fixedOCSP struct {
	status string
	err    error
}

func (f fixedOCSP) Check(cert, issuer *x509.Certificate) (string, error) { return f.status, f.err }
