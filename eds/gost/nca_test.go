package gost

import (
	"bytes"
	"crypto/cipher"
	"crypto/des"
	"crypto/rand"
	"crypto/sha1"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"unicode/utf16"
)

// ncaDir finds ../shared/testdata/nca relative to the module root, or skips.
func ncaDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("module root not found")
		}
		dir = parent
	}
	d := filepath.Join(dir, "..", "shared", "testdata", "nca")
	if _, err := os.Stat(d); err != nil {
		t.Skip("NCA test data absent: ", d)
	}
	return d
}

func ncaFile(t testing.TB, parts ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(append([]string{ncaDir(t)}, parts...)...))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func ncaCA(t testing.TB) *x509.Certificate {
	t.Helper()
	c, err := x509.ParseCertificate(ncaFile(t, "ca", "nca_gost2015_test.cer"))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestNCACAKey(t *testing.T) {
	ca := ncaCA(t)
	pub, err := PublicKeyOf(ca)
	if err != nil {
		t.Fatal(err)
	}
	if pub.Curve != CurveTC26512A {
		t.Fatalf("curve %s", pub.Curve.Name)
	}
	// The NCA parameter OID names TC26 set A: the key is not on B, C or the test curve.
	for _, c := range []*Curve{CurveTC26512B, CurveTC26512C, CurveTest512} {
		if c.IsOnCurve(pub.X, pub.Y) {
			t.Errorf("CA key also lies on %s", c.Name)
		}
	}
	again, err := MarshalNCAPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, ca.RawSubjectPublicKeyInfo) {
		t.Errorf("re-encoded public key info differs:\n%x\n%x", again, ca.RawSubjectPublicKeyInfo)
	}
	if got := AlgorithmName(OIDNCAKey2015); got != "GOST 34.10-2015 (512)" {
		t.Errorf("AlgorithmName = %q", got)
	}
	if AlgorithmName(OIDNCAKey2004) == "" || !IsGOST2004(OIDNCASignature2004) || AlgorithmName(asn1.ObjectIdentifier{1, 2, 3}) != "" {
		t.Error("2004 OIDs not recognised, or a foreign OID named")
	}
}

// The CRL is signed by the CA itself: this proves curve and byte order.
func TestNCACRLSignature(t *testing.T) {
	ca := ncaCA(t)
	crl := ncaFile(t, "crl", "nca_gost2022_test.crl")
	if err := CheckCRLSignature(crl, ca); err != nil {
		t.Fatalf("CRL does not verify: %v", err)
	}
	// Flip one byte inside the signed part (the thisUpdate time).
	bad := bytes.Clone(crl)
	i := bytes.Index(bad, []byte("220727112606Z"))
	if i < 0 {
		t.Fatal("thisUpdate not found")
	}
	bad[i+5] ^= 1
	if err := CheckCRLSignature(bad, ca); !errors.Is(err, ErrInvalidSignature) {
		t.Fatalf("tampered CRL: %v", err)
	}
	// Flip a signature byte.
	bad = bytes.Clone(crl)
	bad[len(bad)-10] ^= 0x80
	if err := CheckCRLSignature(bad, ca); !errors.Is(err, ErrInvalidSignature) {
		t.Fatalf("tampered CRL signature: %v", err)
	}
	// The CA did not sign itself (a root we do not have did).
	if err := CheckCertSignature(ca, ca); !errors.Is(err, ErrInvalidSignature) {
		t.Fatalf("CA self-check: %v", err)
	}
	// A GOST 2004 CRL is not accepted from a 2015 key.
	if err := CheckCRLSignature(ncaFile(t, "crl", "nca_gost_test.crl"), ca); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("2004 CRL against a 2015 key: %v", err)
	}
}

// The OCSP response carries the responder's certificate (issued by the CA)
// and is signed by it: two more signatures made by NCA.
func TestNCAOCSPSignatures(t *testing.T) {
	ca := ncaCA(t)
	var resp struct {
		Status asn1.Enumerated
		Bytes  struct {
			Type     asn1.ObjectIdentifier
			Response []byte
		} `asn1:"explicit,tag:0"`
	}
	if _, err := asn1.Unmarshal(ncaFile(t, "ocsp", "ocsp_response_individual_2015.bin"), &resp); err != nil {
		t.Fatal(err)
	}
	var basic signedObject
	if _, err := asn1.Unmarshal(resp.Bytes.Response, &basic); err != nil {
		t.Fatal(err)
	}
	var certs []asn1.RawValue
	if _, err := asn1.Unmarshal(basic.Certs.Bytes, &certs); err != nil || len(certs) != 1 {
		t.Fatalf("responder certificates: %v", err)
	}
	responder, err := x509.ParseCertificate(certs[0].FullBytes)
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckCertSignature(responder, ca); err != nil {
		t.Fatalf("responder certificate: %v", err)
	}
	pub, err := PublicKeyOf(responder)
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckSignedDER(resp.Bytes.Response, pub); err != nil {
		t.Fatalf("OCSP response: %v", err)
	}
}

