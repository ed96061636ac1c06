package ui

import (
	"testing"
	"time"
)

func TestOSEventFromWindowsMessages(t *testing.T) {
	const wmSize = 0x0005
	for _, c := range []struct {
		msg    uint32
		wParam uintptr
		want   OSEvent
		ok     bool
	}{
		{winWMWTSSessionChange, winWTSSessionLock, OSSessionLocked, true},
		{winWMWTSSessionChange, winWTSSessionUnlock, OSSessionUnlocked, true},
		{winWMWTSSessionChange, winWTSConsoleDisconnect, OSDisconnected, true},
		{winWMWTSSessionChange, winWTSRemoteDisconnect, OSDisconnected, true},
		{winWMWTSSessionChange, 0x1, 0, false}, // WTS_CONSOLE_CONNECT
		{winWMWTSSessionChange, 0x5, 0, false}, // WTS_SESSION_LOGON
		{winWMPowerBroadcast, winPBTAPMSuspend, OSSuspend, true},
		{winWMPowerBroadcast, winPBTAPMResumeSuspend, OSResume, true},
		{winWMPowerBroadcast, winPBTAPMResumeAutomatic, OSResume, true},
		{winWMPowerBroadcast, 0xA, 0, false},    // PBT_APMPOWERSTATUSCHANGE
		{winWMPowerBroadcast, 0x8013, 0, false}, // PBT_POWERSETTINGCHANGE
		{wmSize, winWTSSessionLock, 0, false},
	} {
		got, ok := osEventFromWindows(c.msg, c.wParam)
		if got != c.want || ok != c.ok {
			t.Errorf("message %#x wParam %#x: %v %v, want %v %v", c.msg, c.wParam, got, ok, c.want, c.ok)
		}
	}
}

func TestOSLockReasons(t *testing.T) {
	for ev, want := range map[OSEvent]string{
		OSSessionLocked: LockOS, OSDisconnected: LockOS, OSSuspend: LockSleep, OSResume: LockSleep,
		OSSessionUnlocked: "", OSEvent(0): "", OSEvent(99): "",
	} {
		got, lock := osLockReason(ev)
		if got != want || lock != (want != "") {
			t.Errorf("%v: %q %v, want %q", ev, got, lock, want)
		}
	}
}

// The OS's messages, as the Windows window procedure reads and delivers
// them, lock at once (not at the next poll); its unlock does not unlock.
func TestLockOnOSEvents(t *testing.T) {
	h := newLockHarness(t, 10*time.Minute)
	if h.osStarts != 1 || h.osOn == nil {
		t.Fatalf("OS watch started %d times", h.osStarts)
	}
	deliver := func(msg uint32, wParam uintptr) {
		t.Helper()
		ev, ok := osEventFromWindows(msg, wParam)
		if !ok {
			t.Fatalf("message %#x/%#x not read", msg, wParam)
		}
		h.osOn(ev)
	}
	deliver(winWMWTSSessionChange, winWTSSessionUnlock)
	if h.l.Locked() {
		t.Fatal("the session's unlock locked")
	}
	deliver(winWMWTSSessionChange, winWTSSessionLock)
	h.wantLocked(LockOS)
	deliver(winWMWTSSessionChange, winWTSSessionUnlock)
	if !h.l.Locked() {
		t.Fatal("the OS's unlock unlocked Kense")
	}
	deliver(winWMPowerBroadcast, winPBTAPMResumeAutomatic) // no second lock event
	if n := len(h.events); n != 1 {
		t.Fatalf("events %v", h.events)
	}
	h.typeUnlock("right")

	deliver(winWMPowerBroadcast, winPBTAPMSuspend)
	h.wantLocked(LockSleep)
	h.typeUnlock("right")
	deliver(winWMPowerBroadcast, winPBTAPMResumeSuspend)
	h.wantLocked(LockSleep)
	h.typeUnlock("right")
	deliver(winWMWTSSessionChange, winWTSRemoteDisconnect)
	h.wantLocked(LockOS)
	h.typeUnlock("right")

	// Stopped (signed out): the watch ends; events from a late message
	// do nothing; the next Start watches again, once.
	on := h.osOn
	h.l.Stop()
	if h.osStops != 1 || h.osOn != nil {
		t.Fatalf("OS watch stopped %d times", h.osStops)
	}
	on(OSSessionLocked)
	if h.l.Locked() {
		t.Fatal("locked while stopped")
	}
	h.l.Start()
	h.l.Start()
	if h.osStarts != 2 {
		t.Fatalf("OS watch started %d times", h.osStarts)
	}
	h.osOn(OSSuspend)
	h.wantLocked(LockSleep)
	// Five wrong unlocks sign out: the watch ends there too.
	for range MaxUnlockFailures {
		h.typeUnlock("wrong")
	}
	if len(h.signOuts) != 1 || h.osStops != 2 {
		t.Fatalf("sign-outs %v, OS watch stopped %d times", h.signOuts, h.osStops)
	}
}
