package cache

import (
	"path/filepath"
	"testing"
	"time"
)

// TestRowOutcomesPulled: the administrator's decision on each row comes
// with a pull of the submitted draft, survives a reopening of the cache
// (times in UTC), an older pull does not take it away, and a newer one
// replaces the list.
func TestRowOutcomesPulled(t *testing.T) {
	path := filepath.Join(t.TempDir(), "Kense", "kense.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	d, _ := s.NewDraftFor(acctA, sampleForm("S", 3, 780312450016))
	es := mustPrepare(t, s, acctA)
	if err := s.ApplyPushResults([]PushOutcome{applied(es[0], 5)}); err != nil {
		t.Fatal(err)
	}
	d, _ = s.GetDraft(d.ID)
	rem := Remote{ID: d.ID, Version: 6, Owner: acctA, Form: d.Form, Created: d.Created, Updated: d.Updated,
		AppStatus: "submitted", SHA256: "ab12"}
	if err := s.RecordSubmitted(acctA, rem, Signature{SignerName: "НҰРЛАНОВА АЙГҮЛ"}); err != nil {
		t.Fatal(err)
	}
	if ds, _ := s.SyncState(d.ID); len(ds.RowOutcomes) != 0 {
		t.Fatalf("outcomes before any decision: %+v", ds.RowOutcomes)
	}

	almaty := time.FixedZone("", 5*3600)
	at1 := time.Date(2026, 12, 6, 15, 4, 0, 0, almaty)
	at3 := time.Date(2026, 12, 6, 15, 30, 0, 0, almaty)
	rem.Version = 8
	rem.RowOutcomes = []RowOutcome{
		{Row: 1, Status: "executed", At: at1, By: "ӘБІЛҚАЙЫР ЖАНАР"},
		{Row: 3, Status: "rejected", Reason: "бұйрық жоқ", At: at3, By: "ӘБІЛҚАЙЫР ЖАНАР"},
	}
	if err := s.ApplyPulled(acctA, []Remote{rem}, 8); err != nil {
		t.Fatal(err)
	}
	rem.RowOutcomes[0].By = "changed after the pull" // the cache keeps its own copy
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	check := func(when string) {
		t.Helper()
		ds, err := s.SyncState(d.ID)
		if err != nil {
			t.Fatal(err)
		}
		oc := ds.RowOutcomes
		if len(oc) != 2 || oc[0].Row != 1 || oc[0].Status != "executed" || oc[0].By != "ӘБІЛҚАЙЫР ЖАНАР" ||
			!oc[0].At.Equal(at1) || oc[0].At.Location() != time.UTC ||
			oc[1].Row != 3 || oc[1].Status != "rejected" || oc[1].Reason != "бұйрық жоқ" || !oc[1].At.Equal(at3) {
			t.Fatalf("%s: outcomes %+v", when, oc)
		}
		if ds.AppStatus != "submitted" || ds.Signature == nil || ds.Status != StatusSynced {
			t.Fatalf("%s: %+v", when, ds)
		}
		oc[0].Reason = "scribbled" // a caller's change stays the caller's
	}
	check("after a reopen")
	check("read again")

	// A stale copy pulled later (an older version) changes nothing.
	stale := rem
	stale.Version, stale.RowOutcomes = 7, nil
	if err := s.ApplyPulled(acctA, []Remote{stale}, 8); err != nil {
		t.Fatal(err)
	}
	check("after a stale pull")

	// A further decision replaces the list as the server sends it.
	rem.Version = 9
	rem.RowOutcomes = append(rem.RowOutcomes[:1:1], RowOutcome{Row: 2, Status: "executed", At: at3, By: "Б"}, rem.RowOutcomes[1])
	if err := s.ApplyPulled(acctA, []Remote{rem}, 9); err != nil {
		t.Fatal(err)
	}
	if ds, _ := s.SyncState(d.ID); len(ds.RowOutcomes) != 3 || ds.RowOutcomes[1].Row != 2 || ds.RowOutcomes[0].By != "changed after the pull" {
		t.Fatalf("after the third decision: %+v", ds.RowOutcomes)
	}
}
