// Package keyprotect wraps small secrets — Kense's data keys — with what
// the platform offers to keep them for the current OS user only.
//
// On Windows that is DPAPI (CryptProtectData with the user's logon
// credentials as the root key): a wrapped key copied to another user or
// another computer cannot be unwrapped. Elsewhere there is no keyring
// module in Kense's dependencies, so FileKEK is used: a random
// key-encryption key in a 0600 file under the user's config folder. It
// keeps a copied cache file alone unreadable, but anyone who can read that
// OS user's files (the user, root, a backup of the whole folder) can
// unwrap the keys. See the README, "Data at rest".
//
// Every wrap is bound to a context (Kense binds the account): unwrapping
// with another context fails, it never returns a wrong key.
package keyprotect

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"kense/i18n"
)

// Protector wraps and unwraps secrets for the current OS user.
type Protector interface {
	// Name names the scheme ("dpapi", "file"); stored beside each wrapped
	// secret so that a blob made by another scheme is told apart.
	Name() string
	// Protect wraps secret, bound to context.
	Protect(secret, context []byte) ([]byte, error)
	// Unprotect unwraps what Protect made with the same context. Any other
	// blob or context gives ErrUnwrap, never a wrong secret.
	Unprotect(blob, context []byte) ([]byte, error)
}

// Error is a key protection failure; Key names its text in
// assets/i18n/*/keyprotect.json, Err keeps the technical cause for logs.
type Error struct {
	Key string
	Err error
}

var (
	// ErrUnwrap: the blob was made for another user, computer, context
	// or key-encryption key, or it is damaged.
	ErrUnwrap = &Error{Key: "kp.err.unwrap"}
	// ErrUnavailable: the platform's protection cannot be used (DPAPI
	// failed, the key file cannot be written or is readable by others).
	ErrUnavailable = &Error{Key: "kp.err.unavailable"}
)

func (e *Error) Error() string {
	s := "keyprotect: " + i18n.TL(i18n.EN, e.Key)
	if e.Err != nil {
		s += " (" + e.Err.Error() + ")"
	}
	return s
}

// UserMessage is the error's text in language lang.
func (e *Error) UserMessage(lang i18n.Lang) string { return i18n.TL(lang, e.Key) }

func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrUnwrap) true for every unwrap error.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Key == e.Key
}

func newErr(kind *Error, cause error) *Error { return &Error{Key: kind.Key, Err: cause} }

func errorf(kind *Error, format string, args ...any) *Error {
	return newErr(kind, fmt.Errorf(format, args...))
}

// maxSecret bounds what is wrapped: data keys are 32 bytes.
const maxSecret = 1024

func checkSecret(secret []byte) error {
	if len(secret) == 0 || len(secret) > maxSecret {
		return errorf(ErrUnavailable, "secret of %d bytes", len(secret))
	}
	return nil
}

// entropy turns a context into DPAPI's "optional entropy": a fixed-size
// digest, so that contexts of any length (and with NULs) are fine.
func entropy(context []byte) []byte {
	h := sha256.New()
	h.Write([]byte("kense/keyprotect/dpapi/v1\x00"))
	h.Write(context)
	return h.Sum(nil)
}

// DefaultDir is where FileKEK keeps its key on this OS user's account:
// os.UserConfigDir()/Kense/keys.
func DefaultDir() (string, error) {
	d, err := os.UserConfigDir()
	if err != nil {
		return "", newErr(ErrUnavailable, err)
	}
	return filepath.Join(d, "Kense", "keys"), nil
}

// errBadBlob is the cause for blobs too short or of another format.
var errBadBlob = errors.New("not a wrapped key of this scheme")
