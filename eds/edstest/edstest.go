// Package edstest makes NCA-shaped test PKI for tests: a CA, AUTH and SIGN
// certificates with the IIN in SERIALNUMBER, CRLs and an OCSP responder on
// 127.0.0.1. Only tests import it.
package edstest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"
)

var (
	keyMu sync.Mutex
	keys  []*rsa.PrivateKey
)

// Key returns the i-th RSA-2048 test key, generated once per test binary:
// key generation is slow on a busy machine.
func Key(t testing.TB, i int) *rsa.PrivateKey {
	t.Helper()
	keyMu.Lock()
	defer keyMu.Unlock()
	for len(keys) <= i {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
	}
	return keys[i]
}

// CA is a test certification authority.
type CA struct {
	Cert *x509.Certificate
	Key  *rsa.PrivateKey
}

var serial int64 = 1000

func nextSerial() *big.Int {
	keyMu.Lock()
	defer keyMu.Unlock()
	serial++
	return big.NewInt(serial)
}

// NewCA makes a self-signed CA with key number keyIndex.
func NewCA(t testing.TB, name string, keyIndex int, notBefore, notAfter time.Time) *CA {
	t.Helper()
	k := Key(t, keyIndex)
	tmpl := &x509.Certificate{
		SerialNumber:          nextSerial(),
		Subject:               pkix.Name{CommonName: name, Country: []string{"KZ"}},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &CA{Cert: c, Key: k}
}

// Person describes a subject the way NCA writes it.
type Person struct {
	IIN, BIN, Surname, Name, Patronymic, Org string
	EKU                                      string // eds.EKUAuth or eds.EKUSign
	NotBefore, NotAfter                      time.Time
	KeyIndex                                 int
}

var (
	oidSerialNumber = asn1.ObjectIdentifier{2, 5, 4, 5}
	oidSurname      = asn1.ObjectIdentifier{2, 5, 4, 4}
	oidGivenName    = asn1.ObjectIdentifier{2, 5, 4, 42}
	oidIndividual   = asn1.ObjectIdentifier{1, 2, 398, 3, 3, 4, 1, 1}
	oidEmployee     = asn1.ObjectIdentifier{1, 2, 398, 3, 3, 4, 1, 2}
)

// Issue makes a certificate for p and returns it with its key.
func (ca *CA) Issue(t testing.TB, p Person) (*x509.Certificate, *rsa.PrivateKey) {
	t.Helper()
	k := Key(t, p.KeyIndex)
	der, err := x509.CreateCertificate(rand.Reader, personTemplate(p), ca.Cert, &k.PublicKey, ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c, k
}

// personTemplate is the certificate template of p, as NCA fills it.
func personTemplate(p Person) *x509.Certificate {
	subj := pkix.Name{
		CommonName: p.Surname + " " + p.Name,
		Country:    []string{"KZ"},
		ExtraNames: []pkix.AttributeTypeAndValue{
			{Type: oidSurname, Value: p.Surname},
			{Type: oidSerialNumber, Value: "IIN" + p.IIN},
			{Type: oidGivenName, Value: p.Patronymic},
		},
	}
	role := oidIndividual
	if p.BIN != "" {
		subj.Organization = []string{p.Org}
		subj.ExtraNames = append(subj.ExtraNames, pkix.AttributeTypeAndValue{Type: asn1.ObjectIdentifier{2, 5, 4, 11}, Value: "BIN" + p.BIN})
		role = oidEmployee
	}
	tmpl := &x509.Certificate{
		SerialNumber:       nextSerial(),
		Subject:            subj,
		NotBefore:          p.NotBefore,
		NotAfter:           p.NotAfter,
		KeyUsage:           x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		UnknownExtKeyUsage: []asn1.ObjectIdentifier{role},
		PolicyIdentifiers:  []asn1.ObjectIdentifier{{1, 2, 398, 3, 3, 2, 4}},
	}
	switch p.EKU {
	case "1.3.6.1.5.5.7.3.2":
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	case "1.3.6.1.5.5.7.3.4":
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection}
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment
	}
	return tmpl
}

// CRL makes a CRL listing revoked (revoked at revokedAt).
func (ca *CA) CRL(t testing.TB, revoked []*x509.Certificate, revokedAt, thisUpdate, nextUpdate time.Time) *x509.RevocationList {
	t.Helper()
	var entries []x509.RevocationListEntry
	for _, c := range revoked {
		entries = append(entries, x509.RevocationListEntry{SerialNumber: c.SerialNumber, RevocationTime: revokedAt})
	}
	der, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		Number: nextSerial(), ThisUpdate: thisUpdate, NextUpdate: nextUpdate, RevokedCertificateEntries: entries,
	}, ca.Cert, ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	l, err := x509.ParseRevocationList(der)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// OCSPResponder serves OCSP on 127.0.0.1, signed by the CA itself. status
// says what to answer for a serial: ocsp.Good, ocsp.Revoked, ocsp.Unknown,
// or -1 for an HTTP 503 (NCA's "try again"). thisUpdate is the answers' time.
func (ca *CA) OCSPResponder(t testing.TB, thisUpdate time.Time, status func(serial *big.Int) int) *httptest.Server {
	t.Helper()
	return serveOCSP(t, status, func(req *ocsp.Request, st int) ([]byte, error) {
		return ocsp.CreateResponse(ca.Cert, ca.Cert, ocsp.Response{
			Status: st, SerialNumber: req.SerialNumber, ThisUpdate: thisUpdate, NextUpdate: thisUpdate.Add(24 * time.Hour),
			RevokedAt: thisUpdate.Add(-time.Hour), IssuerHash: req.HashAlgorithm,
		}, ca.Key)
	})
}

// serveOCSP answers OCSP requests on 127.0.0.1 with what sign makes of the
// status status gives (-1: HTTP 503).
func serveOCSP(t testing.TB, status func(serial *big.Int) int, sign func(req *ocsp.Request, st int) ([]byte, error)) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<16))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		req, err := ocsp.ParseRequest(body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		st := status(req.SerialNumber)
		if st < 0 {
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		resp, err := sign(req, st)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/ocsp-response")
		w.Write(resp)
	}))
	t.Cleanup(srv.Close)
	return srv
}
