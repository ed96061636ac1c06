package ui

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/png"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"kense/form"
	"kense/i18n"
	"kense/servicedesk"
)

// fakeTickets is a TicketService in memory that plays the server too:
// register stands for a sync that reaches kense-server, and Patch runs the
// servicedesk state machine as the server does.
type fakeTickets struct {
	mu       sync.Mutex
	entries  []*TicketEntry
	filed    []servicedesk.Ticket
	files    [][][]byte
	receipts []TicketReceipt
	roles    []string
	patches  []TicketPatch
	contact  servicedesk.Contact
	refresh  int
	patchErr error
	seq      int
	syncedAt time.Time
	syncErr  error
	// Supporting files by SHA-256: FileData hands them over as they are
	// (a wrong one too: the screen must check), or fails with fileErr;
	// with fileGate set it waits for the test first.
	fileData  map[string][]byte
	fileErr   error
	fileGate  chan struct{}
	fileCalls int
	// The Operator's calendar (nil: the preset holidays of 2026 and
	// 2027); SaveCalendar records each calendar handed to it and fails
	// with saveErr; with saveGate set it waits for the test first.
	cal      *servicedesk.Calendar
	saved    []servicedesk.Calendar
	saveErr  error
	saveGate chan struct{}
}

func (f *fakeTickets) List() ([]TicketEntry, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]TicketEntry, len(f.entries))
	for i, e := range f.entries {
		out[i] = *e
	}
	return out, nil
}

func (f *fakeTickets) Calendar() servicedesk.Calendar {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calendar()
}

// calendar is Calendar with f.mu held.
func (f *fakeTickets) calendar() servicedesk.Calendar {
	if f.cal != nil {
		return cloneCalendar(*f.cal)
	}
	return servicedesk.DefaultCalendar(2026, 2027)
}

func (f *fakeTickets) SaveCalendar(_, cal servicedesk.Calendar) error {
	f.mu.Lock()
	f.saved = append(f.saved, cal)
	gate := f.saveGate
	f.mu.Unlock()
	if gate != nil {
		<-gate
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.saveErr != nil {
		return f.saveErr
	}
	f.cal = &cal
	return nil
}

func (f *fakeTickets) savedCopy() []servicedesk.Calendar {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.saved)
}

func (f *fakeTickets) Contact() servicedesk.Contact { return f.contact }
func (f *fakeTickets) Roles() []string              { f.mu.Lock(); defer f.mu.Unlock(); return f.roles }
func (f *fakeTickets) Refresh()                     { f.mu.Lock(); f.refresh++; f.mu.Unlock() }
func (f *fakeTickets) SyncState() (time.Time, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.syncedAt, f.syncErr
}

func (f *fakeTickets) File(t servicedesk.Ticket, files [][]byte) (TicketEntry, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, e := range f.entries {
		if e.Ticket.ID == t.ID {
			return TicketEntry{}, errors.New("filed already")
		}
	}
	f.filed = append(f.filed, t)
	f.files = append(f.files, files)
	e := &TicketEntry{Ticket: t, State: TicketOutbox, Filed: fixedNow(), Own: true}
	f.entries = append(f.entries, e)
	return *e, nil
}

func (f *fakeTickets) Receipts() []TicketReceipt {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.receipts
	f.receipts = nil
	return out
}

// register is the server registering an outbox ticket at at.
func (f *fakeTickets) register(t *testing.T, id string, at time.Time) string {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, e := range f.entries {
		if e.Ticket.ID != id {
			continue
		}
		f.seq++
		num := fmt.Sprintf("SD-2026-%06d", f.seq)
		if err := e.Ticket.Register(num, at); err != nil {
			t.Fatal(err)
		}
		e.State = TicketRegistered
		c, err := e.Ticket.Clock(f.calendar(), at)
		if err != nil {
			t.Fatal(err)
		}
		r := TicketReceipt{ID: id, Number: num, RegisteredAt: at, Level: e.Ticket.Level, Line: 1, Deadline: c.Deadline}
		if lo, hi, ok := servicedesk.FirstResponse(e.Ticket.Type); ok {
			r.FirstResponseMin, r.FirstResponseMax = lo, hi
		}
		f.receipts = append(f.receipts, r)
		return num
	}
	t.Fatalf("no ticket %s", id)
	return ""
}

func (f *fakeTickets) add(e TicketEntry) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.entries = append(f.entries, &e)
}

