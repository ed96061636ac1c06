//go:build !windows

package keyprotect

// Platform is the protector this OS offers. Outside Windows Kense has no
// keyring module, so it is FileKEK in dir (normally DefaultDir()).
func Platform(dir string) Protector { return &FileKEK{Dir: dir} }
