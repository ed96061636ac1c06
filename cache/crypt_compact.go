package cache

import (
	"errors"
	"os"
	"runtime"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// Compact rewrites the cache file at path, which must not be open, into a
// fresh file holding only live pages, and puts it in the file's place.
// bbolt never clears freed pages: after Reseal (or a deleted draft) the
// old bytes stay in the file until a page is reused. Compact is the way to
// drop them; the old file's sectors on the disk are a matter for the
// disk, not for Kense (see README, "Data at rest").
func Compact(path string, opt Options) error {
	if opt.Timeout <= 0 {
		opt.Timeout = DefaultTimeout
	}
	src, err := openBolt(path, opt.Timeout)
	if err != nil {
		if errors.Is(err, berrors.ErrTimeout) {
			return newErr(ErrInUse, path, err)
		}
		return newErr(ErrOpen, path, err)
	}
	tmp := path + ".compact"
	_ = os.Remove(tmp) // left by a crash in the middle of a compaction
	dst, err := bolt.Open(tmp, 0o600, &bolt.Options{Timeout: opt.Timeout, FreelistType: bolt.FreelistArrayType})
	if err != nil {
		_ = src.Close()
		return newErr(ErrOpen, tmp, err)
	}
	err = bolt.Compact(dst, src, 0)
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	// On Unix src stays open, and so locked, until the new file is in
	// place, so that no other Kense opens the old one and writes where
	// nobody will read. Windows cannot rename over an open, mapped file:
	// close first; a Kense that opened the old file in between makes the
	// rename fail, which loses nothing.
	if runtime.GOOS == "windows" {
		if cerr := src.Close(); err == nil {
			err = cerr
		}
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	_ = src.Close() // a second Close does nothing
	if err != nil {
		_ = os.Remove(tmp)
		return newErr(ErrWrite, path, err)
	}
	return nil
}
