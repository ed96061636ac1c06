//go:build !linux && !windows

package main

import "os"

// readPasswordNoEcho: on other systems (macOS, BSD) the password is read
// with echo; set KENSE_KEY_PASSWORD or pipe it in to keep it off the screen.
func readPasswordNoEcho(f *os.File) ([]byte, error) { return readLine(f) }
