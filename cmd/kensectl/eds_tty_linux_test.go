//go:build linux

package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"kense/i18n"
)

// On a real terminal (a pseudo-terminal here) the password is read with the
// echo off, and the echo is back on afterwards.
func TestKeyinfoPasswordFromTerminalWithoutEcho(t *testing.T) {
	nca := edsNCADir(t)
	i18n.SetLang(i18n.EN)
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skip("no pseudo-terminals: ", err)
	}
	defer m.Close()
	// SyscallConn, not Fd: Fd would make the master blocking and its read
	// deadline below useless.
	raw, err := m.SyscallConn()
	if err != nil {
		t.Skip(err)
	}
	var n int
	raw.Control(func(fd uintptr) {
		if err = unix.IoctlSetPointerInt(int(fd), unix.TIOCSPTLCK, 0); err == nil {
			n, err = unix.IoctlGetInt(int(fd), unix.TIOCGPTN)
		}
	})
	if err != nil {
		t.Skip("unlockpt/ptsname: ", err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skip("open pts: ", err)
	}
	defer s.Close()

	t.Setenv("KENSE_KEY_PASSWORD", "")
	os.Unsetenv("KENSE_KEY_PASSWORD")
	old := edsStdin
	t.Cleanup(func() { edsStdin = old })
	edsStdin = s

	type res struct {
		rc       int
		out, err string
	}
	done := make(chan res, 1)
	go func() {
		var out, errb bytes.Buffer
		rc := run([]string{"keyinfo", filepath.Join(nca, "keys", "individual_rsa_sign_valid.p12")}, &out, &errb)
		done <- res{rc, out.String(), errb.String()}
	}()
	// Type the password only once the echo is off.
	deadline := time.Now().Add(10 * time.Second)
	for {
		tio, err := unix.IoctlGetTermios(int(s.Fd()), unix.TCGETS)
		if err != nil {
			t.Fatal(err)
		}
		if tio.Lflag&unix.ECHO == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("echo never turned off")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if _, err := m.Write([]byte("Qwerty12\n")); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.rc != 0 || !strings.Contains(r.out, `"iin": "123456789011"`) || !strings.Contains(r.err, "Key password:") {
		t.Fatalf("rc=%d out=%s err=%s", r.rc, r.out, r.err)
	}
	// Nothing was echoed to the terminal.
	m.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	buf := make([]byte, 256)
	k, _ := m.Read(buf)
	if strings.Contains(string(buf[:k]), "Qwerty12") {
		t.Errorf("password echoed: %q", buf[:k])
	}
	tio, err := unix.IoctlGetTermios(int(s.Fd()), unix.TCGETS)
	if err != nil || tio.Lflag&unix.ECHO == 0 {
		t.Error("echo not restored")
	}
}
