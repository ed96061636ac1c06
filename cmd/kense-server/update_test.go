package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kense/api"
)

// TestServeAnnouncesLatestVersion: the config file's latestVersion and
// downloadUrl reach GET /v1/policy, the flags override them, and a garbled
// version or a non-https link stops the server at start.
func TestServeAnnouncesLatestVersion(t *testing.T) {
	data := t.TempDir()
	cfg := filepath.Join(t.TempDir(), "config.json")
	os.WriteFile(cfg, []byte(`{"demo":true,"trust":{"anchors":[]},"latestVersion":"0.2.0","downloadUrl":"https://kense.kz/kense-0.2.0-x64.msi"}`), 0o644)

	url, _, stop := serveFor(t, "-data", data, "-addr", "127.0.0.1:0", "-config", cfg)
	var p api.Policy
	getJSON(t, http.DefaultClient, url+"/v1/policy", &p)
	if p.LatestVersion != "0.2.0" || p.DownloadURL != "https://kense.kz/kense-0.2.0-x64.msi" {
		t.Fatalf("policy from the config: %+v", p)
	}
	if code := stop(); code != 0 {
		t.Fatal(code)
	}

	url, _, stop = serveFor(t, "-data", data, "-addr", "127.0.0.1:0", "-config", cfg,
		"-latest-version", "0.3.1", "-download-url", "https://kense.kz/dl")
	p = api.Policy{}
	getJSON(t, http.DefaultClient, url+"/v1/policy", &p)
	if p.LatestVersion != "0.3.1" || p.DownloadURL != "https://kense.kz/dl" {
		t.Fatalf("flags do not override the config: %+v", p)
	}
	if code := stop(); code != 0 {
		t.Fatal(code)
	}

	for _, args := range [][]string{
		{"-latest-version", "latest"},
		{"-latest-version", "0.2.0", "-download-url", "http://kense.kz/kense.msi"},
	} {
		code, _, errs := runCmd(t, "", append([]string{"serve", "-data", data, "-addr", "127.0.0.1:0", "-demo"}, args...)...)
		if code != 1 || !strings.Contains(errs, "server:") {
			t.Errorf("%v: exit %d, %q", args, code, errs)
		}
	}
}
