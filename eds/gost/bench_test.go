package gost

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"testing"
)

// GOST-512 next to RSA-2048 on the same machine:
// go test -run '^$' -bench . ./eds/gost/

var benchMsg = []byte("Kense sign-in challenge: 32 random bytes would go here")

// perSecond reports the rate the issue asks for next to ns/op.
func perSecond(b *testing.B) {
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(b.N)/s, "ops/s")
	}
}

func BenchmarkGOST512Sign(b *testing.B) {
	priv, err := GenerateKey(CurveTC26512A, rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := SignNCA(rand.Reader, priv, benchMsg); err != nil {
			b.Fatal(err)
		}
	}
	perSecond(b)
}

func BenchmarkGOST512Verify(b *testing.B) {
	priv, err := GenerateKey(CurveTC26512A, rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	sig, err := SignNCA(rand.Reader, priv, benchMsg)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := VerifyNCA(&priv.PublicKey, benchMsg, sig); err != nil {
			b.Fatal(err)
		}
	}
	perSecond(b)
}

func BenchmarkRSA2048Sign(b *testing.B) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		h := sha256.Sum256(benchMsg)
		if _, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, h[:]); err != nil {
			b.Fatal(err)
		}
	}
	perSecond(b)
}

func BenchmarkRSA2048Verify(b *testing.B) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		b.Fatal(err)
	}
	h := sha256.Sum256(benchMsg)
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, h[:])
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		h := sha256.Sum256(benchMsg)
		if err := rsa.VerifyPKCS1v15(&key.PublicKey, crypto.SHA256, h[:], sig); err != nil {
			b.Fatal(err)
		}
	}
	perSecond(b)
}

func BenchmarkStreebog512(b *testing.B) {
	buf := make([]byte, 8192)
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		Sum512(buf)
	}
}
