package servicedesk

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"kense/i18n"
)

func now(t testing.TB) time.Time { return at(t, "2026-11-23 12:00") }

func validTicket() *Ticket {
	return &Ticket{
		ID:            "6b1f0c9e-2f4e-4d7a-9a51-0c1e2d3f4a5b",
		Brief:         "Справка не формируется",
		Nature:        "При формировании справки о зарегистрированных правах выходит ошибка 500.\nПовторяется с утра.",
		IncidentAt:    time.Date(2026, 11, 20, 16, 40, 0, 0, Location),
		PropertyID:    "20:318:035:145",
		ReferenceCode: "RN-2026-000123",
		Contact:       Contact{Name: "Ахметова Айгерім", Phone: "+7 (701) 123-45-67", Email: "a.akhmetova@gov4c.kz"},
		Type:          2,
		Level:         Urgent,
	}
}

func expectProblem(t *testing.T, tk *Ticket, field, key string) {
	t.Helper()
	for _, p := range tk.Validate(now(t)) {
		if p.Field == field && p.Key == key {
			return
		}
	}
	t.Errorf("no problem %s at %s; got %v", key, field, tk.Validate(now(t)))
}

func TestValidateTicket(t *testing.T) {
	if ps := validTicket().ValidateNew(now(t)); len(ps) > 0 {
		t.Fatal(ps)
	}
	cases := []struct {
		what       string
		edit       func(*Ticket)
		field, key string
	}{
		{"no id", func(k *Ticket) { k.ID = "" }, "id", "sd.err.id"},
		{"id with a space", func(k *Ticket) { k.ID = "a b" }, "id", "sd.err.id"},
		{"no brief", func(k *Ticket) { k.Brief = "  " }, "brief", "sd.err.required"},
		{"brief on two lines", func(k *Ticket) { k.Brief = "a\nb" }, "brief", "sd.err.text"},
		{"brief too long", func(k *Ticket) { k.Brief = strings.Repeat("ә", MaxBriefLen+1) }, "brief", "sd.err.tooLong"},
		{"no nature", func(k *Ticket) { k.Nature = "" }, "nature", "sd.err.required"},
		{"bad UTF-8", func(k *Ticket) { k.Nature = "a\xffb" }, "nature", "sd.err.text"},
		{"incident in the future", func(k *Ticket) { k.IncidentAt = now(t).Add(time.Hour) }, "incidentAt", "sd.err.incidentFuture"},
		{"incident long ago", func(k *Ticket) { k.IncidentAt = time.Date(1999, 1, 1, 0, 0, 0, 0, time.UTC) }, "incidentAt", "sd.err.incidentOld"},
		{"property id too long", func(k *Ticket) { k.PropertyID = strings.Repeat("1", MaxCodeLen+1) }, "propertyId", "sd.err.tooLong"},
		{"no contact name", func(k *Ticket) { k.Contact.Name = "" }, "contact.name", "sd.err.required"},
		{"no way to reach", func(k *Ticket) { k.Contact.Phone, k.Contact.Email = "", "" }, "contact", "sd.err.contactMissing"},
		{"bad phone", func(k *Ticket) { k.Contact.Phone = "call me" }, "contact.phone", "sd.err.phone"},
		{"too few digits", func(k *Ticket) { k.Contact.Phone = "1-2" }, "contact.phone", "sd.err.phone"},
		{"bad e-mail", func(k *Ticket) { k.Contact.Email = "a@b" }, "contact.email", "sd.err.email"},
		{"e-mail with a name", func(k *Ticket) { k.Contact.Email = "A <a@b.kz>" }, "contact.email", "sd.err.email"},
		{"unknown type", func(k *Ticket) { k.Type = 8 }, "type", "sd.err.type"},
		{"unknown level", func(k *Ticket) { k.Level = "high" }, "level", "sd.err.level"},
		{"type 5 is urgent only", func(k *Ticket) { k.Type, k.Level = 5, Critical }, "level", "sd.err.levelNotAllowed"},
		{"type 6 has no pressing", func(k *Ticket) { k.Type, k.Level = 6, Pressing }, "level", "sd.err.levelNotAllowed"},
		{"status without a number", func(k *Ticket) { k.Status = StatusResolved }, "number", "sd.err.stateWithoutNumber"},
		{"empty comment", func(k *Ticket) { k.Comments = []Comment{{At: now(t), Author: "x"}} }, "comments[0].text", "sd.err.required"},
	}
	for _, c := range cases {
		t.Run(c.what, func(t *testing.T) {
			k := validTicket()
			c.edit(k)
			expectProblem(t, k, c.field, c.key)
		})
	}
	k := validTicket()
	k.Contact.Phone = "14-14"
	k.Contact.Email = ""
	if ps := k.Validate(now(t)); len(ps) > 0 {
		t.Errorf("internal number refused: %v", ps)
	}
}

