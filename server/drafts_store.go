package server

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode"

	bolt "go.etcd.io/bbolt"

	"kense/api"
)

// Drafts storage (issue 4), in the same bbolt file as accounts:
//
//	drafts        draft id → api.DraftRecord as JSON (tombstones included)
//	draftlog      big-endian change sequence → draft id; one entry per draft,
//	              under its latest change, so a pull reads each draft once
//	draftidem     IIN 0x00 idempotency key → idemRecord as JSON
//	draftmembers  IIN → normalised subunit the account belongs to
//
// A draft's Version is the sequence number of its latest change
// (draftlog's NextSequence): one counter orders every change, and the
// cursor of a pull is simply the largest version seen. The buckets are
// created by the first write; reads treat a missing bucket as empty.
var (
	bDrafts       = []byte("drafts")
	bDraftLog     = []byte("draftlog")
	bDraftIdem    = []byte("draftidem")
	bDraftMembers = []byte("draftmembers")
)

// DraftStore keeps drafts for sync. The access rules live in the store so
// that they are checked in the same transaction that writes.
type DraftStore interface {
	// PushDrafts applies the changes made by account iin, all in one
	// transaction, each at most once per idempotency key; results are in
	// request order.
	PushDrafts(iin string, changes []api.DraftChange, now time.Time) ([]api.PushResult, error)
	// DraftChanges lists the drafts changed after since that iin may read,
	// at most limit of them.
	DraftChanges(iin string, since uint64, limit int) (api.ChangesResponse, error)
	// DraftFor reads one draft for iin: ErrNotFound when there is none or
	// iin may not read it.
	DraftFor(iin, id string) (*api.DraftRecord, error)
	// SetSubunit makes iin a member of subunit (its normalised form; ""
	// removes the membership).
	SetSubunit(iin, subunit string) error
	// Subunit is iin's normalised subunit, "" when none.
	Subunit(iin string) (string, error)

	// PruneDraftKeys forgets idempotency keys applied before before. A
	// client retrying a change older than that gets a conflict instead of
	// its first result: never a change applied twice.
	PruneDraftKeys(before time.Time) (int, error)

	// Submitting (drafts_submit.go).
	SubmitDraft(iin, id string, version uint64, app api.Application, cms []byte, now time.Time) (*api.DraftRecord, error)
	Application(sha256 string) (*api.Application, error)
	SetApplicationStatus(sha256, status, reason string, now time.Time) error
}

// SubunitKey normalises a subunit's name so that spelling variants of the
// same name match: letters lower-cased (Kazakh and Russian included),
// quotes and punctuation dropped, runs of spaces made one.
func SubunitKey(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(s) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		default:
			space = true
		}
	}
	return b.String()
}

// ValidDraftID accepts what the cache's NewID makes and what a UUID looks
// like, as the cache does.
func ValidDraftID(id string) bool {
	if id == "" || len(id) > api.MaxKeyLen {
		return false
	}
	for _, c := range []byte(id) {
		switch {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '-', c == '_':
		default:
			return false
		}
	}
	return true
}

// idemRecord is what the server remembers of an applied key: enough to
// answer a repeat the same way, not the draft itself.
type idemRecord struct {
	Hash    string `json:"h"` // SHA-256 of the change as first received
	ID      string `json:"id"`
	Status  string `json:"s"`
	Version uint64 `json:"v,omitempty"`
	Message string `json:"m,omitempty"`
	// At: when the key was first applied (PruneDraftKeys).
	At time.Time `json:"t,omitzero"`
}

func idemKey(iin, key string) []byte { return []byte(iin + "\x00" + key) }

func seqKey(n uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], n)
	return b[:]
}

