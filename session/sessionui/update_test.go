package sessionui

import (
	"context"
	"testing"
	"time"

	"kense/client"
	"kense/server"
	"kense/session"
	"kense/session/sessiontest"
	"kense/ui"
)

// TestSignInCarriesUpdate: the newer release in a real server's policy
// reaches the screen's SignedIn (the shell's top bar shows it); an app as
// new as the announcement gets none.
func TestSignInCarriesUpdate(t *testing.T) {
	d := sessiontest.StartWith(t, func(c *server.Config) {
		c.LatestVersion, c.DownloadURL = "0.2.0", "https://kense.kz/kense-0.2.0-x64.msi"
	})
	for running, want := range map[string]ui.Update{
		"0.1.0": {Version: "0.2.0", URL: "https://kense.kz/kense-0.2.0-x64.msi"},
		"0.2.0": {},
	} {
		a := New(session.New(session.Options{Client: client.Options{Timeout: 5 * time.Second, Retries: -1}, Version: running}))
		if _, err := a.Connect(context.Background(), d.URL()); err != nil {
			t.Fatal(err)
		}
		if _, err := a.OpenKey(d.Key(sessiontest.KeyNotary), []byte(server.DemoKeyPassword)); err != nil {
			t.Fatal(err)
		}
		who, err := a.SignIn(context.Background(), ui.SignInRequest{Server: d.URL()})
		if err != nil {
			t.Fatal(err)
		}
		if who.Update != want {
			t.Errorf("running %s: update %+v, want %+v", running, who.Update, want)
		}
	}
}
