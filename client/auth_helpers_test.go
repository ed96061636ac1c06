package client

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"kense/eds"
	"kense/eds/ncalayer"
	"kense/server"
)

// The demo (CA, seven key files, accounts) takes nine RSA key generations:
// it is made once per test binary and kept in memory; every test writes it
// into its own t.TempDir() and runs its own kense-server on a copy of the
// bbolt file, so no test sees another's sessions or rate limits.
var (
	demoOnce  sync.Once
	demoFiles map[string][]byte // slash path under the demo root → bytes
	demoErr   error
)

func makeDemo() {
	dir, err := os.MkdirTemp("", "kense-client-demo-")
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

// demoEnv is a running demo kense-server on 127.0.0.1.
type demoEnv struct {
	t   testing.TB
	dir string
	hs  *httptest.Server
	srv *server.Server
}

// newDemo starts a demo server; cfg may adjust its configuration.
func newDemo(t testing.TB, cfg func(*server.Config)) *demoEnv {
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
	c := server.Config{Store: st, Verifier: server.EDSVerifier{V: v}, Demo: fc.Demo}
	if cfg != nil {
		cfg(&c)
	}
	srv, err := server.New(c)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return &demoEnv{t: t, dir: dir, hs: hs, srv: srv}
}

// key is the path of a demo key file.
func (e *demoEnv) key(name string) string {
	return filepath.Join(e.dir, "demo", "keys", name)
}

// client is a Client for the demo server with quick retries.
func (e *demoEnv) client() *Client {
	return New(e.hs.URL, Options{Timeout: 10 * time.Second, RetryWait: 10 * time.Millisecond, RetryMaxWait: 50 * time.Millisecond})
}

// open opens a demo key file with the demo password.
func (e *demoEnv) open(name string) *KeyFile {
	e.t.Helper()
	k, err := OpenKeyFile(e.key(name), []byte(server.DemoKeyPassword))
	if err != nil {
		e.t.Fatalf("%s: %v", name, err)
	}
	e.t.Cleanup(k.Close)
	return k
}

// fakeNCALayer serves NCALayer's protocol on 127.0.0.1 with TLS and a
// self-signed certificate, as the real one does; sign builds the answer
// from the data and the detached flag of the request.
func fakeNCALayer(t *testing.T, sign func(data []byte, detached bool) string) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		ctx := r.Context()
		c.Write(ctx, websocket.MessageText, []byte(`{"result":{"version":"1.2"}}`))
		_, b, err := c.Read(ctx)
		if err != nil {
			return
		}
		var req ncalayer.Request
		if err := json.Unmarshal(b, &req); err != nil {
			t.Errorf("fake NCALayer: bad request %s", b)
			return
		}
		if len(req.Args.SignerParams.ExtKeyUsageOids) != 1 || req.Args.SignerParams.ExtKeyUsageOids[0] != eds.EKUAuth {
			t.Errorf("fake NCALayer: keys not limited to AUTH: %+v", req.Args.SignerParams)
		}
		data, err := base64.StdEncoding.DecodeString(req.Args.Data)
		if err != nil {
			t.Errorf("fake NCALayer: data %q", req.Args.Data)
			return
		}
		c.Write(ctx, websocket.MessageText, []byte(sign(data, !req.Args.SigningParams.Encapsulate)))
		c.Read(ctx) // wait for the client's close
	}))
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return "wss://" + srv.Listener.Addr().String()
}
