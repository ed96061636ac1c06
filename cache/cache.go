// Package cache is Kense's local store on the user's own computer: drafts
// of applications and settings, in one bbolt file per OS user
// (os.UserConfigDir()/Kense/kense.db, on Windows %AppData%\Kense\kense.db).
//
// The file holds these buckets (bbolt's top-level key spaces):
//
//	meta      "schema" → decimal schema version (plain ASCII, never encoded)
//	          "dek.…"  → wrapped data keys (crypt.go)
//	drafts    draft ID → codec(Draft)
//	settings  name     → codec(string)
//
// Values other than meta go through one codec (codec.go), which seals them
// with AES-256-GCM (crypt.go): the file does not show personal data in
// clear, and a locked store returns ErrLocked. Queues that later
// issues add (the outbox of unsent applications, ServiceDesk tickets) get
// their own buckets: add the name to allBuckets and bump schemaVersion.
//
// bbolt locks the file (flock on Unix, LockFileEx on Windows): a second
// Kense of the same user gets ErrInUse instead of waiting.
package cache

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"kense/keyprotect"
)

// DefaultTimeout is how long Open waits for another Kense to let go of the
// file before it gives up with ErrInUse: short, because the other instance
// holds the lock for as long as it runs.
const DefaultTimeout = 300 * time.Millisecond

// schemaVersion is the layout this code writes. A file with a higher
// number came from a newer Kense and is refused (ErrNewerSchema).
const schemaVersion = 1

var (
	bucketMeta     = []byte("meta")
	bucketDrafts   = []byte("drafts")
	bucketSettings = []byte("settings")
	// Later: bucketOutbox = []byte("outbox"), bucketTickets = []byte("tickets").

	allBuckets = [][]byte{bucketMeta, bucketDrafts, bucketSettings,
		bucketSyncState, bucketOutbox, bucketConflicts, bucketSyncMeta, // sync.go
		bucketTickets} // tickets.go

	keySchema = []byte("schema")
)

// Options tune Open.
type Options struct {
	// Timeout is how long to wait for the file lock; zero means
	// DefaultTimeout.
	Timeout time.Duration
	// Protector wraps the data keys (crypt.go); nil is the platform's:
	// DPAPI on Windows, a key file in the folder "keys" beside the cache
	// file elsewhere.
	Protector keyprotect.Protector
	// Locked opens the store locked: nothing is unwrapped until Unlock.
	// By default Open unlocks the offline local profile.
	Locked bool
}

// Store is an open cache file. Its methods may be called from several
// goroutines.
type Store struct {
	db    *bolt.DB
	path  string
	codec valueCodec
	now   func() time.Time // tests move time forward
}

// DefaultDir is the user's application-data folder for Kense:
// os.UserConfigDir()/Kense (%AppData%\Kense on Windows,
// ~/Library/Application Support/Kense on macOS, $XDG_CONFIG_HOME/Kense or
// ~/.config/Kense elsewhere). It is per OS user and not created here.
func DefaultDir() (string, error) {
	d, err := os.UserConfigDir()
	if err != nil {
		return "", newErr(ErrOpen, "", err)
	}
	return filepath.Join(d, "Kense"), nil
}

// DefaultPath is DefaultDir()/kense.db.
func DefaultPath() (string, error) {
	d, err := DefaultDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "kense.db"), nil
}

// Open opens the cache file at path, creating its folder (0700) and the
// file (0600) when missing. Another process or another Open in this
// process holding the file makes it fail with ErrInUse after
// opt.Timeout.
func Open(path string, opt Options) (*Store, error) {
	if opt.Timeout <= 0 {
		opt.Timeout = DefaultTimeout
	}
	if path == "" {
		return nil, newErr(ErrOpen, path, errors.New("empty path"))
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, newErr(ErrOpen, path, err)
	}
	db, err := openBolt(path, opt.Timeout)
	if err != nil {
		switch {
		case errors.Is(err, berrors.ErrTimeout):
			return nil, newErr(ErrInUse, path, err)
		case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrVersionMismatch),
			errors.Is(err, berrors.ErrChecksum), errors.Is(err, errBoltPanic):
			return nil, newErr(ErrCorrupt, path, err)
		}
		return nil, newErr(ErrOpen, path, err)
	}
	s := &Store{db: db, path: path, codec: jsonCodec{}, now: time.Now}
	if err := s.init(); err != nil {
		_ = db.Close()
		return nil, err
	}
	if err := s.startSealing(opt); err != nil { // crypt.go
		_ = db.Close()
		return nil, err
	}
	return s, nil
}

var errBoltPanic = errors.New("bbolt panicked reading the file")

// openBolt is bolt.Open that turns a panic on a mangled file into an error.
func openBolt(path string, timeout time.Duration) (db *bolt.DB, err error) {
	defer func() {
		if r := recover(); r != nil {
			db, err = nil, fmt.Errorf("%w: %v", errBoltPanic, r)
		}
	}()
	// NoSync stays false: every commit is fsync'd before Update returns.
	return bolt.Open(path, 0o600, &bolt.Options{Timeout: timeout, FreelistType: bolt.FreelistArrayType})
}

// init creates the buckets of a new file and checks the schema of an old one.
func (s *Store) init() error {
	return s.update(func(tx *bolt.Tx) error {
		for _, b := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		meta := tx.Bucket(bucketMeta)
		v := meta.Get(keySchema)
		if v == nil {
			return meta.Put(keySchema, []byte(strconv.Itoa(schemaVersion)))
		}
		n, err := strconv.Atoi(string(v))
		if err != nil || n < 1 {
			return corruptf(s.path, "schema version %q", v)
		}
		if n > schemaVersion {
			return newErr(ErrNewerSchema, s.path, fmt.Errorf("schema %d, this Kense knows %d", n, schemaVersion))
		}
		// n < schemaVersion: migrations go here once there is a version 2.
		return nil
	})
}

// Close closes the file and lets go of its lock. It waits for running
// transactions.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return newErr(ErrWrite, s.path, err)
	}
	return nil
}

// Path is the file the store was opened from.
func (s *Store) Path() string { return s.path }

// Check runs bbolt's consistency check over the whole file (every page
// reachable once, freelist sane). It reads the whole file: for repair
// tools and tests, not for every start.
func (s *Store) Check() error {
	var errs []error
	err := s.view(func(tx *bolt.Tx) error {
		for e := range tx.Check() {
			errs = append(errs, e)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return newErr(ErrCorrupt, s.path, errors.Join(errs...))
	}
	return nil
}

func (s *Store) update(fn func(tx *bolt.Tx) error) error {
	if err := s.gate(); err != nil { // crypt.go: ErrLocked
		return err
	}
	return s.txErr(s.db.Update(fn), ErrWrite)
}

func (s *Store) view(fn func(tx *bolt.Tx) error) error {
	if err := s.gate(); err != nil {
		return err
	}
	return s.txErr(s.db.View(fn), ErrRead)
}

// txErr keeps the store's own errors and turns bbolt's into *Error.
func (s *Store) txErr(err error, kind *Error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	if errors.Is(err, berrors.ErrDatabaseNotOpen) {
		return newErr(ErrClosed, s.path, err)
	}
	return newErr(kind, s.path, err)
}
