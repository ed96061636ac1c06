package eds

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// Our CMS verifies in openssl, and openssl's streamed (indefinite-length BER)
// CMS verifies here: the shape NCALayer and other signers produce.
func TestOpenSSLInterop(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed")
	}
	ca, leaf, key := testPKI(t, EKUAuth)
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	data := []byte("Kense challenge ✓ Қазақстан")
	dataFile := write("data", data)
	caFile := write("ca.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Cert.Raw}))
	ours, err := (&keySigner{key: key, cert: leaf}).SignCMS(data, true, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", write("ours.cms", ours),
		"-content", dataFile, "-CAfile", caFile, "-purpose", "any", "-out", os.DevNull).CombinedOutput()
	if err != nil {
		t.Fatalf("openssl does not verify our CMS: %v\n%s", err, out)
	}

	p8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	keyFile := write("key.pem", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: p8}))
	certFile := write("cert.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leaf.Raw}))
	theirsFile := filepath.Join(dir, "theirs.cms")
	out, err = exec.Command("openssl", "cms", "-sign", "-binary", "-nodetach", "-stream", "-outform", "DER", "-md", "sha256",
		"-in", dataFile, "-signer", certFile, "-inkey", keyFile, "-out", theirsFile).CombinedOutput()
	if err != nil {
		t.Fatalf("openssl cms -sign: %v\n%s", err, out)
	}
	theirs, err := os.ReadFile(theirsFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(theirs, []byte{0x30, 0x80}) {
		t.Logf("openssl wrote definite lengths: % x", theirs[:4])
	}
	v := &Verifier{Anchors: []*x509.Certificate{ca.Cert}, Policy: RevocationOff}
	r, err := v.VerifyCMS(theirs, nil, EKUAuth)
	if err != nil {
		t.Fatalf("openssl's CMS: %v", err)
	}
	if r.Signer.IIN != "880101300123" || r.SigningTime.IsZero() {
		t.Errorf("%+v", r)
	}
	if _, err := v.VerifyCMS(theirs, []byte("other"), EKUAuth); code(err) != CodeBadSignature {
		t.Errorf("openssl's CMS over other data: %v", err)
	}
}