func TestProblemMessages(t *testing.T) {
	k := validTicket()
	k.Type, k.Level = 5, Critical
	ps := k.Validate(now(t))
	if len(ps) != 1 {
		t.Fatal(ps)
	}
	want := map[i18n.Lang]string{i18n.EN: "Critical", i18n.RU: "Критический", i18n.KK: "Критикалық"}
	for _, l := range i18n.Langs {
		m := ps[0].Message(l)
		if !strings.Contains(m, want[l]) || !strings.Contains(m, "5") || strings.ContainsAny(m, "{}") || strings.HasPrefix(m, "sd.") {
			t.Errorf("%s: %q", l, m)
		}
	}
}

// The life of a ticket: registered, worked, waiting on the initiator,
// answered, escalated, resolved, reopened, closed.
func TestStateMachineAndClock(t *testing.T) {
	cal := Calendar{}
	k := validTicket() // type 2 urgent: 16 working hours
	if _, err := Remaining(cal, k, now(t)); err == nil {
		t.Fatal("clock ran before registration")
	}
	if err := k.Move(StatusInProgress, now(t), "", ""); err == nil {
		t.Fatal("moved before registration")
	}
	opened := at(t, "2026-11-20 17:00") // Friday
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(k.Register("SD-000042", opened))
	if err := k.Register("SD-000043", opened); err == nil {
		t.Fatal("registered twice")
	}
	if k.Line != 1 || k.Status != StatusRegistered {
		t.Fatalf("after registration: %+v", k)
	}
	clk, err := k.Clock(cal, at(t, "2026-11-23 12:00"))
	must(err)
	if clk.Remaining != 16*time.Hour-(90*time.Minute+4*time.Hour+3*time.Hour) || clk.Light != LightOK {
		t.Fatalf("Monday noon: %+v", clk)
	}
	if want := at(t, "2026-11-24 11:30"); !clk.Deadline.Equal(want) {
		t.Fatalf("deadline %s", clk.Deadline)
	}
	// Two working hours from Friday 17:00: 1.5 h on Friday, 30 minutes on Saturday.
	if want := at(t, "2026-11-21 10:30"); !clk.AnalysisDue.Equal(want) {
		t.Fatalf("analysis due %s", clk.AnalysisDue)
	}
	if ps := k.ValidateNew(now(t)); len(ps) != 1 || ps[0].Key != "sd.err.registeredTwice" {
		t.Fatalf("a registered ticket filed as new: %v", ps)
	}
	must(k.Escalate(at(t, "2026-11-23 12:00"), "line1", ""))
	must(k.Move(StatusInAnalysis, at(t, "2026-11-23 12:10"), "line2", ""))
	// Waiting on the initiator from Monday 15:00 to Tuesday 10:00: the
	// clock stands, and the deadline moves on by the 4.5 working hours.
	must(k.Move(StatusWaiting, at(t, "2026-11-23 15:00"), "line2", "need a screenshot"))
	stopped, _ := Remaining(cal, k, at(t, "2026-11-23 15:00"))
	later, _ := Remaining(cal, k, at(t, "2026-11-24 09:30"))
	if stopped != later || stopped != 16*time.Hour-(90*time.Minute+4*time.Hour+4*time.Hour+30*time.Minute) {
		t.Fatalf("paused clock moved: %s → %s", stopped, later)
	}
	if err := k.Move(StatusClosed, at(t, "2026-11-24 09:00"), "", ""); err == nil {
		t.Fatal("waiting → closed allowed")
	}
	must(k.Escalate(at(t, "2026-11-24 09:00"), "line2", "to line 3")) // still waiting
	if err := k.Escalate(at(t, "2026-11-24 09:01"), "", ""); err == nil {
		t.Fatal("escalated past line 3")
	}
	must(k.Resume(at(t, "2026-11-24 10:00"), "initiator", "screenshot attached"))
	if k.Status != StatusInAnalysis {
		t.Fatalf("resumed to %s, want in_analysis", k.Status)
	}
	if p := k.Pauses(now(t)); len(p) != 1 || !p[0].Start.Equal(at(t, "2026-11-23 15:00")) || !p[0].End.Equal(at(t, "2026-11-24 10:00")) {
		t.Fatalf("pauses %v", k.Pauses(now(t)))
	}
	clk, _ = k.Clock(cal, at(t, "2026-11-24 10:00"))
	// 16 − 10 used = 6 h from Tuesday 10:00: 3 h to 13:00, 3 h from 14:30.
	if want := at(t, "2026-11-24 17:30"); !clk.Deadline.Equal(want) || clk.Light != LightOK {
		t.Fatalf("after the pause: %+v", clk)
	}
	clk, _ = k.Clock(cal, at(t, "2026-11-24 16:00"))
	if clk.Light != LightAmber {
		t.Fatalf("1.5 h of 16 left: %+v", clk)
	}
	must(k.Move(StatusInProgress, at(t, "2026-11-24 16:00"), "line3", ""))
	clk, _ = k.Clock(cal, at(t, "2026-11-24 18:00"))
	if clk.Light != LightRed || clk.Remaining != -30*time.Minute {
		t.Fatalf("overdue: %+v", clk)
	}
	must(k.Move(StatusResolved, at(t, "2026-11-24 18:00"), "line3", "fixed"))
	frozen, _ := Remaining(cal, k, at(t, "2026-11-30 12:00"))
	if frozen != -30*time.Minute {
		t.Fatalf("resolved clock moved: %s", frozen)
	}
	must(k.Move(StatusInProgress, at(t, "2026-11-25 09:00"), "initiator", "reopened"))
	reopened, _ := Remaining(cal, k, at(t, "2026-11-25 10:00"))
	if reopened != -90*time.Minute {
		t.Fatalf("reopened: %s", reopened)
	}
	must(k.Move(StatusResolved, at(t, "2026-11-25 10:00"), "line3", ""))
	must(k.Move(StatusClosed, at(t, "2026-11-25 11:00"), "line3", ""))
	if err := k.Move(StatusInProgress, at(t, "2026-11-25 12:00"), "", ""); err == nil {
		t.Fatal("closed reopened")
	}
	if err := k.Move(StatusClosed, at(t, "2026-11-20 12:00"), "", ""); err == nil {
		t.Fatal("a change before the last one")
	}
	must(k.Comment(at(t, "2026-11-25 11:05"), "Ахметова", "Рахмет!"))
	if ps := k.Validate(at(t, "2026-11-25 12:00")); len(ps) > 0 {
		t.Fatalf("a ticket built by the state machine is invalid: %v", ps)
	}

	// Round trip through JSON keeps everything.
	b, err := json.Marshal(k)
	must(err)
	back, err := ReadTicket(bytes.NewReader(b))
	must(err)
	b2, _ := json.Marshal(back)
	if !bytes.Equal(b, b2) {
		t.Fatalf("round trip:\n%s\n%s", b, b2)
	}

	// A forged history is caught.
	bad := *back
	bad.History = append([]Change{}, back.History...)
	bad.History[2].Status = StatusClosed
	if ps := bad.Validate(now(t)); len(ps) == 0 {
		t.Fatal("forged history accepted")
	}
	bad.History = append([]Change{}, back.History...)
	bad.History[1].Line = 3
	if ps := bad.Validate(now(t)); len(ps) == 0 {
		t.Fatal("jump from line 1 to 3 accepted")
	}
	bad = *back
	bad.Status = StatusInProgress
	if ps := bad.Validate(now(t)); len(ps) == 0 {
		t.Fatal("status disagreeing with history accepted")
	}
}

