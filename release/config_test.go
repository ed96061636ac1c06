// Package release_test checks the shipped server files against the code
// that reads them (the rest of release/ is data and scripts).
package release_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kense/server"
)

// The example config must load with the server's strict reader: a renamed
// field in server.FileConfig breaks this test, not an operator's start-up.
func TestExampleServerConfigLoads(t *testing.T) {
	path, err := filepath.Abs("kense-server.example.json")
	if err != nil {
		t.Fatal(err)
	}
	c, err := server.LoadFileConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Trust.Anchors) == 0 || c.IdleLockMinutes <= 0 || c.Addr == "" {
		t.Fatalf("example lacks anchors, idle lock or address: %+v", c)
	}
	if _, err := server.CheckRevocationPolicy(c.Trust.Revocation); err != nil {
		t.Fatal(err)
	}
	// Relative paths resolve next to the config file (/etc/kense-server/nca/…).
	if want := filepath.Join(filepath.Dir(path), "nca", "root_rsa.crt"); c.Trust.Anchors[0] != want {
		t.Errorf("anchor %q is not resolved next to the config", c.Trust.Anchors[0])
	}
}

// The unit must start the binary with the flags kense-server has, keep its
// data in the state directory and stay hardened.
func TestSystemdUnit(t *testing.T) {
	data, err := os.ReadFile("kense-server.service")
	if err != nil {
		t.Fatal(err)
	}
	unit := string(data)
	for _, want := range []string{
		"ExecStart=/usr/local/bin/kense-server serve -data %S/kense-server -config /etc/kense-server/config.json",
		"-tls-cert %d/tls.crt -tls-key %d/tls.key",
		"DynamicUser=yes", "StateDirectory=kense-server", "NoNewPrivileges=yes", "ProtectSystem=strict",
		"ProtectHome=yes", "PrivateTmp=yes", "CapabilityBoundingSet=\n", "MemoryDenyWriteExecute=yes",
	} {
		if !strings.Contains(unit, want) {
			t.Errorf("unit lacks %q", want)
		}
	}
}
