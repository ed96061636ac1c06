//go:build windows

package ui

import (
	"runtime"
	"sync"
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

// Session and power events, delivered by a hidden window's messages:
// WM_WTSSESSION_CHANGE after WTSRegisterSessionNotification (the session
// locks, or leaves the console), and WM_POWERBROADCAST (suspend, resume).
// The window is a hidden top-level one, never shown, not a message-only
// (HWND_MESSAGE) one: Windows sends WM_POWERBROADCAST as a broadcast, and
// message-only windows receive no broadcasts. What the messages mean and
// whether they lock is decided in lock_os.go; this only delivers them.
var (
	wtsapi32                             = windows.NewLazySystemDLL("wtsapi32.dll")
	procWTSRegisterSessionNotification   = wtsapi32.NewProc("WTSRegisterSessionNotification")
	procWTSUnRegisterSessionNotification = wtsapi32.NewProc("WTSUnRegisterSessionNotification")
	procRegisterClassExW                 = user32.NewProc("RegisterClassExW")
	procCreateWindowExW                  = user32.NewProc("CreateWindowExW")
	procDefWindowProcW                   = user32.NewProc("DefWindowProcW")
	procDestroyWindow                    = user32.NewProc("DestroyWindow")
	procGetMessageW                      = user32.NewProc("GetMessageW")
	procTranslateMessage                 = user32.NewProc("TranslateMessage")
	procDispatchMessageW                 = user32.NewProc("DispatchMessageW")
	procPostMessageW                     = user32.NewProc("PostMessageW")
	procPostQuitMessage                  = user32.NewProc("PostQuitMessage")
)

const (
	wmDestroy            = 0x0002
	wmClose              = 0x0010
	wsPopup              = 0x80000000
	wsExToolWindow       = 0x00000080
	wsExNoActivate       = 0x08000000
	notifyForThisSession = 0
)

type wndClassEx struct {
	cbSize        uint32
	style         uint32
	lpfnWndProc   uintptr
	cbClsExtra    int32
	cbWndExtra    int32
	hInstance     windows.Handle
	hIcon         windows.Handle
	hCursor       windows.Handle
	hbrBackground windows.Handle
	lpszMenuName  *uint16
	lpszClassName *uint16
	hIconSm       windows.Handle
}

type winMsg struct {
	hwnd     uintptr
	message  uint32
	wParam   uintptr
	lParam   uintptr
	time     uint32
	ptX, ptY int32
	lPrivate uint32
}

var (
	osWatchClass     *uint16
	osWatchClassErr  error
	osWatchClassOnce sync.Once
	osWatchInstance  windows.Handle

	osWatchMu sync.Mutex
	osWatchOn = map[uintptr]func(OSEvent){} // hidden window → its Locker
)

// registerOSWatchClass registers the hidden window's class, once a
// process (windows.NewCallback makes a callback that is never freed).
func registerOSWatchClass() (*uint16, error) {
	osWatchClassOnce.Do(func() {
		for _, p := range []*windows.LazyProc{procRegisterClassExW, procCreateWindowExW, procDefWindowProcW,
			procDestroyWindow, procGetMessageW, procTranslateMessage, procDispatchMessageW, procPostMessageW,
			procPostQuitMessage} {
			if err := p.Find(); err != nil {
				osWatchClassErr = err
				return
			}
		}
		if err := windows.GetModuleHandleEx(0, nil, &osWatchInstance); err != nil {
			osWatchClassErr = err
			return
		}
		name, err := windows.UTF16PtrFromString("KenseSessionWatch")
		if err != nil {
			osWatchClassErr = err
			return
		}
		wc := wndClassEx{
			cbSize:        uint32(unsafe.Sizeof(wndClassEx{})),
			lpfnWndProc:   windows.NewCallback(osWatchProc),
			hInstance:     osWatchInstance,
			lpszClassName: name,
		}
		if r, _, err := procRegisterClassExW.Call(uintptr(unsafe.Pointer(&wc))); r == 0 {
			osWatchClassErr = err
			return
		}
		osWatchClass = name
	})
	return osWatchClass, osWatchClassErr
}

// osWatchProc is the hidden window's procedure.
func osWatchProc(hwnd, msg, wParam, lParam uintptr) uintptr {
	switch uint32(msg) {
	case winWMWTSSessionChange, winWMPowerBroadcast:
		if ev, ok := osEventFromWindows(uint32(msg), wParam); ok {
			osWatchMu.Lock()
			on := osWatchOn[hwnd]
			osWatchMu.Unlock()
			if on != nil {
				go on(ev) // never hold up the system's broadcast
			}
		}
		if uint32(msg) == winWMPowerBroadcast {
			return 1 // TRUE: the broadcast is handled
		}
		return 0
	case wmClose:
		procDestroyWindow.Call(hwnd)
		return 0
	case wmDestroy:
		if procWTSUnRegisterSessionNotification.Find() == nil {
			procWTSUnRegisterSessionNotification.Call(hwnd)
		}
		osWatchMu.Lock()
		delete(osWatchOn, hwnd)
		osWatchMu.Unlock()
		procPostQuitMessage.Call(0)
		return 0
	}
	r, _, _ := procDefWindowProcW.Call(hwnd, msg, wParam, lParam)
	return r
}

// watchOSEvents makes the hidden window on a thread of its own and runs
// its message loop there until stop. When anything fails, it says so in
// the log and delivers nothing: the polling (sessionLocked, the sleep
// tick) still locks.
func watchOSEvents(on func(OSEvent)) (stop func()) {
	class, err := registerOSWatchClass()
	if err != nil {
		watchOSLog(err)
		return nil
	}
	hwndc := make(chan uintptr, 1)
	go func() {
		runtime.LockOSThread() // the window belongs to this thread
		defer runtime.UnlockOSThread()
		hwnd, _, err := procCreateWindowExW.Call(wsExToolWindow|wsExNoActivate, uintptr(unsafe.Pointer(class)),
			0, wsPopup, 0, 0, 0, 0, 0, 0, uintptr(osWatchInstance), 0)
		if hwnd == 0 {
			watchOSLog(err)
			hwndc <- 0
			return
		}
		osWatchMu.Lock()
		osWatchOn[hwnd] = on
		osWatchMu.Unlock()
		if e := procWTSRegisterSessionNotification.Find(); e != nil {
			watchOSLog(e)
		} else if r, _, e := procWTSRegisterSessionNotification.Call(hwnd, notifyForThisSession); r == 0 {
			// The power messages still come; the session lock is polled.
			watchOSLog(e)
		}
		hwndc <- hwnd
		var m winMsg
		for {
			r, _, _ := procGetMessageW.Call(uintptr(unsafe.Pointer(&m)), 0, 0, 0)
			if int32(r) <= 0 { // 0: WM_QUIT; -1: an error
				return
			}
			procTranslateMessage.Call(uintptr(unsafe.Pointer(&m)))
			procDispatchMessageW.Call(uintptr(unsafe.Pointer(&m)))
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			go func() {
				if hwnd := <-hwndc; hwnd != 0 {
					procPostMessageW.Call(hwnd, wmClose, 0, 0)
				}
			}()
		})
	}
}
