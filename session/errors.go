package session

import (
	"errors"

	"kense/client"
	"kense/i18n"
)

// Error is a refusal found by the session itself; it explains itself.
type Error struct {
	key string
	msg string
}

func (e *Error) Error() string { return e.msg }

// UserMessage says in lang what happened and what to do.
func (e *Error) UserMessage(lang i18n.Lang) string { return i18n.TL(lang, e.key) }

var (
	// ErrDifferentPerson: the unlock was tried with another certificate
	// (or another account) than the one signed in.
	ErrDifferentPerson = &Error{key: "lock.err.different_person", msg: "session: not the signed-in person"}

	errNotSignedIn      = &Error{key: "lock.err.not_signed_in", msg: "session: nobody is signed in"}
	errKeyPassword      = &Error{key: "lock.err.key_password", msg: "session: key password needed"}
	errRERPassword      = &Error{key: "lock.err.rer_password", msg: "session: RER SDB password needed"}
	errRERPasswordWrong = &Error{key: "lock.err.rer_password_wrong", msg: "session: wrong RER SDB password"}
	errNoKey            = &Error{key: "signin.err.no_key", msg: "session: no key file opened"}
	errSignedIn         = &Error{key: "signin.err.signed_in", msg: "session: signed in to another server"}
	errNoPassword       = &Error{key: "pwui.err.unavailable", msg: "session: the account has no password (not RER SDB)"}
)

// UserMessage explains any error of a sign-in or an unlock in lang: the
// session's own, then client's (server refusals, key files, NCALayer).
func UserMessage(err error, lang i18n.Lang) string {
	var se *Error
	if errors.As(err, &se) {
		return se.UserMessage(lang)
	}
	return client.UserMessage(err, lang)
}
