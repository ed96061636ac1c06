//go:build windows

package ui

import (
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

// GetLastInputInfo (user32) gives the tick of the session's last keyboard
// or mouse input, whichever window had it: the only way to see keys typed
// into an entry, which never reach Fyne's canvas hooks. No cgo needed.
var (
	user32               = windows.NewLazySystemDLL("user32.dll")
	kernel32             = windows.NewLazySystemDLL("kernel32.dll")
	procGetLastInputInfo = user32.NewProc("GetLastInputInfo")
	procGetTickCount     = kernel32.NewProc("GetTickCount")
	procOpenInputDesktop = user32.NewProc("OpenInputDesktop")
	procCloseDesktop     = user32.NewProc("CloseDesktop")
)

type lastInputInfo struct {
	cbSize uint32
	dwTime uint32
}

// systemIdle is how long the session has had no input.
func systemIdle() (time.Duration, bool) {
	if procGetLastInputInfo.Find() != nil || procGetTickCount.Find() != nil {
		return 0, false
	}
	li := lastInputInfo{cbSize: uint32(unsafe.Sizeof(lastInputInfo{}))}
	if r, _, _ := procGetLastInputInfo.Call(uintptr(unsafe.Pointer(&li))); r == 0 {
		return 0, false
	}
	now, _, _ := procGetTickCount.Call()
	// Both are 32-bit milliseconds since boot; the unsigned difference is
	// right across the 49.7-day wrap.
	return time.Duration(uint32(now)-li.dwTime) * time.Millisecond, true
}

// desktopSwitchDesktop is DESKTOP_SWITCHDESKTOP.
const desktopSwitchDesktop = 0x0100

// sessionLocked reports a locked workstation without a window-message hook
// (WTS_SESSION_LOCK needs a window procedure of our own): while the lock
// screen (Winlogon's secure desktop) has the input, the user's process
// cannot open the input desktop. The same holds for the Ctrl+Alt+Del
// screen and a UAC prompt on the secure desktop: locking then is on the
// safe side.
func sessionLocked() bool {
	if procOpenInputDesktop.Find() != nil || procCloseDesktop.Find() != nil {
		return false
	}
	h, _, _ := procOpenInputDesktop.Call(0, 0, desktopSwitchDesktop)
	if h == 0 {
		return true
	}
	procCloseDesktop.Call(h)
	return false
}
