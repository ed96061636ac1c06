package eds

import (
	"bytes"
	"crypto/x509"
	"testing"
	"time"

	"kense/eds/edstest"
	"kense/eds/gost"
)

// TestGOSTAuthKeyFile: a GOST-2015 AUTH key issued by a generated GOST CA
// (edstest.GOSTCA, gost.CreateCertificate) and written as an NCA key file
// (EncodeGOSTPKCS12) reads back like NCA's own GOST key files: NCA's key,
// parameter and signature OIDs, the private key in NCA's byte order, AUTH
// usage; it signs CMS that verifies as a sign-in does (AUTH usage, the
// GOST chain, a GOST CRL under "require"), and a changed signature byte or
// a revocation is refused.
func TestGOSTAuthKeyFile(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	ca := edstest.NewGOSTCA(t, "DEMO ҰКО (GOST)", now.AddDate(-2, 0, 0), now.AddDate(5, 0, 0))
	p := edstest.Person{IIN: "780312450016", Surname: "НҰРЛАНОВА", Name: "АЙГҮЛ", Patronymic: "СЕРІКҚЫЗЫ", EKU: EKUAuth,
		NotBefore: now.AddDate(0, -1, 0), NotAfter: now.AddDate(1, -1, 0)}
	cert, key := ca.Issue(t, p)
	revokedCert, revokedKey := ca.Issue(t, p)

	// The certificate is NCA's shape.
	if got := spkiOID(cert); !gost.OIDNCAKey2015.Equal(got) || cert.SignatureAlgorithm != x509.UnknownSignatureAlgorithm {
		t.Fatalf("key %v", got)
	}
	if err := gost.CheckCertSignature(cert, ca.Cert); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(cert.AuthorityKeyId, ca.Cert.SubjectKeyId) || len(cert.SubjectKeyId) != 20 {
		t.Errorf("key identifiers %x %x", cert.AuthorityKeyId, ca.Cert.SubjectKeyId)
	}

	p12, err := EncodeGOSTPKCS12(key, cert, []*x509.Certificate{ca.Cert}, []byte("Aa123456"))
	if err != nil {
		t.Fatal(err)
	}
	if p12[0] != 0x30 || p12[1] != 0x80 {
		t.Fatalf("not BER with indefinite length: % x", p12[:2])
	}
	if _, err := EncodeGOSTPKCS12(revokedKey, cert, nil, []byte("x")); err == nil {
		t.Error("a key with another key's certificate was written")
	}
	c, err := ReadPKCS12(p12, []byte("Aa123456"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ReadPKCS12(p12, []byte("Aa123457")); code(err) != CodeWrongPassword {
		t.Errorf("wrong password: %v", err)
	}
	k := c.Keys[0]
	if k.Info.Algorithm != "GOST2015-512" || k.Info.KeyUsage != "AUTH" || k.Info.IIN != p.IIN || len(k.Chain) != 1 {
		t.Fatalf("%+v", k.Info)
	}
	// NCA's PKCS#8: the key OID, the parameter set and the scalar little-endian.
	if !bytes.Equal(k.gostPKCS8, mustP8(t, key)) {
		t.Error("the key bag's PKCS#8 is not MarshalNCAPrivateKey's")
	}
	if got, err := gost.ParseNCAPrivateKey(k.gostPKCS8); err != nil || got.D.Cmp(key.D) != 0 {
		t.Fatalf("private key read back: %v", err)
	}

	s, err := k.Signer()
	if err != nil {
		t.Fatal(err)
	}
	nonce := []byte("0123456789abcdef0123456789abcdef")
	cms, err := s.SignCMS(nonce, true, now)
	if err != nil {
		t.Fatal(err)
	}
	crl := ca.CRL(t, []*x509.Certificate{revokedCert}, now.AddDate(0, 0, -1), now.Add(-time.Hour), now.AddDate(0, 0, 7))
	v := &Verifier{Anchors: []*x509.Certificate{ca.Cert}, CRLs: []*x509.RevocationList{crl}, Policy: RevocationRequire,
		Now: func() time.Time { return now }}
	r, err := v.VerifyCMS(cms, nonce, EKUAuth)
	if err != nil {
		t.Fatal(err)
	}
	if r.Signer.IIN != p.IIN || r.Revocation != StatusGood || r.Source != "crl" || len(r.Chain) != 2 {
		t.Fatalf("%+v", r)
	}
	sd, _ := ParseCMS(cms)
	bad := bytes.Clone(cms)
	bad[bytes.Index(cms, sd.Signers[0].Signature)+7] ^= 0x10
	if _, err := v.VerifyCMS(bad, nonce, EKUAuth); code(err) != CodeBadSignature {
		t.Errorf("tampered GOST signature: %v", err)
	}
	if _, err := v.VerifyCMS(cms, []byte("another nonce"), EKUAuth); code(err) != CodeBadSignature {
		t.Errorf("other data: %v", err)
	}
	rp12, err := EncodeGOSTPKCS12(revokedKey, revokedCert, nil, []byte("Aa123456"))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := ReadPKCS12(rp12, []byte("Aa123456"))
	if err != nil {
		t.Fatal(err)
	}
	rs, _ := rc.Keys[0].Signer()
	rcms, err := rs.SignCMS(nonce, true, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.VerifyCMS(rcms, nonce, EKUAuth); code(err) != CodeRevoked {
		t.Errorf("revoked by the GOST CRL: %v", err)
	}
	// A GOST CRL not signed by the CA (another CA, same name) does not count.
	forger := edstest.NewGOSTCA(t, "DEMO ҰКО (GOST)", now.AddDate(-2, 0, 0), now.AddDate(5, 0, 0))
	v.CRLs = []*x509.RevocationList{forger.CRL(t, nil, now, now.Add(-time.Hour), now.AddDate(0, 0, 7))}
	if _, err := v.VerifyCMS(cms, nonce, EKUAuth); code(err) != CodeRevocationUnknown {
		t.Errorf("CRL of another CA: %v", err)
	}
}

func mustP8(t *testing.T, k *gost.PrivateKey) []byte {
	t.Helper()
	b, err := gost.MarshalNCAPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestGOSTPKCS8MatchesNCA: the PKCS#8 that EncodeGOSTPKCS12 writes for a
// key is byte for byte the one in NCA's own GOST-2015 key file.
func TestGOSTPKCS8MatchesNCA(t *testing.T) {
	k := readNCAKey(t, gostKeyFile, gostKeyPass).Keys[0]
	priv, err := gost.ParseNCAPrivateKey(k.gostPKCS8)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(mustP8(t, priv), k.gostPKCS8) {
		t.Fatal("MarshalNCAPrivateKey differs from NCA's PKCS#8")
	}
}