func TestResumeToInProgress(t *testing.T) {
	k := validTicket()
	opened := at(t, "2026-11-16 09:00")
	_ = k.Register("1", opened)
	if err := k.Resume(opened, "", ""); err == nil {
		t.Fatal("resumed a ticket that was not waiting")
	}
	_ = k.Move(StatusInProgress, opened.Add(time.Hour), "", "")
	_ = k.Move(StatusWaiting, opened.Add(2*time.Hour), "", "")
	if err := k.Resume(opened.Add(3*time.Hour), "", ""); err != nil || k.Status != StatusInProgress {
		t.Fatalf("%v %s", err, k.Status)
	}
}

func TestSortByTimeLeft(t *testing.T) {
	cal := Calendar{}
	mk := func(id string, typ RequestType, l Level, opened string) *Ticket {
		k := validTicket()
		k.ID, k.Type, k.Level = id, typ, l
		if opened != "" {
			_ = k.Register(id, at(t, opened))
		}
		return k
	}
	ts := []*Ticket{
		mk("slow", 7, Insignificant, "2026-11-16 09:00"),
		mk("outbox", 1, Pressing, ""),
		mk("pressing", 1, Pressing, "2026-11-23 09:00"),
		mk("urgent", 1, Urgent, "2026-11-20 10:00"),
	}
	SortByTimeLeft(cal, ts, now(t))
	var got []string
	for _, k := range ts {
		got = append(got, k.ID)
	}
	if s := strings.Join(got, ","); s != "pressing,urgent,slow,outbox" {
		t.Fatalf("order %s", s)
	}
}

