package wire

import (
	"bytes"
	"errors"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"kense/api"
	"kense/cache"
	"kense/client"
	"kense/i18n"
	"kense/server"
	"kense/servicedesk"
	"kense/session"
	"kense/session/sessiontest"
	"kense/ui"
)

// switchProxy stands between the app and the demo server; while down it
// answers 503, as a proxy does when the server cannot be reached.
type switchProxy struct {
	down atomic.Bool
	hs   *httptest.Server
}

func newSwitchProxy(t *testing.T, target string) *switchProxy {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &switchProxy{}
	rp := httputil.NewSingleHostReverseProxy(u)
	p.hs = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p.down.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(p.hs.Close)
	return p
}

// TestShellTicketsEndToEnd files a ticket from the app against a real
// demo kense-server while the server cannot be reached: it waits in the
// outbox, is registered once the server is back (the confirmation of rule
// 9 is shown once), the Operator's changes reach the initiator through the
// background sync, the initiator answers from the app, and Operator staff
// work the queue from the app.
func TestShellTicketsEndToEnd(t *testing.T) {
	var store server.Store
	demo := sessiontest.StartWith(t, func(c *server.Config) { store = c.Store })
	ts := store.(server.TicketStore)
	proxy := newSwitchProxy(t, demo.URL())
	test.NewTempApp(t)
	i18n.SetLang(i18n.EN)
	t.Cleanup(func() { i18n.SetLang(i18n.KK) })
	st, err := cache.Open(filepath.Join(t.TempDir(), "kense.db"), cache.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	queue := make(chan func(), 1000)
	pump := func() {
		for {
			select {
			case fn := <-queue:
				fn()
			default:
				return
			}
		}
	}
	w := test.NewTempWindow(t, widget.NewLabel(""))
	w.Resize(fyne.NewSize(1400, 900))
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		for end := time.Now().Add(30 * time.Second); !ok(); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(end) {
				t.Fatalf("timed out waiting for %s; the window says:\n%s", what, allText(w))
			}
			pump()
		}
	}
	sess := session.New(session.Options{})
	cfg := Shell(st, sess, ShellOptions{
		Server:       proxy.hs.URL,
		Base:         ui.Services{TempDir: t.TempDir()},
		SyncInterval: 100 * time.Millisecond,
	})
	cfg.Do = func(fn func()) { queue <- fn }
	sh := ui.NewShell(fyne.CurrentApp(), w, cfg)
	sh.Start()
	t.Cleanup(sh.Close)
	pump()

	var keyPath, keyPass *widget.Entry
	for _, e := range findAll[*widget.Entry](w.Canvas().Content()) {
		switch e.PlaceHolder {
		case i18n.T("signin.keyfile.placeholder"):
			keyPath = e
		case i18n.T("signin.keypass.placeholder"):
			keyPass = e
		}
	}
	keyPath.SetText(demo.Key(sessiontest.KeyNotary))
	test.Type(keyPass, server.DemoKeyPassword)
	test.Tap(button(t, w, i18n.T("signin.keyfile.open")))
	waitFor("the key's facts", func() bool { return strings.Contains(allText(w), "AUTH") || strings.Contains(allText(w), "NOTARY") })
	submit := button(t, w, i18n.T("signin.submit"))
	waitFor("sign-in enabled", func() bool { return !submit.Disabled() })
	test.Tap(submit)
	waitFor("the work screen", func() bool { return sh.App() != nil })
	acct := sess.Account()

	// The server goes away; the user files a ticket from the app.
	proxy.down.Store(true)
	test.Tap(button(t, w, i18n.T("tkui.open")))
	pump()
	test.Tap(button(t, w, i18n.T("tkui.new")))
	pump()
	entry := func(placeholder string) *widget.Entry {
		t.Helper()
		for _, e := range findAll[*widget.Entry](w.Canvas().Content()) {
			if e.PlaceHolder == placeholder {
				return e
			}
		}
		t.Fatalf("no entry %q:\n%s", placeholder, allText(w))
		return nil
	}
	sel := func(placeholder string) *widget.Select {
		t.Helper()
		for _, s := range findAll[*widget.Select](w.Canvas().Content()) {
			if s.PlaceHolder == placeholder {
				return s
			}
		}
		t.Fatalf("no select %q", placeholder)
		return nil
	}
	named := false
	for _, e := range findAll[*widget.Entry](w.Canvas().Content()) {
		named = named || (e.Text == acct.FullName && acct.FullName != "")
	}
	if !named {
		t.Fatalf("the contact is not pre-filled with %q", acct.FullName)
	}
	sel(i18n.T("tkui.type.pick")).SetSelected("2 — " + i18n.T("sd.type.2"))
	sel(i18n.T("tkui.level.pick")).SetSelected(i18n.T("sd.level.critical"))
	test.Type(entry(i18n.T("tkui.brief.placeholder")), "Выписка не формируется")
	test.Type(entry(i18n.T("tkui.nature.placeholder")), "Кнопка «Сформировать» выдаёт ошибку 502.")
	test.Type(entry(i18n.T("tkui.phone.placeholder")), "+7 701 555-12-12")
	test.Tap(button(t, w, i18n.T("tkui.submit")))
	pump()
	es, err := st.Tickets(acct.IIN)
	if err != nil || len(es) != 1 || es[0].State != cache.TicketOutbox {
		t.Fatalf("outbox after filing: %+v %v", es, err)
	}
	id := es[0].Ticket.ID
	waitFor("the failed ticket sync", func() bool {
		return strings.Contains(allText(w), i18n.T("tk.state.outbox")) && strings.Contains(allText(w), "The tickets were not synced")
	})

	// The server is back: the ticket is registered and confirmed, once.
	proxy.down.Store(false)
	test.Tap(button(t, w, i18n.T("tkui.refresh")))
	waitFor("the confirmation", func() bool { return strings.Contains(allText(w), i18n.T("tk.confirm.title")) })
	e, err := st.GetTicket(id)
	if err != nil || e.State != cache.TicketRegistered || !strings.HasPrefix(e.Ticket.Number, "SD-") {
		t.Fatalf("after the sync: %+v %v", e, err)
	}
	if !strings.Contains(allText(w), "No. "+e.Ticket.Number+", registered") {
		t.Fatalf("the confirmation lacks the number:\n%s", allText(w))
	}
	for range 3 { // more rounds register nothing more
		test.Tap(button(t, w, i18n.T("tkui.refresh")))
		time.Sleep(300 * time.Millisecond)
		pump()
	}
	recs, err := ts.TicketRecs(func(*server.TicketRecord) bool { return true })
	if err != nil || len(recs) != 1 {
		t.Fatalf("the server holds %d tickets (%v), want 1", len(recs), err)
	}
	if n := strings.Count(allText(w), i18n.T("tk.confirm.title")); n != 1 {
		t.Fatalf("the confirmation was shown %d times", n)
	}

	// The Operator takes it and asks the initiator; the app shows it.
	op := &server.Account{IIN: "850505400028", FullName: "Оператор Бірінші", Roles: []string{api.RoleLine1}}
	for _, p := range []api.TicketPatch{{Action: api.ActionTake}, {Action: api.ActionStatus, Status: servicedesk.StatusWaiting, Text: "Пришлите скриншот"}} {
		if _, err := ts.UpdateTicket(id, func(r *server.TicketRecord) error { return server.ApplyTicketPatch(r, op, &p, time.Now()) }); err != nil {
			t.Fatal(err)
		}
	}
	waitFor("the Operator's question", func() bool {
		return strings.Contains(allText(w), i18n.T("sd.status.waiting_for_initiator"))
	})
	findAll[*widget.List](w.Canvas().Content())[0].Select(0)
	pump()
	if !strings.Contains(allText(w), "Пришлите скриншот") || !strings.Contains(allText(w), i18n.T("tkui.answer.hint")) {
		t.Fatalf("the detail:\n%s", allText(w))
	}
	test.Type(entry(i18n.T("tkui.text.placeholder")), "Скриншот отправлен на sd_rn@nitec.kz")
	test.Tap(button(t, w, i18n.T("tkui.do.answer")))
	waitFor("the answer on the server", func() bool {
		r, err := ts.TicketRec(id)
		return err == nil && r.Ticket.Status == servicedesk.StatusInAnalysis && len(r.Ticket.Comments) == 1
	})
	waitFor("the answer in the app", func() bool { return strings.Contains(allText(w), i18n.T("tkui.detail.running")) })

	// The account becomes line-1 staff: the queue, and it escalates.
	if err := server.SetRoles(store, acct.IIN, []string{api.RoleLine1}); err != nil {
		t.Fatal(err)
	}
	test.Tap(button(t, w, i18n.T("tkui.refresh")))
	waitFor("the staff actions", func() bool { return windowButton(w, i18n.T("tkui.do.escalate", "line", 2)) != nil })
	test.Tap(button(t, w, i18n.T("tkui.do.escalate", "line", 2)))
	waitFor("the escalation on the server", func() bool {
		r, err := ts.TicketRec(id)
		return err == nil && r.Ticket.Line == 2
	})
	waitFor("line 2 in the app", func() bool { return windowButton(w, i18n.T("tkui.do.escalate", "line", 2)) == nil })
	if recs, _ := ts.TicketRecs(func(*server.TicketRecord) bool { return true }); len(recs) != 1 {
		t.Fatalf("the server holds %d tickets", len(recs))
	}
}