func (f *fakeTickets) Patch(id string, p TicketPatch) (TicketEntry, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.patches = append(f.patches, p)
	if f.patchErr != nil {
		return TicketEntry{}, f.patchErr
	}
	for _, e := range f.entries {
		if e.Ticket.ID != id {
			continue
		}
		t := &e.Ticket
		at := t.History[len(t.History)-1].At.Add(time.Minute)
		var err error
		switch p.Action {
		case TicketTake:
			err = t.Move(servicedesk.StatusInAnalysis, at, "Оператор", p.Text)
		case TicketStatus:
			err = t.Move(p.Status, at, "Оператор", p.Text)
		case TicketEscalate:
			err = t.Escalate(at, "Оператор", p.Text)
		case TicketComment:
			err = t.Comment(at, "Оператор", p.Text)
		case TicketAnswer:
			if err = t.Resume(at, "Инициатор", ""); err == nil && p.Text != "" {
				err = t.Comment(at, "Инициатор", p.Text)
			}
		}
		return *e, err
	}
	return TicketEntry{}, errors.New("no such ticket")
}

func (f *fakeTickets) FileData(id string, a servicedesk.Attachment) ([]byte, error) {
	f.mu.Lock()
	f.fileCalls++
	gate := f.fileGate
	f.mu.Unlock()
	if gate != nil {
		<-gate
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fileErr != nil {
		return nil, f.fileErr
	}
	b, ok := f.fileData[a.SHA256]
	if !ok {
		return nil, errors.New("no such file")
	}
	return b, nil
}

func (f *fakeTickets) fileCallsNow() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fileCalls
}

func (f *fakeTickets) patchesCopy() []TicketPatch {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]TicketPatch(nil), f.patches...)
}

// newTicketHarness is newHarness with the ServiceDesk wired (tk nil: a
// user with no tickets service, as offline), in English.
func newTicketHarness(t *testing.T, tk *fakeTickets) *harness {
	t.Helper()
	test.NewTempApp(t)
	t.Cleanup(func() { i18n.SetLang(i18n.KK) })
	s := newMemStore()
	s.settings[SettingLanguage] = string(i18n.EN)
	h := &harness{t: t, store: s, queue: make(chan func(), 1000)}
	h.win = test.NewTempWindow(t, widget.NewLabel(""))
	h.win.Resize(fyne.NewSize(1400, 900))
	svc := Services{
		Store:        s,
		NewAutosaver: func(on func(Draft, error)) Autosaver { return &memSaver{s: s, onSaved: on} },
		Validate:     formValidate,
		Render:       func(form.Form, bool) ([]byte, error) { return []byte("%PDF-1.4 test"), nil },
		OpenURL:      h.recordOpen,
		Now:          fixedNow,
		TempDir:      t.TempDir(),
	}
	if tk != nil {
		svc.Tickets = tk
	}
	h.app = New(fyne.CurrentApp(), h.win, svc)
	h.app.do = func(fn func()) { h.queue <- fn }
	h.app.Start()
	t.Cleanup(h.app.Close)
	t.Cleanup(h.app.leaveTickets)
	return h
}

// texts is every visible text in the window, dialogs included.
func (h *harness) tkTexts() string { return strings.Join(canvasTexts(h.win.Canvas(), false), "\n") }

// anyButton finds a visible button by its text, dialogs included.
func (h *harness) tkButton(text string) *widget.Button {
	roots := append([]fyne.CanvasObject{h.content()}, h.win.Canvas().Overlays().List()...)
	for _, r := range roots {
		if bs := find(r, func(b *widget.Button) bool { return b.Text == text }); len(bs) > 0 {
			return bs[0]
		}
	}
	return nil
}

func tkAt(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, servicedesk.Location)
}

// registered makes a registered ticket opened at opened.
func tkRegistered(t *testing.T, id, number string, typ servicedesk.RequestType, lv servicedesk.Level, opened time.Time) TicketEntry {
	t.Helper()
	tk := servicedesk.Ticket{ID: id, Brief: "Сбой " + id, Nature: "…", Type: typ, Level: lv,
		Contact: servicedesk.Contact{Name: "Айгерим", Phone: "14-14"}}
	if err := tk.Register(number, opened); err != nil {
		t.Fatal(err)
	}
	return TicketEntry{Ticket: tk, State: TicketRegistered, Filed: opened, Own: true}
}

