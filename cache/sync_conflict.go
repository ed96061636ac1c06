package cache

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"kense/form"
)

// Conflict is a draft changed both here and on the server since the
// version they last shared. Mine is the local draft as it is (GetDraft);
// Theirs is the server's copy, kept here until the user chooses.
type Conflict struct {
	DraftID string    `json:"draftId"`
	Theirs  Remote    `json:"theirs"`
	At      time.Time `json:"at"`
}

// Choice picks one side of a differing field when merging.
type Choice int

const (
	// ChoiceUnset is no choice: merging refuses a differing field left unset.
	ChoiceUnset Choice = iota
	ChoiceMine
	ChoiceTheirs
)

// Sync errors the UI may show.
var (
	// ErrNoConflict: the draft is not in conflict (resolved meanwhile).
	ErrNoConflict = &Error{Key: "sync.err.no_conflict"}
	// ErrMergeIncomplete: a differing field has no choice.
	ErrMergeIncomplete = &Error{Key: "sync.err.merge_incomplete"}
	// ErrMergeDeleted: one side deleted the draft; merging needs both.
	ErrMergeDeleted = &Error{Key: "sync.err.merge_deleted"}
)

func (s *Store) getConflict(tx *bolt.Tx, id string) (Conflict, bool, error) {
	var c Conflict
	v := tx.Bucket(bucketConflicts).Get([]byte(id))
	if v == nil {
		return c, false, nil
	}
	if err := s.codec.decode(bucketConflicts, []byte(id), v, &c); err != nil {
		return c, false, newErr(ErrCorrupt, s.path, err)
	}
	return c, true, nil
}

func (s *Store) putConflict(tx *bolt.Tx, c Conflict) error {
	v, err := s.codec.encode(bucketConflicts, []byte(c.DraftID), c)
	if err != nil {
		return newErr(ErrWrite, s.path, err)
	}
	return tx.Bucket(bucketConflicts).Put([]byte(c.DraftID), v)
}

// GetConflict is the draft's conflict and the local draft (mine; present
// false when it was deleted here). ErrNoConflict when there is none.
func (s *Store) GetConflict(id string) (c Conflict, mine Draft, present bool, err error) {
	err = s.view(func(tx *bolt.Tx) error {
		var ok bool
		if c, ok, err = s.getConflict(tx, id); err != nil {
			return err
		}
		if !ok {
			return newErr(ErrNoConflict, s.path, fmt.Errorf("draft %q", id))
		}
		l, err := s.loadLocal(tx, id)
		if err != nil {
			return err
		}
		mine, present = l.d, !l.deleted()
		return nil
	})
	return c, mine, present, err
}

// Conflicts lists the IDs of account's drafts in conflict.
func (s *Store) Conflicts(account string) ([]string, error) {
	var ids []string
	err := s.view(func(tx *bolt.Tx) error {
		cb := tx.Bucket(bucketConflicts)
		return s.forAccount(tx, account, func(id string) error {
			if cb.Get([]byte(id)) != nil {
				ids = append(ids, id)
			}
			return nil
		})
	})
	sort.Strings(ids)
	return ids, err
}

// resolve runs fn on the draft in conflict and drops the conflict; the
// local copy is then based on the server's version, so that what fn
// leaves different from theirs is pushed with that version as its base.
func (s *Store) resolve(id string, fn func(tx *bolt.Tx, l *local, theirs *Remote, now time.Time) error) error {
	now := s.stamp()
	return s.update(func(tx *bolt.Tx) error {
		c, ok, err := s.getConflict(tx, id)
		if err != nil {
			return err
		}
		if !ok {
			return newErr(ErrNoConflict, s.path, fmt.Errorf("draft %q", id))
		}
		l, err := s.loadLocal(tx, id)
		if err != nil {
			return err
		}
		if err := fn(tx, &l, &c.Theirs, now); err != nil {
			return err
		}
		return tx.Bucket(bucketConflicts).Delete([]byte(id))
	})
}

// baseOnTheirs makes theirs the version the local copy is based on.
func (s *Store) baseOnTheirs(tx *bolt.Tx, id string, l *local, theirs *Remote) error {
	l.rec.Version, l.rec.Owner, l.rec.SyncedHash = theirs.Version, theirs.Owner, theirs.hash()
	l.rec.SyncedUpdated, l.rec.SyncedDeleted, l.rec.SyncedShared = time.Time{}, false, false
	l.rec.Refused, l.rec.RefusedHash = "", ""
	if l.hash() == l.rec.SyncedHash {
		l.markClean()
	}
	return s.putSyncRec(tx, id, l.rec)
}

// ResolveKeepMine keeps the local draft as it is (deleted, if it was
// deleted here) and pushes it over the server's copy at the next sync.
func (s *Store) ResolveKeepMine(id string) error {
	return s.resolve(id, func(tx *bolt.Tx, l *local, theirs *Remote, _ time.Time) error {
		return s.baseOnTheirs(tx, id, l, theirs)
	})
}

