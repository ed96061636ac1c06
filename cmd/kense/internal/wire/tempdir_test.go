package wire

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// The viewer files a killed run left behind are gone at the next start;
// other files in the folder are not Kense's to remove.
func TestTempDirSweepsEarlierRuns(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("TMPDIR is Unix's")
	}
	t.Setenv("TMPDIR", t.TempDir())
	dir, err := TempDir()
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(dir) != os.TempDir() {
		t.Fatalf("temp folder %s is not under %s", dir, os.TempDir())
	}
	left := []string{"kense-preview-123.pdf", "kense-attachment-9.png", "kense-slip-1.pdf"}
	for _, n := range append(left, "notes.txt") {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("IIN 780312450016"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(dir, 0o755); err != nil { // as an older version may have left it
		t.Fatal(err)
	}
	again, err := TempDir()
	if err != nil || again != dir {
		t.Fatalf("second start: %q, %v", again, err)
	}
	for _, n := range left {
		if _, err := os.Stat(filepath.Join(dir, n)); !os.IsNotExist(err) {
			t.Errorf("%s survived the next start: %v", n, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "notes.txt")); err != nil {
		t.Errorf("a file that is not Kense's was removed: %v", err)
	}
	fi, err := os.Stat(dir)
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("folder mode %v, %v; want 0700", fi.Mode().Perm(), err)
	}
}

// A link planted where the folder goes is refused, not followed.
func TestTempDirRefusesALink(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symlinks need privileges on Windows")
	}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	elsewhere := t.TempDir()
	if err := os.Symlink(elsewhere, filepath.Join(tmp, "kense-"+userTag())); err != nil {
		t.Fatal(err)
	}
	if dir, err := TempDir(); err == nil {
		t.Fatalf("a planted link was taken as the temp folder: %s", dir)
	}
}
