package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"kense/api"
	"kense/form"
)

// refuseAll is a SignatureVerifier for tests that never sign in by EDS:
// their sessions come from IssueSession.
type refuseAll struct{}

func (refuseAll) VerifyCMS(_, _ []byte, _ string) (*Verified, error) {
	return nil, errors.New("no EDS sign-in in this test")
}

type draftsEnv struct {
	t     *testing.T
	store *BoltStore
	hs    *httptest.Server
	clock *testClock
}

// newDraftsEnv is a real server on 127.0.0.1 over a real bbolt file with
// three UNIS accounts (a, b, c) and a session for each.
func newDraftsEnv(t *testing.T) (*draftsEnv, map[string]string) {
	t.Helper()
	st, err := OpenBolt(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e := &draftsEnv{t: t, store: st, clock: &testClock{t: t0}}
	srv, err := New(Config{Store: st, Verifier: refuseAll{}, Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	e.hs = httptest.NewServer(srv.Handler())
	t.Cleanup(e.hs.Close)
	tokens := map[string]string{}
	for name, p := range map[string]DemoPerson{"a": pNotary, "b": pNotary2, "c": pStranger} {
		if _, err := CreateAccount(st, NewAccount{IIN: p.IIN, FullName: p.Surname + " " + p.GivenName, Kind: api.KindUNIS}, t0); err != nil {
			t.Fatal(err)
		}
		if tokens[name], err = IssueSession(st, p.IIN, t0, 0); err != nil {
			t.Fatal(err)
		}
	}
	return e, tokens
}

func (e *draftsEnv) req(method, path, token string, body any, hdr ...string) (int, []byte) {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	r, err := http.NewRequest(method, e.hs.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := e.hs.Client().Do(r)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

func (e *draftsEnv) push(token string, changes ...api.DraftChange) []api.PushResult {
	e.t.Helper()
	st, b := e.req("POST", api.PathDraftsPush, token, api.PushRequest{Changes: changes})
	if st != 200 {
		e.t.Fatalf("push: %d %s", st, b)
	}
	var pr api.PushResponse
	if err := json.Unmarshal(b, &pr); err != nil {
		e.t.Fatal(err)
	}
	if len(pr.Results) != len(changes) {
		e.t.Fatalf("%d results for %d changes", len(pr.Results), len(changes))
	}
	return pr.Results
}

func (e *draftsEnv) pull(token string, since uint64, limit int) api.ChangesResponse {
	e.t.Helper()
	st, b := e.req("GET", fmt.Sprintf("%s?since=%d&limit=%d", api.PathDraftsChanges, since, limit), token, nil)
	if st != 200 {
		e.t.Fatalf("changes: %d %s", st, b)
	}
	var cr api.ChangesResponse
	if err := json.Unmarshal(b, &cr); err != nil {
		e.t.Fatal(err)
	}
	return cr
}

func sampleDraftForm(subunit string, rows int) form.Form {
	f := form.Form{Subunit: subunit, Date: "2026-06-15", AttachmentPages: 1,
		Head: form.Head{Position: "Басшы / Head", FullName: "Нұрланова Айгүл"}}
	for i := range rows {
		f.Rows = append(f.Rows, form.Row{FullName: fmt.Sprintf("Қызметкер %d", i), IIN: "780312450016",
			IP: "10.0.0.1", UserType: 1, Operation: 1, AccessLevels: []string{"1"}, Position: "маман"})
	}
	return f
}

func change(key, id string, base uint64, f form.Form) api.DraftChange {
	return api.DraftChange{Key: key, ID: id, BaseVersion: base, Form: f}
}

func TestDraftsNeedSession(t *testing.T) {
	e, tok := newDraftsEnv(t)
	body := api.PushRequest{Changes: []api.DraftChange{change("k1", "d1", 0, sampleDraftForm("X", 1))}}
	for _, token := range []string{"", "not-a-token"} {
		for _, c := range []struct {
			method, path string
			body         any
		}{
			{"POST", api.PathDraftsPush, body},
			{"GET", api.PathDraftsChanges, nil},
			{"GET", api.PathDrafts + "d1", nil},
			{"PUT", api.PathDrafts + "d1", body.Changes[0]},
		} {
			st, b := e.req(c.method, c.path, token, c.body, "Idempotency-Key", "k1")
			wantCode(t, st, b, http.StatusUnauthorized, api.CodeUnauthorized)
		}
	}
	// Nothing was stored by the refused requests.
	if cr := e.pull(tok["a"], 0, 10); len(cr.Changes) != 0 {
		t.Fatalf("refused push stored %d drafts", len(cr.Changes))
	}
}

func TestDraftsOwnership(t *testing.T) {
	e, tok := newDraftsEnv(t)
	r := e.push(tok["a"], change("ka1", "da1", 0, sampleDraftForm("«Алматы» филиалы", 2)))[0]
	if r.Status != api.PushApplied || r.Version == 0 {
		t.Fatalf("push: %+v", r)
	}
	// b cannot read, list, overwrite or delete a's draft.
	st, b := e.req("GET", api.PathDrafts+"da1", tok["b"], nil)
	wantCode(t, st, b, http.StatusNotFound, api.CodeNotFound)
	if cr := e.pull(tok["b"], 0, 50); len(cr.Changes) != 0 {
		t.Fatalf("b sees %d of a's drafts", len(cr.Changes))
	}
	for _, c := range []api.DraftChange{
		change("kb1", "da1", r.Version, sampleDraftForm("hijack", 0)),
		{Key: "kb2", ID: "da1", BaseVersion: r.Version, Deleted: true},
	} {
		if got := e.push(tok["b"], c)[0]; got.Status != api.PushForbidden || got.Current != nil {
			t.Fatalf("b's push: %+v", got)
		}
		pc := c
		pc.Key, pc.ID = "", ""
		st, b = e.req("PUT", api.PathDrafts+"da1", tok["b"], pc, "Idempotency-Key", c.Key+"x")
		wantCode(t, st, b, http.StatusForbidden, api.CodeForbidden)
	}
	st, b = e.req("GET", api.PathDrafts+"da1", tok["a"], nil)
	var rec api.DraftRecord
	if st != 200 || json.Unmarshal(b, &rec) != nil || rec.Version != r.Version || rec.Form.Subunit != "«Алматы» филиалы" || rec.Owner != pNotary.IIN {
		t.Fatalf("a reads her draft: %d %s", st, b)
	}

	// Shared with the subunit: b, a member of it (spelt differently), may
	// read and edit but not delete or unshare; c, not a member, still sees
	// nothing.
	if err := e.store.SetSubunit(pNotary2.IIN, "  АЛМАТЫ   ФИЛИАЛЫ "); err != nil {
		t.Fatal(err)
	}
	sh := change("ka2", "da1", r.Version, sampleDraftForm("«Алматы» филиалы", 2))
	sh.Shared = true
	r = e.push(tok["a"], sh)[0]
	if r.Status != api.PushApplied {
		t.Fatalf("share: %+v", r)
	}
	cr := e.pull(tok["b"], 0, 50)
	if len(cr.Changes) != 1 || cr.Changes[0].ID != "da1" || !cr.Changes[0].Shared {
		t.Fatalf("b after sharing: %+v", cr)
	}
	if cr := e.pull(tok["c"], 0, 50); len(cr.Changes) != 0 {
		t.Fatalf("c sees %d drafts", len(cr.Changes))
	}
	st, _ = e.req("GET", api.PathDrafts+"da1", tok["c"], nil)
	if st != http.StatusNotFound {
		t.Fatalf("c reads a shared draft of another subunit: %d", st)
	}
	edit := change("kb3", "da1", r.Version, sampleDraftForm("«Алматы» филиалы", 3))
	edit.Shared = true
	rb := e.push(tok["b"], edit)[0]
	if rb.Status != api.PushApplied {
		t.Fatalf("member's edit: %+v", rb)
	}
	for _, c := range []api.DraftChange{
		{Key: "kb4", ID: "da1", BaseVersion: rb.Version, Deleted: true, Shared: true},
		change("kb5", "da1", rb.Version, sampleDraftForm("«Алматы» филиалы", 3)), // unshares
	} {
		if got := e.push(tok["b"], c)[0]; got.Status != api.PushForbidden {
			t.Fatalf("member deletes or unshares: %+v", got)
		}
	}
	st, b = e.req("GET", api.PathDrafts+"da1", tok["a"], nil)
	if st != 200 || json.Unmarshal(b, &rec) != nil || len(rec.Form.Rows) != 3 || rec.UpdatedBy != pNotary2.IIN || rec.Owner != pNotary.IIN {
		t.Fatalf("after member's edit: %d %s", st, b)
	}
}

func TestDraftsVersionsConflictsTombstones(t *testing.T) {
	e, tok := newDraftsEnv(t)
	r1 := e.push(tok["a"], change("k1", "d1", 0, sampleDraftForm("S", 1)))[0]
	// Another workstation that never saw d1 pushes it as new: conflict.
	c := e.push(tok["a"], change("k2", "d1", 0, sampleDraftForm("S other", 1)))[0]
	if c.Status != api.PushConflict || c.Current == nil || c.Current.Version != r1.Version || c.Current.Form.Subunit != "S" {
		t.Fatalf("stale base: %+v", c)
	}
	// A stale base via PUT: 409 with the current record.
	st, b := e.req("PUT", api.PathDrafts+"d1", tok["a"], change("", "", r1.Version-1, sampleDraftForm("x", 0)), "Idempotency-Key", "k3")
	var ce api.ConflictError
	if st != http.StatusConflict || json.Unmarshal(b, &ce) != nil || ce.Code != api.CodeConflict || ce.Current == nil || ce.Current.Version != r1.Version {
		t.Fatalf("PUT stale: %d %s", st, b)
	}
	r2 := e.push(tok["a"], change("k4", "d1", r1.Version, sampleDraftForm("S2", 2)))[0]
	if r2.Status != api.PushApplied || r2.Version <= r1.Version {
		t.Fatalf("update: %+v", r2)
	}
	// Tombstone: the form is gone from the server, the id stays with a version.
	r3 := e.push(tok["a"], api.DraftChange{Key: "k5", ID: "d1", BaseVersion: r2.Version, Deleted: true})[0]
	if r3.Status != api.PushApplied {
		t.Fatalf("delete: %+v", r3)
	}
	cr := e.pull(tok["a"], r2.Version, 10)
	if len(cr.Changes) != 1 || !cr.Changes[0].Deleted || len(cr.Changes[0].Form.Rows) != 0 || cr.Changes[0].Form.Subunit != "" || cr.Cursor != r3.Version || cr.More {
		t.Fatalf("pull tombstone: %+v", cr)
	}
	// Undo on the base of the tombstone brings it back.
	r4 := e.push(tok["a"], change("k6", "d1", r3.Version, sampleDraftForm("S2", 2)))[0]
	if r4.Status != api.PushApplied {
		t.Fatalf("undelete: %+v", r4)
	}
	// Invalid changes are refused one by one, the rest of the batch applies.
	res := e.push(tok["a"],
		change("bad key!", "d2", 0, sampleDraftForm("S", 0)),
		change("k7", "d/2", 0, sampleDraftForm("S", 0)),
		api.DraftChange{Key: "k8", ID: "d3", Form: form.Form{ID: "other"}},
		change("k9", "d4", 0, sampleDraftForm("S", 0)))
	for i, want := range []string{api.PushInvalid, api.PushInvalid, api.PushInvalid, api.PushApplied} {
		if res[i].Status != want {
			t.Fatalf("item %d: %+v, want %s", i, res[i], want)
		}
	}
}

func TestDraftsIdempotency(t *testing.T) {
	e, tok := newDraftsEnv(t)
	ch := change("key-1", "d1", 0, sampleDraftForm("S", 1))
	r1 := e.push(tok["a"], ch)[0]
	r2 := e.push(tok["a"], ch)[0]
	if r1.Status != api.PushApplied || r1.Replayed || r2.Status != api.PushApplied || !r2.Replayed || r2.Version != r1.Version {
		t.Fatalf("first %+v, repeat %+v", r1, r2)
	}
	if cr := e.pull(tok["a"], 0, 10); len(cr.Changes) != 1 || cr.Changes[0].Version != r1.Version {
		t.Fatalf("a repeated push changed the draft: %+v", cr)
	}
	// The same key with other content is refused, not answered with the
	// old result.
	other := ch
	other.Form.Subunit = "T"
	if r := e.push(tok["a"], other)[0]; r.Status != api.PushInvalid || !strings.HasPrefix(r.Message, api.CodeIdempotencyReused) {
		t.Fatalf("reused key: %+v", r)
	}
	// Keys are per account: b's key-1 is b's own (and d1 is a's: forbidden).
	if r := e.push(tok["b"], ch)[0]; r.Status != api.PushForbidden || r.Replayed {
		t.Fatalf("b with a's key: %+v", r)
	}
	// A conflict repeats as a conflict with the record as it is now.
	stale := change("key-2", "d1", 0, sampleDraftForm("S", 2))
	c1 := e.push(tok["a"], stale)[0]
	up := e.push(tok["a"], change("key-3", "d1", r1.Version, sampleDraftForm("S3", 1)))[0]
	c2 := e.push(tok["a"], stale)[0]
	if c1.Status != api.PushConflict || c2.Status != api.PushConflict || !c2.Replayed || c2.Current.Version != up.Version {
		t.Fatalf("conflict %+v, repeat %+v", c1, c2)
	}
	// PUT: the header is the key.
	put := change("", "", up.Version, sampleDraftForm("S4", 1))
	st, b := e.req("PUT", api.PathDrafts+"d1", tok["a"], put, "Idempotency-Key", "key-4")
	var p1, p2 api.PushResult
	if st != 200 || json.Unmarshal(b, &p1) != nil || p1.Status != api.PushApplied {
		t.Fatalf("PUT: %d %s", st, b)
	}
	st, b = e.req("PUT", api.PathDrafts+"d1", tok["a"], put, "Idempotency-Key", "key-4")
	if st != 200 || json.Unmarshal(b, &p2) != nil || !p2.Replayed || p2.Version != p1.Version {
		t.Fatalf("PUT repeated: %d %s", st, b)
	}
	st, b = e.req("PUT", api.PathDrafts+"d1", tok["a"], put)
	wantCode(t, st, b, http.StatusBadRequest, api.CodeBadRequest)
	put.Form.Subunit = "S5"
	st, b = e.req("PUT", api.PathDrafts+"d1", tok["a"], put, "Idempotency-Key", "key-4")
	wantCode(t, st, b, http.StatusUnprocessableEntity, api.CodeIdempotencyReused)
}

func TestDraftsChangesPaging(t *testing.T) {
	e, tok := newDraftsEnv(t)
	var changes []api.DraftChange
	for i := range 25 {
		changes = append(changes, change(fmt.Sprintf("k%d", i), fmt.Sprintf("d%02d", i), 0, sampleDraftForm("S", 1)))
	}
	res := e.push(tok["a"], changes...)
	// b's drafts are in the log between a's but never in a's pages.
	e.push(tok["b"], change("kb", "db", 0, sampleDraftForm("B", 1)))
	// d00 changes again: it must come once, at its new place.
	up := e.push(tok["a"], change("k-up", "d00", res[0].Version, sampleDraftForm("S new", 1)))[0]
	seen := map[string]uint64{}
	var cursor uint64
	pages := 0
	for {
		cr := e.pull(tok["a"], cursor, 10)
		pages++
		for _, c := range cr.Changes {
			if _, dup := seen[c.ID]; dup {
				t.Fatalf("%s twice", c.ID)
			}
			if c.Owner != pNotary.IIN {
				t.Fatalf("a got %s of %s", c.ID, c.Owner)
			}
			seen[c.ID] = c.Version
		}
		if cr.Cursor < cursor {
			t.Fatalf("cursor went back: %d after %d", cr.Cursor, cursor)
		}
		cursor = cr.Cursor
		if !cr.More {
			break
		}
	}
	if len(seen) != 25 || seen["d00"] != up.Version || pages != 3 {
		t.Fatalf("%d drafts in %d pages, d00 at %d (want %d)", len(seen), pages, seen["d00"], up.Version)
	}
	if cr := e.pull(tok["a"], cursor, 10); len(cr.Changes) != 0 || cr.More || cr.Cursor != cursor {
		t.Fatalf("after the end: %+v", cr)
	}
	for _, q := range []string{"since=-1", "since=x", "limit=0", "limit=501"} {
		st, b := e.req("GET", api.PathDraftsChanges+"?"+q, tok["a"], nil)
		wantCode(t, st, b, http.StatusBadRequest, api.CodeBadRequest)
	}
}

func TestDraftsBadBodies(t *testing.T) {
	e, tok := newDraftsEnv(t)
	for _, body := range []string{``, `{`, `[]`, `{"changes":[{"key":"k","id":"d","form":{"rows":[{"nope":1}]}}]}`,
		`{"changes":[]} {}`, `{"extra":1}`} {
		st, b := e.req("POST", api.PathDraftsPush, tok["a"], []byte(body))
		wantCode(t, st, b, http.StatusBadRequest, api.CodeBadRequest)
	}
	many := api.PushRequest{}
	for i := range api.MaxPushItems + 1 {
		many.Changes = append(many.Changes, change(fmt.Sprint("k", i), fmt.Sprint("d", i), 0, form.Form{}))
	}
	st, b := e.req("POST", api.PathDraftsPush, tok["a"], many)
	wantCode(t, st, b, http.StatusBadRequest, api.CodeBadRequest)
	big := bytes.Repeat([]byte(" "), api.MaxPushBodyBytes+1)
	st, b = e.req("POST", api.PathDraftsPush, tok["a"], big)
	wantCode(t, st, b, http.StatusRequestEntityTooLarge, api.CodeBadRequest)
	if cr := e.pull(tok["a"], 0, 10); len(cr.Changes) != 0 {
		t.Fatal("a refused body stored drafts")
	}
}

func TestSubunitKey(t *testing.T) {
	for in, want := range map[string]string{
		"«Алматы» филиалы":         "алматы филиалы",
		"  АЛМАТЫ   ФИЛИАЛЫ ":      "алматы филиалы",
		`ТОО "Ақ-Жол", №2 бөлімше`: "тоо ақ жол 2 бөлімше",
		"":    "",
		"---": "",
	} {
		if got := SubunitKey(in); got != want {
			t.Errorf("SubunitKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzDecodePush(f *testing.F) {
	good, _ := json.Marshal(api.PushRequest{Changes: []api.DraftChange{change("k", "d", 3, sampleDraftForm("S", 2)), {Key: "k2", ID: "d", Deleted: true}}})
	for _, s := range [][]byte{good, []byte(`{"changes":[]}`), []byte(`{"changes":null}`), []byte(`{`), []byte(`{"changes":[{"baseVersion":-1}]}`),
		[]byte(`{"changes":[{"form":{"rows":[{"accessLevels":[1]}]}}]}`), []byte("\xff")} {
		f.Add(s)
	}
	st, err := OpenBolt(f.TempDir())
	if err != nil {
		f.Fatal(err)
	}
	defer st.Close()
	if _, err := CreateAccount(st, NewAccount{IIN: pNotary.IIN, FullName: "A", Kind: api.KindUNIS}, t0); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		req, err := DecodePush(data)
		if err != nil {
			return
		}
		if len(req.Changes) > api.MaxPushItems {
			t.Fatalf("%d changes accepted", len(req.Changes))
		}
		// Whatever decodes must be applied or refused item by item, never
		// fail the storage.
		res, err := st.PushDrafts(pNotary.IIN, req.Changes, t0)
		if err != nil {
			t.Fatalf("push of a decoded body: %v", err)
		}
		for i, r := range res {
			if r.Status == api.PushApplied && !ValidDraftID(req.Changes[i].ID) {
				t.Fatalf("applied invalid id %q", req.Changes[i].ID)
			}
		}
	})
}

func FuzzDecodeDraftChange(f *testing.F) {
	good, _ := json.Marshal(change("k", "d", 1, sampleDraftForm("S", 1)))
	for _, s := range [][]byte{good, []byte(`{}`), []byte(`{"deleted":true}`), []byte(`null`), []byte(`{"form":1}`)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := DecodeDraftChange(data)
		if err == nil && c == nil {
			t.Fatal("nil change without an error")
		}
	})
}

func TestIssueSessionRefusesBlocked(t *testing.T) {
	e, tok := newDraftsEnv(t)
	if err := BlockAccount(e.store, pNotary2.IIN, "test", t0); err != nil {
		t.Fatal(err)
	}
	if _, err := IssueSession(e.store, pNotary2.IIN, t0, time.Hour); err == nil {
		t.Fatal("session for a blocked account")
	}
	if _, err := IssueSession(e.store, "000000000000", t0, time.Hour); err == nil {
		t.Fatal("session for no account")
	}
	// A blocked account's existing session cannot push either.
	st, b := e.req("POST", api.PathDraftsPush, tok["b"], api.PushRequest{})
	wantCode(t, st, b, http.StatusForbidden, api.CodeAccountBlocked)
}

func TestPruneDraftKeys(t *testing.T) {
	e, tok := newDraftsEnv(t)
	ch := change("old-key", "d1", 0, sampleDraftForm("S", 1))
	r1 := e.push(tok["a"], ch)[0]
	if n, err := e.store.PruneDraftKeys(t0.Add(-time.Hour)); n != 0 || err != nil {
		t.Fatalf("pruned %d young keys (%v)", n, err)
	}
	if n, err := e.store.PruneDraftKeys(t0.Add(time.Hour)); n != 1 || err != nil {
		t.Fatalf("pruned %d (%v)", n, err)
	}
	// A retry after its key was forgotten is a conflict, never a second
	// application.
	if r := e.push(tok["a"], ch)[0]; r.Status != api.PushConflict || r.Current.Version != r1.Version {
		t.Fatalf("retry after pruning: %+v", r)
	}
}