func tkPNG(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 2, 2))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestTicketsScreenOnlyForSignedInAccounts(t *testing.T) {
	h := newTicketHarness(t, nil)
	if h.tkButton(i18n.T("tkui.open")) != nil {
		t.Fatal("the offline profile offers tickets")
	}
	tk := &fakeTickets{}
	h = newTicketHarness(t, tk)
	b := h.tkButton(i18n.T("tkui.open"))
	if b == nil {
		t.Fatalf("no Tickets button in the top bar:\n%s", h.tkTexts())
	}
	test.Tap(b)
	if h.app.tickets == nil || h.app.drafts != nil {
		t.Fatal("the Tickets button did not open the tickets")
	}
	// The reference contacts of rule 5 are in sight, and in the help.
	if !h.hasText(i18n.T("tk.help.contacts")) || !strings.Contains(i18n.T("tk.help.contacts"), "14-14") ||
		!strings.Contains(i18n.T("tk.help.contacts"), "sd_rn@nitec.kz") {
		t.Fatalf("contacts not shown:\n%s", h.tkTexts())
	}
	if !h.hasText(i18n.T("tkui.empty")) {
		t.Fatalf("an empty list says nothing:\n%s", h.tkTexts())
	}
	test.Tap(h.button(i18n.T("tkui.help")))
	txt := h.tkTexts()
	for _, l := range servicedesk.Levels {
		if !strings.Contains(txt, i18n.T(servicedesk.LevelHelpKey(l))) {
			t.Fatalf("the help lacks the definition of %s:\n%s", l, txt)
		}
	}
	if !strings.Contains(txt, i18n.T("sd.hours")) {
		t.Fatal("the help lacks the Operator's hours")
	}
	test.Tap(h.tkButton(i18n.T("tkui.close")))
	test.Tap(h.button(i18n.T("tkui.back")))
	if h.app.tickets != nil || h.app.drafts == nil {
		t.Fatal("back did not return to the applications")
	}
}

func TestTicketsListSortedByTimeLeftWithLights(t *testing.T) {
	tk := &fakeTickets{syncedAt: fixedNow()}
	// Now is Monday 23.11.2026 15:00 in Almaty.
	tk.add(tkRegistered(t, "ok", "SD-3", 1, servicedesk.Urgent, tkAt(2026, 11, 20, 17, 0)))           // 16 h: 6 h left, due Tue 11:30
	tk.add(tkRegistered(t, "red", "SD-1", 1, servicedesk.Pressing, tkAt(2026, 11, 23, 9, 0)))         // 4 h: used up at 13:00, 30 min overdue
	tk.add(tkRegistered(t, "amber", "SD-2", 4, servicedesk.Insignificant, tkAt(2026, 11, 19, 16, 0))) // 24 h: 5 h left
	tk.add(TicketEntry{Ticket: servicedesk.Ticket{ID: "out", Brief: "Ждёт", Type: 2, Level: servicedesk.Critical}, State: TicketOutbox, Filed: fixedNow(), Own: true})
	h := newTicketHarness(t, tk)
	h.app.showTickets()
	s := h.app.tickets
	var order []string
	for _, r := range s.items {
		order = append(order, r.e.Ticket.ID)
	}
	if strings.Join(order, ",") != "red,amber,ok,out" {
		t.Fatalf("order %v, want by working time left, the outbox last", order)
	}
	want := []struct {
		deadline, left string
		imp            widget.Importance
	}{
		{"23.11.2026 13:00", i18n.T("tkui.overdue", "h", 0, "m", 30), widget.DangerImportance},
		{"24.11.2026 10:30", i18n.T("tkui.left", "h", 5, "m", 0), widget.WarningImportance},
		{"24.11.2026 11:30", i18n.T("tkui.left", "h", 6, "m", 0), widget.MediumImportance},
	}
	for i, w := range want {
		text, imp := ticketClockLine(s.items[i])
		if !strings.Contains(text, i18n.T("tkui.deadline", "time", w.deadline)) || !strings.Contains(text, w.left) || imp != w.imp {
			t.Errorf("%s: %q %v, want deadline %s, %q, importance %v", s.items[i].e.Ticket.ID, text, imp, w.deadline, w.left, w.imp)
		}
	}
	// What the window shows: numbers, the outbox one waiting, the lights.
	labels := find(h.content(), func(l *widget.Label) bool { return true })
	has := func(sub string, imp widget.Importance) bool {
		for _, l := range labels {
			if strings.Contains(l.Text, sub) && (imp < 0 || l.Importance == imp) {
				return true
			}
		}
		return false
	}
	checks := []struct {
		sub string
		imp widget.Importance
	}{
		{i18n.T("tkui.number", "number", "SD-1") + tkSep + tkTypeOption(1) + tkSep + i18n.T("sd.level.pressing") + tkSep + i18n.T("sd.status.registered"), -1},
		{i18n.T("tk.state.outbox") + tkSep + tkTypeOption(2), -1},
		{i18n.T("sd.light.red"), widget.DangerImportance},
		{i18n.T("sd.light.amber"), widget.WarningImportance},
		{"24.11.2026 11:30", widget.MediumImportance},
	}
	for _, c := range checks {
		if !has(c.sub, c.imp) {
			t.Errorf("the list lacks %q (importance %v):\n%s", c.sub, c.imp, h.tkTexts())
		}
	}
	if !has(i18n.T("tkui.synced", "time", "23.11.2026 15:00"), -1) {
		t.Errorf("no sync line:\n%s", h.tkTexts())
	}
	// Time passes: the ticker's reload moves the clocks.
	test.Tap(h.button(i18n.T("tkui.refresh")))
	if tk.refresh != 1 {
		t.Fatal("Refresh did not ask for a sync")
	}
}

