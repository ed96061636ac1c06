// Package sessiontest runs a real demo kense-server on 127.0.0.1 for the
// tests of package session and the screens over it.
package sessiontest

import (
	"context"
	"io/fs"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"kense/server"
)

// Demo key files (server.CreateDemo).
const (
	KeyNotary   = "notary_AUTH_RSA256.p12"
	KeySign     = "notary_RSA256.p12"
	KeyNotary2  = "notary2_AUTH_RSA256.p12" // EDS year ends in 15 days
	KeyRER      = "rer_AUTH_RSA256.p12"
	KeyStranger = "stranger_AUTH_RSA256.p12"
)

// The demo PKI takes nine RSA key generations: it is made once per test
// binary and written into each test's own t.TempDir(), where the test gets
// its own kense-server (no shared sessions or rate limits).
var (
	demoOnce  sync.Once
	demoFiles map[string][]byte
	demoErr   error
)

func makeDemo() {
	dir, err := os.MkdirTemp("", "kense-sessiontest-")
	if err != nil {
		demoErr = err
		return
	}
	defer os.RemoveAll(dir)
	st, err := server.OpenBolt(filepath.Join(dir, "data"))
	if err != nil {
		demoErr = err
		return
	}
	_, err = server.CreateDemo(st, filepath.Join(dir, "demo"), time.Now())
	st.Close()
	if err != nil {
		demoErr = err
		return
	}
	demoFiles = map[string][]byte{}
	demoErr = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		demoFiles[filepath.ToSlash(rel)] = b
		return err
	})
}

// Demo is a running demo kense-server.
type Demo struct {
	Dir string
	HS  *httptest.Server
}

// URL is the server's address.
func (d *Demo) URL() string { return d.HS.URL }

// Key is the path of a demo key file.
func (d *Demo) Key(name string) string { return filepath.Join(d.Dir, "demo", "keys", name) }

// Start runs a demo server until the test ends.
func Start(t testing.TB) *Demo {
	t.Helper()
	return StartWith(t, nil)
}

// StartWith is Start with the server's Config changed by tune (nil: as is).
func StartWith(t testing.TB, tune func(*server.Config)) *Demo {
	t.Helper()
	demoOnce.Do(makeDemo)
	if demoErr != nil {
		t.Fatal(demoErr)
	}
	dir := t.TempDir()
	for rel, b := range demoFiles {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	st, err := server.OpenBolt(filepath.Join(dir, "data"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	fc, err := server.LoadFileConfig(filepath.Join(dir, "demo", server.DemoConfigFile))
	if err != nil {
		t.Fatal(err)
	}
	v, err := server.NewEDSVerifier(context.Background(), fc.Trust, time.Now, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg := server.Config{Store: st, Verifier: server.EDSVerifier{V: v}, Demo: fc.Demo}
	if tune != nil {
		tune(&cfg)
	}
	srv, err := server.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return &Demo{Dir: dir, HS: hs}
}
