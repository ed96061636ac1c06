package cache

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"kense/form"
)

// Sync state (issue 4). The drafts bucket stays as it was; sync keeps its
// own buckets beside it:
//
//	syncstate  draft ID → syncRec: who may see the draft here, its server
//	           version and the content it had there
//	outbox     entry ID → OutboxEntry: a change being pushed (outbox.go)
//	conflicts  draft ID → Conflict: the server's copy that clashed
//	syncmeta   "cursors" → codec(map account → pull cursor), so that no
//	           account IIN is a key in clear; "reached" → codec(time the
//	           server last answered); "lasterr" → codec(why the last sync
//	           failed)
//
// What needs pushing is derived, not logged: a draft is pending when its
// content differs from the content it had at its server version. So every
// way a draft changes — the autosaver, an older Kense, a purge of the bin —
// is noticed, and nothing typed offline can miss the outbox. The outbox
// proper holds only the changes on their way, each frozen under one
// idempotency key until the server has answered it.
var (
	bucketSyncState = []byte("syncstate")
	bucketOutbox    = []byte("outbox")
	bucketConflicts = []byte("conflicts")
	bucketSyncMeta  = []byte("syncmeta")

	keyReached = []byte("reached")
	keyLastErr = []byte("lasterr")
	keyCursors = []byte("cursors")
)

// SyncStatus is a draft's place in sync, as the UI shows it.
type SyncStatus string

const (
	// StatusSynced: the server has exactly this draft.
	StatusSynced SyncStatus = "synced"
	// StatusPending: changed here (or never sent); the next sync pushes it.
	StatusPending SyncStatus = "pending"
	// StatusConflict: changed here and on the server; the user must choose
	// (Conflict, Resolve*).
	StatusConflict SyncStatus = "conflict"
	// StatusRefused: the server refused the change (another account's
	// draft, or an invalid one); it stays here and is pushed again once
	// edited.
	StatusRefused SyncStatus = "refused"
)

// syncRec is a draft's sync bookkeeping.
type syncRec struct {
	// Accounts are the IINs of the local accounts that may see the draft:
	// the one who created it here, and those whose sync brought it.
	Accounts []string `json:"accounts,omitempty"`
	// Owner is the server's owner of the draft ("" until the server said).
	Owner  string `json:"owner,omitempty"`
	Shared bool   `json:"shared,omitempty"`
	// Version is the server version the local copy is based on; 0: the
	// server has never had it.
	Version uint64 `json:"version,omitempty"`
	// SyncedHash is contentHash at Version ("" never synced).
	SyncedHash string `json:"syncedHash,omitempty"`
	// SyncedUpdated/SyncedDeleted/SyncedShared: the draft's Updated, bin
	// state and sharing when it was last known equal to the server's, so
	// that a clean draft is told from a changed one without hashing.
	SyncedUpdated time.Time `json:"syncedUpdated,omitzero"`
	SyncedDeleted bool      `json:"syncedDeleted,omitempty"`
	SyncedShared  bool      `json:"syncedShared,omitempty"`
	// Entry is the outbox entry on its way, "" when none.
	Entry string `json:"entry,omitempty"`
	// Refused: the server's refusal of the content whose hash is
	// RefusedHash.
	Refused     string    `json:"refused,omitempty"`
	RefusedHash string    `json:"refusedHash,omitempty"`
	LastSynced  time.Time `json:"lastSynced,omitzero"`
	// The application's status once submitted (read-only from then on),
	// its SHA-256 and the Operator's reason for a rejection.
	AppStatus string `json:"appStatus,omitempty"`
	SHA256    string `json:"sha256,omitempty"`
	AppReason string `json:"appReason,omitempty"`
	// Signature: who signed the submitted content, for its printouts
	// (submit.go).
	Signature *Signature `json:"signature,omitempty"`
	// RowOutcomes: the administrator's decision on each decided row of
	// the submitted application, as the server sent it (issue 8).
	RowOutcomes []RowOutcome `json:"rowOutcomes,omitempty"`
}

// RowOutcome is the administrator's decision on one row of a submitted
// application (api.RowOutcome as the cache keeps it).
type RowOutcome struct {
	Row    int    `json:"row"`    // 1-based, as the printed table numbers rows
	Status string `json:"status"` // executed or rejected
	// Reason: why it was rejected (or the administrator's note).
	Reason string    `json:"reason,omitempty"`
	At     time.Time `json:"at"`
	// By is the administrator's full name.
	By string `json:"by"`
}