func TestTicketFormLevelsFollowTheAppendix(t *testing.T) {
	h := newTicketHarness(t, &fakeTickets{})
	h.app.showTickets()
	test.Tap(h.button(i18n.T("tkui.new")))
	f := h.app.tickets.form
	if f == nil || f.levelSel.Disabled() == false {
		t.Fatal("the form does not wait for a type before the level")
	}
	if len(f.typeSel.Options) != 7 {
		t.Fatalf("%d request types, want the appendix's 7", len(f.typeSel.Options))
	}
	opts := func() string { return strings.Join(f.levelSel.Options, ",") }
	lv := func(l servicedesk.Level) string { return i18n.T(servicedesk.LevelKey(l)) }

	f.typeSel.SetSelected(tkTypeOption(1))
	if opts() != strings.Join([]string{lv("insignificant"), lv("critical"), lv("urgent"), lv("pressing")}, ",") {
		t.Fatalf("type 1 levels %s", opts())
	}
	f.levelSel.SetSelected(lv(servicedesk.Pressing))
	if f.levelHelp.Text != i18n.T("sd.level.pressing.help") || !strings.Contains(f.allotted.Text, i18n.T("sd.allotted", "hours", 4)) ||
		!strings.Contains(f.allotted.Text, i18n.T("sd.firstResponse")) ||
		!strings.Contains(f.allotted.Text, i18n.T("sd.lines", "first", tkLine(1), "line", tkLine(2))) {
		t.Fatalf("pressing help %q / %q", f.levelHelp.Text, f.allotted.Text)
	}
	// Type 6 has no pressing level: the choice goes, the help says so.
	f.typeSel.SetSelected(tkTypeOption(6))
	if opts() != strings.Join([]string{lv("insignificant"), lv("critical"), lv("urgent")}, ",") || f.st.Level != "" || f.levelSel.Selected != "" {
		t.Fatalf("type 6: %s, level %q", opts(), f.st.Level)
	}
	if f.levelHelp.Text != i18n.T("tkui.level.help") {
		t.Fatalf("help without a level: %q", f.levelHelp.Text)
	}
	// Type 5 is urgent only: chosen for the user.
	f.typeSel.SetSelected(tkTypeOption(5))
	if opts() != lv("urgent") || f.st.Level != servicedesk.Urgent || f.levelHelp.Text != i18n.T("sd.level.urgent.help") {
		t.Fatalf("type 5: %s, level %q, help %q", opts(), f.st.Level, f.levelHelp.Text)
	}
	if strings.Contains(f.allotted.Text, i18n.T("sd.firstResponse")) || !strings.Contains(f.allotted.Text, i18n.T("sd.allotted", "hours", 8)) {
		t.Fatalf("type 5 allotted %q", f.allotted.Text)
	}
	// Type 7 is a flat 168 hours on line 3, whatever the level.
	f.typeSel.SetSelected(tkTypeOption(7))
	f.levelSel.SetSelected(lv(servicedesk.Insignificant))
	if len(f.levelSel.Options) != 4 || !strings.Contains(f.allotted.Text, i18n.T("sd.allotted", "hours", 168)) ||
		!strings.Contains(f.allotted.Text, tkLine(3)) {
		t.Fatalf("type 7: %s / %q", opts(), f.allotted.Text)
	}
}

