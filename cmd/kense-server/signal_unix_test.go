//go:build unix

package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestServeStopsOnSIGTERM: a real SIGTERM to this process ends serve
// gracefully with exit code 0.
func TestServeStopsOnSIGTERM(t *testing.T) {
	data := t.TempDir()
	ready := make(chan string, 1)
	done := make(chan int, 1)
	var out bytes.Buffer
	var errb syncBuf
	go func() {
		done <- runServe(context.Background(), []string{"-data", data, "-addr", "127.0.0.1:0", "-demo"}, &out, &errb, ready)
	}()
	select {
	case <-ready:
	case code := <-done:
		t.Fatalf("serve exited %d: %s", code, errb.String())
	case <-time.After(2 * time.Minute):
		t.Fatal("serve did not start")
	}
	p, _ := os.FindProcess(os.Getpid())
	if err := p.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errb.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop on SIGTERM")
	}
	if !strings.Contains(errb.String(), `"msg":"shutting down"`) {
		t.Fatalf("no shutdown log: %s", errb.String())
	}
}
