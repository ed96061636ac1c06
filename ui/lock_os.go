package ui

import "fyne.io/fyne/v2"

// OSEvent is what the operating system tells the app about the user's
// session and the machine's power (Windows: WM_WTSSESSION_CHANGE and
// WM_POWERBROADCAST). Which of them lock is decided here, on every
// platform (osLockReason); the platform code only delivers them.
type OSEvent int

const (
	OSSessionLocked   OSEvent = iota + 1 // the session locked (Win+L, the screen saver's lock)
	OSSessionUnlocked                    // the session unlocked
	OSDisconnected                       // the session left the console, or a remote session dropped
	OSSuspend                            // the machine is going to sleep or hibernate
	OSResume                             // the machine woke
)

func (e OSEvent) String() string {
	switch e {
	case OSSessionLocked:
		return "session_locked"
	case OSSessionUnlocked:
		return "session_unlocked"
	case OSDisconnected:
		return "disconnected"
	case OSSuspend:
		return "suspend"
	case OSResume:
		return "resume"
	}
	return "unknown"
}

// osLockReason says whether ev locks Kense, and the log's reason. The
// session locking, or leaving the screen, locks as the OS did; sleep
// locks on the way down (the screen is already covered when the machine
// wakes) and again on waking, in case the first came too late to run.
// The session unlocking does not unlock Kense: that needs the same EDS.
func osLockReason(ev OSEvent) (reason string, lock bool) {
	switch ev {
	case OSSessionLocked, OSDisconnected:
		return LockOS, true
	case OSSuspend, OSResume:
		return LockSleep, true
	}
	return "", false
}

// OSEvent takes an event from the operating system; any goroutine may
// call it. It locks (on the UI goroutine) when osLockReason says so,
// while someone is signed in.
func (l *Locker) OSEvent(ev OSEvent) {
	reason, lock := osLockReason(ev)
	if !lock {
		return
	}
	l.do(func() { l.Lock(reason) })
}

// watchOS starts the OS event delivery (Start); Stop ends it.
func (l *Locker) watchOS() {
	l.mu.Lock()
	if l.osStop != nil {
		l.mu.Unlock()
		return
	}
	watch := l.cfg.OSEvents
	if watch == nil {
		watch = watchOSEvents
	}
	l.osStop = func() {} // taken: a second Start does not start another
	l.mu.Unlock()
	stop := watch(l.OSEvent)
	if stop == nil {
		stop = func() {}
	}
	l.mu.Lock()
	l.osStop = stop
	l.mu.Unlock()
}

// takeOSStopLocked hands over the OS watch's stop (a no-op when none).
func (l *Locker) takeOSStopLocked() func() {
	stop := l.osStop
	l.osStop = nil
	if stop == nil {
		return func() {}
	}
	return stop
}

// watchOSLog reports a platform watch that could not start; polling goes on.
func watchOSLog(err error) {
	fyne.LogError("lock: OS session events unavailable, polling instead", err)
}

// Windows' messages about the session and power (winuser.h, wtsapi32.h,
// pbt.h). They live here, not in idle_windows.go, so that their meaning
// is tested on every platform.
const (
	winWMPowerBroadcast      = 0x0218
	winWMWTSSessionChange    = 0x02B1
	winWTSConsoleDisconnect  = 0x2
	winWTSRemoteDisconnect   = 0x4
	winWTSSessionLock        = 0x7
	winWTSSessionUnlock      = 0x8
	winPBTAPMSuspend         = 0x4
	winPBTAPMResumeSuspend   = 0x7
	winPBTAPMResumeAutomatic = 0x12
)

// osEventFromWindows reads a window message (msg, wParam) as an OSEvent.
// A resume comes as PBT_APMRESUMEAUTOMATIC always, and as
// PBT_APMRESUMESUSPEND too when a user's input woke the machine.
func osEventFromWindows(msg uint32, wParam uintptr) (OSEvent, bool) {
	switch msg {
	case winWMWTSSessionChange:
		switch wParam {
		case winWTSSessionLock:
			return OSSessionLocked, true
		case winWTSSessionUnlock:
			return OSSessionUnlocked, true
		case winWTSConsoleDisconnect, winWTSRemoteDisconnect:
			return OSDisconnected, true
		}
	case winWMPowerBroadcast:
		switch wParam {
		case winPBTAPMSuspend:
			return OSSuspend, true
		case winPBTAPMResumeSuspend, winPBTAPMResumeAutomatic:
			return OSResume, true
		}
	}
	return 0, false
}
