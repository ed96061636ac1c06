package applog

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// readLines reads every JSON line of a log file.
func readLines(t *testing.T, path string) []map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("%s: not a JSON line: %q: %v", path, sc.Text(), err)
		}
		out = append(out, m)
	}
	return out
}

func TestOpenWritesJSONUnderUserCacheDir(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("XDG_CACHE_HOME steers os.UserCacheDir on Linux only")
	}
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	log, c, err := Open("Kense")
	if err != nil {
		t.Fatal(err)
	}
	log.Info("started", "version", "0.1.0", "elapsedMs", 12)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(cache, "Kense", "logs", "Kense.log")
	lines := readLines(t, path)
	if len(lines) != 1 || lines[0]["msg"] != "started" || lines[0]["version"] != "0.1.0" || lines[0]["elapsedMs"] != float64(12) {
		t.Fatalf("log = %v", lines)
	}
	st, err := os.Stat(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o700 {
		t.Errorf("log folder mode %v, want 0700", st.Mode().Perm())
	}
	// A closed log refuses writes instead of reopening behind the app's back.
	if _, err := c.(*rotating).Write([]byte("x\n")); !errors.Is(err, errClosed) {
		t.Errorf("write after Close: %v", err)
	}
}

func TestDirRejectsBadNames(t *testing.T) {
	for _, n := range []string{"", ".", "..", "a/b", `a\b`, "c:"} {
		if _, err := Dir(n); err == nil {
			t.Errorf("Dir(%q): no error", n)
		}
	}
}

// TestNoPersonalData logs the shapes a careless caller might use and
// checks that the file holds none of the personal values.
func TestNoPersonalData(t *testing.T) {
	dir := t.TempDir()
	log, c, err := OpenDir(dir, "kense", Options{Level: slog.LevelDebug})
	if err != nil {
		t.Fatal(err)
	}
	secrets := []string{"880101300123", "Aigerim Nurlanovna", "Qwerty12", "eyJhbGciOi.tok", "Almaty district subunit", "ab@c.kz"}
	log.Info("sign-in", "iin", secrets[0], "fullName", secrets[1], "password", secrets[2], "result", "ok")
	log.Info("sign-in 880101300123 done", "full_name", secrets[1], "IIN", secrets[0])
	log.With("token", secrets[3], "session", "s1").Info("refreshed", "attempt", 2)
	log.WithGroup("form").Info("saved", "subunit", secrets[4], "rows", 3)
	log.Info("user", slog.Group("user", "name", secrets[1], "email", secrets[5], "role", "notary"))
	log.Info("failed", "err", fmt.Errorf("no account for IIN %s", secrets[0]))
	log.Info("note", "detail", "IINs 880101300123,990202400456 and 1234567890123 (13 digits)")
	log.Info("valuer", "who", valuer{})
	log.Debug("bytes", "raw", []byte(secrets[2]))
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "kense.log"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for _, s := range append(secrets, "990202400456") {
		if strings.Contains(text, s) {
			t.Errorf("log holds %q:\n%s", s, text)
		}
	}
	// What is not personal stays, so the log remains useful.
	for _, want := range []string{`"result":"ok"`, `"attempt":2`, `"rows":3`, `"role":"notary"`, `"msg":"sign-in [12 digits] done"`,
		`no account for IIN [12 digits]`, `[12 digits],[12 digits] and 1234567890123`, `"rawLen":8`} {
		if !strings.Contains(text, want) {
			t.Errorf("log lacks %s:\n%s", want, text)
		}
	}
	if n := len(readLines(t, filepath.Join(dir, "kense.log"))); n != 9 {
		t.Errorf("%d lines, want 9", n)
	}
}

// valuer resolves to a group holding an IIN: resolution happens before the
// deny list is applied.
type valuer struct{}

func (valuer) LogValue() slog.Value {
	return slog.GroupValue(slog.String("iin", "770303500789"), slog.Int("age", 40))
}

func TestMask(t *testing.T) {
	cases := map[string]string{
		"":                            "",
		"880101300123":                "[12 digits]",
		"a880101300123b":              "a[12 digits]b",
		"1234567890123":               "1234567890123",
		"88010130012":                 "88010130012",
		"880101300123 880101300124":   "[12 digits] [12 digits]",
		"x:880101300123;990202400456": "x:[12 digits];[12 digits]",
	}
	for in, want := range cases {
		if got := Mask(in); got != want {
			t.Errorf("Mask(%q) = %q, want %q", in, got, want)
		}
	}
}

var standalone12 = regexp.MustCompile(`(^|[^0-9])[0-9]{12}([^0-9]|$)`)

func FuzzMask(f *testing.F) {
	for _, s := range []string{"", "880101300123", "1 880101300123 2", "8801013001238801013001", "ИИН:880101300123.", "000000000000000000000000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m := Mask(s)
		if standalone12.MatchString(m) {
			t.Fatalf("Mask(%q) = %q still holds 12 digits", s, m)
		}
		if !standalone12.MatchString(s) && m != s {
			t.Fatalf("Mask(%q) changed a string without 12 digits: %q", s, m)
		}
	})
}

func TestRotation(t *testing.T) {
	dir := t.TempDir()
	const max, keep = 1000, 3
	log, c, err := OpenDir(dir, "kense", Options{MaxBytes: max, Keep: keep})
	if err != nil {
		t.Fatal(err)
	}
	const n = 200
	for i := range n {
		log.Info("tick", "i", i)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	want := []string{"kense.1.log", "kense.2.log", "kense.3.log", "kense.log"}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Fatalf("files %v, want %v", names, want)
	}
	// Newest last: kense.3 < kense.2 < kense.1 < kense, each within max,
	// the records consecutive and ending with the last one.
	var seq []int
	for _, name := range []string{"kense.3.log", "kense.2.log", "kense.1.log", "kense.log"} {
		p := filepath.Join(dir, name)
		st, _ := os.Stat(p)
		if st.Size() > max {
			t.Errorf("%s is %d bytes > %d", name, st.Size(), max)
		}
		for _, l := range readLines(t, p) {
			seq = append(seq, int(l["i"].(float64)))
		}
	}
	for k := 1; k < len(seq); k++ {
		if seq[k] != seq[k-1]+1 {
			t.Fatalf("records not consecutive: %v", seq)
		}
	}
	if seq[len(seq)-1] != n-1 || seq[0] == 0 {
		t.Fatalf("kept %d…%d of 0…%d: the oldest should be gone", seq[0], seq[len(seq)-1], n-1)
	}
	// Reopening appends to the current file and keeps rotating from there.
	log, c, err = OpenDir(dir, "kense", Options{MaxBytes: max, Keep: keep})
	if err != nil {
		t.Fatal(err)
	}
	log.Info("again")
	c.Close()
	lines := readLines(t, filepath.Join(dir, "kense.log"))
	if last := lines[len(lines)-1]; last["msg"] != "again" {
		t.Fatalf("reopened log ends with %v", last)
	}
}

func TestConcurrentWrites(t *testing.T) {
	dir := t.TempDir()
	log, c, err := OpenDir(dir, "kense", Options{MaxBytes: 4096, Keep: 50})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				log.Info("w", "g", g, "i", i)
			}
		})
	}
	wg.Wait()
	c.Close()
	total := 0
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		total += len(readLines(t, filepath.Join(dir, e.Name()))) // each line whole JSON
	}
	if total != 400 {
		t.Fatalf("%d records, want 400", total)
	}
}
