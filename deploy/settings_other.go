//go:build !windows

package deploy

import "os"

func readRaw() rawSettings {
	return rawSettings{serverURL: os.Getenv(EnvServerURL), idleLock: os.Getenv(EnvIdleLockMinutes)}
}