func (r *syncRec) hasAccount(a string) bool { return slices.Contains(r.Accounts, a) }

func (r *syncRec) addAccount(a string) {
	if a != "" && !r.hasAccount(a) {
		r.Accounts = append(r.Accounts, a)
	}
}

// contentHash identifies what sync compares: the form's canonical content,
// whether it is deleted (in the bin or gone) and whether it is shared.
func contentHash(f form.Form, deleted, shared bool) string {
	h := sha256.New()
	switch {
	case deleted:
		h.Write([]byte("deleted"))
	case shared:
		h.Write([]byte("shared\n"))
		h.Write(form.Canonical(f))
	default:
		h.Write([]byte("own\n"))
		h.Write(form.Canonical(f))
	}
	return hex.EncodeToString(h.Sum(nil))
}

func (s *Store) getSyncRec(tx *bolt.Tx, id string) (syncRec, bool, error) {
	var r syncRec
	b := tx.Bucket(bucketSyncState)
	v := b.Get([]byte(id))
	if v == nil {
		return r, false, nil
	}
	if err := s.codec.decode(bucketSyncState, []byte(id), v, &r); err != nil {
		return r, false, newErr(ErrCorrupt, s.path, err)
	}
	return r, true, nil
}

func (s *Store) putSyncRec(tx *bolt.Tx, id string, r syncRec) error {
	v, err := s.codec.encode(bucketSyncState, []byte(id), r)
	if err != nil {
		return newErr(ErrWrite, s.path, err)
	}
	return tx.Bucket(bucketSyncState).Put([]byte(id), v)
}

// local is a draft as sync sees it: present or not, and its state.
type local struct {
	d       Draft
	present bool
	rec     syncRec
	hasRec  bool
}

func (s *Store) loadLocal(tx *bolt.Tx, id string) (local, error) {
	var l local
	d, err := s.getDraft(tx, id)
	switch {
	case err == nil:
		l.d, l.present = d, true
	case !errors.Is(err, ErrNotFound):
		return l, err
	}
	l.rec, l.hasRec, err = s.getSyncRec(tx, id)
	return l, err
}

func (l *local) deleted() bool { return !l.present || !l.d.Deleted.IsZero() }

func (l *local) hash() string { return contentHash(l.d.Form, l.deleted(), l.rec.Shared) }

// clean reports whether the local copy equals the server's at rec.Version
// (a draft the server never had is clean only when deleted here).
func (l *local) clean() bool {
	r := &l.rec
	if r.Version == 0 {
		return l.deleted()
	}
	if l.present && l.d.Updated.Equal(r.SyncedUpdated) && l.deleted() == r.SyncedDeleted && r.Shared == r.SyncedShared {
		return true
	}
	return l.hash() == r.SyncedHash
}

// markClean records the local copy as equal to the server's.
func (l *local) markClean() {
	l.rec.SyncedUpdated, l.rec.SyncedDeleted, l.rec.SyncedShared = time.Time{}, false, false
	if l.present {
		l.rec.SyncedUpdated, l.rec.SyncedDeleted, l.rec.SyncedShared = l.d.Updated, l.deleted(), l.rec.Shared
	}
}

// DraftSync is a draft's sync state for the UI.
type DraftSync struct {
	ID     string
	Status SyncStatus
	// Version is the server version the local copy is based on (0: never
	// on the server).
	Version uint64
	// Owner: the IIN of the account that owns the draft on the server
	// ("" until the first sync).
	Owner  string
	Shared bool
	// LastSynced: when the server last confirmed this draft.
	LastSynced time.Time
	// Refused: the server's reason (an API code and message) with
	// StatusRefused.
	Refused string
	// AppStatus: "" for a draft; submitted, accepted, rejected or done for
	// a submitted application, which is read-only. SHA256 is its
	// content's hash (the value under the QR code); AppReason the
	// Operator's reason for a rejection.
	AppStatus, SHA256, AppReason string
	// Signature: who signed the application SHA256 names (nil: not known
	// here, e.g. submitted from another workstation).
	Signature *Signature
	// RowOutcomes: the administrator's decision on each decided row, in
	// row order (none before the Operator decides).
	RowOutcomes []RowOutcome
}

