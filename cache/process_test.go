package cache

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The tests below re-run this test binary as a child process that opens
// the cache (TestHelperWriter, TestHelperHolder), so that the file lock and
// crash behaviour are those of two real processes.

const (
	envWriter = "KENSE_CACHE_HELPER_WRITER"
	envHolder = "KENSE_CACHE_HELPER_HOLDER"
	crashID   = "crash-test-draft"
)

type child struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	lines chan string // closed at EOF
}

// startChild runs the test named run in a child with env set to path.
func startChild(t *testing.T, run, env, path string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+run+"$", "-test.count=1", "-test.timeout=60s")
	cmd.Env = append(os.Environ(), env+"="+path)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, stdin: stdin, lines: make(chan string, 1<<16)}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
		close(c.lines)
	}()
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return c
}

// next is the child's next line with the given prefix; ok is false at EOF.
func (c *child) next(t *testing.T, prefix string) (string, bool) {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case l, ok := <-c.lines:
			if !ok {
				return "", false
			}
			if rest, found := strings.CutPrefix(l, prefix); found {
				return rest, true
			}
		case <-timeout:
			t.Fatalf("no %q line from the child in 30 s", prefix)
		}
	}
}

// exitWhenOrphaned ends a helper child when its parent test goes away
// (stdin closes), so no writer is left looping.
func exitWhenOrphaned() {
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		os.Exit(3)
	}()
}

// TestHelperWriter is the child of TestCrashSafety: it saves one draft in a
// tight loop and prints "seq N" after each committed save.
func TestHelperWriter(t *testing.T) {
	path := os.Getenv(envWriter)
	if path == "" {
		t.Skip("helper process for TestCrashSafety")
	}
	exitWhenOrphaned()
	s, err := Open(path, Options{Timeout: 10 * time.Second})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(2)
	}
	d, err := s.GetDraft(crashID)
	if errors.Is(err, ErrNotFound) {
		d, err = Draft{ID: crashID}, nil
	}
	if err != nil {
		fmt.Println("error", err)
		os.Exit(2)
	}
	seq := d.Form.AttachmentPages
	stop := time.Now().Add(30 * time.Second)
	for time.Now().Before(stop) {
		seq++
		// The size changes from save to save so pages are freed and reused.
		d.Form = sampleForm(fmt.Sprintf("Апатқа төзімділік сынағы %d", seq), 1+seq%60, int64(seq)*100)
		d.Form.ID = crashID
		d.Form.AttachmentPages = seq
		if err := s.SaveDraft(d); err != nil {
			fmt.Println("error", err)
			os.Exit(2)
		}
		fmt.Printf("seq %d\n", seq) // only after the commit returned
		if seq%5 == 0 {             // churn: other drafts come and go
			n, err := s.NewDraft(sampleForm("қосымша", seq%7, 1))
			if err == nil {
				err = s.DeleteDraft(n.ID)
			}
			if err == nil && seq%15 == 0 {
				err = s.PurgeDeleted(0)
			}
			if err != nil {
				fmt.Println("error", err)
				os.Exit(2)
			}
		}
	}
	os.Exit(0)
}

