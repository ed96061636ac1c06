package client

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"kense/api"
	"kense/cache"
	"kense/form"
	"kense/server"
)

// Accounts of the sync tests (valid IINs; sessions are issued through the
// server's store, see syncServer.session).
const (
	iinA = "780312450016"
	iinB = "901120300033"
)

type syncRefuseAll struct{}

func (syncRefuseAll) VerifyCMS(_, _ []byte, _ string) (*server.Verified, error) {
	return nil, errors.New("no EDS sign-in in the sync tests")
}

// syncServer is a real kense-server on a fixed 127.0.0.1 port over a real
// bbolt file, which the tests can kill and start again.
type syncServer struct {
	t    testing.TB
	dir  string
	addr string
	// wrap, when set, wraps the handler of the next start.
	wrap func(http.Handler) http.Handler

	mu    sync.Mutex
	store *server.BoltStore
	hs    *http.Server
	done  chan struct{}
}

func newSyncServer(t testing.TB) *syncServer {
	t.Helper()
	s := &syncServer{t: t, dir: t.TempDir(), addr: "127.0.0.1:0"}
	s.start()
	t.Cleanup(s.kill)
	for _, iin := range []string{iinA, iinB} {
		if _, err := server.CreateAccount(s.store, server.NewAccount{IIN: iin, FullName: "Test " + iin, Kind: api.KindUNIS}, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func (s *syncServer) start() {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := server.OpenBolt(s.dir)
	if err != nil {
		s.t.Fatal(err)
	}
	srv, err := server.New(server.Config{Store: st, Verifier: syncRefuseAll{}})
	if err != nil {
		s.t.Fatal(err)
	}
	var ln net.Listener
	for i := 0; ; i++ {
		if ln, err = net.Listen("tcp", s.addr); err == nil {
			break
		}
		if i == 50 {
			s.t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.addr = ln.Addr().String()
	h := srv.Handler()
	if s.wrap != nil {
		h = s.wrap(h)
	}
	s.store, s.hs, s.done = st, &http.Server{Handler: h}, make(chan struct{})
	go func(hs *http.Server, done chan struct{}) {
		hs.Serve(ln)
		close(done)
	}(s.hs, s.done)
}

// kill stops the server abruptly: listener and connections closed at
// once, requests in flight cut off; then the data file is closed (bbolt
// waits for a transaction in progress, which commits whole or not at all).
func (s *syncServer) kill() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hs == nil {
		return
	}
	s.hs.Close()
	<-s.done
	s.store.Close()
	s.hs, s.store = nil, nil
}

func (s *syncServer) url() string { return "http://" + s.addr }

func (s *syncServer) session(iin string) string {
	s.t.Helper()
	tok, err := server.IssueSession(s.store, iin, time.Now(), time.Hour)
	if err != nil {
		s.t.Fatal(err)
	}
	return tok
}

// records reads every draft record of iin straight from the server's store.
func (s *syncServer) records(iin string) map[string]api.DraftRecord {
	s.t.Helper()
	out := map[string]api.DraftRecord{}
	var since uint64
	for {
		cr, err := s.store.DraftChanges(iin, since, api.MaxPullLimit)
		if err != nil {
			s.t.Fatal(err)
		}
		for _, r := range cr.Changes {
			out[r.ID] = r
		}
		if !cr.More {
			return out
		}
		since = cr.Cursor
	}
}

// workstation is one app: a cache file and a syncer signed in as an account.
type workstation struct {
	t      testing.TB
	path   string
	st     *cache.Store
	c      *Client
	sy     *Syncer
	iin    string
	opt    Options
	syncOp SyncOptions
}

func newWorkstation(t testing.TB, srv *syncServer, iin string, opt Options, so SyncOptions) *workstation {
	t.Helper()
	w := &workstation{t: t, path: filepath.Join(t.TempDir(), "kense.db"), iin: iin, opt: opt, syncOp: so}
	w.open(srv.url(), srv.session(iin))
	t.Cleanup(func() { w.st.Close() })
	return w
}

func (w *workstation) open(url, token string) {
	w.t.Helper()
	st, err := cache.Open(w.path, cache.Options{})
	if err != nil {
		w.t.Fatal(err)
	}
	w.st = st
	w.c = New(url, w.opt)
	w.c.SetToken(token)
	w.sy = NewSyncer(w.c, st, w.syncOp)
	w.sy.SetAccount(w.iin)
}

// restart closes the cache as an exiting app would and opens it again.
func (w *workstation) restart() {
	w.t.Helper()
	tok := w.c.Token()
	if err := w.st.Close(); err != nil {
		w.t.Fatal(err)
	}
	w.open(w.c.BaseURL(), tok)
}

func (w *workstation) sync() SyncReport {
	w.t.Helper()
	rep, err := w.sy.Sync(context.Background())
	if err != nil {
		w.t.Fatalf("sync of %s: %v", w.path, err)
	}
	return rep
}

func (w *workstation) newDraft(subunit string, rows int) cache.Draft {
	w.t.Helper()
	d, err := w.st.NewDraftFor(w.iin, syncForm(subunit, rows))
	if err != nil {
		w.t.Fatal(err)
	}
	return d
}

func (w *workstation) edit(id string, fn func(f *form.Form)) {
	w.t.Helper()
	d, err := w.st.GetDraft(id)
	if err != nil {
		w.t.Fatal(err)
	}
	fn(&d.Form)
	if err := w.st.SaveDraft(d); err != nil {
		w.t.Fatal(err)
	}
}

func (w *workstation) status(id string) cache.SyncStatus {
	w.t.Helper()
	ds, err := w.st.SyncState(id)
	if err != nil {
		w.t.Fatal(err)
	}
	return ds.Status
}

// drafts are the drafts the workstation shows its account, by ID, as
// canonical-content hashes.
func (w *workstation) drafts() map[string]string {
	w.t.Helper()
	sums, err := w.st.ListDraftsFor(w.iin, "")
	if err != nil {
		w.t.Fatal(err)
	}
	out := map[string]string{}
	for _, s := range sums {
		d, err := w.st.GetDraft(s.ID)
		if err != nil {
			w.t.Fatal(err)
		}
		out[s.ID] = form.HashHex(d.Form)
	}
	return out
}

func syncForm(subunit string, rows int) form.Form {
	f := form.Form{Subunit: subunit, Date: "2026-11-23", AttachmentPages: 2,
		Head: form.Head{Position: "Бөлім басшысы", FullName: "Әбілқасымова Гүлнұр"}}
	for i := range rows {
		f.Rows = append(f.Rows, form.Row{FullName: fmt.Sprintf("Құрманғазы Ұлан %d", i), IIN: fmt.Sprintf("%012d", 780312450016+int64(i)),
			IP: fmt.Sprintf("10.12.0.%d", i+1), UserType: 1, Operation: 1 + i%13, AccessLevels: []string{"A"}, Position: "маман"})
	}
	return f
}

func fastOptions() Options {
	return Options{Timeout: 3 * time.Second, Retries: 2, RetryWait: 5 * time.Millisecond, RetryMaxWait: 20 * time.Millisecond}
}

func TestSyncTwoWorkstationsConflict(t *testing.T) {
	srv := newSyncServer(t)
	w1 := newWorkstation(t, srv, iinA, fastOptions(), SyncOptions{})
	w2 := newWorkstation(t, srv, iinA, fastOptions(), SyncOptions{})

	d := w1.newDraft("Алматы филиалы", 2)
	gone := w1.newDraft("Жойылатын", 1)
	if st := w1.status(d.ID); st != cache.StatusPending {
		t.Fatalf("new draft: %s", st)
	}
	if rep := w1.sync(); rep.Pushed != 2 {
		t.Fatalf("first push: %+v", rep)
	}
	if st := w1.status(d.ID); st != cache.StatusSynced {
		t.Fatalf("after push: %s", st)
	}
	w2.sync()
	if got, want := w2.drafts(), w1.drafts(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("w2 has %v, w1 %v", got, want)
	}

	// Offline on both: the server is down while they edit.
	srv.kill()
	w1.edit(d.ID, func(f *form.Form) { f.Date = "2026-11-24"; f.Rows[0].Position = "бас маман" })
	w2.edit(d.ID, func(f *form.Form) { f.AttachmentPages = 5; f.Rows[1].Position = "жетекші маман" })
	if err := w1.st.DeleteDraft(gone.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := w1.sy.Sync(context.Background()); !IsOffline(err) {
		t.Fatalf("sync while the server is down: %v", err)
	}
	if o, _ := w1.st.SyncOverview(iinA); o.Status != cache.StatusPending || o.Pending != 2 || o.LastError == "" || o.LastReached.IsZero() {
		t.Fatalf("overview offline: %+v", o)
	}
	srv.start()

	w1.sync()
	rep := w2.sync()
	if rep.Conflicts != 1 || w2.status(d.ID) != cache.StatusConflict {
		t.Fatalf("w2: %+v, status %s", rep, w2.status(d.ID))
	}
	// The tombstone reached w2 and removed the draft there.
	if _, err := w2.st.GetDraft(gone.ID); !errors.Is(err, cache.ErrNotFound) {
		t.Fatalf("deleted draft on w2: %v", err)
	}
	if o, _ := w2.st.SyncOverview(iinA); o.Status != cache.StatusConflict || o.Conflicts != 1 {
		t.Fatalf("overview: %+v", o)
	}
	// Nothing was overwritten: the server has w1's edit, w2 keeps its own.
	cf, mine, present, err := w2.st.GetConflict(d.ID)
	if err != nil || !present || mine.Form.AttachmentPages != 5 || cf.Theirs.Form.Date != "2026-11-24" {
		t.Fatalf("conflict: %+v / %+v %v", cf, mine.Form, err)
	}
	if rec := srv.records(iinA)[d.ID]; rec.Form.Date != "2026-11-24" || rec.Form.AttachmentPages != 2 {
		t.Fatalf("server: %+v", rec.Form)
	}
	// A conflicted draft is not pushed until resolved.
	if rep := w2.sync(); rep.Pushed != 0 || w2.status(d.ID) != cache.StatusConflict {
		t.Fatalf("conflict pushed: %+v", rep)
	}

	diffs := cache.ConflictFields(mine.Form, false, cf.Theirs.Form, cf.Theirs.Shared)
	fields := map[string]bool{}
	for _, d := range diffs {
		fields[d.Field] = true
	}
	if len(diffs) != 4 || !fields["date"] || !fields["attachmentPages"] || !fields["rows[0]"] || !fields["rows[1]"] {
		t.Fatalf("diffs: %+v", diffs)
	}
	err = w2.st.ResolveMerge(d.ID, map[string]cache.Choice{"date": cache.ChoiceTheirs, "attachmentPages": cache.ChoiceMine})
	if !errors.Is(err, cache.ErrMergeIncomplete) {
		t.Fatalf("incomplete merge: %v", err)
	}
	err = w2.st.ResolveMerge(d.ID, map[string]cache.Choice{"date": cache.ChoiceTheirs, "attachmentPages": cache.ChoiceMine,
		"rows[0]": cache.ChoiceTheirs, "rows[1]": cache.ChoiceMine})
	if err != nil {
		t.Fatal(err)
	}
	if st := w2.status(d.ID); st != cache.StatusPending {
		t.Fatalf("merged: %s", st)
	}
	if rep := w2.sync(); rep.Pushed != 1 || rep.Conflicts != 0 {
		t.Fatalf("push merged: %+v", rep)
	}
	w1.sync()
	m, _ := w1.st.GetDraft(d.ID)
	if m.Form.Date != "2026-11-24" || m.Form.AttachmentPages != 5 || m.Form.Rows[0].Position != "бас маман" || m.Form.Rows[1].Position != "жетекші маман" {
		t.Fatalf("merged on w1: %+v", m.Form)
	}
	if fmt.Sprint(w1.drafts()) != fmt.Sprint(w2.drafts()) || w1.status(d.ID) != cache.StatusSynced || w2.status(d.ID) != cache.StatusSynced {
		t.Fatal("workstations differ after the merge")
	}

	// Take theirs, and keep mine.
	w1.edit(d.ID, func(f *form.Form) { f.Subunit = "w1" })
	w2.edit(d.ID, func(f *form.Form) { f.Subunit = "w2" })
	w1.sync()
	w2.sync()
	if err := w2.st.ResolveTakeTheirs(d.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := w2.st.GetDraft(d.ID); got.Form.Subunit != "w1" || w2.status(d.ID) != cache.StatusSynced {
		t.Fatalf("take theirs: %q %s", got.Form.Subunit, w2.status(d.ID))
	}
	w1.edit(d.ID, func(f *form.Form) { f.Subunit = "w1 again" })
	w2.edit(d.ID, func(f *form.Form) { f.Subunit = "w2 wins" })
	w1.sync()
	w2.sync()
	if err := w2.st.ResolveKeepMine(d.ID); err != nil {
		t.Fatal(err)
	}
	if err := w2.st.ResolveKeepMine(d.ID); !errors.Is(err, cache.ErrNoConflict) {
		t.Fatalf("second resolve: %v", err)
	}
	w2.sync()
	w1.sync()
	if got, _ := w1.st.GetDraft(d.ID); got.Form.Subunit != "w2 wins" {
		t.Fatalf("keep mine: %q", got.Form.Subunit)
	}
	// Both made the same edit: no conflict to resolve.
	w1.edit(d.ID, func(f *form.Form) { f.Date = "2026-12-01" })
	w2.edit(d.ID, func(f *form.Form) { f.Date = "2026-12-01" })
	w1.sync()
	if rep := w2.sync(); rep.Conflicts != 1 || w2.status(d.ID) != cache.StatusSynced {
		t.Fatalf("same edit on both: %+v %s", rep, w2.status(d.ID))
	}
	if o, _ := w2.st.SyncOverview(iinA); o.Status != cache.StatusSynced || o.Pending+o.Conflicts+o.Refused != 0 || o.LastError != "" {
		t.Fatalf("final overview: %+v", o)
	}
}

func TestSyncOwnership(t *testing.T) {
	srv := newSyncServer(t)
	wa := newWorkstation(t, srv, iinA, fastOptions(), SyncOptions{})
	wb := newWorkstation(t, srv, iinB, fastOptions(), SyncOptions{})
	d := wa.newDraft("Астана филиалы", 1)
	wa.sync()
	wb.sync()
	if got := wb.drafts(); len(got) != 0 {
		t.Fatalf("b sees %v", got)
	}
	// Through the API: b's token cannot read a's draft; no token is 401.
	var rec api.DraftRecord
	_, err := wb.c.R(context.Background()).SetResult(&rec).Get(api.PathDrafts + d.ID)
	wantAPI(t, err, api.CodeNotFound)
	anon := New(srv.url(), fastOptions())
	_, err = anon.R(context.Background()).SetResult(&rec).Get(api.PathDrafts + d.ID)
	if ae := wantAPI(t, err, api.CodeUnauthorized); ae.Status != http.StatusUnauthorized {
		t.Fatalf("status %d", ae.Status)
	}
	if _, err := NewSyncer(anon, wb.st, SyncOptions{}).Sync(context.Background()); !errors.Is(err, ErrSignedOut) {
		t.Fatalf("sync without a token: %v", err)
	}
	// b pushing a draft with a's ID (a copied cache file) is refused, and
	// stays here, marked refused.
	if _, err := wb.st.ImportDraftsFor(iinB, nil); err != nil {
		t.Fatal(err)
	}
	ad, _ := wa.st.GetDraft(d.ID)
	ad.Form.Subunit = "hijack"
	if err := wb.st.SaveDraft(ad); err != nil {
		t.Fatal(err)
	}
	if err := wb.st.GiveDraftTo(d.ID, iinB); err != nil {
		t.Fatal(err)
	}
	if rep := wb.sync(); rep.Refused != 1 || wb.status(d.ID) != cache.StatusRefused {
		t.Fatalf("b's push of a's draft: %+v %s", rep, wb.status(d.ID))
	}
	if rec := srv.records(iinA)[d.ID]; rec.Form.Subunit != "Астана филиалы" {
		t.Fatalf("b overwrote a's draft: %q", rec.Form.Subunit)
	}
	// Shared with the subunit b belongs to: b gets it.
	if err := srv.store.SetSubunit(iinB, "астана ФИЛИАЛЫ"); err != nil {
		t.Fatal(err)
	}
	if err := wa.st.SetShared(d.ID, true); err != nil {
		t.Fatal(err)
	}
	wa.sync()
	wb2 := newWorkstation(t, srv, iinB, fastOptions(), SyncOptions{})
	wb2.sync()
	if got := wb2.drafts(); len(got) != 1 {
		t.Fatalf("b after sharing: %v", got)
	}
	// A signed-out app shows nothing of its cache.
	if sums, err := wa.st.ListDraftsFor("", ""); err != nil || len(sums) != 0 {
		t.Fatalf("signed out: %v %v", sums, err)
	}
	if sums, _ := wa.st.ListDraftsFor(iinB, ""); len(sums) != 0 {
		t.Fatalf("another account on a's workstation: %v", sums)
	}
}

// dropAnswers wraps h so that some requests are served in full — the
// change committed — and then cut off before the answer leaves: the
// client sees a lost connection and must retry without doubling anything.
// The counter n outlives the handler, so the count runs on across restarts.
func dropAnswers(h http.Handler, every int, n, dropped *atomic.Int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != api.PathDraftsPush || n.Add(1)%int64(every) != 0 {
			h.ServeHTTP(w, r)
			return
		}
		h.ServeHTTP(httptest.NewRecorder(), r)
		dropped.Add(1)
		panic(http.ErrAbortHandler)
	})
}

func TestSyncServerKilledMidPush(t *testing.T) {
	iterations := 60
	if testing.Short() {
		iterations = 50
	}
	srv := newSyncServer(t)
	var pushes, dropped atomic.Int64
	srv.wrap = func(h http.Handler) http.Handler { return dropAnswers(h, 3, &pushes, &dropped) }
	srv.kill()
	srv.start()
	w := newWorkstation(t, srv, iinA, Options{Timeout: 2 * time.Second, Retries: 1, RetryWait: 5 * time.Millisecond, RetryMaxWait: 10 * time.Millisecond},
		SyncOptions{BatchSize: 7})
	var ids []string
	replayed, failed := 0, 0
	for i := range iterations {
		// Offline edits: new drafts, changes, deletions.
		for range 3 {
			ids = append(ids, w.newDraft(fmt.Sprintf("Бөлім %d", i), 1+i%4).ID)
		}
		for k := 0; k < 4 && len(ids) > 0; k++ {
			id := ids[(i*7+k*13)%len(ids)]
			if d, err := w.st.GetDraft(id); err == nil && d.Deleted.IsZero() {
				w.edit(id, func(f *form.Form) { f.AttachmentPages++; f.Date = fmt.Sprintf("2026-11-%02d", 1+i%28) })
			}
		}
		if i%5 == 4 {
			if err := w.st.DeleteDraft(ids[i%len(ids)]); err != nil {
				t.Fatal(err)
			}
		}
		// Push, and kill the server at a point that moves through the push.
		done := make(chan error, 1)
		go func() {
			rep, err := w.sy.Sync(context.Background())
			replayed += rep.Replayed
			done <- err
		}()
		time.Sleep(time.Duration(i%20) * 8 * time.Millisecond)
		srv.kill()
		if err := <-done; err != nil {
			failed++
			if i < 5 {
				t.Logf("iteration %d: %v", i, err)
			}
		}
		srv.start()
	}
	final := w.sync()
	replayed += final.Replayed
	t.Logf("%d kills: %d syncs cut off, %d answers dropped after commit, %d changes replayed from their key", iterations, failed, dropped.Load(), replayed)
	if dropped.Load() == 0 || replayed == 0 {
		t.Fatalf("the lost-answer path was not exercised (dropped %d, replayed %d)", dropped.Load(), replayed)
	}
	checkSame(t, srv, w)
	// A second workstation of the same account gets exactly the same.
	w2 := newWorkstation(t, srv, iinA, fastOptions(), SyncOptions{PageSize: 13})
	w2.sync()
	if fmt.Sprint(w2.drafts()) != fmt.Sprint(w.drafts()) {
		t.Fatal("second workstation differs")
	}
}

// checkSame: the server holds exactly the workstation's drafts, none lost,
// none doubled, none in conflict; drafts in the bin are tombstones there.
func checkSame(t *testing.T, srv *syncServer, w *workstation) {
	t.Helper()
	recs := srv.records(w.iin)
	local := w.drafts()
	live := 0
	for id, r := range recs {
		d, err := w.st.GetDraft(id)
		switch {
		case err != nil:
			t.Fatalf("server has %s, the workstation does not: %v", id, err)
		case r.Deleted != !d.Deleted.IsZero():
			t.Fatalf("%s: deleted on the server %v, here %v", id, r.Deleted, d.Deleted)
		case !r.Deleted && form.HashHex(r.Form) != local[id]:
			t.Fatalf("%s differs: server %+v, here %+v", id, r.Form, d.Form)
		}
		if !r.Deleted {
			live++
		}
	}
	if live != len(local) {
		t.Fatalf("server has %d live drafts, the workstation %d", live, len(local))
	}
	if n, _ := w.st.OutboxLen(w.iin); n != 0 {
		t.Fatalf("%d entries left in the outbox", n)
	}
	o, err := w.st.SyncOverview(w.iin)
	if err != nil || o.Status != cache.StatusSynced || o.Conflicts != 0 || o.Pending != 0 || o.Refused != 0 {
		t.Fatalf("overview: %+v %v", o, err)
	}
}

func TestSyncClientRestartMidPull(t *testing.T) {
	srv := newSyncServer(t)
	w1 := newWorkstation(t, srv, iinA, fastOptions(), SyncOptions{BatchSize: 50})
	var fs []form.Form
	for i := range 60 {
		fs = append(fs, syncForm(fmt.Sprintf("Бөлім %d", i), 1+i%3))
	}
	if _, err := w1.st.ImportDraftsFor(iinA, fs); err != nil {
		t.Fatal(err)
	}
	w1.sync()

	// w2 pulls 7 at a time; its app is closed after a few pages, several
	// times over, each time at another page.
	var pages atomic.Int64
	var cancel atomic.Pointer[context.CancelFunc]
	var stopAt atomic.Int64
	srv.kill()
	srv.wrap = func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h.ServeHTTP(w, r)
			if r.URL.Path == api.PathDraftsChanges && pages.Add(1) == stopAt.Load() {
				if c := cancel.Load(); c != nil {
					(*c)()
				}
			}
		})
	}
	srv.start()
	w2 := newWorkstation(t, srv, iinA, fastOptions(), SyncOptions{PageSize: 7})
	for round, at := range []int64{2, 3, 1, 4} {
		pages.Store(0)
		stopAt.Store(at)
		ctx, c := context.WithCancel(context.Background())
		cancel.Store(&c)
		_, err := w2.sy.Sync(ctx)
		c()
		if err == nil {
			t.Fatalf("round %d: the pull was not cut off", round)
		}
		cur, _ := w2.st.PullCursor(iinA)
		n := len(w2.drafts())
		t.Logf("round %d: cut after page %d: cursor %d, %d drafts", round, at, cur, n)
		w2.restart()
	}
	stopAt.Store(-1)
	w2.sync()
	if fmt.Sprint(w2.drafts()) != fmt.Sprint(w1.drafts()) || len(w2.drafts()) != 60 {
		t.Fatalf("after the restarts: %d drafts, want 60 equal to w1's", len(w2.drafts()))
	}
	checkSame(t, srv, w2)
}

func TestRunnerRunsAndBacksOff(t *testing.T) {
	srv := newSyncServer(t)
	w := newWorkstation(t, srv, iinA, fastOptions(), SyncOptions{Interval: time.Hour, MaxBackoff: 50 * time.Millisecond})
	results := make(chan error, 16)
	w.sy.opt.OnSync = func(_ SyncReport, err error) {
		select {
		case results <- err:
		default:
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go w.sy.Run(ctx)
	if err := <-results; err != nil {
		t.Fatal(err)
	}
	d := w.newDraft("Kicked", 1)
	w.sy.Kick()
	if err := <-results; err != nil {
		t.Fatal(err)
	}
	if st := w.status(d.ID); st != cache.StatusSynced {
		t.Fatalf("after a kick: %s", st)
	}
	srv.kill()
	w.sy.Kick()
	if err := <-results; !IsOffline(err) {
		t.Fatalf("server down: %v", err)
	}
	srv.start()
	// The backoff retries by itself, without a kick.
	w.newDraft("After the outage", 1)
	for err := range results {
		if err == nil {
			break
		}
	}
	if o, _ := w.st.SyncOverview(iinA); o.Status != cache.StatusSynced || o.Synced != 2 {
		t.Fatalf("overview: %+v", o)
	}
}
