//go:build windows

package wire

import "os"

// ownedByMe: on Windows the folder lies in the user's own %TEMP%
// (AppData\Local\Temp), which other users cannot enter.
func ownedByMe(os.FileInfo) bool { return true }
