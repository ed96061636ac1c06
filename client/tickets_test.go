package client

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
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
	"kense/server"
	"kense/servicedesk"
)

const (
	tkInitiator = "780312450016"
	tkStaffIIN  = "850505400028"
)

type tkRefuse struct{}

func (tkRefuse) VerifyCMS(_, _ []byte, _ string) (*server.Verified, error) {
	return nil, errors.New("no EDS sign-in in the ticket tests")
}

// tkServer is a real kense-server on a fixed 127.0.0.1 port over a real
// bbolt file, stopped and started again by the tests; sessions are issued
// through its store (server.IssueSession) and live in that file.
type tkServer struct {
	t    *testing.T
	dir  string
	addr string
	wrap func(http.Handler) http.Handler

	mu    sync.Mutex
	store *server.BoltStore
	hs    *http.Server
	done  chan struct{}
}

func newTkServer(t *testing.T) *tkServer {
	s := &tkServer{t: t, dir: t.TempDir(), addr: "127.0.0.1:0"}
	s.start()
	t.Cleanup(s.stop)
	for _, iin := range []string{tkInitiator, tkStaffIIN} {
		if _, err := server.CreateAccount(s.store, server.NewAccount{IIN: iin, FullName: "Person " + iin, Kind: api.KindUNIS}, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if err := server.SetRoles(s.store, tkStaffIIN, []string{api.RoleLine1}); err != nil {
		t.Fatal(err)
	}
	return s
}

func (s *tkServer) start() {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := server.OpenBolt(s.dir)
	if err != nil {
		s.t.Fatal(err)
	}
	srv, err := server.New(server.Config{Store: st, Verifier: tkRefuse{}})
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

func (s *tkServer) stop() {
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

func (s *tkServer) url() string { return "http://" + s.addr }

func (s *tkServer) session(iin string) string {
	s.t.Helper()
	tok, err := server.IssueSession(s.store, iin, time.Now(), time.Hour)
	if err != nil {
		s.t.Fatal(err)
	}
	return tok
}

func (s *tkServer) tickets() []*server.TicketRecord {
	s.t.Helper()
	recs, err := s.store.TicketRecs(func(*server.TicketRecord) bool { return true })
	if err != nil {
		s.t.Fatal(err)
	}
	return recs
}

func tkCache(t *testing.T) *cache.Store {
	st, err := cache.Open(filepath.Join(t.TempDir(), "kense.db"), cache.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func tkTicket() servicedesk.Ticket {
	return servicedesk.Ticket{
		Brief: "Не формируется выписка", Nature: "Кнопка «Сформировать» не отвечает",
		Contact: servicedesk.Contact{Name: "Айгерим Сапарова", Email: "a.saparova@example.kz"},
		Type:    4, Level: servicedesk.Urgent, IncidentAt: time.Now().Add(-time.Hour).Truncate(time.Second),
	}
}

func tkFast() Options {
	return Options{Timeout: 2 * time.Second, RetryWait: 10 * time.Millisecond, RetryMaxWait: 20 * time.Millisecond}
}

// Filed with the server down, the ticket waits in the cache; it gets its
// number at the first sync, and neither a second sync after a server
// restart nor a double submit makes a second ticket.
func TestTicketOfflineFilingExactlyOnce(t *testing.T) {
	srv := newTkServer(t)
	tok := srv.session(tkInitiator)
	url := srv.url()
	srv.stop()

	st := tkCache(t)
	e, err := st.FileTicket("", tkTicket()) // before any sign-in
	if err != nil {
		t.Fatal(err)
	}
	c := New(url, tkFast())
	c.SetToken(tok)
	ctx := context.Background()
	if _, err := SyncTickets(ctx, c, st, tkInitiator); !IsOffline(err) {
		t.Fatalf("sync while the server is down: %v", err)
	}
	if got, _ := st.GetTicket(e.Ticket.ID); got.State != cache.TicketOutbox || got.Ticket.Number != "" {
		t.Fatalf("after a failed sync: %+v", got)
	}

	srv.start()
	rep, err := SyncTickets(ctx, c, st, tkInitiator)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Filed != 1 || rep.Replayed != 0 || len(rep.Receipts) != 1 || rep.Pulled != 1 {
		t.Fatalf("first sync: %+v", rep)
	}
	number := rep.Receipts[0].Number
	got, _ := st.GetTicket(e.Ticket.ID)
	if got.State != cache.TicketRegistered || got.Ticket.Number != number || got.Account != tkInitiator {
		t.Fatalf("registered entry: %+v", got)
	}
	if _, ok, _ := st.TicketCalendar(); !ok {
		t.Fatal("calendar not cached")
	}

	srv.stop()
	srv.start()
	rep, err = SyncTickets(ctx, c, st, tkInitiator)
	if err != nil || rep.Filed != 0 || rep.Pulled != 1 {
		t.Fatalf("second sync after restart: %+v %v", rep, err)
	}
	// A double submit of the outbox entry (the app's button pressed twice,
	// or a sync that crashed before recording the answer).
	for range 2 {
		rc, err := c.FileTicket(ctx, &e.Ticket, e.Key)
		if err != nil || !rc.Replayed || rc.Number != number {
			t.Fatalf("double submit: %+v %v", rc, err)
		}
	}
	if n := len(srv.tickets()); n != 1 {
		t.Fatalf("%d tickets on the server, want 1", n)
	}
}

// dropFirstTicketAnswer lets the server register a ticket but cuts the
// connection before the answer reaches the client: the client's retry
// (under the same Idempotency-Key) must get the same ticket.
func dropFirstTicketAnswer(h http.Handler, dropped *atomic.Int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == api.PathTickets && dropped.Add(1) == 1 {
			h.ServeHTTP(discard{}, r)
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		h.ServeHTTP(w, r)
	})
}

type discard struct{}

func (discard) Header() http.Header         { return http.Header{} }
func (discard) Write(b []byte) (int, error) { return len(b), nil }
func (discard) WriteHeader(int)             {}

func TestTicketLostAnswerRetried(t *testing.T) {
	srv := newTkServer(t)
	var dropped atomic.Int64
	srv.wrap = func(h http.Handler) http.Handler { return dropFirstTicketAnswer(h, &dropped) }
	srv.stop()
	srv.start()
	st := tkCache(t)
	if _, err := st.FileTicket(tkInitiator, tkTicket()); err != nil {
		t.Fatal(err)
	}
	c := New(srv.url(), tkFast())
	c.SetToken(srv.session(tkInitiator))
	rep, err := SyncTickets(context.Background(), c, st, tkInitiator)
	if err != nil {
		t.Fatal(err)
	}
	if dropped.Load() < 2 || rep.Filed != 1 || rep.Replayed != 1 {
		t.Fatalf("sends %d, report %+v", dropped.Load(), rep)
	}
	if n := len(srv.tickets()); n != 1 {
		t.Fatalf("%d tickets on the server, want 1", n)
	}
}

// Staff work the queue; the initiator sees each change after a sync, and
// the clock stands still while the ticket waits for the initiator.
func TestTicketStaffChangesReachInitiator(t *testing.T) {
	srv := newTkServer(t)
	ctx := context.Background()
	st := tkCache(t)
	e, err := st.FileTicket(tkInitiator, tkTicket())
	if err != nil {
		t.Fatal(err)
	}
	user := New(srv.url(), tkFast())
	user.SetToken(srv.session(tkInitiator))
	if _, err := SyncTickets(ctx, user, st, tkInitiator); err != nil {
		t.Fatal(err)
	}
	staff := New(srv.url(), tkFast())
	staff.SetToken(srv.session(tkStaffIIN))
	q, err := staff.Tickets(ctx)
	if err != nil || !q.Staff || len(q.Tickets) != 1 {
		t.Fatalf("queue: %+v %v", q, err)
	}
	id := e.Ticket.ID
	if _, err := staff.PatchTicket(ctx, id, api.TicketPatch{Action: api.ActionTake}); err != nil {
		t.Fatal(err)
	}
	v, err := staff.PatchTicket(ctx, id, api.TicketPatch{Action: api.ActionStatus, Status: servicedesk.StatusWaiting, Text: "Уточните номер выписки"})
	if err != nil || !v.Clock.Paused {
		t.Fatalf("waiting: %+v %v", v, err)
	}
	// Another initiator's session would not see it; the initiator's
	// comment is not a staff action.
	if _, err := user.PatchTicket(ctx, id, api.TicketPatch{Action: api.ActionTake}); !errors.Is(err, &APIError{Code: api.CodeForbidden}) {
		t.Fatalf("initiator takes: %v", err)
	}
	if _, err := SyncTickets(ctx, user, st, tkInitiator); err != nil {
		t.Fatal(err)
	}
	got, _ := st.GetTicket(id)
	if got.Ticket.Status != servicedesk.StatusWaiting || len(got.Ticket.History) != 3 {
		t.Fatalf("initiator's copy: %+v", got.Ticket)
	}
	cal := TicketCalendarOr(st, time.Now())
	c1, err := got.Ticket.Clock(cal, time.Now())
	if err != nil || !c1.Paused {
		t.Fatalf("clock: %+v %v", c1, err)
	}
	c2, _ := got.Ticket.Clock(cal, time.Now().Add(72*time.Hour))
	if c2.Remaining != c1.Remaining || !c2.Deadline.After(c1.Deadline) {
		t.Fatalf("paused clock moved: remaining %v → %v, deadline %v → %v", c1.Remaining, c2.Remaining, c1.Deadline, c2.Deadline)
	}
	if _, err := user.PatchTicket(ctx, id, api.TicketPatch{Action: api.ActionAnswer, Text: "Номер 12345"}); err != nil {
		t.Fatal(err)
	}
	if _, err := SyncTickets(ctx, user, st, tkInitiator); err != nil {
		t.Fatal(err)
	}
	got, _ = st.GetTicket(id)
	if got.Ticket.Status != servicedesk.StatusInAnalysis || len(got.Ticket.Comments) != 1 {
		t.Fatalf("after the answer: %+v", got.Ticket)
	}
}

// A ticket the server refuses leaves the outbox with the reason and is not
// sent again.
func TestTicketRefusedLeavesOutbox(t *testing.T) {
	srv := newTkServer(t)
	st := tkCache(t)
	bad := tkTicket()
	bad.Type, bad.Level = 5, servicedesk.Critical // type 5 is urgent only
	e, err := st.FileTicket(tkInitiator, bad)
	if err != nil {
		t.Fatal(err)
	}
	c := New(srv.url(), tkFast())
	c.SetToken(srv.session(tkInitiator))
	rep, err := SyncTickets(context.Background(), c, st, tkInitiator)
	if err != nil || rep.Refused != 1 || rep.Filed != 0 {
		t.Fatalf("%+v %v", rep, err)
	}
	got, _ := st.GetTicket(e.Ticket.ID)
	if got.State != cache.TicketRefused || got.Refusal == "" {
		t.Fatalf("%+v", got)
	}
	if out, _ := st.TicketOutboxFor(tkInitiator); len(out) != 0 {
		t.Fatalf("still in the outbox: %d", len(out))
	}
}

// A screenshot filed offline with the ticket is uploaded after it is
// registered, and leaves the cache once the server has it.
func TestTicketFilesUploaded(t *testing.T) {
	srv := newTkServer(t)
	st := tkCache(t)
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 7, 7))); err != nil {
		t.Fatal(err)
	}
	shot := b.Bytes()
	a, err := servicedesk.NewAttachment("screen.png", shot)
	if err != nil {
		t.Fatal(err)
	}
	tk := tkTicket()
	tk.Attachments = []servicedesk.Attachment{a}
	if _, err := st.FileTicket(tkInitiator, tk, []byte("not listed")); err == nil {
		t.Fatal("a file the ticket does not describe was queued")
	}
	e, err := st.FileTicket(tkInitiator, tk, shot)
	if err != nil {
		t.Fatal(err)
	}
	user := New(srv.url(), tkFast())
	user.SetToken(srv.session(tkInitiator))
	rep, err := SyncTickets(context.Background(), user, st, tkInitiator)
	if err != nil || rep.Filed != 1 || rep.Files != 1 {
		t.Fatalf("%+v %v", rep, err)
	}
	if _, err := st.TicketFileData(e.Ticket.ID, a.SHA256); !errors.Is(err, cache.ErrNotFound) {
		t.Fatalf("bytes still cached: %v", err)
	}
	if got, _ := st.GetTicket(e.Ticket.ID); len(got.PendingFiles) != 0 {
		t.Fatalf("pending %v", got.PendingFiles)
	}
	staff := New(srv.url(), tkFast())
	staff.SetToken(srv.session(tkStaffIIN))
	data, err := staff.TicketFile(context.Background(), e.Ticket.ID, a.SHA256)
	if err != nil || !bytes.Equal(data, shot) {
		t.Fatalf("download: %d bytes, %v", len(data), err)
	}
	if rep, err := SyncTickets(context.Background(), user, st, tkInitiator); err != nil || rep.Files != 0 {
		t.Fatalf("second sync: %+v %v", rep, err)
	}
}

// A server that answers a file with more than any supporting file can be
// is cut off: the client does not read 64 MiB for a 10 MiB file.
func TestTicketFileTooLarge(t *testing.T) {
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/pdf")
		chunk := bytes.Repeat([]byte{'x'}, 1<<20)
		for range servicedesk.MaxAttachmentSize>>20 + 2 {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	t.Cleanup(hs.Close)
	c := New(hs.URL, Options{Retries: -1})
	if data, err := c.TicketFile(context.Background(), "t1", "abc"); err == nil {
		t.Fatalf("read %d bytes, want an error", len(data))
	}
}

// PutCalendar: a calendar with problems is not sent; an initiator is
// refused with the server's 403 as an *APIError; staff store it, and the
// next GET serves it.
func TestPutCalendar(t *testing.T) {
	srv := newTkServer(t)
	var puts atomic.Int64
	srv.wrap = func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPut && r.URL.Path == api.PathCalendar {
				puts.Add(1)
			}
			h.ServeHTTP(w, r)
		})
	}
	srv.stop()
	srv.start()
	ctx := context.Background()
	user, staff := New(srv.url(), tkFast()), New(srv.url(), tkFast())
	user.SetToken(srv.session(tkInitiator))
	staff.SetToken(srv.session(tkStaffIIN))
	before, err := staff.Calendar(ctx)
	if err != nil {
		t.Fatal(err)
	}
	holiday := servicedesk.Date{Year: 2026, Month: time.November, Day: 23}
	mine := before
	mine.Holidays = append(append([]servicedesk.Date(nil), before.Holidays...), holiday)

	bad := mine
	bad.MovedWorkdays = []servicedesk.Date{holiday}
	var ps servicedesk.Problems
	if err := staff.PutCalendar(ctx, bad, before.Version()); !errors.As(err, &ps) || len(ps) != 1 || ps[0].Key != "sd.err.calendarTwice" || puts.Load() != 0 {
		t.Fatalf("a day in two lists: %v, %d sent", err, puts.Load())
	}
	var ae *APIError
	if err := user.PutCalendar(ctx, mine, before.Version()); !errors.As(err, &ae) || ae.Status != http.StatusForbidden || ae.Code != api.CodeForbidden {
		t.Fatalf("an initiator puts the calendar: %v", err)
	}
	if got, err := user.Calendar(ctx); err != nil || len(got.Holidays) != len(before.Holidays) {
		t.Fatalf("after the refusal: %d holidays, %v", len(got.Holidays), err)
	}
	if err := staff.PutCalendar(ctx, mine, before.Version()); err != nil {
		t.Fatal(err)
	}
	got, err := user.Calendar(ctx)
	if err != nil || len(got.Holidays) != len(mine.Holidays) || got.Holidays[len(got.Holidays)-1] != holiday {
		t.Fatalf("the stored calendar: %v %v", got.Holidays, err)
	}
	// The same save again (a retry whose answer was lost) is no conflict.
	if err := staff.PutCalendar(ctx, mine, before.Version()); err != nil {
		t.Fatalf("the same calendar again: %v", err)
	}
	// A second editor who started from the old calendar is refused, and
	// the first editor's save stands.
	other := before
	other.MovedDaysOff = append(append([]servicedesk.Date(nil), before.MovedDaysOff...), servicedesk.Date{Year: 2026, Month: time.December, Day: 31})
	if err := staff.PutCalendar(ctx, other, before.Version()); !errors.As(err, &ae) || ae.Status != http.StatusPreconditionFailed || ae.Code != api.CodeConflict {
		t.Fatalf("a save over a newer calendar: %v", err)
	}
	if got, err := user.Calendar(ctx); err != nil || got.Version() != mine.Version() {
		t.Fatalf("after the refused save: %v %v", got, err)
	}
	// Made again on the current calendar, it goes through.
	if err := staff.PutCalendar(ctx, other, mine.Version()); err != nil {
		t.Fatalf("the redone save: %v", err)
	}
	if got, err := user.Calendar(ctx); err != nil || got.Version() != other.Version() {
		t.Fatalf("the redone save was not stored: %v", err)
	}
}

// Version ignores the order of the days and tells different calendars apart.
func TestCalendarVersion(t *testing.T) {
	a := servicedesk.Date{Year: 2026, Month: time.March, Day: 8}
	b := servicedesk.Date{Year: 2026, Month: time.March, Day: 9}
	x := servicedesk.Calendar{Holidays: []servicedesk.Date{a, b}}
	y := servicedesk.Calendar{Holidays: []servicedesk.Date{b, a}, MovedWorkdays: []servicedesk.Date{}}
	if x.Version() != y.Version() {
		t.Error("the same days in another order have another version")
	}
	for _, z := range []servicedesk.Calendar{
		{Holidays: []servicedesk.Date{a}},
		{Holidays: []servicedesk.Date{a}, MovedDaysOff: []servicedesk.Date{b}},
		{MovedWorkdays: []servicedesk.Date{a, b}},
	} {
		if z.Version() == x.Version() {
			t.Errorf("%+v has the version of %+v", z, x)
		}
	}
}
