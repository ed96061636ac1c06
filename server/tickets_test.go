package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"kense/api"
	"kense/servicedesk"
)

const (
	tkUser  = "780312450016"
	tkOther = "901120300033"
	tkStaff = "850505400028"
)

type tkClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *tkClock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *tkClock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }
func almaty(s string) time.Time {
	t, _ := time.ParseInLocation("2006-01-02 15:04", s, servicedesk.Location)
	return t
}
func (e *tkEnv) url(p string) string   { return e.hs.URL + p }
func (e *tkEnv) tok(iin string) string { return e.tokens[iin] }
func (e *tkEnv) at(s string) {
	e.clock.set(almaty(s))
	// Sessions end after 30 idle minutes: the clock jumps days.
	for iin := range e.tokens {
		tok, err := IssueSession(e.store, iin, e.clock.now(), 0)
		if err != nil {
			e.t.Fatal(err)
		}
		e.tokens[iin] = tok
	}
}
func tkJSON(t testing.TB, v any) io.Reader { b, _ := json.Marshal(v); return bytes.NewReader(b) }

// tkEnv is a real kense-server on 127.0.0.1 over a bbolt file; sessions
// are issued through the store (IssueSession), as the sync tests do.
type tkEnv struct {
	t      *testing.T
	hs     *httptest.Server
	store  *BoltStore
	clock  *tkClock
	tokens map[string]string
}