func TestTicketFilingAttachmentsAndConfirmation(t *testing.T) {
	tk := &fakeTickets{contact: servicedesk.Contact{Name: "Сейткали Айгерим", Phone: "+7 701 123-45-67"}}
	h := newTicketHarness(t, tk)
	h.app.showTickets()
	test.Tap(h.button(i18n.T("tkui.new")))
	f := h.app.tickets.form
	// The contact comes from the account, and stays editable.
	if f.name.Text != "Сейткали Айгерим" || f.phone.Text != "+7 701 123-45-67" || f.name.Disabled() {
		t.Fatalf("contact %q %q", f.name.Text, f.phone.Text)
	}

	// An empty form: every required field says what is missing.
	test.Tap(f.submit)
	if len(tk.filed) != 0 {
		t.Fatal("an empty ticket was filed")
	}
	for field, key := range map[string]string{"brief": "sd.err.required", "nature": "sd.err.required", "type": "tkui.err.pickType"} {
		if l := f.errs[field]; !l.Visible() || l.Text != i18n.T(key) {
			t.Errorf("%s: %q (visible %v)", field, l.Text, l.Visible())
		}
	}

	// Supporting files are checked by content and size, with a clear error.
	f.addFile("notes.txt", []byte("not a scan"))
	if !f.attachErr.Visible() || f.attachErr.Text != i18n.T("sd.err.attachmentType", "name", "notes.txt") {
		t.Fatalf("a text file: %q", f.attachErr.Text)
	}
	big := append(tkPNG(t), make([]byte, servicedesk.MaxAttachmentSize)...)
	f.addFile("huge.png", big)
	if f.attachErr.Text != i18n.T("sd.err.attachmentSize", "name", "huge.png", "max", "10 MiB") {
		t.Fatalf("a huge file: %q", f.attachErr.Text)
	}
	f.addFile("screen.png", tkPNG(t))
	if f.attachErr.Visible() || len(f.st.Attachments) != 1 || f.st.Attachments[0].ContentType != servicedesk.TypePNG {
		t.Fatalf("a PNG: %q %+v", f.attachErr.Text, f.st.Attachments)
	}
	f.addFile("again.png", tkPNG(t))
	if f.attachErr.Text != i18n.T("tkui.err.attachedTwice", "name", "screen.png") {
		t.Fatalf("the same file twice: %q", f.attachErr.Text)
	}
	if !strings.Contains(h.tkTexts(), i18n.T("tkui.attach.item", "name", "screen.png", "size", 1)) {
		t.Fatalf("the attached file is not listed:\n%s", h.tkTexts())
	}

	f.typeSel.SetSelected(tkTypeOption(1))
	f.levelSel.SetSelected(i18n.T("sd.level.urgent"))
	test.Type(f.brief, "Не открывается карточка объекта")
	test.Type(f.nature, "При открытии карточки — ошибка 500.")
	test.Type(f.incident, "32.13.2026 10:00")
	test.Type(f.property, "20-311-012-345")
	test.Type(f.reference, "REF-77")
	test.Tap(f.submit)
	if len(tk.filed) != 0 || !f.errs["incidentAt"].Visible() || f.errs["incidentAt"].Text != i18n.T("tkui.err.incident") {
		t.Fatalf("a bad incident time: filed %d, %q", len(tk.filed), f.errs["incidentAt"].Text)
	}
	f.incident.SetText("23.11.2026 09:15")
	if f.errs["incidentAt"].Visible() || f.errs["brief"].Visible() {
		t.Fatal("fixed fields still show problems")
	}
	submit := f.submit
	test.Tap(submit)
	test.Tap(submit) // a double press files once
	if len(tk.filed) != 1 || len(tk.files[0]) != 1 || !bytes.Equal(tk.files[0][0], tkPNG(t)) {
		t.Fatalf("filed %d tickets, files %v", len(tk.filed), len(tk.files))
	}
	got := tk.filed[0]
	if got.ID == "" || got.Number != "" || got.Type != 1 || got.Level != servicedesk.Urgent || got.PropertyID != "20-311-012-345" ||
		got.ReferenceCode != "REF-77" || !got.IncidentAt.Equal(tkAt(2026, 11, 23, 9, 15)) || got.Contact.Name != "Сейткали Айгерим" {
		t.Fatalf("filed %+v", got)
	}
	if ps := got.ValidateNew(fixedNow()); len(ps) > 0 {
		t.Fatalf("the app filed a ticket the server refuses: %v", ps)
	}
	// Back on the list, waiting to be sent; the user is told what comes.
	if h.app.tickets.mode != modeList || !strings.Contains(h.tkTexts(), i18n.T("tkui.filed.body")) {
		t.Fatalf("after filing:\n%s", h.tkTexts())
	}
	if len(h.app.tickets.items) != 1 || h.app.tickets.items[0].e.State != TicketOutbox ||
		!strings.Contains(h.tkTexts(), i18n.T("tk.state.outbox")+tkSep+tkTypeOption(1)) {
		t.Fatalf("the list:\n%s", h.tkTexts())
	}

	// A sync registers it: the confirmation of rule 9, once, in place of
	// the "waiting to be sent" notice (not stacked over it).
	num := tk.register(t, got.ID, fixedNow())
	overlays := len(h.win.Canvas().Overlays().List())
	h.app.TicketsChanged()
	if len(h.win.Canvas().Overlays().List()) != overlays {
		t.Fatal("no confirmation shown, or the filed notice stayed under it")
	}
	if strings.Contains(h.tkTexts(), i18n.T("tkui.filed.body")) {
		t.Fatal("the filed notice is still up under the confirmation")
	}
	body := i18n.T("tkui.confirm.body", "number", num, "at", "23.11.2026 15:00", "level", i18n.T("sd.level.urgent"),
		"line", tkLine(1), "deadline", "25.11.2026 15:00")
	if txt := h.tkTexts(); !strings.Contains(txt, body) || !strings.Contains(txt, i18n.T("tkui.confirm.analysis", "min", 30, "max", 120)) {
		t.Fatalf("the confirmation lacks %q:\n%s", body, txt)
	}
	h.app.TicketsChanged()
	if len(h.win.Canvas().Overlays().List()) != overlays {
		t.Fatal("the confirmation came twice")
	}
	if !strings.Contains(h.tkTexts(), i18n.T("tkui.number", "number", num)) {
		t.Fatalf("the list does not show the number:\n%s", h.tkTexts())
	}
}

