package cache

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"kense/servicedesk"
)

// ServiceDesk tickets (issue 6) in their own bucket:
//
//	tickets  ticket id → codec(TicketEntry)
//
// A ticket filed here waits in the outbox (TicketOutbox) with its id and
// idempotency key frozen, so however often it is sent — a retry after a
// lost answer, a sync after a crash, a double click — the server
// registers it once; the server's registered copy then replaces it. The
// Operator's calendar, for the SLA display, is kept as a setting.
var bucketTickets = []byte("tickets")

// bucketTicketFiles holds the bytes of supporting files until they are
// uploaded: ticket id 0x00 sha256 → codec([]byte). Created by the first
// ticket with files.
var bucketTicketFiles = []byte("ticketfiles")

func ticketFileKey(id, sha string) []byte { return []byte(id + "\x00" + sha) }

// TicketFileData reads the bytes of a file waiting to be uploaded.
func (s *Store) TicketFileData(id, sha string) ([]byte, error) {
	var out []byte
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketTicketFiles)
		var v []byte
		if b != nil {
			v = b.Get(ticketFileKey(id, sha))
		}
		if v == nil {
			return newErr(ErrNotFound, s.path, fmt.Errorf("file %s of ticket %s", sha, id))
		}
		if err := s.codec.decode(bucketTicketFiles, ticketFileKey(id, sha), v, &out); err != nil {
			return newErr(ErrCorrupt, s.path, err)
		}
		return nil
	})
	return out, err
}

// TicketFileDone forgets a file's bytes once uploaded (or refused by the
// server for good) and takes it off the ticket's pending list.
func (s *Store) TicketFileDone(id, sha string) error {
	return s.update(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketTicketFiles); b != nil {
			if err := b.Delete(ticketFileKey(id, sha)); err != nil {
				return err
			}
		}
		e, ok, err := s.getTicket(tx, id)
		if err != nil || !ok {
			return err
		}
		e.PendingFiles = slices.DeleteFunc(e.PendingFiles, func(x string) bool { return x == sha })
		return s.putTicket(tx, e)
	})
}

// Ticket states in the cache.
const (
	TicketOutbox     = "outbox"     // filed here, not registered yet
	TicketRegistered = "registered" // the server's copy, as of the last sync
	TicketRefused    = "refused"    // the server refused it: see Refusal
)

// SettingTicketCalendar holds the Operator's calendar as JSON.
const SettingTicketCalendar = "servicedesk_calendar"

// TicketEntry is a ticket in the cache.
type TicketEntry struct {
	// Account is the IIN whose view this is; "" for a ticket filed
	// before any sign-in, which the first sync gives to its account.
	Account string `json:"account"`
	// Key is the idempotency key, made when the ticket is filed.
	Key    string             `json:"key"`
	State  string             `json:"state"`
	Ticket servicedesk.Ticket `json:"ticket"`
	// Refusal is the server's code and message for a refused ticket.
	Refusal string    `json:"refusal,omitempty"`
	Filed   time.Time `json:"filed"`
	Synced  time.Time `json:"synced,omitzero"`
	// PendingFiles are the SHA-256 of supporting files whose bytes wait
	// in the ticketfiles bucket to be uploaded.
	PendingFiles []string `json:"pendingFiles,omitempty"`
}

func (s *Store) ticketBucket(tx *bolt.Tx) (*bolt.Bucket, error) {
	if b := tx.Bucket(bucketTickets); b != nil || !tx.Writable() {
		return b, nil
	}
	return tx.CreateBucketIfNotExists(bucketTickets)
}

func (s *Store) getTicket(tx *bolt.Tx, id string) (TicketEntry, bool, error) {
	var e TicketEntry
	b, err := s.ticketBucket(tx)
	if err != nil || b == nil {
		return e, false, err
	}
	v := b.Get([]byte(id))
	if v == nil {
		return e, false, nil
	}
	if err := s.codec.decode(bucketTickets, []byte(id), v, &e); err != nil {
		return e, false, newErr(ErrCorrupt, s.path, err)
	}
	return e, true, nil
}

func (s *Store) putTicket(tx *bolt.Tx, e TicketEntry) error {
	b, err := s.ticketBucket(tx)
	if err != nil {
		return err
	}
	v, err := s.codec.encode(bucketTickets, []byte(e.Ticket.ID), e)
	if err != nil {
		return newErr(ErrWrite, s.path, err)
	}
	return b.Put([]byte(e.Ticket.ID), v)
}

