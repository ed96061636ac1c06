package gost

import (
	"bytes"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// ncaSeed reads a file of the NCA test data for a fuzz seed, or returns nil
// when the data is absent (fuzz seeds must not skip the whole target).
func ncaSeed(parts ...string) []byte {
	dir, err := os.Getwd()
	if err != nil {
		return nil
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return nil
		}
		dir = parent
	}
	b, _ := os.ReadFile(filepath.Join(append([]string{dir, "..", "shared", "testdata", "nca"}, parts...)...))
	return b
}

func FuzzParseNCAPublicKey(f *testing.F) {
	priv, err := GenerateKey(CurveTC26512A, rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	spki, err := MarshalNCAPublicKey(&priv.PublicKey)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(spki)
	f.Add(spki[:len(spki)-1])
	f.Add([]byte{0x30, 0x00})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, der []byte) {
		pub, err := ParseNCAPublicKey(der)
		if err == nil && pub.Validate() != nil {
			t.Fatal("parsed a public key that does not validate")
		}
		// The same parser on a private key field and a PKCS#8 must not panic.
		_, _ = ParseNCAPrivateKey(der)
		_, _ = PrivateKeyFromPKCS8Field(CurveTC26512A, der)
	})
}

func FuzzVerifyNCA(f *testing.F) {
	priv, err := GenerateKey(CurveTC26512A, rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	spki, _ := MarshalNCAPublicKey(&priv.PublicKey)
	msg := []byte("challenge")
	sig, err := SignNCA(rand.Reader, priv, msg)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(spki, msg, sig)
	f.Add(spki, msg, make([]byte, 128))
	f.Add(spki, msg, append([]byte{0x04, 0x81, 0x80}, sig...))
	f.Add([]byte{}, []byte{}, []byte{})
	if ca := ncaSeed("ca", "nca_gost2015_test.cer"); ca != nil {
		f.Add(ca, []byte("x"), ca[len(ca)-128:])
	}
	f.Fuzz(func(t *testing.T, keyDER, message, signature []byte) {
		pub, err := ParseNCAPublicKey(keyDER)
		if err != nil {
			pub = &priv.PublicKey
		}
		err = VerifyNCA(pub, message, signature)
		if err == nil && pub == &priv.PublicKey && !bytes.Equal(message, msg) {
			t.Fatalf("forged signature verifies: %x", signature)
		}
		if err != nil && !errors.Is(err, ErrInvalidSignature) && !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrInvalidKey) {
			t.Fatalf("unexpected error kind: %v", err)
		}
		// Whole signed objects: certificates, CRLs, OCSP.
		_ = CheckSignedDER(keyDER, pub)
		_ = CheckSignedDER(signature, pub)
	})
}

func FuzzCheckSignedDER(f *testing.F) {
	for _, p := range [][]string{{"crl", "nca_gost2022_test.crl"}, {"ca", "nca_gost2015_test.cer"}, {"crl", "nca_gost_test.crl"}} {
		if b := ncaSeed(p...); b != nil {
			f.Add(b)
		}
	}
	f.Add([]byte{0x30, 0x03, 0x02, 0x01, 0x00})
	f.Fuzz(func(t *testing.T, der []byte) {
		_ = CheckSignedDER(der, CurveTC26512A.basePublicKey())
	})
}

// basePublicKey is the valid public key whose point is the base point.
func (c *Curve) basePublicKey() *PublicKey {
	return &PublicKey{Curve: c, X: c.X, Y: c.Y}
}
