package server

import (
	"crypto/rand"
	"testing"
	"time"

	"kense/api"
)

// BenchmarkSignIn: whole sign-ins over loopback HTTP against the real
// server and bbolt store — challenge, client-side RSA-2048 CMS signing,
// sign-in (CMS and chain verification, account, session write).
func BenchmarkSignIn(b *testing.B) {
	e := newEnv(b, nil)
	c := e.cert(0, pNotary, "AUTH", t0.AddDate(0, -1, 0))
	e.addAccount(NewAccount{IIN: pNotary.IIN, FullName: "Нұрланова Айгүл", Kind: api.KindUNIS, Cert: c})
	s := e.signer(0, c)
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		e.ok(s, attempt{detached: true})
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "signins/s")
}

// BenchmarkVerifyOnly: the server's verification of one sign-in CMS
// (signature, chain to the anchor, validity, EKU; revocation off), the
// part that costs CPU per sign-in.
func BenchmarkVerifyOnly(b *testing.B) {
	e := newEnv(b, nil)
	c := e.cert(0, pNotary, "AUTH", t0.AddDate(0, -1, 0))
	s := e.signer(0, c)
	nonce := make([]byte, 32)
	rand.Read(nonce)
	cms, err := s.SignCMS(nonce, true, t0)
	if err != nil {
		b.Fatal(err)
	}
	v := EDSVerifier{e.ver}
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		if _, err := v.VerifyCMS(cms, nonce, EKUAuth); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "verifies/s")
}

// BenchmarkVerifyOnlyParallel: the same on every core (GOMAXPROCS
// goroutines), the server's verification throughput.
func BenchmarkVerifyOnlyParallel(b *testing.B) {
	e := newEnv(b, nil)
	c := e.cert(0, pNotary, "AUTH", t0.AddDate(0, -1, 0))
	s := e.signer(0, c)
	nonce := make([]byte, 32)
	rand.Read(nonce)
	cms, err := s.SignCMS(nonce, true, t0)
	if err != nil {
		b.Fatal(err)
	}
	v := EDSVerifier{e.ver}
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := v.VerifyCMS(cms, nonce, EKUAuth); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "verifies/s")
}
