package server

import (
	"errors"
	"time"
)

// Account is a user account as the server keeps it.
type Account struct {
	IIN           string    `json:"iin"`
	FullName      string    `json:"fullName"`
	Kind          string    `json:"kind"` // api.KindUNIS or api.KindRER
	Status        string    `json:"status"`
	BlockedReason string    `json:"blockedReason,omitempty"`
	BlockedAt     time.Time `json:"blockedAt,omitzero"`
	CreatedAt     time.Time `json:"createdAt"`
	// RER SDB accounts only.
	Login        string `json:"login,omitempty"`
	PasswordHash string `json:"passwordHash,omitempty"` // argon2id, PHC string form
	BoundIP      string `json:"boundIp,omitempty"`
	// Password rules (pwchange.go): the administrator's primary password
	// must be changed first (rule 14); changedAt starts the 30 days (rule
	// 17; zero: CreatedAt); a reported compromise forces a change (rule
	// 16); the last PasswordHistoryLen replaced hashes refuse reuse (18.7).
	PasswordPrimary       bool      `json:"passwordPrimary,omitempty"`
	PasswordChangedAt     time.Time `json:"passwordChangedAt,omitzero"`
	PasswordCompromisedAt time.Time `json:"passwordCompromisedAt,omitzero"`
	PasswordHistory       []string  `json:"passwordHistory,omitempty"` // argon2id PHC strings, oldest first
	// HeadIIN: the user's head, notified of a compromised password.
	HeadIIN string `json:"headIin,omitempty"`

	Certificates []RegisteredCert `json:"certificates,omitempty"`

	// Roles are the Operator staff lines (api.RoleLine1…3) of an
	// account of the Operator's support service, and the administrator
	// roles (api.RoleRERAdmin, api.RoleChamber); none for users.
	Roles []string `json:"roles,omitempty"`

	// Set by executed applications (issue 8, admin_apps.go). RER SDB:
	// the position, user type and access levels of the row, and the
	// subunit of the application. DismissedAt: the account was closed for
	// good (Status api.StatusDismissed). PreviousIINs: the IINs the account
	// had before a change of IIN (13), oldest first; its audit history
	// follows them.
	Position     string    `json:"position,omitempty"`
	UserType     int       `json:"userType,omitempty"`
	AccessLevels []string  `json:"accessLevels,omitempty"`
	Subunit      string    `json:"subunit,omitempty"`
	DismissedAt  time.Time `json:"dismissedAt,omitzero"`
	PreviousIINs []string  `json:"previousIins,omitempty"`
}

// RegisteredCert is an EDS certificate registered to an account.
type RegisteredCert struct {
	Serial       string    `json:"serial"`
	Subject      string    `json:"subject"`
	Issuer       string    `json:"issuer"`
	NotBefore    time.Time `json:"notBefore"`
	NotAfter     time.Time `json:"notAfter"`
	RegisteredAt time.Time `json:"registeredAt"`
	DER          []byte    `json:"der,omitempty"`
}

// Session is a signed-in session. The store knows it only by the SHA-256 of
// its token, so a copy of the database cannot be used to sign in.
type Session struct {
	IIN       string    `json:"iin"`
	CreatedAt time.Time `json:"createdAt"`
	LastSeen  time.Time `json:"lastSeen"`
	ExpiresAt time.Time `json:"expiresAt"` // absolute end
	Addr      string    `json:"addr"`
}

// Store errors.
var (
	ErrNotFound = errors.New("not found")
	ErrExists   = errors.New("already exists")
	// ErrInUse: another process (a running server) holds the data file.
	ErrInUse = errors.New("the data file is in use by another process")
)

// Store keeps accounts and sessions. BoltStore is the implementation; the
// interface lets handlers be tested against failures and lets another
// backend replace bbolt.
type Store interface {
	CreateAccount(a *Account) error // ErrExists for a taken IIN or login
	Account(iin string) (*Account, error)
	// UpdateAccount runs fn on the stored account and saves it when fn
	// returns nil, atomically.
	UpdateAccount(iin string, fn func(*Account) error) error
	Accounts() ([]*Account, error)

	PutSession(tokenHash []byte, s *Session) error
	Session(tokenHash []byte) (*Session, error)
	// TouchSession sets LastSeen unless the session has ended by then;
	// it returns the updated session or ErrNotFound.
	TouchSession(tokenHash []byte, now time.Time, idle time.Duration) (*Session, error)
	DeleteSession(tokenHash []byte) error
	// PruneSessions deletes the sessions that ended before now.
	PruneSessions(now time.Time, idle time.Duration) (int, error)

	// Drafts sync (issue 4, drafts_store.go).
	DraftStore

	Close() error
}
