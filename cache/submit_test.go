package cache

import (
	"errors"
	"testing"
	"time"
)

// TestMergeRowFields: a row both sides changed is merged field by field,
// and every differing field of it needs a choice.
func TestMergeRowFields(t *testing.T) {
	s := openTemp(t)
	d, _ := s.NewDraftFor(acctA, sampleForm("S", 2, 780312450016))
	es := mustPrepare(t, s, acctA)
	if err := s.ApplyPushResults([]PushOutcome{applied(es[0], 2)}); err != nil {
		t.Fatal(err)
	}
	d, _ = s.GetDraft(d.ID)
	d.Form.Rows[0].FullName, d.Form.Rows[0].Position = "Mine Name", "mine position"
	if err := s.SaveDraft(d); err != nil {
		t.Fatal(err)
	}
	es = mustPrepare(t, s, acctA)
	tf := sampleForm("S", 2, 780312450016)
	tf.Rows[0].FullName, tf.Rows[0].IP, tf.Rows[0].AccessLevels = "Their Name", "10.9.9.9", []string{"A"}
	theirs := Remote{ID: d.ID, Version: 3, Owner: acctA, Form: tf}
	if err := s.ApplyPushResults([]PushOutcome{{EntryID: es[0].ID, Status: OutcomeConflict, Current: &theirs}}); err != nil {
		t.Fatal(err)
	}
	// Not every differing field of row 0 chosen.
	err := s.ResolveMerge(d.ID, map[string]Choice{"rows[0].fullName": ChoiceTheirs, "rows[0].ip": ChoiceTheirs})
	if !errors.Is(err, ErrMergeIncomplete) {
		t.Fatalf("incomplete row: %v", err)
	}
	err = s.ResolveMerge(d.ID, map[string]Choice{"rows[0].fullName": ChoiceTheirs, "rows[0].ip": ChoiceTheirs,
		"rows[0].position": ChoiceMine, "rows[0].accessLevels": ChoiceTheirs})
	if err != nil {
		t.Fatal(err)
	}
	m, _ := s.GetDraft(d.ID)
	r := m.Form.Rows[0]
	if r.FullName != "Their Name" || r.IP != "10.9.9.9" || r.Position != "mine position" || len(r.AccessLevels) != 1 ||
		r.AccessLevels[0] != "A" || len(m.Form.Rows) != 2 || m.Form.Rows[1].IIN != tf.Rows[1].IIN {
		t.Fatalf("merged row: %+v", m.Form.Rows)
	}
	if es = mustPrepare(t, s, acctA); len(es) != 1 || es[0].BaseVersion != 3 {
		t.Fatalf("merged entry: %+v", es)
	}
}

// TestRecordSubmitted: the server's answer to a submission makes the draft
// read-only at once, with who signed it; the same record pulled later
// changes nothing.
func TestRecordSubmitted(t *testing.T) {
	s := openTemp(t)
	d, _ := s.NewDraftFor(acctA, sampleForm("S", 1, 780312450016))
	es := mustPrepare(t, s, acctA)
	if err := s.ApplyPushResults([]PushOutcome{applied(es[0], 5)}); err != nil {
		t.Fatal(err)
	}
	d, _ = s.GetDraft(d.ID)
	at := time.Date(2026, 11, 23, 15, 4, 5, 0, time.FixedZone("", 5*3600))
	sig := Signature{SignerName: "НҰРЛАНОВА АЙГҮЛ", IIN: acctA, CertSerial: "4F1A", SignedAt: at}
	rem := Remote{ID: d.ID, Version: 6, Owner: acctA, Form: d.Form, Created: d.Created, Updated: d.Updated,
		AppStatus: "submitted", SHA256: "ab12"}
	if err := s.RecordSubmitted(acctA, rem, sig); err != nil {
		t.Fatal(err)
	}
	ds, err := s.SyncState(d.ID)
	if err != nil || ds.AppStatus != "submitted" || ds.SHA256 != "ab12" || ds.Version != 6 || ds.Status != StatusSynced ||
		ds.Signature == nil || ds.Signature.SignerName != sig.SignerName || !ds.Signature.SignedAt.Equal(at) {
		t.Fatalf("after submit: %+v %v", ds, err)
	}
	rem.AppStatus, rem.Version = "accepted", 7
	if err := s.ApplyPulled(acctA, []Remote{rem}, 7); err != nil {
		t.Fatal(err)
	}
	if ds, _ = s.SyncState(d.ID); ds.AppStatus != "accepted" || ds.Signature == nil || ds.Signature.CertSerial != "4F1A" {
		t.Fatalf("after a pull: %+v", ds)
	}
	if err := s.SetSignature("nope", sig); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown draft: %v", err)
	}
}
