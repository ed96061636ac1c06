//go:build !windows

package ui

import "time"

// systemIdle: this platform tells no system-wide idle time without cgo or
// a display-server connection of our own; the canvas hooks and the
// editor's Activity calls measure idleness instead.
func systemIdle() (time.Duration, bool) { return 0, false }

// sessionLocked: this platform does not tell without a session-bus client
// of our own (future work); the idle and sleep checks still lock.
func sessionLocked() bool { return false }

// watchOSEvents: no session or power events here without a session-bus
// client of our own (future work); the sleep tick still sees a suspend.
func watchOSEvents(func(OSEvent)) (stop func()) { return nil }
