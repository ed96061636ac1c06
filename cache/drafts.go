package cache

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"kense/form"
)

// Draft is an application being filled in, kept between sessions.
type Draft struct {
	// ID is made by the client (NewID) and equals Form.ID.
	ID      string    `json:"id"`
	Form    form.Form `json:"form"`
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
	// Deleted is zero unless the draft is in the bin (soft delete, so that
	// the user can undo).
	Deleted time.Time `json:"deleted,omitzero"`
}

// Summary is a draft as the list of drafts shows it.
type Summary struct {
	ID      string
	Subunit string
	Rows    int
	Updated time.Time
	// IINs are the rows' IINs, in row order, empty ones left out.
	IINs []string
	// Deleted is when the draft went to the bin; zero in ListDrafts.
	Deleted time.Time
}

const maxIDLen = 64

// NewID is a fresh random draft ID: 128 bits from crypto/rand in hex.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand docs, Go 1.24+)
	return hex.EncodeToString(b[:])
}

// validID allows what NewID makes and what a UUID or a file's "id" looks
// like; it keeps odd bytes out of bbolt keys and file names made from IDs.
func validID(id string) bool {
	if id == "" || len(id) > maxIDLen {
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

func (s *Store) stamp() time.Time { return s.now().UTC() }

// NewDraft stores f as a new draft under a fresh ID (f.ID is replaced).
func (s *Store) NewDraft(f form.Form) (Draft, error) {
	now := s.stamp()
	d := Draft{ID: NewID(), Form: f, Created: now, Updated: now}
	d.Form.ID = d.ID
	err := s.update(func(tx *bolt.Tx) error { return s.putDraft(tx, d) })
	if err != nil {
		return Draft{}, err
	}
	return d, nil
}

// SaveDraft stores d's content and sets its Updated time; the commit is
// fsync'd before it returns. A Form.ID that is empty takes d.ID; one that
// differs is an error. For a draft already in the file, Created and
// Deleted are kept from the file: saving never takes a draft out of the
// bin (UndoDelete does), so a late autosave cannot resurrect it. An
// unknown ID creates the draft.
func (s *Store) SaveDraft(d Draft) error {
	_, err := s.saveDrafts([]Draft{d})
	return err
}

// saveDrafts saves several drafts in one transaction and returns them as
// stored.
func (s *Store) saveDrafts(ds []Draft) ([]Draft, error) {
	out := make([]Draft, len(ds))
	for i, d := range ds {
		if d.Form.ID == "" {
			d.Form.ID = d.ID
		}
		if !validID(d.ID) || d.Form.ID != d.ID {
			return nil, newErr(ErrBadID, s.path, fmt.Errorf("draft ID %q, form ID %q", d.ID, d.Form.ID))
		}
		out[i] = d
	}
	now := s.stamp()
	err := s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketDrafts)
		for i := range out {
			d := &out[i]
			if old, err := s.decodeDraft([]byte(d.ID), b.Get([]byte(d.ID))); err == nil {
				d.Created, d.Deleted = old.Created, old.Deleted
			} else if d.Created.IsZero() {
				// New, or the stored copy is unreadable: this save replaces it.
				d.Created = now
			}
			d.Updated = now
			if err := s.putDraft(tx, *d); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Store) putDraft(tx *bolt.Tx, d Draft) error {
	k := []byte(d.ID)
	v, err := s.codec.encode(bucketDrafts, k, d)
	if err != nil {
		return newErr(ErrWrite, s.path, err)
	}
	return tx.Bucket(bucketDrafts).Put(k, v)
}

// decodeDraft reads a stored draft; nil data is ErrNotFound, anything that
// does not decode to a draft stored under its own ID is ErrCorrupt.
func (s *Store) decodeDraft(key, data []byte) (Draft, error) {
	if data == nil {
		return Draft{}, newErr(ErrNotFound, s.path, fmt.Errorf("draft %q", key))
	}
	var d Draft
	if err := s.codec.decode(bucketDrafts, key, data, &d); err != nil {
		if errors.Is(err, ErrOtherAccount) { // crypt.go: not damage
			return Draft{}, newErr(ErrOtherAccount, s.path, err)
		}
		return Draft{}, newErr(ErrCorrupt, s.path, err)
	}
	if d.ID != string(key) || d.Form.ID != d.ID || !validID(d.ID) {
		return Draft{}, corruptf(s.path, "draft under key %q says ID %q, form ID %q", key, d.ID, d.Form.ID)
	}
	return d, nil
}

// getDraft reads one draft inside tx.
func (s *Store) getDraft(tx *bolt.Tx, id string) (Draft, error) {
	k := []byte(id)
	return s.decodeDraft(k, tx.Bucket(bucketDrafts).Get(k))
}

// GetDraft reads a draft, in the bin or not (see Deleted); ErrNotFound
// when there is none.
func (s *Store) GetDraft(id string) (Draft, error) {
	var d Draft
	err := s.view(func(tx *bolt.Tx) error {
		var err error
		d, err = s.getDraft(tx, id)
		return err
	})
	return d, err
}

// ListDrafts lists the drafts outside the bin, most recently updated
// first. A non-empty query keeps the drafts whose subunit contains it
// (case-insensitive, Kazakh and Russian letters included) or with a row
// whose IIN starts with it. A draft that cannot be read is left out and
// reported by an ErrCorrupt error returned along with the readable ones.
func (s *Store) ListDrafts(query string) ([]Summary, error) {
	return s.list(false, query)
}

// ListDeleted lists the bin the same way, most recently deleted first.
func (s *Store) ListDeleted(query string) ([]Summary, error) {
	return s.list(true, query)
}

func (s *Store) list(deleted bool, query string) ([]Summary, error) {
	q := newQuery(query)
	var out []Summary
	var bad []string
	err := s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketDrafts).ForEach(func(k, v []byte) error {
			var h draftHead
			err := s.codec.decode(bucketDrafts, k, v, &h)
			if errors.Is(err, ErrOtherAccount) {
				return nil // another account's draft: not shown, not damage
			}
			if errors.Is(err, ErrLocked) {
				return err // locked while listing (newErr): not damage either
			}
			if err != nil || h.ID != string(k) || h.Form.ID != h.ID || !validID(h.ID) {
				bad = append(bad, fmt.Sprintf("%q", k))
				return nil
			}
			if deleted != !h.Deleted.IsZero() || !q.match(h.Form.Subunit, h.Form.Rows) {
				return nil
			}
			out = append(out, h.summary())
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		ta, tb := a.Updated, b.Updated
		if deleted {
			ta, tb = a.Deleted, b.Deleted
		}
		if !ta.Equal(tb) {
			return ta.After(tb)
		}
		return a.ID < b.ID
	})
	if len(bad) > 0 {
		return out, corruptf(s.path, "unreadable drafts: %s", strings.Join(bad, ", "))
	}
	return out, nil
}

// draftHead is the part of a stored draft that the list shows: decoding
// only this skips most of each row.
type draftHead struct {
	ID   string `json:"id"`
	Form struct {
		ID      string   `json:"id"`
		Subunit string   `json:"subunit"`
		Rows    []rowIIN `json:"rows"`
	} `json:"form"`
	Updated time.Time `json:"updated"`
	Deleted time.Time `json:"deleted"`
}

type rowIIN struct {
	IIN string `json:"iin"`
}

func (h draftHead) summary() Summary {
	sum := Summary{ID: h.ID, Subunit: h.Form.Subunit, Rows: len(h.Form.Rows), Updated: h.Updated, Deleted: h.Deleted}
	for _, r := range h.Form.Rows {
		if r.IIN != "" {
			sum.IINs = append(sum.IINs, r.IIN)
		}
	}
	return sum
}

type query struct {
	lower string // for the subunit
	iin   string // for IIN prefixes: the query without spaces
}

func newQuery(q string) query {
	q = strings.TrimSpace(q)
	return query{lower: strings.ToLower(q), iin: strings.ReplaceAll(q, " ", "")}
}

func (q query) match(subunit string, rows []rowIIN) bool {
	if q.lower == "" {
		return true
	}
	if strings.Contains(strings.ToLower(subunit), q.lower) {
		return true
	}
	for _, r := range rows {
		if r.IIN != "" && strings.HasPrefix(r.IIN, q.iin) {
			return true
		}
	}
	return false
}

// DuplicateDraft copies a draft under a new ID; the subunit and every row
// stay as they are. The copy is never in the bin.
func (s *Store) DuplicateDraft(id string) (Draft, error) {
	var d Draft
	err := s.update(func(tx *bolt.Tx) error {
		src, err := s.getDraft(tx, id)
		if err != nil {
			return err
		}
		now := s.stamp()
		d = Draft{ID: NewID(), Form: cloneForm(src.Form), Created: now, Updated: now}
		d.Form.ID = d.ID
		return s.putDraft(tx, d)
	})
	if err != nil {
		return Draft{}, err
	}
	return d, nil
}

// cloneForm copies the slices so that the copy shares nothing with src.
func cloneForm(f form.Form) form.Form {
	rows := make([]form.Row, len(f.Rows))
	for i, r := range f.Rows {
		if r.AccessLevels != nil {
			r.AccessLevels = append([]string{}, r.AccessLevels...)
		}
		rows[i] = r
	}
	if f.Rows != nil {
		f.Rows = rows
	}
	return f
}

// DeleteDraft moves a draft to the bin. Deleting a draft already there
// keeps its first deletion time.
func (s *Store) DeleteDraft(id string) error {
	return s.setDeleted(id, true)
}

// UndoDelete takes a draft out of the bin; one not in the bin is left as is.
func (s *Store) UndoDelete(id string) error {
	return s.setDeleted(id, false)
}

func (s *Store) setDeleted(id string, deleted bool) error {
	return s.update(func(tx *bolt.Tx) error {
		d, err := s.getDraft(tx, id)
		if err != nil {
			return err
		}
		switch {
		case deleted && d.Deleted.IsZero():
			d.Deleted = s.stamp()
		case !deleted && !d.Deleted.IsZero():
			d.Deleted = time.Time{}
		default:
			return nil
		}
		return s.putDraft(tx, d)
	})
}

// PurgeDeleted removes for good the drafts that have been in the bin for
// at least olderThan (0: the whole bin). Unreadable drafts are left alone.
func (s *Store) PurgeDeleted(olderThan time.Duration) error {
	cutoff := s.stamp().Add(-olderThan)
	return s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketDrafts)
		var doomed [][]byte
		err := b.ForEach(func(k, v []byte) error {
			d, err := s.decodeDraft(k, v)
			if err == nil && !d.Deleted.IsZero() && !d.Deleted.After(cutoff) {
				doomed = append(doomed, bytes.Clone(k))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range doomed {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
}
