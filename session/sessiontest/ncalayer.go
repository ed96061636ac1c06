package sessiontest

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/coder/websocket"

	"kense/eds/ncalayer"
)

// FakeNCALayer serves NCALayer's websocket protocol on 127.0.0.1 with TLS
// (a self-signed certificate, as the real one has). sign answers each
// request from the data to sign: the CMS, or canceled=true for the user
// pressing Cancel. It returns the wss:// address.
func FakeNCALayer(t testing.TB, sign func(data []byte, detached bool) (cms []byte, canceled bool)) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		ctx := r.Context()
		c.Write(ctx, websocket.MessageText, []byte(`{"result":{"version":"1.4"}}`))
		_, b, err := c.Read(ctx)
		if err != nil {
			return
		}
		var req ncalayer.Request
		if err := json.Unmarshal(b, &req); err != nil {
			t.Errorf("fake NCALayer: bad request %s", b)
			return
		}
		data, err := base64.StdEncoding.DecodeString(req.Args.Data)
		if err != nil {
			t.Errorf("fake NCALayer: data %q", req.Args.Data)
			return
		}
		cms, canceled := sign(data, !req.Args.SigningParams.Encapsulate)
		answer := `{"status":true,"body":{}}`
		if !canceled {
			answer = `{"status":true,"body":{"result":"` + base64.StdEncoding.EncodeToString(cms) + `"}}`
		}
		c.Write(ctx, websocket.MessageText, []byte(answer))
		c.Read(ctx) // wait for the client's close
	}))
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return "wss://" + srv.Listener.Addr().String()
}
