package deploy

import (
	"strconv"

	"golang.org/x/sys/windows/registry"
)

// Group Policy first, then what the MSI wrote for this user.
var registryPlaces = []struct {
	root registry.Key
	path string
}{
	{registry.LOCAL_MACHINE, `Software\Policies\Kense`},
	{registry.CURRENT_USER, `Software\Kense`},
}

func readRaw() rawSettings {
	var r rawSettings
	for _, p := range registryPlaces {
		k, err := registry.OpenKey(p.root, p.path, registry.QUERY_VALUE)
		if err != nil {
			continue
		}
		if r.serverURL == "" {
			r.serverURL = readValue(k, ValueServerURL)
		}
		if r.idleLock == "" {
			r.idleLock = readValue(k, ValueIdleLockMinutes)
		}
		k.Close()
	}
	return r
}

// readValue reads a string or DWORD value as text ("" when absent).
func readValue(k registry.Key, name string) string {
	if s, _, err := k.GetStringValue(name); err == nil {
		return s
	}
	if n, _, err := k.GetIntegerValue(name); err == nil {
		return strconv.FormatUint(n, 10)
	}
	return ""
}
