package client

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"kense/api"
	"kense/cache"
	"kense/form"
)

// FuzzSyncAnswers feeds arbitrary bytes to the client's handling of the
// server's answers (push results and pulled changes): decoded as the
// client decodes them, then checked against what was sent and stored.
// Nothing may panic, a bad answer must be an error, and whatever is
// accepted must be storable.
func FuzzSyncAnswers(f *testing.F) {
	st, err := cache.Open(filepath.Join(f.TempDir(), "kense.db"), cache.Options{})
	if err != nil {
		f.Fatal(err)
	}
	defer st.Close()
	if _, err := st.ImportDraftsFor(iinA, []form.Form{syncForm("A", 1), syncForm("B", 2)}); err != nil {
		f.Fatal(err)
	}
	entries, err := st.PrepareOutbox(iinA, 10)
	if err != nil || len(entries) != 2 {
		f.Fatal(entries, err)
	}
	cur := &api.DraftRecord{ID: entries[1].DraftID, Version: 9, Owner: iinA, Form: syncForm("C", 1)}
	good, _ := json.Marshal(api.PushResponse{Results: []api.PushResult{
		{Key: entries[0].ID, ID: entries[0].DraftID, Status: api.PushApplied, Version: 3},
		{Key: entries[1].ID, ID: entries[1].DraftID, Status: api.PushConflict, Current: cur}}})
	changes, _ := json.Marshal(api.ChangesResponse{Changes: []api.DraftRecord{*cur, {ID: "x", Version: 10, Deleted: true}}, Cursor: 10, More: true})
	for _, s := range [][]byte{good, changes, []byte(`{"results":[]}`), []byte(`{"changes":[{"id":"../x","version":1}],"cursor":1}`),
		[]byte(`{"results":[{"status":"conflict"},{"status":"applied"}]}`), []byte(`null`), []byte(`{"changes":null,"cursor":18446744073709551615}`)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var pr api.PushResponse
		if json.Unmarshal(data, &pr) == nil {
			var rep SyncReport
			outs, err := outcomesOf(entries, &pr, &rep)
			if err == nil {
				if len(outs) != len(entries) {
					t.Fatalf("%d outcomes for %d entries", len(outs), len(entries))
				}
				for _, o := range outs {
					if o.Status == api.PushConflict && o.Current == nil {
						t.Fatal("conflict without the server's copy accepted")
					}
					if o.Status == api.PushApplied && o.Version == 0 {
						t.Fatal("applied without a version accepted")
					}
				}
			}
		}
		var cr api.ChangesResponse
		if json.Unmarshal(data, &cr) == nil {
			page := make([]cache.Remote, len(cr.Changes))
			for i := range cr.Changes {
				page[i] = RemoteOf(&cr.Changes[i])
			}
			if err := st.ApplyPulled(iinB, page, cr.Cursor); err != nil {
				t.Fatalf("pulled page not stored: %v", err)
			}
		}
	})
}