func TestTicketFormKeepsTextAcrossLanguages(t *testing.T) {
	h := newTicketHarness(t, &fakeTickets{})
	h.app.showTickets()
	test.Tap(h.button(i18n.T("tkui.new")))
	test.Type(h.app.tickets.form.brief, "Печать не работает")
	h.app.tickets.form.typeSel.SetSelected(tkTypeOption(5))
	h.app.SetLanguage(i18n.RU)
	f := h.app.tickets.form
	if f == nil || f.brief.Text != "Печать не работает" || f.st.Type != 5 || f.levelSel.Selected != i18n.TL(i18n.RU, "sd.level.urgent") {
		t.Fatalf("after the switch: %+v", f)
	}
	if h.app.tickets.titleL.Text != i18n.TL(i18n.RU, "tkui.title.new") {
		t.Fatalf("title %q", h.app.tickets.titleL.Text)
	}
}

func TestTicketDetailInitiatorAnswers(t *testing.T) {
	tk := &fakeTickets{}
	e := tkRegistered(t, "w1", "SD-9", 2, servicedesk.Critical, tkAt(2026, 11, 23, 9, 0))
	if err := e.Ticket.Move(servicedesk.StatusWaiting, tkAt(2026, 11, 23, 10, 0), "Оператор", "Пришлите скриншот"); err != nil {
		t.Fatal(err)
	}
	tk.add(e)
	h := newTicketHarness(t, tk)
	h.app.showTickets()
	h.app.tickets.list.Select(0)
	d := h.app.tickets.detail
	if d == nil || d.id != "w1" {
		t.Fatal("tapping the ticket did not open it")
	}
	txt := h.tkTexts()
	for _, want := range []string{
		i18n.T("tkui.detail.paused", "status", i18n.T("sd.status.waiting_for_initiator")),
		// 1 h worked before the pause, which runs until now (15:00): the
		// 2-hour analysis is due an hour after now.
		i18n.T("tkui.detail.analysisDue", "time", "23.11.2026 16:00"),
		"Пришлите скриншот",
		i18n.T("tkui.answer.hint"),
	} {
		if !strings.Contains(txt, want) {
			t.Errorf("the detail lacks %q:\n%s", want, txt)
		}
	}
	if h.tkButton(i18n.T("tkui.do.take")) != nil {
		t.Fatal("a plain user is offered staff actions")
	}
	test.Type(d.text, "Скриншот приложен к письму")
	test.Tap(h.tkButton(i18n.T("tkui.do.answer")))
	h.waitFor("the answer", func() bool { return len(tk.patchesCopy()) == 1 && !d.busy })
	if p := tk.patchesCopy()[0]; p.Action != TicketAnswer || p.Text != "Скриншот приложен к письму" {
		t.Fatalf("patch %+v", p)
	}
	txt = h.tkTexts()
	if h.tkButton(i18n.T("tkui.do.answer")) != nil || !strings.Contains(txt, i18n.T("tkui.detail.running")) ||
		!strings.Contains(txt, "Скриншот приложен к письму") || d.text.Text != "" {
		t.Fatalf("after the answer:\n%s", txt)
	}
	// A comment needs text; a refusal from the server is shown.
	test.Tap(h.tkButton(i18n.T("tkui.do.comment")))
	if len(tk.patchesCopy()) != 1 || d.problem.Text != i18n.T("tkui.err.emptyText") {
		t.Fatalf("an empty comment: %q", d.problem.Text)
	}
	tk.mu.Lock()
	tk.patchErr = errors.New("kense-server: offline")
	tk.mu.Unlock()
	test.Type(d.text, "Ещё вопрос")
	test.Tap(h.tkButton(i18n.T("tkui.do.comment")))
	h.waitFor("the refusal", func() bool { return len(tk.patchesCopy()) == 2 && !d.busy })
	if !d.problem.Visible() || d.problem.Text != "kense-server: offline" || d.text.Text != "Ещё вопрос" {
		t.Fatalf("refusal %q, text kept %q", d.problem.Text, d.text.Text)
	}
}

