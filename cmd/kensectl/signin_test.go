package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"kense/api"
	"kense/client"
	"kense/eds"
	"kense/eds/ncalayer"
	"kense/i18n"
	"kense/server"
)

// TestSignin runs `kensectl signin` against a real demo kense-server on
// 127.0.0.1 (bbolt store and demo PKI in t.TempDir()).
func TestSignin(t *testing.T) {
	prev := i18n.Current()
	i18n.SetLang(i18n.EN)
	t.Cleanup(func() { i18n.SetLang(prev) })
	dir := t.TempDir()
	st, err := server.OpenBolt(filepath.Join(dir, "data"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	info, err := server.CreateDemo(st, filepath.Join(dir, "demo"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	fc, err := server.LoadFileConfig(info.ConfigFile)
	if err != nil {
		t.Fatal(err)
	}
	v, err := server.NewEDSVerifier(context.Background(), fc.Trust, time.Now, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Config{Store: st, Verifier: server.EDSVerifier{V: v}, Demo: true, MaxFailures: -1})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	key := func(name string) string { return filepath.Join(dir, "demo", "keys", name) }
	t.Setenv("KENSE_KEY_PASSWORD", server.DemoKeyPassword)
	t.Setenv("KENSE_PASSWORD", "")
	t.Setenv("KENSE_SERVER", "")

	signin := func(t *testing.T, args ...string) (int, string, string) {
		t.Helper()
		var out, errb bytes.Buffer
		code := run(append([]string{"signin"}, args...), &out, &errb)
		return code, out.String(), errb.String()
	}
	decode := func(t *testing.T, s string) signinOut {
		t.Helper()
		var o signinOut
		if err := json.Unmarshal([]byte(s), &o); err != nil {
			t.Fatalf("%v: %s", err, s)
		}
		return o
	}

	t.Run("unis", func(t *testing.T) {
		// Flags after the file, as the README writes them.
		code, out, errs := signin(t, key("notary_AUTH_RSA256.p12"), "-server", hs.URL)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		o := decode(t, out)
		if o.Account.IIN != "780312450016" || o.Account.Kind != api.KindUNIS || !o.Demo || o.Server != hs.URL ||
			o.Key == nil || o.Key.KeyUsage != "AUTH" || len(o.Warnings) != 0 || o.SessionExpiresAt.IsZero() {
			t.Fatalf("output %+v", o)
		}
		if strings.Contains(out, "token") {
			t.Fatal("the session token was printed")
		}
		if !strings.Contains(errs, i18n.T("client.cli.demo")) {
			t.Fatalf("no demo notice: %s", errs)
		}
	})

	t.Run("gost", func(t *testing.T) {
		// The demo's GOST 34.10-2015 AUTH key, from its GOST CA (GOST CRL).
		code, out, errs := signin(t, "-server", hs.URL, key("notary_AUTH_GOST512.p12"))
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		o := decode(t, out)
		if o.Account.IIN != "780312450016" || o.Key == nil || o.Key.Algorithm != "GOST2015-512" || o.Key.KeyUsage != "AUTH" || !o.Demo {
			t.Fatalf("output %+v", o)
		}
	})

	t.Run("rer from stdin", func(t *testing.T) {
		// Both passwords from stdin lines: the key's, then the account's.
		os.Unsetenv("KENSE_KEY_PASSWORD")
		old := edsStdin
		t.Cleanup(func() { edsStdin = old; os.Setenv("KENSE_KEY_PASSWORD", server.DemoKeyPassword) })
		edsStdin = strings.NewReader(server.DemoKeyPassword + "\r\n" + server.DemoRERPassword + "\n")
		code, out, errs := signin(t, "-server", hs.URL, "-login", server.DemoRERLogin, key("rer_AUTH_RSA256.p12"))
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		if o := decode(t, out); o.Account.Kind != api.KindRER || o.Account.Login != server.DemoRERLogin {
			t.Fatalf("output %+v", o)
		}
	})

	t.Run("rer from environment", func(t *testing.T) {
		t.Setenv("KENSE_PASSWORD", server.DemoRERPassword)
		t.Setenv("KENSE_SERVER", hs.URL)
		code, out, errs := signin(t, "-login", server.DemoRERLogin, key("rer_AUTH_RSA256.p12"))
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		if o := decode(t, out); o.Account.IIN != "850505400028" {
			t.Fatalf("output %+v", o)
		}
	})

	t.Run("ncalayer", func(t *testing.T) {
		kf, err := client.OpenKeyFile(key("notary_AUTH_RSA256.p12"), []byte(server.DemoKeyPassword))
		if err != nil {
			t.Fatal(err)
		}
		defer kf.Close()
		nl := fakeNCALayer(t, kf)
		code, out, errs := signin(t, "-server", hs.URL, "-ncalayer", "-ncalayer-url", nl)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		if o := decode(t, out); o.Account.IIN != "780312450016" || o.Key == nil || o.Key.IIN != "780312450016" {
			t.Fatalf("output %+v", o)
		}
	})

	t.Run("warning", func(t *testing.T) {
		code, out, errs := signin(t, "-server", hs.URL, key("notary2_AUTH_RSA256.p12"))
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		o := decode(t, out)
		if len(o.Warnings) != 1 || o.Warnings[0].Code != api.WarnEDSYearEnding || !strings.Contains(errs, o.Warnings[0].Message) ||
			!strings.Contains(o.Warnings[0].Message, "days") {
			t.Fatalf("warnings %+v; stderr %s", o.Warnings, errs)
		}
	})

	// Refusals: exit 1, the translated message on stderr, nothing on stdout.
	for _, tc := range []struct {
		name string
		lang i18n.Lang
		args []string
		want string
	}{
		{"sign key", i18n.RU, []string{"-server", hs.URL, key("notary_RSA256.p12")}, i18n.TL(i18n.RU, "eds.err.wrong_key_usage.AUTH")},
		{"revoked", i18n.EN, []string{"-server", hs.URL, key("notary_revoked_AUTH_RSA256.p12")}, i18n.TL(i18n.EN, "client.err.revoked")},
		{"blocked", i18n.KK, []string{"-server", hs.URL, key("blocked_AUTH_RSA256.p12")}, "demo: access terminated (UNIS rule 5)"},
		{"no account", i18n.EN, []string{"-server", hs.URL, key("stranger_AUTH_RSA256.p12")}, i18n.TL(i18n.EN, "client.err.account_not_found")},
		{"rer without password", i18n.EN, []string{"-server", hs.URL, key("rer_AUTH_RSA256.p12")}, i18n.TL(i18n.EN, "client.err.password_required")},
		{"plain http elsewhere", i18n.EN, []string{"-server", "http://kense.example.kz", key("notary_AUTH_RSA256.p12")}, "https://"},
		{"missing file", i18n.EN, []string{"-server", hs.URL, key("nope.p12")}, "nope.p12"},
		{"server down", i18n.RU, []string{"-server", "http://127.0.0.1:1", "-timeout", "2s", key("notary_AUTH_RSA256.p12")}, i18n.TL(i18n.RU, "client.err.offline")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			i18n.SetLang(tc.lang)
			defer i18n.SetLang(i18n.EN)
			code, out, errs := signin(t, tc.args...)
			if code != 1 || out != "" || !strings.Contains(errs, tc.want) {
				t.Fatalf("exit %d, stdout %q, stderr %q; want %q", code, out, errs, tc.want)
			}
		})
	}

	t.Run("wrong key password", func(t *testing.T) {
		t.Setenv("KENSE_KEY_PASSWORD", "nope")
		code, _, errs := signin(t, "-server", hs.URL, key("notary_AUTH_RSA256.p12"))
		if code != 1 || !strings.Contains(errs, i18n.T("eds.err.wrong_password")) {
			t.Fatalf("exit %d: %s", code, errs)
		}
	})

	t.Run("usage", func(t *testing.T) {
		for _, args := range [][]string{
			{key("notary_AUTH_RSA256.p12")},                              // no server
			{"-server", hs.URL},                                          // no key
			{"-server", hs.URL, "-ncalayer", key("x.p12")},               // both
			{"-server", hs.URL, "a.p12", "b.p12"},                        // two keys
			{"-server", hs.URL, "-timeout", "0s", key("x.p12")},          // no timeout
			{"-server", hs.URL, "-bogus", key("notary_AUTH_RSA256.p12")}, // unknown flag
		} {
			if code, _, errs := signin(t, args...); code != 2 || !strings.Contains(errs, "kensectl signin") {
				t.Errorf("%q: exit %d: %s", args, code, errs)
			}
		}
	})
}

// fakeNCALayer answers NCALayer's sign request on 127.0.0.1 (TLS with a
// self-signed certificate, as the real one) by signing with s.
func fakeNCALayer(t *testing.T, s eds.Signer) string {
	t.Helper()
	hs := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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
			t.Errorf("fake NCALayer: %s", b)
			return
		}
		data, _ := base64.StdEncoding.DecodeString(req.Args.Data)
		cms, err := s.SignCMS(data, !req.Args.SigningParams.Encapsulate, time.Now())
		if err != nil {
			t.Error(err)
			return
		}
		c.Write(ctx, websocket.MessageText, []byte(`{"status":true,"body":{"result":"`+base64.StdEncoding.EncodeToString(cms)+`"}}`))
		c.Read(ctx)
	}))
	hs.StartTLS()
	t.Cleanup(hs.Close)
	return "wss://" + hs.Listener.Addr().String()
}