// changeHash identifies a change's content, so that a key sent again with
// other content is refused instead of answered with a stale result.
func changeHash(c api.DraftChange) string {
	c.Key = ""
	if c.Form.ID == "" {
		c.Form.ID = c.ID
	}
	b, _ := json.Marshal(c) // plain data: cannot fail
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func getDraftRec(tx *bolt.Tx, id string) (*api.DraftRecord, error) {
	b := tx.Bucket(bDrafts)
	if b == nil {
		return nil, nil
	}
	v := b.Get([]byte(id))
	if v == nil {
		return nil, nil
	}
	var r api.DraftRecord
	if err := json.Unmarshal(v, &r); err != nil {
		return nil, fmt.Errorf("draft %s: %w", id, err)
	}
	return &r, nil
}

func memberOf(tx *bolt.Tx, iin string) string {
	if b := tx.Bucket(bDraftMembers); b != nil {
		if v := b.Get([]byte(iin)); v != nil {
			return string(v)
		}
	}
	// Else the subunit the Operator recorded on the account when it
	// executed an application (registration, change of account): one
	// truth for "which subunit is this person in".
	if a, err := getAccount(tx, iin); err == nil {
		return SubunitKey(a.Subunit)
	}
	return ""
}

// canRead: the owner, or a member of the subunit the draft is shared with.
func canRead(r *api.DraftRecord, iin, sub string) bool {
	return r.Owner == iin || r.Shared && sub != "" && r.Subunit == sub
}

// canWrite: the owner does anything; a member of the subunit may edit a
// shared draft but not delete it or change its sharing.
func canWrite(r *api.DraftRecord, iin, sub string, c *api.DraftChange) bool {
	if r.Owner == iin {
		return true
	}
	return canRead(r, iin, sub) && !r.Deleted && !c.Deleted && c.Shared == r.Shared
}

// checkChange is the validation a change needs before it touches storage.
func checkChange(c *api.DraftChange) string {
	switch {
	case !ValidDraftID(c.Key):
		return "key: 1–64 letters, digits, '-' or '_'"
	case !ValidDraftID(c.ID):
		return "id: 1–64 letters, digits, '-' or '_'"
	case c.Form.ID != "" && c.Form.ID != c.ID:
		return "form.id differs from id"
	}
	return ""
}

// PushDrafts implements DraftStore.
func (s *BoltStore) PushDrafts(iin string, changes []api.DraftChange, now time.Time) ([]api.PushResult, error) {
	out := make([]api.PushResult, len(changes))
	err := s.db.Update(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bDrafts, bDraftLog, bDraftIdem, bDraftMembers} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		sub := memberOf(tx, iin)
		for i := range changes {
			r, err := applyChange(tx, iin, sub, &changes[i], now)
			if err != nil {
				return err
			}
			out[i] = r
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// applyChange applies one change inside tx and remembers its result under
// its key.
func applyChange(tx *bolt.Tx, iin, sub string, c *api.DraftChange, now time.Time) (api.PushResult, error) {
	res := api.PushResult{Key: c.Key, ID: c.ID}
	if msg := checkChange(c); msg != "" {
		res.Status, res.Message = api.PushInvalid, msg
		return res, nil
	}
	hash := changeHash(*c)
	ib := tx.Bucket(bDraftIdem)
	ik := idemKey(iin, c.Key)
	if v := ib.Get(ik); v != nil {
		var ir idemRecord
		if err := json.Unmarshal(v, &ir); err != nil {
			return res, fmt.Errorf("idempotency record: %w", err)
		}
		if ir.Hash != hash || ir.ID != c.ID {
			res.Status, res.Message = api.PushInvalid, api.CodeIdempotencyReused+": this key was used for another change"
			return res, nil
		}
		res.Status, res.Version, res.Message, res.Replayed = ir.Status, ir.Version, ir.Message, true
		if ir.Status == api.PushConflict {
			// The record as it is now: what the client must resolve against.
			cur, err := getDraftRec(tx, c.ID)
			if err != nil {
				return res, err
			}
			if cur != nil && canRead(cur, iin, sub) {
				res.Current = cur
			}
		}
		return res, nil
	}
	cur, err := getDraftRec(tx, c.ID)
	if err != nil {
		return res, err
	}
	switch {
	case cur != nil && !canWrite(cur, iin, sub, c):
		res.Status, res.Message = api.PushForbidden, "this draft belongs to another account, or only its owner may do this"
	case cur != nil && cur.AppStatus != "":
		res.Status, res.Message = api.PushForbidden, api.CodeSubmitted+": the application was submitted and is read-only"
	case cur != nil && c.BaseVersion != cur.Version:
		res.Status, res.Current = api.PushConflict, cur
		res.Message = fmt.Sprintf("based on version %d, the draft is at version %d", c.BaseVersion, cur.Version)
	default:
		rec, err := writeChange(tx, iin, cur, c, now)
		if err != nil {
			return res, err
		}
		res.Status, res.Version = api.PushApplied, rec.Version
	}
	v, err := json.Marshal(idemRecord{Hash: hash, ID: c.ID, Status: res.Status, Version: res.Version, Message: res.Message, At: now.UTC()})
	if err != nil {
		return res, err
	}
	return res, ib.Put(ik, v)
}

// writeChange stores the draft's new state under the next sequence number.
func writeChange(tx *bolt.Tx, iin string, cur *api.DraftRecord, c *api.DraftChange, now time.Time) (*api.DraftRecord, error) {
	lb := tx.Bucket(bDraftLog)
	seq, err := lb.NextSequence()
	if err != nil {
		return nil, err
	}
	now = now.UTC()
	rec := &api.DraftRecord{ID: c.ID, Version: seq, Owner: iin, Shared: c.Shared, Deleted: c.Deleted,
		Created: now, Updated: now, UpdatedBy: iin}
	if cur != nil {
		rec.Owner, rec.Created, rec.Subunit = cur.Owner, cur.Created, cur.Subunit
		if err := lb.Delete(seqKey(cur.Version)); err != nil {
			return nil, err
		}
	}
	if !c.Deleted {
		rec.Form = c.Form
		rec.Form.ID = c.ID
		rec.Subunit = SubunitKey(c.Form.Subunit)
	}
	v, err := json.Marshal(rec)
	if err != nil {
		return nil, err
	}
	if err := tx.Bucket(bDrafts).Put([]byte(c.ID), v); err != nil {
		return nil, err
	}
	return rec, lb.Put(seqKey(seq), []byte(c.ID))
}

// pullScanFactor bounds how many log entries one pull examines per change
// it may return, so that a page of someone else's changes costs little.
const pullScanFactor = 20

// DraftChanges implements DraftStore.
func (s *BoltStore) DraftChanges(iin string, since uint64, limit int) (api.ChangesResponse, error) {
	resp := api.ChangesResponse{Changes: []api.DraftRecord{}, Cursor: since}
	if limit <= 0 || limit > api.MaxPullLimit {
		limit = api.MaxPullLimit
	}
	err := s.db.View(func(tx *bolt.Tx) error {
		lb := tx.Bucket(bDraftLog)
		if lb == nil {
			return nil
		}
		sub := memberOf(tx, iin)
		c := lb.Cursor()
		examined := 0
		for k, v := c.Seek(seqKey(since + 1)); k != nil; k, v = c.Next() {
			if len(resp.Changes) >= limit || examined >= limit*pullScanFactor {
				resp.More = true
				return nil
			}
			examined++
			resp.Cursor = binary.BigEndian.Uint64(k)
			r, err := getDraftRec(tx, string(v))
			if err != nil {
				return err
			}
			if r != nil && r.Version == resp.Cursor && canRead(r, iin, sub) {
				resp.Changes = append(resp.Changes, *r)
			}
		}
		return nil
	})
	return resp, err
}

// DraftFor implements DraftStore.
func (s *BoltStore) DraftFor(iin, id string) (*api.DraftRecord, error) {
	var r *api.DraftRecord
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		if r, err = getDraftRec(tx, id); err != nil {
			return err
		}
		if r == nil || !canRead(r, iin, memberOf(tx, iin)) {
			r = nil
			return fmt.Errorf("draft %s: %w", id, ErrNotFound)
		}
		return nil
	})
	return r, err
}

// SetSubunit implements DraftStore.
func (s *BoltStore) SetSubunit(iin, subunit string) error {
	key := SubunitKey(subunit)
	return s.db.Update(func(tx *bolt.Tx) error {
		if _, err := getAccount(tx, iin); err != nil {
			return err
		}
		b, err := tx.CreateBucketIfNotExists(bDraftMembers)
		if err != nil {
			return err
		}
		if key == "" {
			return b.Delete([]byte(iin))
		}
		return b.Put([]byte(iin), []byte(key))
	})
}

// Subunit implements DraftStore.
func (s *BoltStore) Subunit(iin string) (string, error) {
	var sub string
	err := s.db.View(func(tx *bolt.Tx) error { sub = memberOf(tx, iin); return nil })
	return sub, err
}

// DraftKeyRetention is how long the server should remember idempotency
// keys: longer than a workstation stays offline with a push in flight.
const DraftKeyRetention = 180 * 24 * time.Hour

// PruneDraftKeys implements DraftStore.
func (s *BoltStore) PruneDraftKeys(before time.Time) (int, error) {
	n := 0
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bDraftIdem)
		if b == nil {
			return nil
		}
		var old [][]byte
		err := b.ForEach(func(k, v []byte) error {
			var ir idemRecord
			if json.Unmarshal(v, &ir) == nil && !ir.At.IsZero() && ir.At.Before(before) {
				old = append(old, append([]byte(nil), k...))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range old {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		n = len(old)
		return nil
	})
	return n, err
}