func TestTicketQueueStaffActions(t *testing.T) {
	tk := &fakeTickets{roles: []string{"line1"}}
	e := tkRegistered(t, "q1", "SD-5", 3, servicedesk.Critical, tkAt(2026, 11, 23, 14, 40))
	e.Own = false
	tk.add(e)
	h := newTicketHarness(t, tk)
	h.app.showTickets()
	if h.app.tickets.titleL.Text != i18n.T("tkui.title.queue") || !strings.Contains(h.tkTexts(), i18n.T("tkui.staff.roles", "lines", tkLine(1))) {
		t.Fatalf("staff see the queue:\n%s", h.tkTexts())
	}
	h.app.tickets.showDetail("q1")
	d := h.app.tickets.detail
	if h.tkButton(i18n.T("tkui.do.answer")) != nil {
		t.Fatal("staff are offered the initiator's answer")
	}
	test.Tap(h.tkButton(i18n.T("tkui.do.take")))
	h.waitFor("take", func() bool { return len(tk.patchesCopy()) == 1 && !d.busy })
	if h.tkButton(i18n.T("tkui.do.take")) != nil || !strings.Contains(h.tkTexts(), i18n.T("sd.status.in_analysis")) {
		t.Fatalf("after take:\n%s", h.tkTexts())
	}
	d.statusSel.SetSelected(i18n.T("sd.status.in_progress"))
	test.Type(d.text, "Воспроизвели")
	test.Tap(h.tkButton(i18n.T("tkui.do.status")))
	h.waitFor("status", func() bool { return len(tk.patchesCopy()) == 2 && !d.busy })
	if p := tk.patchesCopy()[1]; p.Action != TicketStatus || p.Status != servicedesk.StatusInProgress || p.Text != "Воспроизвели" {
		t.Fatalf("status patch %+v", p)
	}
	test.Tap(h.tkButton(i18n.T("tkui.do.escalate", "line", 2)))
	h.waitFor("escalate", func() bool { return len(tk.patchesCopy()) == 3 && !d.busy })
	// On line 2 the line-1 operator may only comment.
	if h.tkButton(i18n.T("tkui.do.status")) != nil || h.tkButton(i18n.T("tkui.do.comment")) == nil ||
		!strings.Contains(h.tkTexts(), tkLine(2)) {
		t.Fatalf("after escalation:\n%s", h.tkTexts())
	}
	// Choosing no status says so instead of sending nothing.
	tk.mu.Lock()
	tk.roles = []string{"line2"}
	tk.mu.Unlock()
	d.reload()
	test.Tap(h.tkButton(i18n.T("tkui.do.status")))
	if len(tk.patchesCopy()) != 3 || d.problem.Text != i18n.T("tkui.err.pickStatus") {
		t.Fatalf("no status picked: %q", d.problem.Text)
	}
}

// tkPDF is a small file the sniffer takes for a PDF.
func tkPDF() []byte { return []byte("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n") }

func (h *harness) openedCopy() []*url.URL {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]*url.URL(nil), h.opened...)
}

// tkWithFiles is a registered ticket "f1" with the given supporting files,
// open on its detail.
func tkWithFiles(t *testing.T, tk *fakeTickets, as ...servicedesk.Attachment) (*harness, *ticketDetail) {
	t.Helper()
	e := tkRegistered(t, "f1", "SD-7", 1, servicedesk.Urgent, tkAt(2026, 11, 23, 9, 0))
	e.Ticket.Attachments = as
	tk.add(e)
	h := newTicketHarness(t, tk)
	h.app.showTickets()
	h.app.tickets.showDetail("f1")
	return h, h.app.tickets.detail
}

