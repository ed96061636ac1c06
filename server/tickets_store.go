package server

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"

	"kense/servicedesk"
)

// ServiceDesk storage (issue 6), in the same bbolt file:
//
//	tickets     ticket id → ticketRecord as JSON
//	ticketseq   year ("2026") → big-endian uint64: the last number issued
//	ticketidem  IIN 0x00 Idempotency-Key → ticket id
//	calendar    "current" → servicedesk.Calendar as JSON (the Operator's)
//
// Buckets are created by the first write; reads treat a missing bucket
// as empty, so older data files need no migration.
var (
	bTickets    = []byte("tickets")
	bTicketSeq  = []byte("ticketseq")
	bTicketIdem = []byte("ticketidem")
	bCalendar   = []byte("calendar")
	keyCalendar = []byte("current")
)

// Ticket store errors.
var (
	// ErrTicketIDTaken: the client-made id belongs to another account's
	// ticket (ids are random: this is misuse, not chance).
	ErrTicketIDTaken = errors.New("the ticket id is taken")
	// ErrTicketKeyReused: an id or idempotency key sent again with other
	// content.
	ErrTicketKeyReused = errors.New("the ticket id or idempotency key was used for another ticket")
)

// TicketRecord is a ticket as the server keeps it: the ticket, its
// initiator's IIN and the hash of the content first filed.
type TicketRecord struct {
	Owner  string             `json:"owner"`
	Hash   string             `json:"hash"`
	Ticket servicedesk.Ticket `json:"ticket"`
}

// TicketStore keeps tickets and the Operator's calendar. BoltStore
// implements it; the handlers find it on Config.Store by type assertion,
// so a Store without it answers 501 on the ticket endpoints.
type TicketStore interface {
	// FileTicket registers t for iin once: the same id (or the same
	// idempotency key) again returns the ticket first registered, with
	// replayed true. The number is assigned in the same transaction.
	FileTicket(iin, key string, t *servicedesk.Ticket, now time.Time) (rec *TicketRecord, replayed bool, err error)
	// TicketRec reads one ticket: ErrNotFound when there is none.
	TicketRec(id string) (*TicketRecord, error)
	// TicketRecs lists the tickets for which keep returns true.
	TicketRecs(keep func(*TicketRecord) bool) ([]*TicketRecord, error)
	// UpdateTicket runs fn on the stored ticket and saves it when fn
	// returns nil, atomically.
	UpdateTicket(id string, fn func(*TicketRecord) error) (*TicketRecord, error)
	// OperatorCalendar is the stored calendar; ok false when the Operator
	// stored none.
	OperatorCalendar() (cal servicedesk.Calendar, ok bool, err error)
	PutOperatorCalendar(cal servicedesk.Calendar) error
}

// TicketNumber formats the identification number: SD-2026-000123.
func TicketNumber(year int, seq uint64) string { return fmt.Sprintf("SD-%04d-%06d", year, seq) }

