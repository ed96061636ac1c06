package eds

import "testing"

// BenchmarkVerifyCMSGOST2015 is BenchmarkVerifyCMSRSA2048 with the NCA test
// GOST-2015 key: CMS parse, Streebog-512, the GOST 512-bit signature, the
// hand-built chain to NCA's GOST test CA and the CRL lookup. As on a server
// that sees the same certificate again, the certificate's and the CRL's
// GOST signature checks are cached after the first: one GOST verification
// per op.
//
//	go test -run XXX -bench VerifyCMS ./eds
func BenchmarkVerifyCMSGOST2015(b *testing.B) {
	s, _ := gostNCASigner(b)
	data := []byte("0123456789abcdef0123456789abcdef")
	cms, err := s.SignCMS(data, true, date("2023-01-01T00:00:00Z"))
	if err != nil {
		b.Fatal(err)
	}
	v := gostVerifier(b, "2023-01-01T00:00:00Z")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := v.VerifyCMS(cms, data, EKUSign); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "verifications/s")
}

// BenchmarkSignCMSGOST2015: a GOST CMS signature with a key file's key
// (parsing the key, which computes its public point, then signing).
func BenchmarkSignCMSGOST2015(b *testing.B) {
	s, _ := gostNCASigner(b)
	data := []byte("0123456789abcdef0123456789abcdef")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.SignCMS(data, true, date("2023-01-01T00:00:00Z")); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "signatures/s")
}