const leafP12 = "individual_gost2015_sign_valid.p12"

// leafCert extracts the certificate from the GOST key file with openssl into
// a temporary directory (its certificate bag is RC2-40, which Go's standard
// library lacks); it skips when openssl cannot.
func leafCert(t *testing.T) *x509.Certificate {
	t.Helper()
	out := filepath.Join(t.TempDir(), "leaf.pem")
	cmd := exec.Command("openssl", "pkcs12", "-in", filepath.Join(ncaDir(t), "keys", leafP12),
		"-passin", "pass:Aa123456", "-nokeys", "-legacy", "-out", out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Skipf("openssl cannot extract the certificate: %v %s", err, msg)
	}
	pemBytes, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(pemBytes)
	if blk == nil {
		t.Fatal("no certificate in openssl output")
	}
	c, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// pkcs12KDF is RFC 7292 appendix B.2 with SHA-1 (test-only).
func pkcs12KDF(password []byte, salt []byte, iter int, id byte, n int) []byte {
	const u, v = 20, 64
	fill := func(b []byte) []byte {
		if len(b) == 0 {
			return nil
		}
		out := make([]byte, v*((len(b)+v-1)/v))
		for i := range out {
			out[i] = b[i%len(b)]
		}
		return out
	}
	d := bytes.Repeat([]byte{id}, v)
	I := append(fill(salt), fill(password)...)
	var res []byte
	for len(res) < n {
		h := sha1.Sum(append(bytes.Clone(d), I...))
		a := h[:]
		for j := 1; j < iter; j++ {
			h = sha1.Sum(a)
			a = h[:]
		}
		res = append(res, a...)
		b := new(big.Int).SetBytes(fill(a))
		b.Add(b, big.NewInt(1))
		mod := new(big.Int).Lsh(big.NewInt(1), 8*v)
		for j := 0; j < len(I); j += v {
			x := new(big.Int).SetBytes(I[j : j+v])
			x.Add(x, b).Mod(x, mod)
			x.FillBytes(I[j : j+v])
		}
	}
	_ = u
	return res[:n]
}

// leafKeyPKCS8 decrypts the 3DES key bag of the GOST key file (test-only: it
// locates the bag by its OID rather than parsing the BER container, which is
// package eds's job).
func leafKeyPKCS8(t *testing.T) []byte {
	t.Helper()
	p12 := ncaFile(t, "keys", leafP12)
	bagOID := []byte{0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x0a, 0x01, 0x02}
	i := bytes.Index(p12, bagOID)
	if i < 0 {
		t.Fatal("no shrouded key bag")
	}
	var wrapped asn1.RawValue
	if _, err := asn1.Unmarshal(p12[i+len(bagOID):], &wrapped); err != nil {
		t.Fatal(err)
	}
	var epki struct {
		Alg struct {
			OID    asn1.ObjectIdentifier
			Params struct {
				Salt []byte
				Iter int
			}
		}
		Data []byte
	}
	if _, err := asn1.Unmarshal(wrapped.Bytes, &epki); err != nil {
		t.Fatal(err)
	}
	if !epki.Alg.OID.Equal(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 3}) {
		t.Fatalf("key bag algorithm %v", epki.Alg.OID)
	}
	var pw []byte
	for _, r := range utf16.Encode([]rune("Aa123456\x00")) {
		pw = append(pw, byte(r>>8), byte(r))
	}
	key := pkcs12KDF(pw, epki.Alg.Params.Salt, epki.Alg.Params.Iter, 1, 24)
	iv := pkcs12KDF(pw, epki.Alg.Params.Salt, epki.Alg.Params.Iter, 2, 8)
	blk, err := des.NewTripleDESCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	plain := make([]byte, len(epki.Data))
	cipher.NewCBCDecrypter(blk, iv).CryptBlocks(plain, epki.Data)
	pad := int(plain[len(plain)-1])
	if pad < 1 || pad > 8 {
		t.Fatal("bad padding: wrong password?")
	}
	return plain[:len(plain)-pad]
}

