package eds

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
	"time"
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

func ncaCert(t testing.TB, name string) *x509.Certificate {
	t.Helper()
	b := ncaFile(t, "ca", name)
	if p, _ := pem.Decode(b); p != nil {
		b = p.Bytes
	}
	c, err := x509.ParseCertificate(b)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ncaCRL(t testing.TB, name string) *x509.RevocationList {
	t.Helper()
	l, err := x509.ParseRevocationList(ncaFile(t, "crl", name))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func readNCAKey(t testing.TB, name, pass string) *Container {
	t.Helper()
	c, err := ReadPKCS12(ncaFile(t, "keys", name), []byte(pass))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return c
}

func date(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}