// ResolveTakeTheirs replaces the local draft by the server's copy (removes
// it when the server's copy is deleted).
func (s *Store) ResolveTakeTheirs(id string) error {
	return s.resolve(id, func(tx *bolt.Tx, l *local, theirs *Remote, now time.Time) error {
		return s.takeRemote(tx, l, theirs, now)
	})
}

// FieldDiff is one field that differs between mine and theirs, with both
// values as text for the side-by-side screen.
type FieldDiff struct {
	// Field names it: "subunit", "date", "attachmentPages",
	// "head.position", "head.fullName", "shared", or "rows[N]" (N from 0)
	// for a whole row; a row only one side has shows "" on the other.
	Field        string
	Mine, Theirs string
}

// ConflictFields lists the fields that differ, in form order.
func ConflictFields(mine form.Form, mineShared bool, theirs form.Form, theirsShared bool) []FieldDiff {
	var out []FieldDiff
	add := func(field, a, b string) {
		if a != b {
			out = append(out, FieldDiff{Field: field, Mine: a, Theirs: b})
		}
	}
	add("subunit", mine.Subunit, theirs.Subunit)
	add("date", mine.Date, theirs.Date)
	add("attachmentPages", strconv.Itoa(mine.AttachmentPages), strconv.Itoa(theirs.AttachmentPages))
	add("head.position", mine.Head.Position, theirs.Head.Position)
	add("head.fullName", mine.Head.FullName, theirs.Head.FullName)
	add("shared", strconv.FormatBool(mineShared), strconv.FormatBool(theirsShared))
	for i := range max(len(mine.Rows), len(theirs.Rows)) {
		var a, b string
		if i < len(mine.Rows) {
			a = rowText(mine.Rows[i])
		}
		if i < len(theirs.Rows) {
			b = rowText(theirs.Rows[i])
		}
		add(fmt.Sprintf("rows[%d]", i), a, b)
	}
	return out
}

// rowText shows a row on one line; equal rows give equal text.
func rowText(r form.Row) string {
	return strings.Join([]string{r.FullName, r.IIN, r.IP, strconv.Itoa(r.UserType), strconv.Itoa(r.Operation),
		strings.Join(r.AccessLevels, ","), r.Position, r.OrderFile}, " | ")
}

// ResolveMerge builds the draft field by field from both sides: choices
// names every differing field (ConflictFields) with ChoiceMine or
// ChoiceTheirs; rows go by index, and a row only one side has is kept when
// that side is chosen and left out otherwise. A row both sides have may
// instead be merged field by field: a choice for each of its differing
// fields, "rows[N].iin" and so on (RowFields; sync_merge.go). The result is saved here and
// pushed at the next sync, based on the server's version. Both sides must
// be present: when one deleted the draft, choose keep mine or take theirs.
func (s *Store) ResolveMerge(id string, choices map[string]Choice) error {
	return s.resolve(id, func(tx *bolt.Tx, l *local, theirs *Remote, now time.Time) error {
		if l.deleted() || theirs.Deleted {
			return newErr(ErrMergeDeleted, s.path, fmt.Errorf("draft %q", id))
		}
		diffs := ConflictFields(l.d.Form, l.rec.Shared, theirs.Form, theirs.Shared)
		var missing []string
		for _, d := range diffs {
			var row int
			if _, err := fmt.Sscanf(d.Field, "rows[%d]", &row); err == nil {
				missing = append(missing, rowChoiceMissing(row, l.d.Form.Rows, theirs.Form.Rows, choices)...)
				continue
			}
			if c := choices[d.Field]; c != ChoiceMine && c != ChoiceTheirs {
				missing = append(missing, d.Field)
			}
		}
		if len(missing) > 0 {
			return newErr(ErrMergeIncomplete, s.path, fmt.Errorf("no choice for %s", strings.Join(missing, ", ")))
		}
		pick := func(field string) bool { return choices[field] == ChoiceTheirs }
		m, t := l.d.Form, theirs.Form
		out := cloneForm(m)
		if pick("subunit") {
			out.Subunit = t.Subunit
		}
		if pick("date") {
			out.Date = t.Date
		}
		if pick("attachmentPages") {
			out.AttachmentPages = t.AttachmentPages
		}
		if pick("head.position") {
			out.Head.Position = t.Head.Position
		}
		if pick("head.fullName") {
			out.Head.FullName = t.Head.FullName
		}
		shared := l.rec.Shared
		if pick("shared") {
			shared = theirs.Shared
		}
		tc := cloneForm(t)
		out.Rows = nil
		for i := range max(len(m.Rows), len(t.Rows)) {
			if r, keep := mergeRow(i, m.Rows, tc.Rows, choices); keep {
				out.Rows = append(out.Rows, r)
			}
		}
		out.ID = id
		l.d.Form, l.d.Updated = out, now
		if err := s.putDraft(tx, l.d); err != nil {
			return err
		}
		l.rec.Shared = shared
		return s.baseOnTheirs(tx, id, l, theirs)
	})
}
