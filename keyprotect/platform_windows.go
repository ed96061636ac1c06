//go:build windows

package keyprotect

// Platform is the protector this OS offers: DPAPI on Windows (dir is not
// used).
func Platform(dir string) Protector { return DPAPI{} }
