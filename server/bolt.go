package server

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// Storage layout: one bbolt file, DataFileName in the data directory.
//
//	meta      "schema" → "1"
//	accounts  IIN → Account as JSON
//	logins    lower-case login → IIN (RER SDB accounts; keeps logins unique)
//	sessions  hex(SHA-256(token)) → Session as JSON
const DataFileName = "kense-server.db"

const schemaVersion = "1"

var (
	bMeta     = []byte("meta")
	bAccounts = []byte("accounts")
	bLogins   = []byte("logins")
	bSessions = []byte("sessions")
)

// BoltStore is the bbolt Store.
type BoltStore struct{ db *bolt.DB }

// OpenBolt opens (creating when absent) the store in dir.
func OpenBolt(dir string) (*BoltStore, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	db, err := bolt.Open(filepath.Join(dir, DataFileName), 0o600, &bolt.Options{Timeout: 2 * time.Second})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, DataFileName), ErrInUse)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", filepath.Join(dir, DataFileName), err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bMeta, bAccounts, bLogins, bSessions} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		m := tx.Bucket(bMeta)
		if v := m.Get([]byte("schema")); v != nil && string(v) != schemaVersion {
			return fmt.Errorf("data schema %q, this server knows %q", v, schemaVersion)
		}
		return m.Put([]byte("schema"), []byte(schemaVersion))
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	return &BoltStore{db: db}, nil
}

// Close closes the file.
func (s *BoltStore) Close() error { return s.db.Close() }

func loginKey(l string) []byte { return []byte(strings.ToLower(l)) }

// CreateAccount stores a new account.
func (s *BoltStore) CreateAccount(a *Account) error {
	v, err := json.Marshal(a)
	if err != nil {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bAccounts)
		if b.Get([]byte(a.IIN)) != nil {
			return fmt.Errorf("account %s: %w", a.IIN, ErrExists)
		}
		if a.Login != "" {
			lb := tx.Bucket(bLogins)
			if lb.Get(loginKey(a.Login)) != nil {
				return fmt.Errorf("login %s: %w", a.Login, ErrExists)
			}
			if err := lb.Put(loginKey(a.Login), []byte(a.IIN)); err != nil {
				return err
			}
		}
		return b.Put([]byte(a.IIN), v)
	})
}

func getAccount(tx *bolt.Tx, iin string) (*Account, error) {
	v := tx.Bucket(bAccounts).Get([]byte(iin))
	if v == nil {
		return nil, fmt.Errorf("account %s: %w", iin, ErrNotFound)
	}
	var a Account
	if err := json.Unmarshal(v, &a); err != nil {
		return nil, fmt.Errorf("account %s: %w", iin, err)
	}
	return &a, nil
}

// Account reads one account.
func (s *BoltStore) Account(iin string) (*Account, error) {
	var a *Account
	err := s.db.View(func(tx *bolt.Tx) (err error) {
		a, err = getAccount(tx, iin)
		return err
	})
	return a, err
}

// UpdateAccount changes one account atomically. IIN is the key and cannot
// change here; a login change moves the login index.
func (s *BoltStore) UpdateAccount(iin string, fn func(*Account) error) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		a, err := getAccount(tx, iin)
		if err != nil {
			return err
		}
		oldLogin := a.Login
		if err := fn(a); err != nil {
			return err
		}
		a.IIN = iin
		if !strings.EqualFold(oldLogin, a.Login) {
			lb := tx.Bucket(bLogins)
			if a.Login != "" {
				if lb.Get(loginKey(a.Login)) != nil {
					return fmt.Errorf("login %s: %w", a.Login, ErrExists)
				}
				if err := lb.Put(loginKey(a.Login), []byte(iin)); err != nil {
					return err
				}
			}
			if oldLogin != "" {
				if err := lb.Delete(loginKey(oldLogin)); err != nil {
					return err
				}
			}
		}
		v, err := json.Marshal(a)
		if err != nil {
			return err
		}
		return tx.Bucket(bAccounts).Put([]byte(iin), v)
	})
}

// Accounts lists every account in IIN order.
func (s *BoltStore) Accounts() ([]*Account, error) {
	var out []*Account
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bAccounts).ForEach(func(k, v []byte) error {
			var a Account
			if err := json.Unmarshal(v, &a); err != nil {
				return fmt.Errorf("account %s: %w", k, err)
			}
			out = append(out, &a)
			return nil
		})
	})
	return out, err
}

func sessionKey(h []byte) []byte { return []byte(hex.EncodeToString(h)) }

// PutSession stores a session under its token hash.
func (s *BoltStore) PutSession(h []byte, se *Session) error {
	v, err := json.Marshal(se)
	if err != nil {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bSessions).Put(sessionKey(h), v) })
}

func getSession(tx *bolt.Tx, h []byte) (*Session, error) {
	v := tx.Bucket(bSessions).Get(sessionKey(h))
	if v == nil {
		return nil, ErrNotFound
	}
	var se Session
	if err := json.Unmarshal(v, &se); err != nil {
		return nil, err
	}
	return &se, nil
}

// Session reads a session.
func (s *BoltStore) Session(h []byte) (*Session, error) {
	var se *Session
	err := s.db.View(func(tx *bolt.Tx) (err error) {
		se, err = getSession(tx, h)
		return err
	})
	return se, err
}

func sessionEnded(se *Session, now time.Time, idle time.Duration) bool {
	return !now.Before(se.ExpiresAt) || !now.Before(se.LastSeen.Add(idle))
}

// touchEvery: LastSeen is rewritten at most this often, so that a busy
// session does not cost a disk sync per request; the idle timeout may thus
// end a session up to this much early.
const touchEvery = 30 * time.Second

// TouchSession marks the session used now; an ended session is deleted and
// reported as ErrNotFound.
func (s *BoltStore) TouchSession(h []byte, now time.Time, idle time.Duration) (*Session, error) {
	var se *Session
	err := s.db.View(func(tx *bolt.Tx) (err error) {
		se, err = getSession(tx, h)
		return err
	})
	if err != nil {
		return nil, err
	}
	if !sessionEnded(se, now, idle) && now.Sub(se.LastSeen) < touchEvery && !now.Before(se.LastSeen) {
		return se, nil
	}
	ended := false
	err = s.db.Update(func(tx *bolt.Tx) (err error) {
		if se, err = getSession(tx, h); err != nil {
			return err
		}
		if ended = sessionEnded(se, now, idle); ended {
			// Returning an error would roll the deletion back.
			return tx.Bucket(bSessions).Delete(sessionKey(h))
		}
		se.LastSeen = now
		v, err := json.Marshal(se)
		if err != nil {
			return err
		}
		return tx.Bucket(bSessions).Put(sessionKey(h), v)
	})
	if err != nil {
		return nil, err
	}
	if ended {
		return nil, ErrNotFound
	}
	return se, nil
}

// DeleteSession ends a session; deleting an absent one is no error.
func (s *BoltStore) DeleteSession(h []byte) error {
	return s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bSessions).Delete(sessionKey(h)) })
}

// PruneSessions deletes ended sessions.
func (s *BoltStore) PruneSessions(now time.Time, idle time.Duration) (int, error) {
	n := 0
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bSessions)
		var dead [][]byte
		err := b.ForEach(func(k, v []byte) error {
			var se Session
			if json.Unmarshal(v, &se) != nil || sessionEnded(&se, now, idle) {
				dead = append(dead, append([]byte(nil), k...))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range dead {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		n = len(dead)
		return nil
	})
	return n, err
}
