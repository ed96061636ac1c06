package server

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"kense/api"
	"kense/eds"
)

// TestPolicyAnnouncesLatestVersion: the configured release reaches
// GET /v1/policy; without one the answer carries neither field.
func TestPolicyAnnouncesLatestVersion(t *testing.T) {
	e := newEnv(t, func(c *Config, _ *eds.Verifier) {
		c.LatestVersion, c.DownloadURL = "0.2.0", "https://kense.kz/kense-0.2.0-x64.msi"
	})
	st, b := e.do(nil, "GET", "/v1/policy", "", nil)
	var p api.Policy
	if st != 200 || json.Unmarshal(b, &p) != nil {
		t.Fatalf("%d %s", st, b)
	}
	if p.LatestVersion != "0.2.0" || p.DownloadURL != "https://kense.kz/kense-0.2.0-x64.msi" {
		t.Fatalf("policy %+v", p)
	}

	e = newEnv(t, nil)
	st, b = e.do(nil, "GET", "/v1/policy", "", nil)
	if st != 200 || strings.Contains(string(b), "latestVersion") || strings.Contains(string(b), "downloadUrl") {
		t.Fatalf("nothing announced, yet: %d %s", st, b)
	}
}

func TestNewRefusesBadAnnouncement(t *testing.T) {
	st, err := OpenBolt(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, c := range []struct{ version, url string }{
		{"latest", ""},
		{"0.2", ""},
		{"0.2.0", "http://kense.kz/kense.msi"},
		{"0.2.0", "kense.kz/kense.msi"},
		{"", "https://kense.kz/kense.msi"},
	} {
		if _, err := New(Config{Store: st, Verifier: NewReloadingVerifier(&eds.Verifier{}, nil, nil), LatestVersion: c.version, DownloadURL: c.url}); err == nil {
			t.Errorf("New accepted version %q, URL %q", c.version, c.url)
		}
	}
}

// TestOpenAPIPolicySchema: every field of api.Policy is in the Policy schema
// of api/openapi.yaml (the app's update notice reads two of them).
func TestOpenAPIPolicySchema(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "api", "openapi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	i := strings.Index(doc, "\n    Policy:\n")
	if i < 0 {
		t.Fatal("no Policy schema")
	}
	schema := doc[i+len("\n    Policy:\n"):]
	// The schema ends at the next schema (4 spaces of indent).
	for j, line := range strings.Split(schema, "\n") {
		if strings.HasPrefix(line, "    ") && !strings.HasPrefix(line, "     ") {
			schema = strings.Join(strings.Split(schema, "\n")[:j], "\n")
			break
		}
	}
	ty := reflect.TypeOf(api.Policy{})
	for k := 0; k < ty.NumField(); k++ {
		name, _, _ := strings.Cut(ty.Field(k).Tag.Get("json"), ",")
		if !strings.Contains(schema, "\n        "+name+":") {
			t.Errorf("openapi.yaml's Policy lacks %s", name)
		}
	}
}
