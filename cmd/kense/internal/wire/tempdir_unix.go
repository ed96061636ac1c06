//go:build !windows

package wire

import (
	"os"
	"syscall"
)

// ownedByMe: the folder is this user's.
func ownedByMe(fi os.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == os.Getuid()
}