func TestNCALeafCertificate(t *testing.T) {
	leaf := leafCert(t)
	ca := ncaCA(t)
	if err := CheckCertSignature(leaf, ca); err != nil {
		t.Fatalf("leaf does not verify against the CA: %v", err)
	}
	if _, err := PublicKeyOf(leaf); err != nil {
		t.Fatal(err)
	}
	bad, _ := x509.ParseCertificate(bytes.Clone(leaf.Raw))
	bad.Raw[len(bad.Raw)-1] ^= 1
	if err := CheckCertSignature(bad, ca); !errors.Is(err, ErrInvalidSignature) {
		t.Fatalf("tampered leaf: %v", err)
	}
}

func TestNCAPrivateKey(t *testing.T) {
	der := leafKeyPKCS8(t)
	priv, err := ParseNCAPrivateKey(der)
	if err != nil {
		t.Fatalf("%v (%x...)", err, der[:min(len(der), 40)])
	}
	leaf := leafCert(t)
	pub, err := PublicKeyOf(leaf)
	if err != nil {
		t.Fatal(err)
	}
	if pub.X.Cmp(priv.X) != 0 || pub.Y.Cmp(priv.Y) != 0 {
		t.Fatal("the key file's scalar does not match its certificate's public key")
	}
	msg := []byte("Kense challenge 2022-08-01")
	sig, err := SignNCA(rand.Reader, priv, msg)
	if err != nil {
		t.Fatal(err)
	}
	if err := VerifyNCA(pub, msg, sig); err != nil {
		t.Fatalf("own signature: %v", err)
	}
	wrapped, _ := asn1.Marshal(sig)
	if err := VerifyNCA(pub, msg, wrapped); err != nil {
		t.Fatalf("OCTET STRING-wrapped signature: %v", err)
	}
	if err := VerifyNCA(pub, append(msg, '!'), sig); !errors.Is(err, ErrInvalidSignature) {
		t.Fatalf("other message: %v", err)
	}
	sig[3] ^= 1
	if err := VerifyNCA(pub, msg, sig); !errors.Is(err, ErrInvalidSignature) {
		t.Fatalf("tampered signature: %v", err)
	}
}

// GOST 34.310-2004: the CA's key lies on CryptoPro A and the CA's CRL
// verifies with GOST 34.311-95 (test S-boxes) and NCA's byte order.
func TestNCA2004CRLSignature(t *testing.T) {
	blk, _ := pem.Decode(ncaFile(t, "ca", "nca_gost_test.crt"))
	if blk == nil {
		t.Fatal("no PEM certificate")
	}
	ca, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := PublicKeyOf(ca)
	if err != nil {
		t.Fatal(err)
	}
	if pub.Curve != CurveCryptoProA {
		t.Fatalf("curve %s", pub.Curve.Name)
	}
	again, err := MarshalNCAPublicKey(pub)
	if err != nil || !bytes.Equal(again, ca.RawSubjectPublicKeyInfo) {
		t.Errorf("re-encoded 2004 public key info differs: %v", err)
	}
	crl := ncaFile(t, "crl", "nca_gost_test.crl")
	if err := CheckCRLSignature(crl, ca); err != nil {
		t.Fatalf("2004 CRL does not verify: %v", err)
	}
	bad := bytes.Clone(crl)
	bad[40] ^= 1 // inside the issuer name
	if err := CheckCRLSignature(bad, ca); err == nil {
		t.Fatal("tampered 2004 CRL verifies")
	}
	// A 2015 CRL is not accepted from a 2004 key, nor the reverse.
	if err := CheckCRLSignature(ncaFile(t, "crl", "nca_gost2022_test.crl"), ca); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("2015 CRL against a 2004 key: %v", err)
	}
	// Sign and verify with a fresh 2004-style key.
	priv, err := GenerateKey(CurveCryptoProA, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := SignNCA(rand.Reader, priv, []byte("2004"))
	if err != nil || len(sig) != 64 {
		t.Fatalf("sign: %v, %d bytes", err, len(sig))
	}
	if err := VerifyNCA(&priv.PublicKey, []byte("2004"), sig); err != nil {
		t.Fatal(err)
	}
	d, s, err := AlgorithmOIDs(&priv.PublicKey)
	if err != nil || !d.Equal(OIDNCADigest2004) || !s.Equal(OIDNCASignature2004) {
		t.Fatalf("AlgorithmOIDs: %v %v %v", d, s, err)
	}
	h, err := NewHash(d)
	if err != nil {
		t.Fatal(err)
	}
	h.Write([]byte("2004"))
	if err := VerifyDigestNCA(&priv.PublicKey, h.Sum(nil), sig); err != nil {
		t.Fatalf("VerifyDigestNCA with NewHash: %v", err)
	}
}