// FileTicket puts a new ticket in the outbox for account ("" when no one
// is signed in), with the bytes of its supporting files (each must be a
// file t.Attachments describes). It makes the id when t has none, and
// the idempotency key. The caller has checked it (Ticket.ValidateNew);
// an id already in the cache is ErrBadID.
func (s *Store) FileTicket(account string, t servicedesk.Ticket, files ...[]byte) (TicketEntry, error) {
	if t.ID == "" {
		t.ID = NewID()
	}
	if !validID(t.ID) || t.Number != "" {
		return TicketEntry{}, newErr(ErrBadID, s.path, fmt.Errorf("ticket id %q", t.ID))
	}
	e := TicketEntry{Account: account, Key: NewID(), State: TicketOutbox, Ticket: t, Filed: s.stamp()}
	shas := make([]string, len(files))
	for i, data := range files {
		sum := sha256.Sum256(data)
		shas[i] = hex.EncodeToString(sum[:])
		listed := false
		for _, a := range t.Attachments {
			listed = listed || (a.SHA256 == shas[i] && a.Matches(data))
		}
		if !listed {
			return TicketEntry{}, newErr(ErrWrite, s.path, fmt.Errorf("file %d is not one the ticket describes", i+1))
		}
		if !slices.Contains(e.PendingFiles, shas[i]) {
			e.PendingFiles = append(e.PendingFiles, shas[i])
		}
	}
	err := s.update(func(tx *bolt.Tx) error {
		if _, ok, err := s.getTicket(tx, t.ID); err != nil || ok {
			if ok {
				return newErr(ErrBadID, s.path, fmt.Errorf("ticket %s is filed already", t.ID))
			}
			return err
		}
		if len(files) > 0 {
			b, err := tx.CreateBucketIfNotExists(bucketTicketFiles)
			if err != nil {
				return err
			}
			for i, data := range files {
				k := ticketFileKey(t.ID, shas[i])
				v, err := s.codec.encode(bucketTicketFiles, k, data)
				if err != nil {
					return newErr(ErrWrite, s.path, err)
				}
				if err := b.Put(k, v); err != nil {
					return err
				}
			}
		}
		return s.putTicket(tx, e)
	})
	if err != nil {
		return TicketEntry{}, err
	}
	return e, nil
}

// GetTicket reads one ticket; ErrNotFound when absent.
func (s *Store) GetTicket(id string) (TicketEntry, error) {
	var e TicketEntry
	err := s.view(func(tx *bolt.Tx) error {
		var ok bool
		var err error
		if e, ok, err = s.getTicket(tx, id); err == nil && !ok {
			err = newErr(ErrNotFound, s.path, fmt.Errorf("ticket %s", id))
		}
		return err
	})
	return e, err
}

// Tickets lists the tickets of account's view and those filed before any
// sign-in; all of them when account is "".
func (s *Store) Tickets(account string) ([]TicketEntry, error) {
	var out []TicketEntry
	err := s.view(func(tx *bolt.Tx) error {
		b, _ := s.ticketBucket(tx)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var e TicketEntry
			if err := s.codec.decode(bucketTickets, k, v, &e); err != nil {
				return newErr(ErrCorrupt, s.path, err)
			}
			if account == "" || e.Account == "" || e.Account == account {
				out = append(out, e)
			}
			return nil
		})
	})
	return out, err
}

// TicketOutboxFor lists the tickets waiting to be sent for account, and
// gives those filed before any sign-in to it (they are sent with its
// session, so they are its tickets from now on).
func (s *Store) TicketOutboxFor(account string) ([]TicketEntry, error) {
	var out []TicketEntry
	err := s.update(func(tx *bolt.Tx) error {
		b, err := s.ticketBucket(tx)
		if err != nil {
			return err
		}
		var adopt []TicketEntry
		err = b.ForEach(func(k, v []byte) error {
			var e TicketEntry
			if err := s.codec.decode(bucketTickets, k, v, &e); err != nil {
				return newErr(ErrCorrupt, s.path, err)
			}
			if e.State != TicketOutbox || (e.Account != "" && e.Account != account) {
				return nil
			}
			if e.Account == "" && account != "" {
				e.Account = account
				adopt = append(adopt, e)
			}
			out = append(out, e)
			return nil
		})
		if err != nil {
			return err
		}
		for _, e := range adopt {
			if err := s.putTicket(tx, e); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// TicketRegistered records the server's copy of a ticket in account's
// view: the registration of an outbox ticket, or a change seen at sync.
func (s *Store) TicketRegistered(account string, t servicedesk.Ticket) error {
	if !validID(t.ID) || t.Number == "" {
		return newErr(ErrBadID, s.path, fmt.Errorf("ticket %q without a number", t.ID))
	}
	return s.update(func(tx *bolt.Tx) error {
		e, ok, err := s.getTicket(tx, t.ID)
		if err != nil {
			return err
		}
		if !ok {
			e = TicketEntry{Filed: s.stamp()}
		}
		e.Account, e.State, e.Ticket, e.Refusal, e.Synced = account, TicketRegistered, t, "", s.stamp()
		return s.putTicket(tx, e)
	})
}

// TicketRefusedBy marks an outbox ticket refused by the server; it stays
// in the cache for the user to read the reason, and is not sent again.
func (s *Store) TicketRefusedBy(id, reason string) error {
	return s.update(func(tx *bolt.Tx) error {
		e, ok, err := s.getTicket(tx, id)
		if err != nil || !ok {
			if err == nil {
				err = newErr(ErrNotFound, s.path, fmt.Errorf("ticket %s", id))
			}
			return err
		}
		e.State, e.Refusal = TicketRefused, reason
		return s.putTicket(tx, e)
	})
}

// TicketCalendar is the cached Operator calendar; ok false before the
// first sync.
func (s *Store) TicketCalendar() (servicedesk.Calendar, bool, error) {
	v, ok, err := s.Setting(SettingTicketCalendar)
	if err != nil || !ok {
		return servicedesk.Calendar{}, false, err
	}
	cal, err := servicedesk.ReadCalendar(strings.NewReader(v))
	if err != nil {
		return servicedesk.Calendar{}, false, newErr(ErrCorrupt, s.path, err)
	}
	return cal, true, nil
}

// SetTicketCalendar caches the Operator's calendar.
func (s *Store) SetTicketCalendar(cal servicedesk.Calendar) error {
	if err := cal.Validate().Err(); err != nil {
		return newErr(ErrWrite, s.path, err)
	}
	b, err := json.Marshal(cal)
	if err != nil {
		return newErr(ErrWrite, s.path, err)
	}
	return s.SetSetting(SettingTicketCalendar, string(b))
}