func TestReadTicketRejects(t *testing.T) {
	good, _ := json.Marshal(validTicket())
	if _, err := ReadTicket(bytes.NewReader(good)); err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{
		"unknown field":   strings.Replace(string(good), `"brief"`, `"priority":1,"brief"`, 1),
		"trailing value":  string(good) + `{}`,
		"wrong type":      `{"id":"a","type":"one"}`,
		"bad time":        `{"id":"a","openedAt":"yesterday"}`,
		"unknown in nest": `{"id":"a","contact":{"name":"x","fax":"1"}}`,
		"not an object":   `"ticket"`,
		"empty":           ``,
	}
	for name, in := range cases {
		if _, err := ReadTicket(strings.NewReader(in)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	huge := `{"id":"a","nature":"` + strings.Repeat("x", MaxTicketJSON) + `"}`
	_, err := ReadTicket(strings.NewReader(huge))
	var p Problem
	if !errors.As(err, &p) || p.Key != "sd.err.tooLarge" {
		t.Errorf("oversized ticket: %v", err)
	}
}

func FuzzReadTicket(f *testing.F) {
	k := validTicket()
	b, _ := json.Marshal(k)
	f.Add(b)
	_ = k.Register("SD-1", time.Date(2026, 11, 20, 17, 0, 0, 0, Location))
	_ = k.Move(StatusWaiting, time.Date(2026, 11, 21, 10, 0, 0, 0, Location), "l1", "")
	_ = k.Comment(time.Date(2026, 11, 21, 10, 5, 0, 0, Location), "l1", "screenshot?")
	b, _ = json.Marshal(k)
	f.Add(b)
	f.Add([]byte(`{"id":"x","type":7,"level":"pressing","attachments":[{"name":"a.png","contentType":"image/png","size":1,"sha256":"00"}]}`))
	f.Add([]byte(`{"history":[{"at":"2026-11-20T17:00:00+05:00","status":"closed","line":9}],"number":"1"}`))
	f.Add([]byte(`{"id":`))
	cal := DefaultCalendar(2026)
	clockAt := time.Date(2026, 12, 1, 12, 0, 0, 0, Location)
	f.Fuzz(func(t *testing.T, in []byte) {
		k, err := ReadTicket(bytes.NewReader(in))
		if err != nil {
			return
		}
		ps := k.Validate(clockAt)
		for _, p := range ps {
			if m := p.Message(i18n.KK); m == "" || strings.HasPrefix(m, "sd.") {
				t.Fatalf("problem %s has no text", p.Key)
			}
		}
		out, err := json.Marshal(k)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ReadTicket(bytes.NewReader(out))
		if err != nil {
			t.Fatalf("re-reading %s: %v", out, err)
		}
		if len(back.Validate(clockAt)) != len(ps) {
			t.Fatal("validation changed after a round trip")
		}
		if len(ps) == 0 && k.Number != "" {
			// A valid registered ticket always has a clock, and it does
			// not count working time the ticket spent paused.
			c, err := k.Clock(cal, clockAt)
			if err != nil {
				t.Fatal(err)
			}
			if c.Remaining > c.Allotted {
				t.Fatalf("remaining %s > allotted %s", c.Remaining, c.Allotted)
			}
		}
	})
}

func TestNoAnalysisTargetForTypes5And7(t *testing.T) {
	for _, c := range []struct {
		typ RequestType
		l   Level
	}{{5, Urgent}, {7, Critical}} {
		k := validTicket()
		k.Type, k.Level = c.typ, c.l
		_ = k.Register("n", at(t, "2026-11-16 09:00"))
		clk, err := k.Clock(Calendar{}, at(t, "2026-11-16 10:00"))
		if err != nil || !clk.AnalysisDue.IsZero() {
			t.Errorf("type %d: %+v %v", c.typ, clk, err)
		}
	}
}
