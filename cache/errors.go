package cache

import (
	"errors"
	"fmt"

	"kense/i18n"
)

// Error is a cache failure a user may see. Key names its text in the
// translation catalogue (assets/i18n/*/cache.json); Err keeps the technical
// cause for logs. Compare with errors.Is against the Err* values below: two
// errors match when their keys do.
type Error struct {
	Key  string // i18n key of the user message, "cache.err.…"
	Path string // the cache file, when the message names it
	Err  error  // technical cause, may be nil
}

// Sentinels to compare with errors.Is. They carry no path or cause; the
// store returns fresh *Error values of the same Key that do.
var (
	// ErrInUse: another Kense of the same OS user holds the cache file's
	// lock (bbolt's flock / LockFileEx did not succeed within the timeout).
	ErrInUse = &Error{Key: "cache.err.in_use"}
	// ErrNotFound: no draft with that ID.
	ErrNotFound = &Error{Key: "cache.err.not_found"}
	// ErrCorrupt: the file or one of its values cannot be read back.
	ErrCorrupt = &Error{Key: "cache.err.corrupt"}
	// ErrNewerSchema: the file was written by a newer Kense.
	ErrNewerSchema = &Error{Key: "cache.err.newer_schema"}
	// ErrClosed: the store was used after Close.
	ErrClosed = &Error{Key: "cache.err.closed"}
	// ErrOpen: the file could not be created or opened (permissions, path).
	ErrOpen = &Error{Key: "cache.err.open"}
	// ErrWrite: a transaction failed to commit (disk full, I/O error).
	ErrWrite = &Error{Key: "cache.err.write"}
	// ErrRead: a read transaction failed.
	ErrRead = &Error{Key: "cache.err.read"}
	// ErrBadID: a draft ID that is empty, too long or has odd characters, or
	// a draft whose ID and Form.ID differ.
	ErrBadID = &Error{Key: "cache.err.bad_id"}
	// ErrBadSetting: an empty or over-long setting name.
	ErrBadSetting = &Error{Key: "cache.err.bad_setting"}
)

func (e *Error) Error() string {
	// The English catalogue text doubles as the log message.
	s := "cache: " + i18n.TL(i18n.EN, e.Key, "path", e.Path)
	if e.Err != nil {
		s += " (" + e.Err.Error() + ")"
	}
	return s
}

// UserMessage is the error's text in language lang.
func (e *Error) UserMessage(lang i18n.Lang) string {
	return i18n.TL(lang, e.Key, "path", e.Path)
}

func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrInUse) true for every in-use error.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Key == e.Key
}

// UserMessage is err's text in language lang: the cache's own message for
// an *Error anywhere in err's chain, a generic one otherwise.
func UserMessage(err error, lang i18n.Lang) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.UserMessage(lang)
	}
	return i18n.TL(lang, "cache.err.unexpected", "err", err.Error())
}

func newErr(kind *Error, path string, cause error) *Error {
	// A value that could not be read because the store locked in the
	// middle of the read is locked, not damaged: the lock can land at any
	// moment, and "the file is damaged" would frighten the user for nothing.
	if kind == ErrCorrupt && errors.Is(cause, ErrLocked) {
		kind = ErrLocked
	}
	return &Error{Key: kind.Key, Path: path, Err: cause}
}

func corruptf(path, format string, args ...any) *Error {
	return newErr(ErrCorrupt, path, fmt.Errorf(format, args...))
}
