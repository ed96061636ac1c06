package cache

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"kense/form"
)

const acctA, acctB = "780312450016", "901120300033"

func mustPrepare(t *testing.T, s *Store, account string) []OutboxEntry {
	t.Helper()
	es, err := s.PrepareOutbox(account, 100)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func statusOf(t *testing.T, s *Store, id string) SyncStatus {
	t.Helper()
	ds, err := s.SyncState(id)
	if err != nil {
		t.Fatal(err)
	}
	return ds.Status
}

func applied(e OutboxEntry, v uint64) PushOutcome {
	return PushOutcome{EntryID: e.ID, Status: OutcomeApplied, Version: v}
}

func TestOutboxEntryFrozenUntilAnswered(t *testing.T) {
	s := openTemp(t)
	d, err := s.NewDraftFor(acctA, sampleForm("Бөлім", 2, 780312450016))
	if err != nil {
		t.Fatal(err)
	}
	es := mustPrepare(t, s, acctA)
	if len(es) != 1 || es[0].DraftID != d.ID || es[0].BaseVersion != 0 || es[0].Form.Subunit != "Бөлім" {
		t.Fatalf("entries: %+v", es)
	}
	// Edited while the push is on its way: the entry stays as sent, across
	// a restart of the app.
	d.Form.Subunit = "Бөлім 2"
	if err := s.SaveDraft(d); err != nil {
		t.Fatal(err)
	}
	s = reopen(t, s)
	again := mustPrepare(t, s, acctA)
	if len(again) != 1 || again[0].ID != es[0].ID || again[0].Form.Subunit != "Бөлім" {
		t.Fatalf("after restart: %+v", again)
	}
	if n, _ := s.OutboxLen(acctA); n != 1 {
		t.Fatalf("outbox %d", n)
	}
	// Other accounts' outboxes are their own.
	if es := mustPrepare(t, s, acctB); len(es) != 0 {
		t.Fatalf("b's outbox: %+v", es)
	}
	if err := s.ApplyPushResults([]PushOutcome{applied(es[0], 5)}); err != nil {
		t.Fatal(err)
	}
	// A repeated answer changes nothing.
	if err := s.ApplyPushResults([]PushOutcome{applied(es[0], 5)}); err != nil {
		t.Fatal(err)
	}
	if st := statusOf(t, s, d.ID); st != StatusPending {
		t.Fatalf("edited during the push: %s", st)
	}
	next := mustPrepare(t, s, acctA)
	if len(next) != 1 || next[0].ID == es[0].ID || next[0].BaseVersion != 5 || next[0].Form.Subunit != "Бөлім 2" {
		t.Fatalf("next entry: %+v", next)
	}
	if err := s.ApplyPushResults([]PushOutcome{applied(next[0], 9)}); err != nil {
		t.Fatal(err)
	}
	if ds, _ := s.SyncState(d.ID); ds.Status != StatusSynced || ds.Version != 9 || ds.Owner != acctA || ds.LastSynced.IsZero() {
		t.Fatalf("synced: %+v", ds)
	}
	if es := mustPrepare(t, s, acctA); len(es) != 0 {
		t.Fatalf("clean draft queued: %+v", es)
	}
	// Saving the same content again is no change to push.
	if err := s.SaveDraft(d); err != nil {
		t.Fatal(err)
	}
	if es := mustPrepare(t, s, acctA); len(es) != 0 || statusOf(t, s, d.ID) != StatusSynced {
		t.Fatalf("unchanged save queued: %+v", es)
	}
	// Sharing is a change too.
	if err := s.SetShared(d.ID, true); err != nil {
		t.Fatal(err)
	}
	if es := mustPrepare(t, s, acctA); len(es) != 1 || !es[0].Shared {
		t.Fatalf("share: %+v", es)
	}
}

func TestOutboxDeletions(t *testing.T) {
	s := openTemp(t)
	never, _ := s.NewDraftFor(acctA, sampleForm("never sent", 1, 1))
	synced, _ := s.NewDraftFor(acctA, sampleForm("synced", 1, 1))
	purged, _ := s.NewDraftFor(acctA, sampleForm("purged", 1, 1))
	es := mustPrepare(t, s, acctA)
	var outs []PushOutcome
	for i, e := range es {
		if e.DraftID != never.ID {
			outs = append(outs, applied(e, uint64(10+i)))
		}
	}
	if err := s.ApplyPushResults(outs); err != nil {
		t.Fatal(err)
	}
	// never's entry is still on its way; answer it too.
	for _, e := range mustPrepare(t, s, acctA) {
		if err := s.ApplyPushResults([]PushOutcome{applied(e, 20)}); err != nil {
			t.Fatal(err)
		}
	}
	fresh, _ := s.NewDraftFor(acctA, sampleForm("deleted before any sync", 1, 1))
	for _, id := range []string{synced.ID, purged.ID, fresh.ID} {
		if err := s.DeleteDraft(id); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.PurgeDeleted(0); err != nil {
		t.Fatal(err)
	}
	es = mustPrepare(t, s, acctA)
	got := map[string]bool{}
	for _, e := range es {
		if !e.Deleted || e.Form.Subunit != "" {
			t.Fatalf("not a tombstone: %+v", e)
		}
		got[e.DraftID] = true
	}
	if len(es) != 2 || !got[synced.ID] || !got[purged.ID] {
		t.Fatalf("tombstones for %v, want synced and purged only", got)
	}
	if _, err := s.SyncState(fresh.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a draft never synced and purged: %v", err)
	}
}

func TestApplyPulled(t *testing.T) {
	s := openTemp(t)
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	remote := func(id string, v uint64, subunit string, deleted bool) Remote {
		return Remote{ID: id, Version: v, Owner: acctA, Form: sampleForm(subunit, 1, 1), Deleted: deleted, Updated: now, Created: now}
	}
	if err := s.ApplyPulled(acctA, []Remote{remote("r1", 3, "one", false), remote("r2", 4, "two", false), remote("bad/id", 5, "x", false)}, 5); err != nil {
		t.Fatal(err)
	}
	if c, _ := s.PullCursor(acctA); c != 5 {
		t.Fatalf("cursor %d", c)
	}
	if c, _ := s.PullCursor(acctB); c != 0 {
		t.Fatalf("b's cursor %d", c)
	}
	sums, _ := s.ListDraftsFor(acctA, "")
	if len(sums) != 2 || statusOf(t, s, "r1") != StatusSynced {
		t.Fatalf("pulled: %+v", sums)
	}
	// An older or equal version changes nothing.
	if err := s.ApplyPulled(acctA, []Remote{remote("r1", 3, "stale", false)}, 5); err != nil {
		t.Fatal(err)
	}
	if d, _ := s.GetDraft("r1"); d.Form.Subunit != "one" {
		t.Fatalf("stale pull applied: %q", d.Form.Subunit)
	}
	// A draft changed here is not overwritten: the push will conflict.
	d, _ := s.GetDraft("r1")
	d.Form.Subunit = "mine"
	if err := s.SaveDraft(d); err != nil {
		t.Fatal(err)
	}
	if err := s.ApplyPulled(acctA, []Remote{remote("r1", 7, "theirs", false), remote("r2", 8, "", true)}, 8); err != nil {
		t.Fatal(err)
	}
	if d, _ := s.GetDraft("r1"); d.Form.Subunit != "mine" || statusOf(t, s, "r1") != StatusPending {
		t.Fatalf("local change overwritten: %q", d.Form.Subunit)
	}
	// A tombstone removes the clean local copy.
	if _, err := s.GetDraft("r2"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("tombstone: %v", err)
	}
	if st := statusOf(t, s, "r2"); st != StatusSynced {
		t.Fatalf("removed draft: %s", st)
	}
	es := mustPrepare(t, s, acctA)
	if len(es) != 1 || es[0].DraftID != "r1" || es[0].BaseVersion != 3 {
		t.Fatalf("entries: %+v", es)
	}
	// The push meets the server's version 7: conflict, both kept.
	theirs := remote("r1", 7, "theirs", false)
	if err := s.ApplyPushResults([]PushOutcome{{EntryID: es[0].ID, Status: OutcomeConflict, Current: &theirs}}); err != nil {
		t.Fatal(err)
	}
	if st := statusOf(t, s, "r1"); st != StatusConflict {
		t.Fatalf("status %s", st)
	}
	// A newer server copy arriving meanwhile replaces theirs, not mine.
	if err := s.ApplyPulled(acctA, []Remote{remote("r1", 9, "theirs 2", false)}, 9); err != nil {
		t.Fatal(err)
	}
	cf, mine, _, err := s.GetConflict("r1")
	if err != nil || cf.Theirs.Version != 9 || cf.Theirs.Form.Subunit != "theirs 2" || mine.Form.Subunit != "mine" {
		t.Fatalf("conflict: %+v %q %v", cf.Theirs, mine.Form.Subunit, err)
	}
	if ids, _ := s.Conflicts(acctA); len(ids) != 1 || ids[0] != "r1" {
		t.Fatalf("conflicts %v", ids)
	}
	if es := mustPrepare(t, s, acctA); len(es) != 0 {
		t.Fatalf("conflict pushed: %+v", es)
	}
	if err := s.ResolveKeepMine("r1"); err != nil {
		t.Fatal(err)
	}
	if es := mustPrepare(t, s, acctA); len(es) != 1 || es[0].BaseVersion != 9 || es[0].Form.Subunit != "mine" {
		t.Fatalf("keep mine: %+v", es)
	}
}

func TestRefusedAndMerge(t *testing.T) {
	s := openTemp(t)
	d, _ := s.NewDraftFor(acctA, sampleForm("S", 3, 780312450016))
	es := mustPrepare(t, s, acctA)
	if err := s.ApplyPushResults([]PushOutcome{{EntryID: es[0].ID, Status: "forbidden", Message: "not yours"}}); err != nil {
		t.Fatal(err)
	}
	if ds, _ := s.SyncState(d.ID); ds.Status != StatusRefused || ds.Refused != "forbidden: not yours" {
		t.Fatalf("refused: %+v", ds)
	}
	if es := mustPrepare(t, s, acctA); len(es) != 0 {
		t.Fatal("refused content pushed again unchanged")
	}
	if o, _ := s.SyncOverview(acctA); o.Status != StatusRefused || o.Refused != 1 {
		t.Fatalf("overview %+v", o)
	}
	d.Form.Date = "2026-12-01"
	if err := s.SaveDraft(d); err != nil {
		t.Fatal(err)
	}
	es = mustPrepare(t, s, acctA)
	if len(es) != 1 {
		t.Fatal("edited refused draft not pushed")
	}
	if err := s.ApplyPushResults([]PushOutcome{applied(es[0], 2)}); err != nil {
		t.Fatal(err)
	}
	// Merge by field: rows by index, an extra row on one side.
	d, _ = s.GetDraft(d.ID)
	d.Form.Head.FullName = "Mine Head"
	d.Form.Rows = d.Form.Rows[:2]
	d.Form.Rows[0].Position = "mine row 0"
	if err := s.SaveDraft(d); err != nil {
		t.Fatal(err)
	}
	es = mustPrepare(t, s, acctA)
	tf := sampleForm("S", 4, 780312450016)
	tf.Date, tf.Head.FullName, tf.Rows[1].Position = "2026-12-01", "Their Head", "their row 1"
	theirs := Remote{ID: d.ID, Version: 4, Owner: acctA, Form: tf, Shared: true}
	if err := s.ApplyPushResults([]PushOutcome{{EntryID: es[0].ID, Status: OutcomeConflict, Current: &theirs}}); err != nil {
		t.Fatal(err)
	}
	_, mine, _, _ := s.GetConflict(d.ID)
	diffs := ConflictFields(mine.Form, false, theirs.Form, true)
	var names []string
	for _, x := range diffs {
		names = append(names, x.Field)
	}
	if fmt.Sprint(names) != "[head.fullName shared rows[0] rows[1] rows[2] rows[3]]" {
		t.Fatalf("fields %v", names)
	}
	if err := s.ResolveMerge(d.ID, map[string]Choice{"head.fullName": ChoiceMine}); !errors.Is(err, ErrMergeIncomplete) {
		t.Fatalf("incomplete: %v", err)
	}
	if statusOf(t, s, d.ID) != StatusConflict {
		t.Fatal("a refused merge dropped the conflict")
	}
	err := s.ResolveMerge(d.ID, map[string]Choice{"head.fullName": ChoiceMine, "shared": ChoiceTheirs,
		"rows[0]": ChoiceMine, "rows[1]": ChoiceTheirs, "rows[2]": ChoiceTheirs, "rows[3]": ChoiceMine})
	if err != nil {
		t.Fatal(err)
	}
	m, _ := s.GetDraft(d.ID)
	if m.Form.Head.FullName != "Mine Head" || len(m.Form.Rows) != 3 || m.Form.Rows[0].Position != "mine row 0" ||
		m.Form.Rows[1].Position != "their row 1" || m.Form.Rows[2].FullName != tf.Rows[2].FullName {
		t.Fatalf("merged: %+v", m.Form)
	}
	es = mustPrepare(t, s, acctA)
	if len(es) != 1 || es[0].BaseVersion != 4 || !es[0].Shared {
		t.Fatalf("merged entry: %+v", es)
	}
	// Merge is refused when a side is deleted.
	if err := s.ApplyPushResults([]PushOutcome{{EntryID: es[0].ID, Status: OutcomeConflict,
		Current: &Remote{ID: d.ID, Version: 6, Owner: acctA, Deleted: true}}}); err != nil {
		t.Fatal(err)
	}
	if err := s.ResolveMerge(d.ID, nil); !errors.Is(err, ErrMergeDeleted) {
		t.Fatalf("merge with a deletion: %v", err)
	}
	if err := s.ResolveTakeTheirs(d.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetDraft(d.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("take their deletion: %v", err)
	}
}

func TestOwnersAndListing(t *testing.T) {
	s := openTemp(t)
	a, _ := s.NewDraftFor(acctA, sampleForm("A бөлімі", 1, 1))
	old, _ := s.NewDraft(sampleForm("Ескі", 1, 1)) // made before sync: no account
	if _, err := s.NewDraftFor("", form.Form{}); err == nil {
		t.Fatal("draft for no account")
	}
	if l, _ := s.ListDraftsFor(acctA, ""); len(l) != 1 || l[0].ID != a.ID {
		t.Fatalf("a's list: %+v", l)
	}
	if l, _ := s.ListDraftsFor("", ""); len(l) != 0 {
		t.Fatalf("signed out: %+v", l)
	}
	if l, _ := s.ListDrafts(""); len(l) != 2 {
		t.Fatalf("ListDrafts unchanged: %+v", l)
	}
	if n, err := s.AdoptUnowned(acctB); n != 1 || err != nil {
		t.Fatalf("adopt: %d %v", n, err)
	}
	if n, _ := s.AdoptUnowned(acctA); n != 0 {
		t.Fatal("adopted twice")
	}
	if l, _ := s.ListDraftsFor(acctB, "ескі"); len(l) != 1 || l[0].ID != old.ID {
		t.Fatalf("b's list: %+v", l)
	}
	if l, _ := s.ListDraftsFor(acctA, ""); len(l) != 1 {
		t.Fatalf("a sees b's: %+v", l)
	}
	dup, _ := s.DuplicateDraft(a.ID)
	if err := s.GiveDraftTo(dup.ID, acctA); err != nil {
		t.Fatal(err)
	}
	if l, _ := s.ListDraftsFor(acctA, ""); len(l) != 2 {
		t.Fatalf("duplicate given: %+v", l)
	}
	if st, _ := s.SyncStates(acctA); len(st) != 2 || st[a.ID].Status != StatusPending {
		t.Fatalf("states: %+v", st)
	}
	if o, _ := s.SyncOverview(acctA); o.Pending != 2 || !o.LastReached.IsZero() || o.Status != StatusPending {
		t.Fatalf("overview: %+v", o)
	}
	at := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	if err := s.NoteSync(at, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.NoteSync(at.Add(time.Hour), errors.New("offline")); err != nil {
		t.Fatal(err)
	}
	if o, _ := s.SyncOverview(acctA); !o.LastReached.Equal(at) || o.LastError != "offline" {
		t.Fatalf("overview: %+v", o)
	}
	if _, err := s.SyncState("nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown: %v", err)
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
}