func newTkEnv(t *testing.T) *tkEnv {
	t.Helper()
	st, err := OpenBolt(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clock := &tkClock{t: almaty("2026-11-20 17:00")} // a Friday
	srv, err := New(Config{Store: st, Verifier: refuseAll{}, Now: clock.now})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	e := &tkEnv{t: t, hs: hs, store: st, clock: clock, tokens: map[string]string{}}
	for _, iin := range []string{tkUser, tkOther, tkStaff} {
		if _, err := CreateAccount(st, NewAccount{IIN: iin, FullName: "Person " + iin, Kind: api.KindUNIS}, clock.now()); err != nil {
			t.Fatal(err)
		}
		tok, err := IssueSession(st, iin, clock.now(), 0)
		if err != nil {
			t.Fatal(err)
		}
		e.tokens[iin] = tok
	}
	if err := SetRoles(st, tkStaff, []string{api.RoleLine1, api.RoleLine2}); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *tkEnv) req(method, path, iin string, body io.Reader, hdr ...string) (int, []byte) {
	e.t.Helper()
	r, err := http.NewRequest(method, e.url(path), body)
	if err != nil {
		e.t.Fatal(err)
	}
	if iin != "" {
		r.Header.Set("Authorization", "Bearer "+e.tok(iin))
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func decodeAs[T any](t testing.TB, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return v
}

func newTicket(id string, typ servicedesk.RequestType, lv servicedesk.Level) servicedesk.Ticket {
	return servicedesk.Ticket{
		ID: id, Brief: "Не открывается карточка объекта", Nature: "Ошибка 500 при открытии",
		Contact: servicedesk.Contact{Name: "Асель Нурланова", Phone: "+7 701 123 45 67"},
		Type:    typ, Level: lv, PropertyID: "20-311-001-123",
	}
}

func (e *tkEnv) file(iin string, tk servicedesk.Ticket, key string) (int, api.TicketReceipt) {
	e.t.Helper()
	var hdr []string
	if key != "" {
		hdr = []string{"Idempotency-Key", key}
	}
	st, b := e.req("POST", api.PathTickets, iin, tkJSON(e.t, tk), hdr...)
	if st != http.StatusCreated && st != http.StatusOK {
		return st, api.TicketReceipt{}
	}
	return st, decodeAs[api.TicketReceipt](e.t, b)
}

func (e *tkEnv) patch(iin, id string, p api.TicketPatch) (int, []byte) {
	return e.req("PATCH", api.PathTicket+id, iin, tkJSON(e.t, p))
}

func TestTicketFileRegistersOnce(t *testing.T) {
	e := newTkEnv(t)
	// Type 1 urgent is 16 working hours: filed Friday 17:00, due
	// Tuesday 11:30 (the issue's example).
	tk := newTicket("t-one", 1, servicedesk.Urgent)
	st, rc := e.file(tkUser, tk, "key-1")
	if st != http.StatusCreated {
		t.Fatalf("file: %d", st)
	}
	if rc.Number != "SD-2026-000001" || rc.Level != servicedesk.Urgent || rc.Line != 1 || rc.Replayed {
		t.Fatalf("receipt %+v", rc)
	}
	if want := almaty("2026-11-24 11:30"); !rc.Deadline.Equal(want) {
		t.Fatalf("deadline %v, want %v", rc.Deadline, want)
	}
	if !rc.RegisteredAt.Equal(almaty("2026-11-20 17:00")) || rc.FirstResponseMinMinutes != 30 || rc.FirstResponseMaxMinutes != 120 {
		t.Fatalf("receipt %+v", rc)
	}
	if _, off := rc.RegisteredAt.Zone(); off != 5*3600 {
		t.Fatalf("registered at %v: not Almaty time", rc.RegisteredAt)
	}
	// The same submit again (double click, lost answer): the same ticket.
	for _, key := range []string{"key-1", "key-2", ""} {
		st, again := e.file(tkUser, tk, key)
		if st != http.StatusOK || !again.Replayed || again.Number != rc.Number {
			t.Fatalf("repeat with key %q: %d %+v", key, st, again)
		}
	}
	// Concurrent double submit of a new ticket: one number.
	tk2 := newTicket("t-two", 3, servicedesk.Urgent)
	var wg sync.WaitGroup
	nums := make([]string, 8)
	for i := range nums {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, r := e.file(tkUser, tk2, "key-two")
			nums[i] = r.Number
		}()
	}
	wg.Wait()
	for _, n := range nums {
		if n != "SD-2026-000002" {
			t.Fatalf("concurrent submits: %v", nums)
		}
	}
	// The same key for another ticket, the same id with other content,
	// the id of someone else's ticket: refused.
	other := newTicket("t-three", 3, servicedesk.Urgent)
	if st, b := e.req("POST", api.PathTickets, tkUser, tkJSON(t, other), "Idempotency-Key", "key-1"); st != http.StatusConflict || !strings.Contains(string(b), api.CodeIdempotencyReused) {
		t.Fatalf("key reused: %d %s", st, b)
	}
	changed := tk
	changed.Brief = "другое"
	if st, _ := e.file(tkUser, changed, ""); st != http.StatusConflict {
		t.Fatalf("id reused: %d", st)
	}
	if st, _ := e.file(tkOther, tk, ""); st != http.StatusConflict {
		t.Fatalf("id of another's ticket: %d", st)
	}
	recs, _ := e.store.TicketRecs(func(*TicketRecord) bool { return true })
	if len(recs) != 2 {
		t.Fatalf("%d tickets stored, want 2", len(recs))
	}
	// Numbers restart with the year.
	e.at("2027-01-05 10:00")
	if _, r := e.file(tkOther, newTicket("t-next-year", 2, servicedesk.Pressing), ""); r.Number != "SD-2027-000001" {
		t.Fatalf("next year: %q", r.Number)
	}
}

func TestTicketFileRefusesInvalid(t *testing.T) {
	e := newTkEnv(t)
	cases := map[string]func(*servicedesk.Ticket){
		"type 5 is urgent only": func(t *servicedesk.Ticket) { t.Type, t.Level = 5, servicedesk.Critical },
		"type 6 no pressing":    func(t *servicedesk.Ticket) { t.Type, t.Level = 6, servicedesk.Pressing },
		"no brief":              func(t *servicedesk.Ticket) { t.Brief = " " },
		"numbered by client":    func(t *servicedesk.Ticket) { t.Number = "SD-1" },
		"no contact":            func(t *servicedesk.Ticket) { t.Contact.Phone = "" },
		"future incident":       func(t *servicedesk.Ticket) { t.IncidentAt = almaty("2026-12-01 10:00") },
	}
	for name, f := range cases {
		tk := newTicket("bad", 1, servicedesk.Critical)
		f(&tk)
		st, b := e.req("POST", api.PathTickets, tkUser, tkJSON(t, tk))
		if st != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d %s", name, st, b)
			continue
		}
		if te := decodeAs[api.TicketError](t, b); te.Code != api.CodeInvalidTicket || len(te.Problems) == 0 {
			t.Errorf("%s: %s", name, b)
		}
	}
	for name, body := range map[string]string{
		"unknown field": `{"id":"x","brief":"b","nature":"n","contact":{"name":"a","phone":"1414"},"type":1,"level":"critical","extra":1}`,
		"trailing":      `{"id":"x"} {}`,
		"not json":      `<ticket/>`,
	} {
		if st, _ := e.req("POST", api.PathTickets, tkUser, strings.NewReader(body)); st != http.StatusBadRequest {
			t.Errorf("%s: %d", name, st)
		}
	}
	if st, _ := e.req("POST", api.PathTickets, "", tkJSON(t, newTicket("a", 1, servicedesk.Critical))); st != http.StatusUnauthorized {
		t.Errorf("no session: %d", st)
	}
	big := newTicket("big", 1, servicedesk.Critical)
	big.Nature = strings.Repeat("x", api.MaxTicketBody)
	if st, _ := e.req("POST", api.PathTickets, tkUser, tkJSON(t, big)); st != http.StatusRequestEntityTooLarge {
		t.Errorf("too large: %d", st)
	}
	if st, _ := e.req("POST", api.PathTickets, tkUser, tkJSON(t, newTicket("k", 1, servicedesk.Critical)), "Idempotency-Key", "bad key!"); st != http.StatusBadRequest {
		t.Errorf("bad key: %d", st)
	}
}

func TestTicketWorkflow(t *testing.T) {
	e := newTkEnv(t)
	_, rc := e.file(tkUser, newTicket("flow", 1, servicedesk.Urgent), "")
	_, _ = e.file(tkOther, newTicket("others", 2, servicedesk.Urgent), "")

	// Initiators see their own; staff the queue.
	l := decodeAs[api.TicketList](t, must2(e.req("GET", api.PathTickets, tkUser, nil)))
	if len(l.Tickets) != 1 || l.Tickets[0].Ticket.ID != "flow" || l.Staff {
		t.Fatalf("own list: %+v", l)
	}
	l = decodeAs[api.TicketList](t, must2(e.req("GET", api.PathTickets, tkStaff, nil)))
	if len(l.Tickets) != 2 || !l.Staff || len(l.Roles) != 2 {
		t.Fatalf("queue: %+v", l)
	}
	// Another initiator can neither read nor touch it.
	if st, _ := e.req("GET", api.PathTicket+"flow", tkOther, nil); st != http.StatusNotFound {
		t.Fatalf("other reads: %d", st)
	}
	if st, _ := e.patch(tkOther, "flow", api.TicketPatch{Action: api.ActionComment, Text: "x"}); st != http.StatusNotFound {
		t.Fatalf("other comments: %d", st)
	}
	// The initiator cannot work it.
	if st, _ := e.patch(tkUser, "flow", api.TicketPatch{Action: api.ActionTake}); st != http.StatusForbidden {
		t.Fatalf("initiator takes: %d", st)
	}
	e.at("2026-11-23 09:30") // Monday
	if st, b := e.patch(tkStaff, "flow", api.TicketPatch{Action: api.ActionTake}); st != http.StatusOK {
		t.Fatalf("take: %d %s", st, b)
	}
	if st, _ := e.patch(tkStaff, "flow", api.TicketPatch{Action: api.ActionTake}); st != http.StatusConflict {
		t.Fatalf("take twice: %d", st)
	}
	e.at("2026-11-23 10:00")
	st, b := e.patch(tkStaff, "flow", api.TicketPatch{Action: api.ActionStatus, Status: servicedesk.StatusWaiting, Text: "Пришлите скриншот"})
	if st != http.StatusOK {
		t.Fatalf("wait: %d %s", st, b)
	}
	v := decodeAs[api.TicketView](t, b)
	// Used: Friday 1.5 h, Saturday 4 h, Monday 1 h.
	if !v.Clock.Paused || v.Clock.RemainingMinutes != 16*60-390 {
		t.Fatalf("waiting clock %+v", v.Clock)
	}
	// A whole working day waiting: the deadline (Tuesday 11:30 unpaused)
	// moves by as much, to Wednesday 11:30.
	e.at("2026-11-24 10:00")
	v = decodeAs[api.TicketView](t, must2(e.req("GET", api.PathTicket+"flow", tkUser, nil)))
	if v.Clock.RemainingMinutes != 16*60-390 || !v.Clock.Deadline.After(rc.Deadline) {
		t.Fatalf("paused clock %+v (filed deadline %v)", v.Clock, rc.Deadline)
	}
	if want := almaty("2026-11-25 11:30"); !v.Clock.Deadline.Equal(want) {
		t.Fatalf("deadline while waiting %v, want %v", v.Clock.Deadline, want)
	}
	// Staff cannot answer for the initiator; the initiator answers.
	if st, _ := e.patch(tkStaff, "flow", api.TicketPatch{Action: api.ActionAnswer, Text: "x"}); st != http.StatusForbidden {
		t.Fatalf("staff answers: %d", st)
	}
	st, b = e.patch(tkUser, "flow", api.TicketPatch{Action: api.ActionAnswer, Text: "Скриншот приложен"})
	if st != http.StatusOK {
		t.Fatalf("answer: %d %s", st, b)
	}
	v = decodeAs[api.TicketView](t, b)
	if v.Ticket.Status != servicedesk.StatusInAnalysis || v.Clock.Paused || len(v.Ticket.Comments) != 1 {
		t.Fatalf("after answer: %+v", v.Ticket)
	}
	if st, _ := e.patch(tkUser, "flow", api.TicketPatch{Action: api.ActionAnswer}); st != http.StatusConflict {
		t.Fatalf("answer when not waiting: %d", st)
	}
	// Escalation to line 2 and 3: this staff member holds lines 1 and 2.
	if st, _ := e.patch(tkStaff, "flow", api.TicketPatch{Action: api.ActionEscalate, Text: "нужен разработчик"}); st != http.StatusOK {
		t.Fatalf("escalate: %d", st)
	}
	if st, _ := e.patch(tkStaff, "flow", api.TicketPatch{Action: api.ActionEscalate}); st != http.StatusOK {
		t.Fatalf("escalate to 3: %d", st)
	}
	if st, _ := e.patch(tkStaff, "flow", api.TicketPatch{Action: api.ActionStatus, Status: servicedesk.StatusResolved}); st != http.StatusForbidden {
		t.Fatalf("line 3 work without line 3: %d", st)
	}
	if st, _ := e.patch(tkStaff, "flow", api.TicketPatch{Action: api.ActionComment, Text: "передано"}); st != http.StatusOK {
		t.Fatalf("staff comment: %d", st)
	}
	for name, p := range map[string]api.TicketPatch{
		"unknown action": {Action: "delete"},
		"empty comment":  {Action: api.ActionComment},
	} {
		if st, _ := e.patch(tkUser, "flow", p); st != http.StatusBadRequest {
			t.Errorf("%s: %d", name, st)
		}
	}
	if st, _ := e.req("PATCH", api.PathTicket+"flow", tkUser, strings.NewReader(`{"action":"comment","x":1}`)); st != http.StatusBadRequest {
		t.Errorf("unknown field: %d", st)
	}
	// The initiator sees every change.
	v = decodeAs[api.TicketView](t, must2(e.req("GET", api.PathTicket+"flow", tkUser, nil)))
	if v.Ticket.Line != 3 || len(v.Ticket.History) != 6 || len(v.Ticket.Comments) != 2 {
		t.Fatalf("initiator's view: line %d, %d changes, %d comments", v.Ticket.Line, len(v.Ticket.History), len(v.Ticket.Comments))
	}
	if ps := v.Ticket.Validate(e.clock.now()); len(ps) > 0 {
		t.Fatalf("stored ticket invalid: %v", ps)
	}
}

func must2(st int, b []byte) []byte {
	if st != http.StatusOK {
		panic(fmt.Sprintf("status %d: %s", st, b))
	}
	return b
}

func TestCalendarEndpoint(t *testing.T) {
	e := newTkEnv(t)
	cal := decodeAs[servicedesk.Calendar](t, must2(e.req("GET", api.PathCalendar, tkUser, nil)))
	def := servicedesk.DefaultCalendar(2026, 2027)
	if len(cal.Holidays) != len(def.Holidays) || len(cal.Holidays) == 0 {
		t.Fatalf("default calendar: %d holidays, want %d", len(cal.Holidays), len(def.Holidays))
	}
	// A moved day off on Monday 23 November 2026 moves the issue's
	// example deadline a working day on.
	mine := def
	mine.MovedDaysOff = append(append([]servicedesk.Date(nil), def.MovedDaysOff...), servicedesk.Date{Year: 2026, Month: 11, Day: 23})
	if st, _ := e.req("PUT", api.PathCalendar, tkUser, tkJSON(t, mine)); st != http.StatusForbidden {
		t.Fatalf("initiator puts the calendar: %d", st)
	}
	if st, b := e.req("PUT", api.PathCalendar, tkStaff, tkJSON(t, mine)); st != http.StatusOK {
		t.Fatalf("staff puts: %d %s", st, b)
	}
	bad := mine
	bad.Holidays = append(append([]servicedesk.Date(nil), mine.Holidays...), servicedesk.Date{Year: 2026, Month: 11, Day: 23})
	if st, _ := e.req("PUT", api.PathCalendar, tkStaff, tkJSON(t, bad)); st != http.StatusBadRequest {
		t.Fatalf("day listed twice: %d", st)
	}
	if st, _ := e.req("PUT", api.PathCalendar, tkStaff, strings.NewReader(`{"holidays":[],"x":1}`)); st != http.StatusBadRequest {
		t.Fatalf("unknown field: %d", st)
	}
	got := decodeAs[servicedesk.Calendar](t, must2(e.req("GET", api.PathCalendar, tkOther, nil)))
	if len(got.MovedDaysOff) != len(mine.MovedDaysOff) {
		t.Fatalf("stored calendar not served: %+v", got.MovedDaysOff)
	}
	_, rc := e.file(tkUser, newTicket("cal", 1, servicedesk.Urgent), "")
	if want := almaty("2026-11-25 11:30"); !rc.Deadline.Equal(want) {
		t.Fatalf("deadline with the moved day off %v, want %v", rc.Deadline, want)
	}
}

func FuzzDecodeTicket(f *testing.F) {
	b, _ := json.Marshal(newTicket("seed", 1, servicedesk.Critical))
	f.Add(b)
	f.Add([]byte(`{"id":"x","attachments":[{"name":"a.png","contentType":"image/png","size":1,"sha256":"00"}],"incidentAt":"2026-01-01T00:00:00+05:00"}`))
	f.Add([]byte(`{"id":"x"}{}`))
	f.Add([]byte(`{"history":[{"at":"bad"}]}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		tk, err := DecodeTicket(data)
		if err != nil {
			return
		}
		_ = tk.ValidateNew(time.Now())
		_ = TicketHash(tk)
	})
}

func FuzzDecodeTicketPatch(f *testing.F) {
	f.Add([]byte(`{"action":"status","status":"resolved","text":"done"}`))
	f.Add([]byte(`{"action":"answer"}`))
	f.Add([]byte(`{"action":1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := DecodeTicketPatch(data)
		if err != nil {
			return
		}
		rec := &TicketRecord{Owner: tkUser, Ticket: newTicket("f", 1, servicedesk.Critical)}
		_ = rec.Ticket.Register("SD-2026-000001", almaty("2026-11-20 17:00"))
		staff := &Account{IIN: tkStaff, FullName: "S", Roles: []string{api.RoleLine1}}
		owner := &Account{IIN: tkUser, FullName: "U"}
		for _, a := range []*Account{staff, owner} {
			if ApplyTicketPatch(rec, a, p, almaty("2026-11-23 10:00")) == nil {
				if ps := rec.Ticket.Validate(almaty("2026-11-23 10:00")); len(ps) > 0 {
					t.Fatalf("patch %+v left an invalid ticket: %v", p, ps)
				}
			}
		}
	})
}

func FuzzDecodeCalendar(f *testing.F) {
	b, _ := json.Marshal(servicedesk.DefaultCalendar(2026))
	f.Add(b)
	f.Add([]byte(`{"holidays":["2026-13-01"]}`))
	f.Add([]byte(`{"holidays":["2026-01-01"],"movedDaysOff":["2026-01-01"]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		cal, err := DecodeCalendar(data)
		if err != nil {
			return
		}
		if ps := cal.Validate(); len(ps) > 0 {
			t.Fatalf("accepted an invalid calendar: %v", ps)
		}
	})
}
