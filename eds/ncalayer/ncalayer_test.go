package ncalayer

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"kense/eds"
	"kense/eds/edstest"
	"kense/i18n"
)

// fakeNCALayer serves NCALayer's protocol on 127.0.0.1 with TLS and a
// self-signed certificate, as the real one does. answer builds the reply to
// a request; the request is checked and handed to got.
func fakeNCALayer(t *testing.T, answer func(r Request) string, got chan<- Request) string {
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
		var req Request
		if err := json.Unmarshal(b, &req); err != nil {
			t.Errorf("fake NCALayer: bad request %s", b)
			return
		}
		got <- req
		c.Write(ctx, websocket.MessageText, []byte(answer(req)))
		c.Read(ctx) // wait for the client's close
	}))
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return "wss://" + srv.Listener.Addr().String()
}

func TestNCALayer(t *testing.T) {
	now := time.Now()
	ca := edstest.NewCA(t, "NCA TEST", 0, now.Add(-time.Hour), now.AddDate(1, 0, 0))
	leaf, key := ca.Issue(t, edstest.Person{IIN: "770101300111", Surname: "СЕРІКОВ", Name: "АЙДАР", Patronymic: "НҰРЛАНҰЛЫ", EKU: eds.EKUAuth, NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0), KeyIndex: 1})
	p12, err := eds.EncodePKCS12(key, leaf, nil, []byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	cont, err := eds.ReadPKCS12(p12, []byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	fileSigner, _ := cont.Keys[0].Signer()

	sign := func(r Request) string {
		data, err := base64.StdEncoding.DecodeString(r.Args.Data)
		if err != nil {
			return `{"status":false,"code":"500","message":"bad data"}`
		}
		cms, err := fileSigner.SignCMS(data, !r.Args.SigningParams.Encapsulate, time.Now())
		if err != nil {
			t.Error(err)
		}
		return `{"status":true,"body":{"result":"` + base64.StdEncoding.EncodeToString(cms) + `"}}`
	}
	for _, tc := range []struct {
		name   string
		answer func(Request) string
		want   string // error code, "" for success
	}{
		{"success", sign, ""},
		{"success as list", func(r Request) string {
			s := sign(r)
			return strings.Replace(strings.Replace(s, `"result":"`, `"result":["`, 1), `"}}`, `"]}}`, 1)
		}, ""},
		{"cancel", func(Request) string { return `{"status":true,"body":{}}` }, eds.CodeCanceled},
		{"old cancel", func(Request) string { return `{"code":"500","message":"action.canceled"}` }, eds.CodeCanceled},
		{"failure", func(Request) string {
			return `{"status":false,"code":"500","message":"Сертификат отозван","details":"revoked"}`
		}, eds.CodeNCALayerFailed},
		{"garbage", func(Request) string { return `not json` }, eds.CodeNCALayerFailed},
		{"not base64", func(Request) string { return `{"status":true,"body":{"result":"@@@"}}` }, eds.CodeNCALayerFailed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := make(chan Request, 1)
			c := &Client{URL: fakeNCALayer(t, tc.answer, got), Purpose: eds.EKUAuth, Locale: i18n.RU, Timeout: 30 * time.Second}
			cms, err := c.SignCMS([]byte("nonce-42"), true, time.Time{})
			req := <-got
			if req.Module != "kz.gov.pki.knca.basics" || req.Method != "sign" || req.Args.Format != "cms" || req.Args.Locale != "ru" ||
				len(req.Args.SignerParams.ExtKeyUsageOids) != 1 || req.Args.SignerParams.ExtKeyUsageOids[0] != eds.EKUAuth ||
				req.Args.SigningParams.Encapsulate || strings.Join(req.Args.AllowedStorages, ",") != "PKCS12,AKKaztokenStore,AKKZIDCardStore" {
				t.Errorf("request %+v", req)
			}
			var e *eds.Error
			switch {
			case tc.want == "" && err != nil:
				t.Fatal(err)
			case tc.want == "":
				if c.Certificate() == nil || !c.Certificate().Equal(leaf) {
					t.Error("signer certificate not taken from the CMS")
				}
				v := &eds.Verifier{Anchors: []*x509.Certificate{ca.Cert}, Policy: eds.RevocationOff}
				r, err := v.VerifyCMS(cms, []byte("nonce-42"), eds.EKUAuth)
				if err != nil || r.Signer.IIN != "770101300111" {
					t.Fatalf("verify: %v", err)
				}
			case !errors.As(err, &e) || e.Code != tc.want:
				t.Fatalf("got %v, want %s", err, tc.want)
			}
		})
	}
}

func TestNCALayerNotRunning(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	c := &Client{URL: "wss://" + addr, Timeout: 10 * time.Second}
	_, err = c.SignCMS([]byte("x"), true, time.Time{})
	if !errors.Is(err, eds.ErrNCALayerNotRunning) {
		t.Fatalf("got %v", err)
	}
	for _, l := range i18n.Langs {
		if m := err.(*eds.Error).Message(l); !strings.Contains(m, "ncl.pki.gov.kz") || !strings.Contains(m, "NCALayer") {
			t.Errorf("%s: %q", l, m)
		}
	}
}

func TestNCALayerContextCanceled(t *testing.T) {
	got := make(chan Request, 1)
	block := make(chan struct{})
	u := fakeNCALayer(t, func(Request) string { <-block; return "{}" }, got)
	t.Cleanup(func() { close(block) }) // runs before the server's Close
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := (&Client{URL: u}).SignCMSContext(ctx, []byte("x"), false)
	var e *eds.Error
	if !errors.As(err, &e) || e.Code != eds.CodeNCALayerFailed {
		t.Fatalf("got %v", err)
	}
}

func TestLoopbackOnlyTrustsAnyCert(t *testing.T) {
	for host, want := range map[string]bool{"127.0.0.1": true, "localhost": true, "::1": true, "127.0.0.2": true, "10.0.0.1": false, "ncl.pki.gov.kz": false, "localhost.evil.kz": false} {
		if loopback(host) != want {
			t.Errorf("%s: %v", host, !want)
		}
	}
	hc, err := httpClient("wss://example.kz:13579")
	if err != nil || hc.Transport.(*http.Transport).TLSClientConfig.InsecureSkipVerify {
		t.Error("a remote host would be trusted without verification")
	}
}

func FuzzDecodeAnswer(f *testing.F) {
	for _, s := range []string{
		`{"status":true,"body":{"result":"MIIB"}}`,
		`{"status":true,"body":{"result":["MIIB","MIIC"]}}`,
		`{"status":true,"body":{}}`,
		`{"status":false,"code":"500","message":"x","details":"y"}`,
		`{"code":"500","message":"action.canceled"}`,
		`{"result":{"version":"1.2"}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var a answer
		if json.Unmarshal(b, &a) != nil {
			return
		}
		cms, err := decodeAnswer(a)
		if err != nil {
			if _, ok := err.(*eds.Error); !ok {
				t.Fatalf("error of type %T", err)
			}
		} else if cms == nil {
			t.Fatal("no CMS and no error")
		}
	})
}
