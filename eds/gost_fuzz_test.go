package eds

import (
	"crypto/x509"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// gostFuzzPKI is a generated GOST-2015 CA and leaf: fuzz seeds that do not
// need NCA's test data.
func gostFuzzPKI(f *testing.F) (root *gostIssuer, leaf *Key, now time.Time) {
	now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	root = newGOSTCert(f, gostCertSpec{cn: "GOST FUZZ CA", ca: true, maxPathLen: -1, keyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		notBefore: now.AddDate(-1, 0, 0), notAfter: now.AddDate(5, 0, 0)}, nil)
	l := newGOSTCert(f, gostCertSpec{cn: "ФАЗЗ ТЕСТ", iin: "123456789098", keyUsage: x509.KeyUsageDigitalSignature,
		notBefore: now.AddDate(0, -1, 0), notAfter: now.AddDate(1, 0, 0)}, root)
	return root, gostKeyOf(f, l), now
}

// FuzzVerifyGOSTCMS: the GOST CMS parse and verify path never panics and
// fails only with *Error.
func FuzzVerifyGOSTCMS(f *testing.F) {
	root, leaf, now := gostFuzzPKI(f)
	anchors := []*x509.Certificate{root.cert}
	data := []byte("seed")
	add := func(s Signer, at time.Time) {
		for _, detached := range []bool{false, true} {
			if cms, err := s.SignCMS(data, detached, at); err == nil {
				f.Add(cms)
				f.Add(toIndefinite(f, cms))
			}
		}
	}
	if s, err := leaf.Signer(); err == nil {
		add(s, now)
	}
	if d := fuzzNCADir(); d != "" {
		if b, err := os.ReadFile(filepath.Join(d, "keys", gostKeyFile)); err == nil {
			if c, err := ReadPKCS12(b, []byte(gostKeyPass)); err == nil {
				if s, err := c.Keys[0].Signer(); err == nil {
					add(s, date("2023-01-01T00:00:00Z"))
				}
			}
		}
		if b, err := os.ReadFile(filepath.Join(d, "ca", gostCAFile)); err == nil {
			if c, err := x509.ParseCertificate(b); err == nil {
				anchors = append(anchors, c)
			}
		}
	}
	// One verification per input: under the fuzzer's coverage
	// instrumentation a GOST signature check takes about a second.
	v := &Verifier{Anchors: anchors, Policy: RevocationOff, Now: func() time.Time { return now }}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := v.VerifyCMS(b, data, "")
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		if r == nil || r.Cert == nil || len(r.Chain) == 0 {
			t.Fatalf("accepted without a certificate or chain: %+v", r)
		}
	})
}

// FuzzGOSTKeyPKCS8: whatever the decrypted PKCS#8 of a GOST key holds,
// Signer and SignCMS fail cleanly; a key that does not match the
// certificate never signs.
func FuzzGOSTKeyPKCS8(f *testing.F) {
	_, leaf, now := gostFuzzPKI(f)
	f.Add(leaf.gostPKCS8)
	if d := fuzzNCADir(); d != "" {
		if b, err := os.ReadFile(filepath.Join(d, "keys", gostKeyFile)); err == nil {
			if c, err := ReadPKCS12(b, []byte(gostKeyPass)); err == nil {
				f.Add(c.Keys[0].gostPKCS8)
			}
		}
	}
	f.Add([]byte{0x30, 0x03, 0x02, 0x01, 0x00})
	v := &Verifier{Anchors: nil, Policy: RevocationOff, Now: func() time.Time { return now }}
	f.Fuzz(func(t *testing.T, b []byte) {
		k := &Key{Cert: leaf.Cert, Info: leaf.Info, gostOID: leaf.gostOID, gostPKCS8: b}
		s, err := k.Signer()
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		cms, err := s.SignCMS([]byte("x"), true, now)
		if err != nil {
			t.Fatalf("Signer accepted the key but SignCMS failed: %v", err)
		}
		// The signature must be the certificate key's: it checks (the chain
		// is not configured here, so untrusted is the expected end).
		if _, err := v.VerifyCMS(cms, []byte("x"), ""); code(err) != CodeUntrusted {
			t.Fatalf("signature by an accepted key: %v", err)
		}
	})
}
