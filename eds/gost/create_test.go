package gost

import (
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"testing"
	"time"
)

func TestCreateCertificateAndCRL(t *testing.T) {
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	caKey, err := GenerateKey(CurveTC26512A, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "CA"}, NotBefore: now, NotAfter: now.AddDate(1, 0, 0),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}
	der, err := CreateCertificate(caTpl, caTpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckCertSignature(ca, ca); err != nil {
		t.Fatalf("self-signed: %v", err)
	}
	if pub, err := PublicKeyOf(ca); err != nil || !samePublic(pub, &caKey.PublicKey) || !ca.IsCA {
		t.Fatalf("CA key: %v", err)
	}
	if caTpl.SubjectKeyId != nil || caTpl.SignatureAlgorithm != 0 {
		t.Error("the template was changed")
	}

	leafKey, _ := GenerateKey(CurveTC26512A, rand.Reader)
	leafTpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "LEAF"}, NotBefore: now, NotAfter: now.AddDate(1, 0, 0),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err = CreateCertificate(leafTpl, ca, &leafKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	if err := CheckCertSignature(leaf, ca); err != nil || leaf.ExtKeyUsage[0] != x509.ExtKeyUsageClientAuth {
		t.Fatalf("leaf: %v", err)
	}
	// The leaf's own key did not sign it, and it cannot sign for the CA.
	if err := CheckCertSignature(leaf, leaf); !errors.Is(err, ErrInvalidSignature) {
		t.Errorf("leaf against itself: %v", err)
	}
	if _, err := CreateCertificate(leafTpl, ca, &leafKey.PublicKey, leafKey); err == nil {
		t.Error("signed with a key that is not the parent's")
	}
	if _, err := CreateCertificate(leafTpl, leafTpl, &caKey.PublicKey, leafKey); err == nil {
		t.Error("self-signed with another key")
	}

	der, err = CreateRevocationList(&x509.RevocationList{Number: big.NewInt(3), ThisUpdate: now, NextUpdate: now.AddDate(0, 0, 7),
		RevokedCertificateEntries: []x509.RevocationListEntry{{SerialNumber: leaf.SerialNumber, RevocationTime: now}}}, ca, caKey)
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckCRLSignature(der, ca); err != nil {
		t.Fatal(err)
	}
	if _, err := CreateRevocationList(&x509.RevocationList{Number: big.NewInt(4), ThisUpdate: now, NextUpdate: now}, ca, leafKey); err == nil {
		t.Error("CRL signed with another key")
	}
	if _, err := ResignOCSPResponse(der, caKey); !errors.Is(err, ErrMalformed) {
		t.Errorf("a CRL taken for an OCSP response: %v", err)
	}
}

func TestMarshalNCAPrivateKey(t *testing.T) {
	for _, c := range []*Curve{CurveTC26512A, CurveCryptoProA} {
		k, _ := GenerateKey(c, rand.Reader)
		p8, err := MarshalNCAPrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParseNCAPrivateKey(p8)
		if err != nil || got.Curve != c || got.D.Cmp(k.D) != 0 {
			t.Fatalf("%s: %v", c.Name, err)
		}
	}
	k, _ := GenerateKey(CurveTC26512B, rand.Reader)
	if _, err := MarshalNCAPrivateKey(k); !errors.Is(err, ErrUnsupported) {
		t.Errorf("a curve NCA does not use: %v", err)
	}
}