// TicketHash identifies what the client filed (not what registration
// adds), so a repeat with other content under the same id is refused.
func TicketHash(t *servicedesk.Ticket) string {
	c := *t
	c.Number, c.Status, c.Line, c.OpenedAt, c.History, c.Comments = "", "", 0, time.Time{}, nil, nil
	b, _ := json.Marshal(c)
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func getTicketRec(tx *bolt.Tx, id string) (*TicketRecord, error) {
	b := tx.Bucket(bTickets)
	if b == nil {
		return nil, nil
	}
	v := b.Get([]byte(id))
	if v == nil {
		return nil, nil
	}
	var r TicketRecord
	if err := json.Unmarshal(v, &r); err != nil {
		return nil, fmt.Errorf("ticket %s: %w", id, err)
	}
	return &r, nil
}

func putTicketRec(tx *bolt.Tx, r *TicketRecord) error {
	v, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return tx.Bucket(bTickets).Put([]byte(r.Ticket.ID), v)
}

// FileTicket implements TicketStore.
func (s *BoltStore) FileTicket(iin, key string, t *servicedesk.Ticket, now time.Time) (*TicketRecord, bool, error) {
	var out *TicketRecord
	replayed := false
	hash := TicketHash(t)
	err := s.db.Update(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bTickets, bTicketSeq, bTicketIdem} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		idem := tx.Bucket(bTicketIdem)
		id := t.ID
		if key != "" {
			if v := idem.Get(idemKey(iin, key)); v != nil {
				id = string(v)
			}
		}
		cur, err := getTicketRec(tx, id)
		if err != nil {
			return err
		}
		if cur != nil {
			switch {
			case cur.Owner != iin:
				return ErrTicketIDTaken
			case cur.Hash != hash || cur.Ticket.ID != t.ID:
				return ErrTicketKeyReused
			}
			out, replayed = cur, true
		} else {
			at := now.In(servicedesk.Location).Truncate(time.Second)
			year := at.Year()
			sb := tx.Bucket(bTicketSeq)
			yk := []byte(strconv.Itoa(year))
			var seq uint64
			if v := sb.Get(yk); len(v) == 8 {
				seq = binary.BigEndian.Uint64(v)
			}
			seq++
			if err := sb.Put(yk, seqKey(seq)); err != nil {
				return err
			}
			reg := *t
			if err := reg.Register(TicketNumber(year, seq), at); err != nil {
				return err
			}
			out = &TicketRecord{Owner: iin, Hash: hash, Ticket: reg}
			if err := putTicketRec(tx, out); err != nil {
				return err
			}
		}
		if key != "" {
			return idem.Put(idemKey(iin, key), []byte(t.ID))
		}
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	return out, replayed, nil
}

// TicketRec implements TicketStore.
func (s *BoltStore) TicketRec(id string) (*TicketRecord, error) {
	var r *TicketRecord
	err := s.db.View(func(tx *bolt.Tx) (err error) {
		r, err = getTicketRec(tx, id)
		return err
	})
	if err == nil && r == nil {
		err = fmt.Errorf("ticket %s: %w", id, ErrNotFound)
	}
	return r, err
}

// TicketRecs implements TicketStore.
func (s *BoltStore) TicketRecs(keep func(*TicketRecord) bool) ([]*TicketRecord, error) {
	var out []*TicketRecord
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bTickets)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var r TicketRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("ticket %s: %w", k, err)
			}
			if keep(&r) {
				out = append(out, &r)
			}
			return nil
		})
	})
	return out, err
}

// UpdateTicket implements TicketStore.
func (s *BoltStore) UpdateTicket(id string, fn func(*TicketRecord) error) (*TicketRecord, error) {
	var out *TicketRecord
	err := s.db.Update(func(tx *bolt.Tx) error {
		r, err := getTicketRec(tx, id)
		if err != nil {
			return err
		}
		if r == nil {
			return fmt.Errorf("ticket %s: %w", id, ErrNotFound)
		}
		if err := fn(r); err != nil {
			return err
		}
		r.Ticket.ID = id
		out = r
		return putTicketRec(tx, r)
	})
	return out, err
}

// OperatorCalendar implements TicketStore.
func (s *BoltStore) OperatorCalendar() (servicedesk.Calendar, bool, error) {
	var cal servicedesk.Calendar
	ok := false
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bCalendar)
		if b == nil {
			return nil
		}
		v := b.Get(keyCalendar)
		if v == nil {
			return nil
		}
		ok = true
		return json.Unmarshal(v, &cal)
	})
	return cal, ok, err
}

// PutOperatorCalendar implements TicketStore.
func (s *BoltStore) PutOperatorCalendar(cal servicedesk.Calendar) error {
	v, err := json.Marshal(cal)
	if err != nil {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bCalendar)
		if err != nil {
			return err
		}
		return b.Put(keyCalendar, v)
	})
}

// SetRoles sets an account's staff roles (kense-server accounts roles).
func SetRoles(st Store, iin string, roles []string) error {
	return st.UpdateAccount(iin, func(a *Account) error {
		a.Roles = append([]string(nil), roles...)
		return nil
	})
}
