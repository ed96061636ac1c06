//go:build windows

package main

import (
	"os"

	"golang.org/x/sys/windows"
)

// readPasswordNoEcho turns the console's echo off while the password is typed.
func readPasswordNoEcho(f *os.File) ([]byte, error) {
	h := windows.Handle(f.Fd())
	var mode uint32
	if err := windows.GetConsoleMode(h, &mode); err != nil {
		return readLine(f)
	}
	quiet := mode&^windows.ENABLE_ECHO_INPUT | windows.ENABLE_PROCESSED_INPUT | windows.ENABLE_LINE_INPUT
	if err := windows.SetConsoleMode(h, quiet); err != nil {
		return nil, err
	}
	defer windows.SetConsoleMode(h, mode)
	return readLine(f)
}
