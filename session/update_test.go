package session

import (
	"context"
	"testing"
	"time"

	"kense/client"
	"kense/deploy"
	"kense/server"
	"kense/session/sessiontest"
)

// TestSignInReportsNewerVersion: the release announced in the server's
// policy comes back with the sign-in when it is newer than the app, and
// not when the app is as new or newer (or a developer build).
func TestSignInReportsNewerVersion(t *testing.T) {
	d := sessiontest.StartWith(t, func(c *server.Config) {
		c.LatestVersion, c.DownloadURL = "0.2.0", "https://kense.kz/kense-0.2.0-x64.msi"
	})
	for _, c := range []struct {
		running string
		want    *deploy.Offer
	}{
		{"0.1.0", &deploy.Offer{Version: "0.2.0", URL: "https://kense.kz/kense-0.2.0-x64.msi"}},
		{"0.2.0", nil},
		{"0.3.0-rc.1", nil},
		{"dev", nil},
	} {
		s := New(Options{Client: client.Options{Timeout: 5 * time.Second, Retries: -1}, Version: c.running})
		if _, err := s.OpenKeyFile(d.Key(keyNotary), pw(server.DemoKeyPassword)); err != nil {
			t.Fatal(err)
		}
		res, err := s.SignIn(context.Background(), Request{Server: d.URL()})
		if err != nil {
			t.Fatal(err)
		}
		if (res.Update == nil) != (c.want == nil) || res.Update != nil && *res.Update != *c.want {
			t.Errorf("running %s: update %+v, want %+v", c.running, res.Update, c.want)
		}
		s.SignOut(context.Background())
	}
}
