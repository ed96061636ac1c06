package eds

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"testing"
	"time"

	"kense/eds/edstest"
)

// BenchmarkVerifyCMSRSA2048 is the server's sign-in check without network:
// CMS parse, RSA-2048 signature, chain to the anchor, CRL lookup. Compare
// its verifications/s with `openssl speed rsa2048` (verify/s).
func BenchmarkVerifyCMSRSA2048(b *testing.B) {
	ca, leaf, key := testPKI(b, EKUAuth)
	now := time.Now()
	cms, err := (&keySigner{key: key, cert: leaf}).SignCMS([]byte("0123456789abcdef0123456789abcdef"), true, now)
	if err != nil {
		b.Fatal(err)
	}
	crl := ca.CRL(b, nil, now, now.Add(-time.Minute), now.Add(time.Hour))
	v := &Verifier{Anchors: []*x509.Certificate{ca.Cert}, CRLs: []*x509.RevocationList{crl}, Policy: RevocationRequire}
	data := []byte("0123456789abcdef0123456789abcdef")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := v.VerifyCMS(cms, data, EKUAuth); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "verifications/s")
}

func BenchmarkReadPKCS12(b *testing.B) {
	data := ncaFile(b, "keys", "individual_rsa_sign_valid.p12")
	for i := 0; i < b.N; i++ {
		if _, err := ReadPKCS12(data, []byte("Qwerty12")); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRSA2048VerifyRaw is the bare primitive in Go, the figure that
// compares like for like with `openssl speed rsa2048` verify/s. A sign-in
// costs two of these (CMS signature, certificate signature) plus parsing.
func BenchmarkRSA2048VerifyRaw(b *testing.B) {
	key := edstest.Key(b, 1)
	sum := sha256.Sum256([]byte("x"))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := rsa.VerifyPKCS1v15(&key.PublicKey, crypto.SHA256, sum[:], sig); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "verify/s")
}
