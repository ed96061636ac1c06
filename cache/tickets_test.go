package cache

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"kense/servicedesk"
)

func cacheTicket() servicedesk.Ticket {
	return servicedesk.Ticket{
		Brief: "Нет доступа", Nature: "Пароль не принимается",
		Contact: servicedesk.Contact{Name: "Ерлан", Phone: "14-14"},
		Type:    5, Level: servicedesk.Urgent,
	}
}

func TestTicketOutboxLifecycle(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kense.db")
	st, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	unowned, err := st.FileTicket("", cacheTicket())
	if err != nil {
		t.Fatal(err)
	}
	mine, err := st.FileTicket("780312450016", cacheTicket())
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := st.FileTicket("901120300033", cacheTicket())
	if err != nil {
		t.Fatal(err)
	}
	if unowned.Ticket.ID == mine.Ticket.ID || unowned.Key == "" || unowned.Key == mine.Key || unowned.State != TicketOutbox {
		t.Fatalf("entries %+v %+v", unowned, mine)
	}
	if _, err := st.FileTicket("", mine.Ticket); !errors.Is(err, ErrBadID) {
		t.Fatalf("the same id twice: %v", err)
	}
	bad := cacheTicket()
	bad.ID = "../x"
	if _, err := st.FileTicket("", bad); !errors.Is(err, ErrBadID) {
		t.Fatalf("bad id: %v", err)
	}
	// The outbox survives a restart, keys unchanged.
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if st, err = Open(path, Options{}); err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	out, err := st.TicketOutboxFor("780312450016")
	if err != nil || len(out) != 2 {
		t.Fatalf("outbox %d %v", len(out), err)
	}
	for _, e := range out {
		if e.Account != "780312450016" {
			t.Fatalf("not given to the account: %+v", e)
		}
		if e.Ticket.ID == unowned.Ticket.ID && e.Key != unowned.Key {
			t.Fatal("the idempotency key changed")
		}
	}
	if got, _ := st.GetTicket(unowned.Ticket.ID); got.Account != "780312450016" {
		t.Fatalf("adoption not stored: %+v", got)
	}
	reg := mine.Ticket
	if err := reg.Register("SD-2026-000007", time.Date(2026, 11, 20, 17, 0, 0, 0, servicedesk.Location)); err != nil {
		t.Fatal(err)
	}
	if err := st.TicketRegistered("780312450016", reg); err != nil {
		t.Fatal(err)
	}
	if err := st.TicketRegistered("780312450016", mine.Ticket); !errors.Is(err, ErrBadID) {
		t.Fatalf("a copy without a number: %v", err)
	}
	if err := st.TicketRefusedBy(unowned.Ticket.ID, "invalid_ticket"); err != nil {
		t.Fatal(err)
	}
	if err := st.TicketRefusedBy("nope", "x"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("refuse absent: %v", err)
	}
	if out, _ := st.TicketOutboxFor("780312450016"); len(out) != 0 {
		t.Fatalf("outbox after registration and refusal: %d", len(out))
	}
	list, _ := st.Tickets("780312450016")
	if len(list) != 2 {
		t.Fatalf("own list %d", len(list))
	}
	if all, _ := st.Tickets(""); len(all) != 3 {
		t.Fatalf("all %d", len(all))
	}
	if got, _ := st.GetTicket(theirs.Ticket.ID); got.State != TicketOutbox {
		t.Fatalf("another account's ticket touched: %+v", got)
	}
	if _, err := st.GetTicket("absent"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("absent: %v", err)
	}
	if got, _ := st.GetTicket(mine.Ticket.ID); got.State != TicketRegistered || got.Ticket.Number != "SD-2026-000007" {
		t.Fatalf("registered: %+v", got)
	}
}

func TestTicketCalendarCached(t *testing.T) {
	st := openTemp(t)
	if _, ok, err := st.TicketCalendar(); ok || err != nil {
		t.Fatalf("before: %v %v", ok, err)
	}
	cal := servicedesk.DefaultCalendar(2026, 2027)
	cal.MovedWorkdays = []servicedesk.Date{{Year: 2026, Month: 11, Day: 22}}
	if err := st.SetTicketCalendar(cal); err != nil {
		t.Fatal(err)
	}
	got, ok, err := st.TicketCalendar()
	if !ok || err != nil || len(got.Holidays) != len(cal.Holidays) || len(got.MovedWorkdays) != 1 {
		t.Fatalf("%+v %v %v", got, ok, err)
	}
	bad := servicedesk.Calendar{Holidays: []servicedesk.Date{{Year: 1900, Month: 1, Day: 1}}}
	if err := st.SetTicketCalendar(bad); err == nil {
		t.Fatal("an invalid calendar was cached")
	}
}
