package edstest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net/http/httptest"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"

	"kense/eds/gost"
)

// GOSTCA is a test CA with a GOST 34.10-2015 key (512 bits, TC26 set A,
// NCA's OIDs and little-endian byte order), shaped like NCA's GOST CA: its
// certificates, CRLs and OCSP answers are signed with GOST as NCA's are.
// NCA publishes only a SIGN test key for GOST; this CA issues AUTH keys too.
// eds.EncodeGOSTPKCS12 writes a key and its certificate as an NCA key file
// (edstest cannot: package eds's own tests import it).
type GOSTCA struct {
	Cert *x509.Certificate
	Key  *gost.PrivateKey
}

// NewGOSTKey makes a GOST-2015 512-bit key (about one scalar multiplication).
func NewGOSTKey(t testing.TB) *gost.PrivateKey {
	t.Helper()
	k, err := gost.GenerateKey(gost.CurveTC26512A, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func parse(t testing.TB, der []byte, err error) *x509.Certificate {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// NewGOSTCA makes a self-signed GOST CA.
func NewGOSTCA(t testing.TB, name string, notBefore, notAfter time.Time) *GOSTCA {
	t.Helper()
	k := NewGOSTKey(t)
	tmpl := &x509.Certificate{
		SerialNumber:          nextSerial(),
		Subject:               pkix.Name{CommonName: name, Country: []string{"KZ"}},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
	}
	der, err := gost.CreateCertificate(tmpl, tmpl, &k.PublicKey, k)
	return &GOSTCA{Cert: parse(t, der, err), Key: k}
}

// Issue makes a GOST certificate for p (p.KeyIndex is not used: every
// certificate gets a fresh GOST key) and returns it with its key.
func (ca *GOSTCA) Issue(t testing.TB, p Person) (*x509.Certificate, *gost.PrivateKey) {
	t.Helper()
	k := NewGOSTKey(t)
	der, err := gost.CreateCertificate(personTemplate(p), ca.Cert, &k.PublicKey, ca.Key)
	return parse(t, der, err), k
}

// IssueResponder makes a delegated OCSP responder certificate (EKU
// OCSPSigning) with a GOST key.
func (ca *GOSTCA) IssueResponder(t testing.TB, notBefore, notAfter time.Time) (*x509.Certificate, *gost.PrivateKey) {
	t.Helper()
	k := NewGOSTKey(t)
	tmpl := &x509.Certificate{
		SerialNumber: nextSerial(),
		Subject:      pkix.Name{CommonName: "OCSP RESPONDER", Country: []string{"KZ"}},
		NotBefore:    notBefore,
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning},
	}
	der, err := gost.CreateCertificate(tmpl, ca.Cert, &k.PublicKey, ca.Key)
	return parse(t, der, err), k
}

// CRL makes a GOST-signed CRL listing revoked (revoked at revokedAt).
func (ca *GOSTCA) CRL(t testing.TB, revoked []*x509.Certificate, revokedAt, thisUpdate, nextUpdate time.Time) *x509.RevocationList {
	t.Helper()
	var entries []x509.RevocationListEntry
	for _, c := range revoked {
		entries = append(entries, x509.RevocationListEntry{SerialNumber: c.SerialNumber, RevocationTime: revokedAt})
	}
	der, err := gost.CreateRevocationList(&x509.RevocationList{
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

// GOSTResponder signs OCSP answers: the CA itself (Cert nil) or a
// delegated responder with its certificate in the answer.
type GOSTResponder struct {
	Cert *x509.Certificate
	Key  *gost.PrivateKey
}

// OCSPResponse makes a GOST-signed OCSP answer about serial: status is
// ocsp.Good, ocsp.Revoked (revoked an hour before thisUpdate) or
// ocsp.Unknown; a zero nextUpdate leaves it out, as NCA does; hash names
// the issuer in the CertID (0: SHA-256, as in NCA's answers).
func (ca *GOSTCA) OCSPResponse(t testing.TB, by GOSTResponder, serial *big.Int, status int, hash crypto.Hash, thisUpdate, nextUpdate time.Time) []byte {
	t.Helper()
	b, err := ca.ocspResponse(by, serial, status, hash, thisUpdate, nextUpdate)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (ca *GOSTCA) ocspResponse(by GOSTResponder, serial *big.Int, status int, hash crypto.Hash, thisUpdate, nextUpdate time.Time) ([]byte, error) {
	if hash == 0 {
		hash = crypto.SHA256
	}
	responder, key := ca.Cert, ca.Key
	tmpl := ocsp.Response{Status: status, SerialNumber: serial, ThisUpdate: thisUpdate, NextUpdate: nextUpdate,
		RevokedAt: thisUpdate.Add(-time.Hour), IssuerHash: hash}
	if by.Cert != nil {
		responder, key = by.Cert, by.Key
		tmpl.Certificate = by.Cert
	}
	// x/crypto/ocsp encodes; its signature (by a stand-in key) is replaced.
	standIn, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	der, err := ocsp.CreateResponse(ca.Cert, responder, tmpl, standIn)
	if err != nil {
		return nil, err
	}
	return gost.ResignOCSPResponse(der, key)
}

// OCSPResponder serves GOST-signed OCSP on 127.0.0.1 as CA.OCSPResponder
// does (status -1: HTTP 503), signed by by, the answers dated thisUpdate
// with no nextUpdate, as NCA's.
func (ca *GOSTCA) OCSPResponder(t testing.TB, by GOSTResponder, thisUpdate time.Time, status func(serial *big.Int) int) *httptest.Server {
	t.Helper()
	return serveOCSP(t, status, func(req *ocsp.Request, st int) ([]byte, error) {
		return ca.ocspResponse(by, req.SerialNumber, st, req.HashAlgorithm, thisUpdate, time.Time{})
	})
}
