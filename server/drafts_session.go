package server

import (
	"errors"
	"time"

	"kense/api"
)

// IssueSession stores a new session for the account iin and returns its
// token, as a successful sign-in would. It is for tests and tools that
// hold the data file themselves (the sync tests of other packages use it
// to get sessions without an EDS sign-in); the HTTP API issues sessions
// only through the EDS sign-in.
func IssueSession(st Store, iin string, now time.Time, maxAge time.Duration) (string, error) {
	if maxAge <= 0 {
		maxAge = DefaultSessionMaxAge
	}
	a, err := st.Account(iin)
	if err != nil {
		return "", err
	}
	if a.Status != api.StatusActive {
		return "", errors.New("the account is blocked")
	}
	token, hash := newToken()
	now = now.UTC()
	se := &Session{IIN: iin, CreatedAt: now, LastSeen: now, ExpiresAt: now.Add(maxAge), Addr: "127.0.0.1"}
	if err := st.PutSession(hash, se); err != nil {
		return "", err
	}
	return token, nil
}
