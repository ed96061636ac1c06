package cache

import (
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"kense/form"
)

// OutboxEntry is one change on its way to the server. It is frozen from
// the moment it is made: a retry after a lost answer sends the same
// content under the same ID, which is the idempotency key, so the server
// applies it once. At most one entry per draft is on its way; edits made
// meanwhile leave the draft pending and go in the next entry, based on the
// version this one produces.
type OutboxEntry struct {
	ID      string `json:"id"`
	Account string `json:"account"`
	DraftID string `json:"draftId"`
	// BaseVersion is the server version the change was made on.
	BaseVersion uint64    `json:"baseVersion"`
	Deleted     bool      `json:"deleted,omitempty"`
	Shared      bool      `json:"shared,omitempty"`
	Form        form.Form `json:"form"`
	// Hash is the content hash the draft has once the server applied it.
	Hash    string    `json:"hash"`
	Created time.Time `json:"created"`
}

// PushOutcome is the server's answer to one entry.
type PushOutcome struct {
	EntryID string
	// Status: "applied", "conflict", or anything else for a refusal.
	Status  string
	Version uint64  // applied: the draft's new version
	Current *Remote // conflict: the server's copy
	Message string  // refusals: the server's code and text
}

// Push outcomes that ApplyPushResults knows.
const (
	OutcomeApplied  = "applied"
	OutcomeConflict = "conflict"
)

// PrepareOutbox is EnqueuePending followed by NextOutbox.
func (s *Store) PrepareOutbox(account string, max int) ([]OutboxEntry, error) {
	if _, err := s.EnqueuePending(account); err != nil {
		return nil, err
	}
	return s.NextOutbox(account, max)
}

// EnqueuePending makes an outbox entry for each of account's drafts that
// is pending and has none (not those in conflict, nor those refused and
// unchanged since), and forgets drafts deleted for good that the server
// has deleted too. It returns how many entries it made.
func (s *Store) EnqueuePending(account string) (int, error) {
	made := 0
	now := s.stamp()
	err := s.update(func(tx *bolt.Tx) error {
		var ids []string
		if err := s.forAccount(tx, account, func(id string) error { ids = append(ids, id); return nil }); err != nil {
			return err
		}
		conflicts := tx.Bucket(bucketConflicts)
		for _, id := range ids {
			if s.quickClean(tx, id) {
				continue
			}
			l, err := s.loadLocal(tx, id)
			if err != nil {
				continue // an unreadable draft is reported by ListDrafts
			}
			if l.rec.Entry != "" || conflicts.Get([]byte(id)) != nil {
				continue
			}
			if l.clean() {
				var err error
				if !l.present {
					// Gone here and on the server (or never there): forget it.
					err = tx.Bucket(bucketSyncState).Delete([]byte(id))
				} else if l.rec.Version != 0 {
					// Saved again unchanged: remember, so the next pass
					// need not hash it.
					l.markClean()
					err = s.putSyncRec(tx, id, l.rec)
				}
				if err != nil {
					return err
				}
				continue
			}
			h := l.hash()
			if l.rec.Refused != "" && h == l.rec.RefusedHash {
				continue
			}
			seq, err := tx.Bucket(bucketOutbox).NextSequence()
			if err != nil {
				return err
			}
			// The sequence keeps the outbox in the order entries were made;
			// the random part keeps the key unique beyond this file.
			e := OutboxEntry{ID: fmt.Sprintf("%016x-%s", seq, NewID()[:16]), Account: account, DraftID: id,
				BaseVersion: l.rec.Version, Deleted: l.deleted(), Shared: l.rec.Shared, Hash: h, Created: now}
			if !e.Deleted {
				e.Form = cloneForm(l.d.Form)
			}
			if err := s.putEntry(tx, e); err != nil {
				return err
			}
			l.rec.Entry = e.ID
			if err := s.putSyncRec(tx, id, l.rec); err != nil {
				return err
			}
			made++
		}
		return nil
	})
	return made, err
}

// stamps is the part of a stored draft that tells a clean draft quickly.
type stamps struct {
	Updated time.Time `json:"updated"`
	Deleted time.Time `json:"deleted"`
}

// quickClean: the draft is present, unchanged since it was last equal to
// the server's, and has nothing on its way — without decoding its rows.
func (s *Store) quickClean(tx *bolt.Tx, id string) bool {
	r, ok, err := s.getSyncRec(tx, id)
	if err != nil || !ok || r.Entry != "" || r.Version == 0 || r.SyncedUpdated.IsZero() || r.Shared != r.SyncedShared {
		return false
	}
	v := tx.Bucket(bucketDrafts).Get([]byte(id))
	if v == nil {
		return false
	}
	var st stamps
	if s.codec.decode(bucketDrafts, []byte(id), v, &st) != nil {
		return false
	}
	return st.Updated.Equal(r.SyncedUpdated) && !st.Deleted.IsZero() == r.SyncedDeleted &&
		tx.Bucket(bucketConflicts).Get([]byte(id)) == nil
}