func (s *Store) draftSync(tx *bolt.Tx, id string) (DraftSync, error) {
	l, err := s.loadLocal(tx, id)
	if err != nil {
		return DraftSync{}, err
	}
	if !l.present && !l.hasRec {
		return DraftSync{}, newErr(ErrNotFound, s.path, fmt.Errorf("draft %q", id))
	}
	ds := DraftSync{ID: id, Version: l.rec.Version, Owner: l.rec.Owner, Shared: l.rec.Shared, LastSynced: l.rec.LastSynced,
		AppStatus: l.rec.AppStatus, SHA256: l.rec.SHA256, AppReason: l.rec.AppReason, Signature: l.rec.Signature,
		RowOutcomes: slices.Clone(l.rec.RowOutcomes)}
	switch {
	case tx.Bucket(bucketConflicts).Get([]byte(id)) != nil:
		ds.Status = StatusConflict
	case l.rec.Refused != "" && l.hash() == l.rec.RefusedHash:
		ds.Status, ds.Refused = StatusRefused, l.rec.Refused
	case l.rec.Entry != "" || !l.clean():
		ds.Status = StatusPending
	default:
		ds.Status = StatusSynced
	}
	return ds, nil
}

// SyncState is one draft's sync state; ErrNotFound for an unknown ID.
func (s *Store) SyncState(id string) (DraftSync, error) {
	var ds DraftSync
	err := s.view(func(tx *bolt.Tx) (err error) {
		ds, err = s.draftSync(tx, id)
		return err
	})
	return ds, err
}

// SyncStates is the sync state of every draft account may see (the list
// screen's status column), by draft ID.
func (s *Store) SyncStates(account string) (map[string]DraftSync, error) {
	out := map[string]DraftSync{}
	err := s.view(func(tx *bolt.Tx) error {
		return s.forAccount(tx, account, func(id string) error {
			ds, err := s.draftSync(tx, id)
			if err == nil {
				out[id] = ds
			}
			return nil
		})
	})
	return out, err
}

// forAccount calls fn with the ID of every draft, present or deleted for
// good, that account may see.
func (s *Store) forAccount(tx *bolt.Tx, account string, fn func(id string) error) error {
	return tx.Bucket(bucketSyncState).ForEach(func(k, v []byte) error {
		var r syncRec
		if s.codec.decode(bucketSyncState, k, v, &r) != nil || !r.hasAccount(account) {
			return nil
		}
		return fn(string(k))
	})
}

// Overview is the sync state of all of an account's drafts together.
type Overview struct {
	Status                              SyncStatus // the worst of the drafts'
	Synced, Pending, Conflicts, Refused int
	// LastReached: when the server last answered (zero: never).
	LastReached time.Time
	// LastError: why the last sync failed ("" when it succeeded).
	LastError string
}

// SyncOverview counts account's drafts by status (drafts in the bin
// included: their deletion syncs too).
func (s *Store) SyncOverview(account string) (Overview, error) {
	var o Overview
	err := s.view(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketSyncMeta)
		if v := meta.Get(keyReached); v != nil {
			_ = s.codec.decode(bucketSyncMeta, keyReached, v, &o.LastReached)
		}
		if v := meta.Get(keyLastErr); v != nil {
			_ = s.codec.decode(bucketSyncMeta, keyLastErr, v, &o.LastError)
		}
		return s.forAccount(tx, account, func(id string) error {
			ds, err := s.draftSync(tx, id)
			if err != nil {
				return nil
			}
			switch ds.Status {
			case StatusSynced:
				o.Synced++
			case StatusPending:
				o.Pending++
			case StatusConflict:
				o.Conflicts++
			case StatusRefused:
				o.Refused++
			}
			return nil
		})
	})
	switch {
	case o.Conflicts > 0:
		o.Status = StatusConflict
	case o.Refused > 0:
		o.Status = StatusRefused
	case o.Pending > 0:
		o.Status = StatusPending
	default:
		o.Status = StatusSynced
	}
	return o, err
}

func (s *Store) putMeta(tx *bolt.Tx, key []byte, v any) error {
	b, err := s.codec.encode(bucketSyncMeta, key, v)
	if err != nil {
		return newErr(ErrWrite, s.path, err)
	}
	return tx.Bucket(bucketSyncMeta).Put(key, b)
}

// NoteSync records the end of a sync attempt: err nil means the server
// answered at t.
func (s *Store) NoteSync(t time.Time, err error) error {
	return s.update(func(tx *bolt.Tx) error {
		if err != nil {
			return s.putMeta(tx, keyLastErr, err.Error())
		}
		if e := s.putMeta(tx, keyReached, t.UTC()); e != nil {
			return e
		}
		return tx.Bucket(bucketSyncMeta).Delete(keyLastErr)
	})
}