func tkAttachment(t *testing.T, name string, data []byte) servicedesk.Attachment {
	t.Helper()
	a, err := servicedesk.NewAttachment(name, data)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// The detail lists each supporting file with its size and opens it in the
// system's viewer from a temp file whose extension is what the bytes are:
// a PDF named "report.exe" opens as a .pdf.
func TestTicketDetailOpensAttachments(t *testing.T) {
	pdf, shot := tkPDF(), tkPNG(t)
	doc, img := tkAttachment(t, "report.exe", pdf), tkAttachment(t, "screen.png", shot)
	tk := &fakeTickets{fileData: map[string][]byte{doc.SHA256: pdf, img.SHA256: shot}, fileGate: make(chan struct{})}
	h, d := tkWithFiles(t, tk, doc, img)
	if !h.hasText(i18n.T("sd.field.attachments")) {
		t.Fatalf("no heading over the files:\n%s", h.tkTexts())
	}
	for _, a := range []servicedesk.Attachment{doc, img} {
		if !h.hasText(i18n.T("tkui.attach.item", "name", a.Name, "size", 1)) {
			t.Fatalf("%s is not listed with its size:\n%s", a.Name, h.tkTexts())
		}
		if b := d.fileBtns[a.SHA256]; b == nil || b.Text != i18n.T("tkui.file.open") || b.Disabled() {
			t.Fatalf("%s: no Open button", a.Name)
		}
	}

	test.Tap(d.fileBtns[doc.SHA256])
	h.waitFor("the fetch", func() bool { return tk.fileCallsNow() == 1 })
	// While it comes, its button says so and no other file starts.
	if b := d.fileBtns[doc.SHA256]; b.Text != i18n.T("tkui.file.opening") || !b.Disabled() || !d.fileBtns[img.SHA256].Disabled() {
		t.Fatalf("while fetching: %q disabled %v, the other disabled %v", b.Text, b.Disabled(), d.fileBtns[img.SHA256].Disabled())
	}
	d.reload() // a sync's reload keeps the state
	d.openFile(img)
	if b := d.fileBtns[doc.SHA256]; b.Text != i18n.T("tkui.file.opening") || !b.Disabled() {
		t.Fatal("a reload forgot the file being fetched")
	}
	close(tk.fileGate)
	h.waitFor("the viewer", func() bool { return len(h.openedCopy()) == 1 })
	h.pump()
	if n := tk.fileCallsNow(); n != 1 {
		t.Fatalf("%d fetches for one press", n)
	}
	path := h.openedCopy()[0].Path
	base := filepath.Base(path)
	if filepath.Dir(path) != h.app.svc.TempDir || filepath.Ext(path) != ".pdf" || !strings.HasPrefix(base, "kense-attachment-") ||
		strings.Contains(base, "report") || strings.Contains(base, "exe") {
		t.Fatalf("opened %s: want a .pdf in the temp folder, named without the file's name", path)
	}
	if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, pdf) {
		t.Fatalf("the temp file holds %q (%v)", got, err)
	}
	h.app.mu.Lock()
	registered := slices.Contains(h.app.temps, path)
	h.app.mu.Unlock()
	if !registered {
		t.Fatal("the temp file is not removed at exit")
	}
	if b := d.fileBtns[doc.SHA256]; b.Text != i18n.T("tkui.file.open") || b.Disabled() {
		t.Fatalf("after opening: %q disabled %v", b.Text, b.Disabled())
	}

	test.Tap(d.fileBtns[img.SHA256])
	h.waitFor("the second file", func() bool { return len(h.openedCopy()) == 2 })
	if p := h.openedCopy()[1].Path; filepath.Ext(p) != ".png" {
		t.Fatalf("the PNG opened as %s", p)
	}
}

// A file that cannot be had, or bytes that are not the file the ticket
// lists, show a message and open nothing.
func TestTicketDetailFileErrorsOpenNothing(t *testing.T) {
	pdf := tkPDF()
	doc := tkAttachment(t, "report.exe", pdf)
	tk := &fakeTickets{fileData: map[string][]byte{}}
	h, d := tkWithFiles(t, tk, doc)
	msg := i18n.T("tkui.err.fileMismatch", "name", "report.exe")
	tk.mu.Lock()
	tk.fileErr = errors.New(msg)
	tk.mu.Unlock()
	// refused presses Open and waits for the message, in a dialog of its own.
	refused := func(when string) {
		t.Helper()
		overlays := len(h.win.Canvas().Overlays().List())
		test.Tap(d.fileBtns[doc.SHA256])
		h.waitFor(when, func() bool { return len(h.win.Canvas().Overlays().List()) > overlays })
		top := h.win.Canvas().Overlays().Top()
		if len(find(top, func(l *widget.Label) bool { return l.Text == msg })) == 0 {
			t.Fatalf("%s: the dialog does not say %q:\n%s", when, msg, h.tkTexts())
		}
		if n := len(h.openedCopy()); n != 0 {
			t.Fatalf("%s: %d files opened", when, n)
		}
		if fs, _ := os.ReadDir(h.app.svc.TempDir); len(fs) != 0 {
			t.Fatalf("%s: %d temp files written", when, len(fs))
		}
		if b := d.fileBtns[doc.SHA256]; b.Disabled() || b.Text != i18n.T("tkui.file.open") {
			t.Fatalf("%s: the button stays busy", when)
		}
	}
	refused("the service failed")

	// The screen checks what it opens whatever the service says: an
	// executable handed over as the PDF is refused, and so is a real file
	// of another type than the ticket lists.
	for when, b := range map[string][]byte{"an executable": []byte("MZ\x90\x00\x03\x00\x00\x00 not a PDF"), "a PNG for a PDF": tkPNG(t)} {
		tk.mu.Lock()
		tk.fileErr = nil
		tk.fileData[doc.SHA256] = b
		tk.mu.Unlock()
		refused(when)
	}
}
