// Package deploy holds what IT sets when it deploys Kense centrally and the
// check for a newer version offered by the server.
//
// Settings come from the MSI's public properties, which it writes to the
// registry (msiexec /i kense.msi SERVER_URL=https://… IDLE_LOCK_MINUTES=10):
//
//	HKCU\Software\Kense            ServerURL, IdleLockMinutes (REG_SZ; REG_DWORD also read)
//	HKLM\Software\Policies\Kense   the same names, set by Group Policy; wins over HKCU
//
// On other systems (developers, CI) the environment variables KENSE_SERVER
// and KENSE_IDLE_LOCK_MINUTES play that part.
package deploy

import (
	"net/url"
	"strconv"
	"strings"
)

// Registry value and environment variable names.
const (
	ValueServerURL       = "ServerURL"
	ValueIdleLockMinutes = "IdleLockMinutes"
	EnvServerURL         = "KENSE_SERVER"
	EnvIdleLockMinutes   = "KENSE_IDLE_LOCK_MINUTES"
)

// MaxIdleLockMinutes bounds a deployed idle lock: a longer one would defeat
// the lock (UNIS rule 10.4 wants the screen locked when the notary leaves).
const MaxIdleLockMinutes = 24 * 60

// Settings returns the deployed server URL and idle-lock minutes; "" and 0
// when not set or not valid (the app then uses its own defaults and the
// server's policy). It never fails: a broken deployment value must not stop
// the app from starting.
func Settings() (serverURL string, idleLockMinutes int) {
	raw := readRaw()
	return cleanURL(raw.serverURL), cleanMinutes(raw.idleLock)
}

// rawSettings are the values as found, before checking.
type rawSettings struct {
	serverURL, idleLock string
}

// cleanURL accepts an absolute http(s) URL with a host and nothing secret
// in it; plain http only for this machine (a developer's server).
func cleanURL(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 2048 {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.User != nil || u.Opaque != "" {
		return ""
	}
	switch u.Scheme {
	case "https":
	case "http":
		h := u.Hostname()
		if h != "localhost" && h != "127.0.0.1" && h != "::1" {
			return ""
		}
	default:
		return ""
	}
	return strings.TrimRight(s, "/")
}

func cleanMinutes(s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 1 || n > MaxIdleLockMinutes {
		return 0
	}
	return n
}