// ListDraftsFor is ListDrafts restricted to the drafts account may see: a
// signed-out app (account "") sees none.
func (s *Store) ListDraftsFor(account, query string) ([]Summary, error) {
	if account == "" {
		return nil, nil
	}
	all, listErr := s.list(false, query)
	var mine map[string]bool
	err := s.view(func(tx *bolt.Tx) error {
		mine = map[string]bool{}
		return s.forAccount(tx, account, func(id string) error { mine[id] = true; return nil })
	})
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, d := range all {
		if mine[d.ID] {
			out = append(out, d)
		}
	}
	return out, listErr
}

// NewDraftFor is NewDraft for a signed-in account: the draft is the
// account's from its first commit.
func (s *Store) NewDraftFor(account string, f form.Form) (Draft, error) {
	if account == "" {
		return Draft{}, newErr(ErrBadID, s.path, fmt.Errorf("no account"))
	}
	now := s.stamp()
	d := Draft{ID: NewID(), Form: f, Created: now, Updated: now}
	d.Form.ID = d.ID
	err := s.update(func(tx *bolt.Tx) error {
		if err := s.putDraft(tx, d); err != nil {
			return err
		}
		return s.putSyncRec(tx, d.ID, syncRec{Accounts: []string{account}})
	})
	if err != nil {
		return Draft{}, err
	}
	return d, nil
}