// TestCrashSafety kills a writer at varied moments, 20 times, and checks
// after each kill that the file opens, passes bbolt's consistency check
// and holds every save the writer reported as committed.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 20 processes")
	}
	path := filepath.Join(t.TempDir(), "Kense", "kense.db")
	deadline := time.Now().Add(90 * time.Second)
	last := 0
	for i := 0; i < 20 && time.Now().Before(deadline); i++ {
		c := startChild(t, "TestHelperWriter", envWriter, path)
		// Kill after 1…40 reported commits, plus 0…4 ms more.
		want := 1 + (i*13)%40
		for n := 0; n < want; n++ {
			l, ok := c.next(t, "seq ")
			if !ok {
				t.Fatalf("round %d: writer ended early", i)
			}
			last, _ = strconv.Atoi(l)
		}
		time.Sleep(time.Duration(i%5) * time.Millisecond)
		if err := c.cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		for l := range c.lines { // what it printed before dying
			if rest, ok := strings.CutPrefix(l, "seq "); ok {
				last, _ = strconv.Atoi(rest)
			} else if strings.HasPrefix(l, "error") {
				t.Fatalf("round %d: writer: %s", i, l)
			}
		}
		_ = c.cmd.Wait()

		s, err := Open(path, Options{Timeout: 5 * time.Second})
		if err != nil {
			t.Fatalf("round %d: reopen after kill: %v", i, err)
		}
		if err := s.Check(); err != nil {
			t.Fatalf("round %d: consistency check: %v", i, err)
		}
		d, err := s.GetDraft(crashID)
		if err != nil {
			t.Fatalf("round %d: %v", i, err)
		}
		got := d.Form.AttachmentPages
		// The writer may have committed one more save than it printed.
		if got < last || got > last+1 {
			t.Fatalf("round %d: writer reported seq %d committed, file has %d", i, last, got)
		}
		if len(d.Form.Rows) != 1+got%60 {
			t.Fatalf("round %d: draft %d has %d rows", i, got, len(d.Form.Rows))
		}
		if _, err := s.ListDrafts(""); err != nil {
			t.Fatalf("round %d: list: %v", i, err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		t.Logf("round %d: killed after seq %d, file has %d", i, last, got)
	}
	if last < 20 {
		t.Fatalf("only %d saves in all rounds", last)
	}
}

// TestHelperHolder is the child of TestSecondInstanceOtherProcess: it
// opens the cache, prints "ready" and holds it until stdin closes.
func TestHelperHolder(t *testing.T) {
	path := os.Getenv(envHolder)
	if path == "" {
		t.Skip("helper process for TestSecondInstanceOtherProcess")
	}
	s, err := Open(path, Options{Timeout: 10 * time.Second})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(2)
	}
	fmt.Println("ready")
	_, _ = io.Copy(io.Discard, os.Stdin)
	_ = s.Close()
	os.Exit(0)
}

func TestSecondInstanceSameProcess(t *testing.T) {
	s := openTemp(t)
	start := time.Now()
	s2, err := Open(s.Path(), Options{})
	took := time.Since(start)
	if err == nil {
		s2.Close()
		t.Fatal("second Open of the same file succeeded")
	}
	if !errors.Is(err, ErrInUse) {
		t.Fatalf("second Open: %v, want ErrInUse", err)
	}
	if took > 5*time.Second {
		t.Fatalf("second Open took %v: it must give up after the timeout", took)
	}
	t.Logf("ErrInUse after %v", took)
	// The first instance is unharmed, and once it closes the file is free.
	if _, err := s.NewDraft(sampleForm("бір", 1, 1)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s3, err := Open(s.Path(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	s3.Close()
}

func TestSecondInstanceOtherProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kense.db")
	for _, howEnds := range []string{"closes", "is killed"} {
		c := startChild(t, "TestHelperHolder", envHolder, path)
		if _, ok := c.next(t, "ready"); !ok {
			t.Fatal("holder did not start")
		}
		start := time.Now()
		_, err := Open(path, Options{})
		took := time.Since(start)
		if !errors.Is(err, ErrInUse) {
			t.Fatalf("Open while another process holds the file: %v", err)
		}
		if took > 5*time.Second {
			t.Fatalf("Open took %v", took)
		}
		t.Logf("ErrInUse from the other process after %v", took)

		if howEnds == "closes" {
			c.stdin.Close()
		} else {
			_ = c.cmd.Process.Kill()
		}
		_ = c.cmd.Wait()
		// The lock goes with the process, however it ends.
		s, err := Open(path, Options{Timeout: 5 * time.Second})
		if err != nil {
			t.Fatalf("after the holder %s: %v", howEnds, err)
		}
		s.Close()
	}
}