// TestTicketsAdapter: the contact's default, whose tickets are the user's
// own in a staff member's queue, and errors in the user's language.
func TestTicketsAdapter(t *testing.T) {
	i18n.SetLang(i18n.EN)
	t.Cleanup(func() { i18n.SetLang(i18n.KK) })
	st := openStore(t)
	acct := validIIN(t, 1)
	if err := st.Unlock(acct, nil); err != nil {
		t.Fatal(err)
	}
	kicks := 0
	tk := &Tickets{St: st, Account: acct, Name: "Сейткали Айгерим", Kick: func() { kicks++ }}
	if c := tk.Contact(); c != (servicedesk.Contact{Name: "Сейткали Айгерим"}) {
		t.Fatalf("contact before any ticket: %+v", c)
	}
	mine := servicedesk.Ticket{ID: "mine-1", Brief: "Сбой", Nature: "…", Type: 5, Level: servicedesk.Urgent,
		Contact: servicedesk.Contact{Name: "Айгерим С.", Phone: "+7 701 555-12-12", Email: "a@example.kz"}}
	e, err := tk.File(mine, nil)
	if err != nil || e.State != ui.TicketOutbox || !e.Own || kicks != 1 {
		t.Fatalf("filed %+v %v, kicks %d", e, err, kicks)
	}
	if c := tk.Contact(); c.Name != "Сейткали Айгерим" || c.Phone != "+7 701 555-12-12" || c.Email != "a@example.kz" {
		t.Fatalf("contact after a ticket: %+v", c)
	}
	// In a staff member's queue, a ticket pulled from the server is not
	// their own; the one filed here is.
	other := servicedesk.Ticket{ID: "other-1", Brief: "Чужой", Nature: "…", Type: 1, Level: servicedesk.Pressing,
		Contact: servicedesk.Contact{Name: "Кто-то", Phone: "14-14"}}
	if err := other.Register("SD-2026-000009", time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := st.TicketRegistered(acct, other); err != nil {
		t.Fatal(err)
	}
	tk.roles = []string{api.RoleLine1}
	list, err := tk.List()
	if err != nil || len(list) != 2 {
		t.Fatalf("list %+v %v", list, err)
	}
	for _, e := range list {
		if e.Own != (e.Ticket.ID == "mine-1") {
			t.Errorf("%s: own %v", e.Ticket.ID, e.Own)
		}
	}
	// Without a client nothing reaches the server, said plainly.
	if err := tk.SyncRound(t.Context()); err == nil {
		t.Fatal("a sync without a client")
	}
	_, err = tk.Patch("other-1", ui.TicketPatch{Action: ui.TicketTake})
	if err == nil || Message(err) != i18n.T("client.err.offline") {
		t.Fatalf("patch without a client: %v / %q", err, Message(err))
	}
	te := ticketError{&client.APIError{Status: http.StatusConflict, Code: api.CodeTransition}}
	if Message(te) != i18n.T("tkui.err.transition") {
		t.Fatalf("transition: %q", Message(te))
	}
}

// TestTicketFileDataOverDemoServer: a supporting file still in the outbox
// opens from the cache, signed out too; once synced, the initiator (whose
// local copy is gone) and Operator staff get it from a real demo
// kense-server. Bytes that are not the file the ticket lists, from either
// place, never reach the screen, and each failure is said in the user's
// language.
func TestTicketFileDataOverDemoServer(t *testing.T) {
	i18n.SetLang(i18n.EN)
	t.Cleanup(func() { i18n.SetLang(i18n.KK) })
	var store server.Store
	demo := sessiontest.StartWith(t, func(c *server.Config) { store = c.Store })
	sess, st, acct := signedIn(t, demo)
	var online atomic.Bool
	tk := &Tickets{St: st, Account: acct, Client: func() *client.Client {
		if !online.Load() {
			return nil
		}
		return sess.Client()
	}}
	shot := pngOf(t, 5)
	a, err := servicedesk.NewAttachment("screen.png", shot)
	if err != nil {
		t.Fatal(err)
	}
	e, err := tk.File(servicedesk.Ticket{Brief: "Не формируется выписка", Nature: "Кнопка «Сформировать» не отвечает",
		Contact: servicedesk.Contact{Name: "Айгерим Сапарова", Phone: "+7 701 555-12-12"},
		Type:    4, Level: servicedesk.Urgent, Attachments: []servicedesk.Attachment{a}}, [][]byte{shot})
	if err != nil {
		t.Fatal(err)
	}
	id := e.Ticket.ID
	mismatch := i18n.T("tkui.err.fileMismatch", "name", "screen.png")

	// In the outbox: the cache's copy, with no server at all.
	if got, err := tk.FileData(id, a); err != nil || !bytes.Equal(got, shot) {
		t.Fatalf("from the outbox: %d bytes, %v", len(got), err)
	}
	bad := a
	bad.Size++
	if got, err := tk.FileData(id, bad); err == nil || got != nil || msgOf(err) != mismatch {
		t.Fatalf("a copy that is not the file: %d bytes, %v / %q", len(got), err, msgOf(err))
	}

	// Synced: the file is on the server and gone from the cache.
	online.Store(true)
	if err := tk.SyncRound(t.Context()); err != nil {
		t.Fatal(err)
	}
	if e, err := st.GetTicket(id); err != nil || e.State != cache.TicketRegistered {
		t.Fatalf("after the sync: %+v %v", e, err)
	}
	if _, err := st.TicketFileData(id, a.SHA256); !errors.Is(err, cache.ErrNotFound) {
		t.Fatalf("the local copy stayed: %v", err)
	}
	if got, err := tk.FileData(id, a); err != nil || !bytes.Equal(got, shot) {
		t.Fatalf("the initiator from the server: %d bytes, %v", len(got), err)
	}
	online.Store(false)
	if _, err := tk.FileData(id, a); err == nil || msgOf(err) != i18n.T("client.err.offline") {
		t.Fatalf("signed out: %v / %q", err, msgOf(err))
	}

	// Operator staff on another workstation.
	_, staff := lineStaff(t, demo, store, api.RoleLine1)
	if got, err := staff.FileData(id, a); err != nil || !bytes.Equal(got, shot) {
		t.Fatalf("staff from the server: %d bytes, %v", len(got), err)
	}
	// A file the server does not have (yet) is said so.
	later, err := servicedesk.NewAttachment("later.png", pngOf(t, 6))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := staff.FileData(id, later); err == nil || msgOf(err) != i18n.T("tkui.err.fileMissing", "name", "later.png") {
		t.Fatalf("a file not on the server: %v / %q", err, msgOf(err))
	}
	// Bytes on the server that are not the file are refused.
	if err := store.(*server.BoltStore).PutTicketFile(id, a.SHA256, []byte("MZ\x90\x00 not a PNG")); err != nil {
		t.Fatal(err)
	}
	if got, err := staff.FileData(id, a); err == nil || got != nil || msgOf(err) != mismatch {
		t.Fatalf("bytes that are not the file: %d bytes, %v / %q", len(got), err, msgOf(err))
	}
}

// lineStaff is Operator staff on another workstation: notary2 signed in
// to demo, with a cache of its own, holding the line role.
func lineStaff(t *testing.T, demo *sessiontest.Demo, store server.Store, role string) (*session.Session, *Tickets) {
	t.Helper()
	sess, st, acct := signedInWith(t, demo, sessiontest.KeyNotary2)
	if err := server.SetRoles(store, acct, []string{role}); err != nil {
		t.Fatal(err)
	}
	return sess, &Tickets{St: st, Account: acct, Client: sess.Client}
}

// msgOf is Message, "" for no error.
func msgOf(err error) string {
	if err == nil {
		return ""
	}
	return Message(err)
}

func pngOf(t *testing.T, side int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, side, side))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// Staff see their lines from the sign-in on, before the first sync; the
// administrator roles are not ServiceDesk lines.
func TestTicketsRolesFromSignIn(t *testing.T) {
	tk := &Tickets{}
	if tk.staff() || len(tk.Roles()) != 0 {
		t.Fatal("staff before any sign-in")
	}
	tk.SignedInRoles([]string{api.RoleRERAdmin, api.RoleLine2, "line9", api.RoleChamber})
	if got := tk.Roles(); !tk.staff() || len(got) != 1 || got[0] != api.RoleLine2 {
		t.Fatalf("roles %v, staff %v", got, tk.staff())
	}
	tk.SignedInRoles([]string{api.RoleRERAdmin})
	if tk.staff() {
		t.Fatal("an administrator without a line counts as ServiceDesk staff")
	}
}