// NextOutbox returns up to max of account's entries, oldest first: those
// left by an interrupted sync come first, unchanged.
func (s *Store) NextOutbox(account string, max int) ([]OutboxEntry, error) {
	if max <= 0 {
		max = 100
	}
	var out []OutboxEntry
	err := s.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketOutbox).Cursor()
		for k, v := c.First(); k != nil && len(out) < max; k, v = c.Next() {
			// An entry that does not decode is another account's, sealed
			// with its key (crypt.go): not this account's business.
			var e OutboxEntry
			if s.codec.decode(bucketOutbox, k, v, &e) == nil && e.Account == account {
				out = append(out, e)
			}
		}
		return nil
	})
	return out, err
}

func (s *Store) putEntry(tx *bolt.Tx, e OutboxEntry) error {
	v, err := s.codec.encode(bucketOutbox, []byte(e.ID), e)
	if err != nil {
		return newErr(ErrWrite, s.path, err)
	}
	return tx.Bucket(bucketOutbox).Put([]byte(e.ID), v)
}

// entries lists account's outbox in key order (oldest first).
func (s *Store) entries(tx *bolt.Tx, account string) ([]OutboxEntry, error) {
	var out []OutboxEntry
	err := tx.Bucket(bucketOutbox).ForEach(func(k, v []byte) error {
		var e OutboxEntry
		if s.codec.decode(bucketOutbox, k, v, &e) == nil && e.Account == account {
			out = append(out, e)
		}
		return nil
	})
	return out, err
}

// OutboxLen counts account's entries on their way.
func (s *Store) OutboxLen(account string) (int, error) {
	n := 0
	err := s.view(func(tx *bolt.Tx) error {
		es, err := s.entries(tx, account)
		n = len(es)
		return err
	})
	return n, err
}

// ApplyPushResults records the server's answers, all in one transaction.
// An answer for an entry that is no longer in the outbox (already
// recorded) is ignored.
func (s *Store) ApplyPushResults(outcomes []PushOutcome) error {
	now := s.stamp()
	return s.update(func(tx *bolt.Tx) error {
		ob := tx.Bucket(bucketOutbox)
		for _, o := range outcomes {
			v := ob.Get([]byte(o.EntryID))
			if v == nil {
				continue
			}
			var e OutboxEntry
			if err := s.codec.decode(bucketOutbox, []byte(o.EntryID), v, &e); err != nil {
				return newErr(ErrCorrupt, s.path, err)
			}
			if err := s.applyOutcome(tx, &e, &o, now); err != nil {
				return err
			}
			if err := ob.Delete([]byte(e.ID)); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *Store) applyOutcome(tx *bolt.Tx, e *OutboxEntry, o *PushOutcome, now time.Time) error {
	l, err := s.loadLocal(tx, e.DraftID)
	if err != nil {
		return err
	}
	if l.rec.Entry == e.ID {
		l.rec.Entry = ""
	}
	switch o.Status {
	case OutcomeApplied:
		l.rec.Version, l.rec.SyncedHash, l.rec.LastSynced = o.Version, e.Hash, now
		l.rec.Refused, l.rec.RefusedHash = "", ""
		if l.rec.Owner == "" {
			l.rec.Owner = e.Account
		}
		if l.hash() == e.Hash {
			l.markClean()
		} else {
			l.rec.SyncedUpdated = time.Time{} // edited meanwhile: pending
		}
	case OutcomeConflict:
		if o.Current == nil {
			return fmt.Errorf("conflict on %s without the server's copy", e.DraftID)
		}
		if o.Current.hash() == l.hash() {
			// Both sides made the same change: nothing to choose.
			l.rec.Version, l.rec.Owner, l.rec.SyncedHash, l.rec.LastSynced = o.Current.Version, o.Current.Owner, l.hash(), now
			l.markClean()
			break
		}
		if err := s.putConflict(tx, Conflict{DraftID: e.DraftID, Theirs: *o.Current, At: now}); err != nil {
			return err
		}
	default:
		l.rec.Refused, l.rec.RefusedHash = o.Status+": "+o.Message, e.Hash
	}
	return s.putSyncRec(tx, e.DraftID, l.rec)
}
