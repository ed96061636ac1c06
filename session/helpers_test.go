package session

import (
	"bytes"
	"net/http/httptest"
	"testing"
	"time"

	"kense/client"
	"kense/session/sessiontest"
)

// Demo key files.
const (
	keyNotary   = sessiontest.KeyNotary
	keySign     = sessiontest.KeySign
	keyNotary2  = sessiontest.KeyNotary2
	keyRER      = sessiontest.KeyRER
	keyStranger = sessiontest.KeyStranger
)

// demoEnv is a running demo kense-server on 127.0.0.1.
type demoEnv struct {
	d  *sessiontest.Demo
	hs *httptest.Server
}

func newDemo(t testing.TB) *demoEnv {
	d := sessiontest.Start(t)
	return &demoEnv{d: d, hs: d.HS}
}

func (e *demoEnv) key(name string) string { return e.d.Key(name) }

// session is a Session without retries (a stopped server is found fast).
func (e *demoEnv) session() *Session {
	return New(Options{Client: client.Options{Timeout: 5 * time.Second, Retries: -1}})
}

func pw(s string) []byte { return []byte(s) }

func allZero(b []byte) bool { return len(bytes.Trim(b, "\x00")) == 0 }
