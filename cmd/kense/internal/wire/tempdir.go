package wire

import (
	"os"
	"os/user"
	"path/filepath"
	"strings"
)

// TempDir is the folder for the files Kense hands to the system's viewer
// (previews, slips, scans, ticket files: the ui names them "kense-…"). It
// is Kense's own and private to the OS user (0700; on Windows %TEMP% is the
// user's already), so that what was left by a run that ended without
// closing (killed, logged off, power cut) can be removed at the next
// start: those files hold IINs and names. Call it only while holding the
// cache (one instance per OS user), so no running Kense still uses them.
func TempDir() (string, error) {
	dir := filepath.Join(os.TempDir(), "kense-"+userTag())
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	// A folder someone else made first (or a link) must not receive our
	// files; our own from an older version is closed to others.
	fi, err := os.Lstat(dir)
	if err != nil || !fi.IsDir() || !ownedByMe(fi) {
		return "", &os.PathError{Op: "tempdir", Path: dir, Err: os.ErrPermission}
	}
	if fi.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(dir, 0o700); err != nil {
			return "", err
		}
	}
	sweepTemp(dir)
	return dir, nil
}

// sweepTemp removes the viewer files of earlier runs. A file a viewer
// still holds open (Windows refuses the delete) stays for the next start.
func sweepTemp(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !e.IsDir() && strings.HasPrefix(e.Name(), "kense-") {
			_ = os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// userTag tells OS users apart in a shared temp folder (Unix's /tmp).
func userTag() string {
	u, err := user.Current()
	if err != nil || u.Uid == "" {
		return "user"
	}
	var b strings.Builder
	for _, r := range u.Uid { // a Windows SID or a Unix uid: keep it a plain name
		if r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r == '-' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