// AdoptUnowned gives account the drafts that belong to no account here
// (made before sync existed, by DuplicateDraft, SaveDraft of a new ID, or
// `kensectl drafts import` without -owner). The app calls it after sign-in;
// it returns how many it adopted.
func (s *Store) AdoptUnowned(account string) (int, error) {
	if account == "" {
		return 0, nil
	}
	n := 0
	err := s.update(func(tx *bolt.Tx) error {
		var ids []string
		err := tx.Bucket(bucketDrafts).ForEach(func(k, _ []byte) error {
			r, ok, err := s.getSyncRec(tx, string(k))
			if err == nil && (!ok || len(r.Accounts) == 0) {
				ids = append(ids, string(k))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, id := range ids {
			r, _, _ := s.getSyncRec(tx, id)
			r.addAccount(account)
			if err := s.putSyncRec(tx, id, r); err != nil {
				return err
			}
		}
		n = len(ids)
		return nil
	})
	return n, err
}

// GiveDraftTo adds account to those who may see the draft here (the
// duplicate of a draft made by DuplicateDraft, for one).
func (s *Store) GiveDraftTo(id, account string) error {
	return s.update(func(tx *bolt.Tx) error {
		l, err := s.loadLocal(tx, id)
		if err != nil {
			return err
		}
		if !l.present {
			return newErr(ErrNotFound, s.path, fmt.Errorf("draft %q", id))
		}
		l.rec.addAccount(account)
		return s.putSyncRec(tx, id, l.rec)
	})
}

// SetShared shares the draft with its subunit (or stops sharing it); the
// change syncs like an edit. Only the owner may do it: the server refuses
// it from anyone else.
func (s *Store) SetShared(id string, shared bool) error {
	return s.update(func(tx *bolt.Tx) error {
		l, err := s.loadLocal(tx, id)
		if err != nil {
			return err
		}
		if !l.present {
			return newErr(ErrNotFound, s.path, fmt.Errorf("draft %q", id))
		}
		l.rec.Shared = shared
		return s.putSyncRec(tx, id, l.rec)
	})
}

func (s *Store) cursors(tx *bolt.Tx) (map[string]uint64, error) {
	m := map[string]uint64{}
	if v := tx.Bucket(bucketSyncMeta).Get(keyCursors); v != nil {
		if err := s.codec.decode(bucketSyncMeta, keyCursors, v, &m); err != nil {
			return nil, newErr(ErrCorrupt, s.path, err)
		}
	}
	return m, nil
}

// PullCursor is where account's next pull starts.
func (s *Store) PullCursor(account string) (uint64, error) {
	var c uint64
	err := s.view(func(tx *bolt.Tx) error {
		m, err := s.cursors(tx)
		c = m[account]
		return err
	})
	return c, err
}

// Remote is a draft as the server sent it.
type Remote struct {
	ID        string
	Version   uint64
	Owner     string
	Shared    bool
	Deleted   bool
	Form      form.Form
	Created   time.Time
	Updated   time.Time
	UpdatedBy string
	// Submitted applications (see DraftSync).
	AppStatus, SHA256, AppReason string
	RowOutcomes                  []RowOutcome
}

func (r *Remote) hash() string { return contentHash(r.Form, r.Deleted, r.Shared) }

// ApplyPulled takes one page of pulled changes for account and moves its
// cursor, in one transaction: a crash mid-pull repeats the page, and a
// repeated page changes nothing. A draft changed here is never overwritten:
// its push meets the server's version as a conflict (an existing conflict
// takes the newer server copy).
func (s *Store) ApplyPulled(account string, page []Remote, cursor uint64) error {
	now := s.stamp()
	return s.update(func(tx *bolt.Tx) error {
		for i := range page {
			if err := s.applyRemote(tx, account, &page[i], now); err != nil {
				return err
			}
		}
		m, err := s.cursors(tx)
		if err != nil {
			return err
		}
		m[account] = cursor
		return s.putMeta(tx, keyCursors, m)
	})
}

func (s *Store) applyRemote(tx *bolt.Tx, account string, r *Remote, now time.Time) error {
	if !validID(r.ID) {
		return nil // outside data naming no usable key: skip it
	}
	l, err := s.loadLocal(tx, r.ID)
	if err != nil {
		// Unreadable here: damaged, or another account's, sealed with its
		// key (crypt.go). Never overwrite what cannot be read.
		return nil
	}
	l.rec.addAccount(account)
	if r.Version > l.rec.Version {
		// The application's status is the server's alone: kept even when
		// the draft's content waits for a conflict to be resolved.
		l.rec.AppStatus, l.rec.SHA256, l.rec.AppReason = r.AppStatus, r.SHA256, r.AppReason
		l.rec.RowOutcomes = outcomesUTC(r.RowOutcomes)
	}
	if r.Version <= l.rec.Version {
		return s.putSyncRec(tx, r.ID, l.rec) // ours, or older than ours
	}
	if cf, ok, err := s.getConflict(tx, r.ID); err != nil {
		return err
	} else if ok {
		cf.Theirs = *r
		if err := s.putConflict(tx, cf); err != nil {
			return err
		}
		return s.putSyncRec(tx, r.ID, l.rec)
	}
	if l.rec.Entry != "" || !l.clean() {
		return s.putSyncRec(tx, r.ID, l.rec)
	}
	return s.takeRemote(tx, &l, r, now)
}

// takeRemote makes the server's copy the local one.
func (s *Store) takeRemote(tx *bolt.Tx, l *local, r *Remote, now time.Time) error {
	if r.Deleted {
		if l.present {
			if err := tx.Bucket(bucketDrafts).Delete([]byte(r.ID)); err != nil {
				return err
			}
		}
		l.present = false
	} else {
		d := Draft{ID: r.ID, Form: cloneForm(r.Form), Created: r.Created.UTC(), Updated: r.Updated.UTC()}
		d.Form.ID = r.ID
		if d.Created.IsZero() {
			d.Created = now
		}
		if d.Updated.IsZero() {
			d.Updated = now
		}
		if err := s.putDraft(tx, d); err != nil {
			return err
		}
		l.d, l.present = d, true
	}
	l.rec.Version, l.rec.Owner, l.rec.Shared = r.Version, r.Owner, r.Shared
	l.rec.AppStatus, l.rec.SHA256, l.rec.AppReason = r.AppStatus, r.SHA256, r.AppReason
	l.rec.RowOutcomes = outcomesUTC(r.RowOutcomes)
	l.rec.SyncedHash, l.rec.LastSynced = r.hash(), now
	l.rec.Refused, l.rec.RefusedHash = "", ""
	l.markClean()
	return s.putSyncRec(tx, r.ID, l.rec)
}

// outcomesUTC is a copy of the server's row outcomes with their times in
// UTC (nil when there are none).
func outcomesUTC(in []RowOutcome) []RowOutcome {
	if len(in) == 0 {
		return nil
	}
	out := slices.Clone(in)
	for i := range out {
		out[i].At = out[i].At.UTC()
	}
	return out
}

// ImportDraftsFor stores forms as new drafts of account in one
// transaction (kensectl drafts import, tests that need many drafts).
func (s *Store) ImportDraftsFor(account string, fs []form.Form) ([]Draft, error) {
	now := s.stamp()
	out := make([]Draft, len(fs))
	err := s.update(func(tx *bolt.Tx) error {
		for i, f := range fs {
			d := Draft{ID: NewID(), Form: cloneForm(f), Created: now, Updated: now}
			d.Form.ID = d.ID
			if err := s.putDraft(tx, d); err != nil {
				return err
			}
			if account != "" {
				if err := s.putSyncRec(tx, d.ID, syncRec{Accounts: []string{account}}); err != nil {
					return err
				}
			}
			out[i] = d
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
