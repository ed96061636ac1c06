//go:build !windows

package main

import "fyne.io/fyne/v2"

// workArea is not known here: X11 and macOS window managers fit a window
// to the screen themselves.
func workArea() (fyne.Size, bool) { return fyne.Size{}, false }