// TestTicketCalendarSaveOverDemoServer: Operator staff save a working
// calendar with a new holiday from the app against a real demo
// kense-server: the server serves it, the app's own clocks count by it at
// once (the deadline of a ticket moves past the holiday, as the server's
// does) and the initiator's app takes it at its next sync. A plain user is
// refused in their language and the server's calendar stays as it was; a
// calendar with problems and a signed-out app send nothing.
func TestTicketCalendarSaveOverDemoServer(t *testing.T) {
	i18n.SetLang(i18n.EN)
	t.Cleanup(func() { i18n.SetLang(i18n.KK) })
	var store server.Store
	demo := sessiontest.StartWith(t, func(c *server.Config) { store = c.Store })
	ts := store.(server.TicketStore)
	serverCal := func() servicedesk.Calendar {
		t.Helper()
		cal, err := server.CalendarIn(ts, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return cal
	}

	// The initiator files a ticket; staff on another workstation sync the
	// queue and the calendar.
	sess, st, acct := signedIn(t, demo)
	user := &Tickets{St: st, Account: acct, Client: sess.Client}
	e, err := user.File(servicedesk.Ticket{Brief: "Не формируется выписка", Nature: "Кнопка «Сформировать» не отвечает",
		Contact: servicedesk.Contact{Name: "Айгерим Сапарова", Phone: "+7 701 555-12-12"},
		Type:    4, Level: servicedesk.Urgent}, nil)
	if err != nil {
		t.Fatal(err)
	}
	id := e.Ticket.ID
	if err := user.SyncRound(t.Context()); err != nil {
		t.Fatal(err)
	}
	sess2, staff := lineStaff(t, demo, store, api.RoleLine2)
	if err := staff.SyncRound(t.Context()); err != nil || !staff.staff() {
		t.Fatalf("staff sync: %v, staff %v", err, staff.staff())
	}
	before := serverCal()
	if !reflect.DeepEqual(staff.Calendar(), before) || !reflect.DeepEqual(user.Calendar(), before) {
		t.Fatal("the apps do not hold the server's calendar after a sync")
	}
	clock := func(tk *Tickets) servicedesk.Clock {
		t.Helper()
		es, err := tk.List()
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			if e.Ticket.ID == id {
				c, err := e.Ticket.Clock(tk.Calendar(), time.Now())
				if err != nil {
					t.Fatal(err)
				}
				return c
			}
		}
		t.Fatalf("ticket %s not in the list", id)
		return servicedesk.Clock{}
	}
	old := clock(staff)
	// The working day the ticket is due on becomes a holiday.
	day := servicedesk.DateOf(old.Deadline)
	if len(before.WorkingHours(day)) == 0 {
		t.Fatalf("due on %s, a day without working hours", day)
	}
	mine := before
	mine.Holidays = append(slices.Clone(before.Holidays), day)

	// A plain user is refused, in their language; nothing changes.
	err = user.SaveCalendar(before, mine)
	if err == nil || msgOf(err) != i18n.T("tkui.cal.err.forbidden") {
		t.Fatalf("a plain user saves the calendar: %v / %q", err, msgOf(err))
	}
	i18n.SetLang(i18n.KK)
	if msgOf(err) != i18n.TL(i18n.KK, "tkui.cal.err.forbidden") {
		t.Fatalf("the refusal in Kazakh: %q", msgOf(err))
	}
	i18n.SetLang(i18n.EN)
	if !reflect.DeepEqual(serverCal(), before) || !reflect.DeepEqual(user.Calendar(), before) {
		t.Fatal("a refused calendar changed the server's or the cache's")
	}
	// A calendar with a day in two lists is not sent; signed out, nothing is.
	bad := mine
	bad.MovedDaysOff = append(slices.Clone(before.MovedDaysOff), day)
	err = staff.SaveCalendar(before, bad)
	want := servicedesk.Problem{Key: "sd.err.calendarTwice", Args: []any{"date", day.String(), "other", "holidays"}}.Message(i18n.EN)
	if err == nil || msgOf(err) != want {
		t.Fatalf("a day in two lists: %v / %q, want %q", err, msgOf(err), want)
	}
	if err := (&Tickets{St: staff.St, Account: staff.Account}).SaveCalendar(before, mine); err == nil || msgOf(err) != i18n.T("client.err.offline") {
		t.Fatalf("signed out: %v / %q", err, msgOf(err))
	}
	if !reflect.DeepEqual(serverCal(), before) || !reflect.DeepEqual(staff.Calendar(), before) {
		t.Fatal("a calendar that was not sent changed the server's or the cache's")
	}

	// Staff save it: the server serves it, the app counts by it at once.
	if err := staff.SaveCalendar(before, mine); err != nil {
		t.Fatal(msgOf(err))
	}
	// A second editor who began on the old calendar does not overwrite
	// this one: refused in their language, the first save stands.
	stale := before
	stale.MovedWorkdays = append(slices.Clone(before.MovedWorkdays), servicedesk.Date{Year: day.Year, Month: time.December, Day: 27})
	if err := staff.SaveCalendar(before, stale); err == nil || msgOf(err) != i18n.T("tkui.cal.err.changed") {
		t.Fatalf("a save over a newer calendar: %v / %q", err, msgOf(err))
	}
	if !reflect.DeepEqual(serverCal(), mine) {
		t.Fatal("a stale save overwrote the newer calendar")
	}
	got, err := sess.Client().Calendar(t.Context())
	if err != nil || !slices.Contains(got.Holidays, day) || !reflect.DeepEqual(got, serverCal()) {
		t.Fatalf("the server's GET after the save: %v %v", got.Holidays, err)
	}
	if !reflect.DeepEqual(staff.Calendar(), got) {
		t.Fatalf("the app's calendar after the save: %+v", staff.Calendar())
	}
	now := clock(staff)
	if !now.Deadline.After(old.Deadline) || servicedesk.DateOf(now.Deadline) == day {
		t.Fatalf("deadline %s → %s: not moved past the holiday %s", old.Deadline, now.Deadline, day)
	}
	e2, err := staff.St.GetTicket(id)
	if err != nil {
		t.Fatal(err)
	}
	if w := servicedesk.WorkingTimeBetween(mine, e2.Ticket.OpenedAt, now.Deadline, nil); w != now.Allotted {
		t.Fatalf("working time to the new deadline %s, allotted %s", w, now.Allotted)
	}
	v, err := sess2.Client().Ticket(t.Context(), id)
	if err != nil || v.Clock == nil || !v.Clock.Deadline.Equal(now.Deadline) {
		t.Fatalf("the server's deadline %+v (%v), the app's %s", v.Clock, err, now.Deadline)
	}
	// The initiator's app takes it at its next sync.
	if !reflect.DeepEqual(user.Calendar(), before) {
		t.Fatal("the initiator's cache changed without a sync")
	}
	if err := user.SyncRound(t.Context()); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(user.Calendar(), got) || !clock(user).Deadline.Equal(now.Deadline) {
		t.Fatal("the initiator's app does not count by the new calendar after a sync")
	}
}
