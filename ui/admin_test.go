package ui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"kense/api"
	"kense/form"
	"kense/i18n"
)

// fakeAdmin is the server's administration as the screens see it.
type fakeAdmin struct {
	mu       sync.Mutex
	roles    []string
	queue    []api.AdminApplicationSummary
	apps     map[string]*api.AdminApplication
	history  map[string]*api.AuditHistory
	executed []fakeExec
	rejected []string
	slips    []PasswordSlip // with a copy of the password, as printed
	issued   []api.Secret   // the passwords handed out (the screen wipes them)
	pdfs     int
	grounds  []api.UNISGround
	blocked  []api.UNISBlockRequest
	created  []api.UNISCreateRequest
}

type fakeExec struct {
	sha string
	n   int
	req api.ExecuteRequest
}

const fakeSHA = "5f0c6e1d9a3b4c2d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d"

func newFakeAdmin(t *testing.T, roles ...string) *fakeAdmin {
	t.Helper()
	reg := validIIN(t, 41)
	reset := validIIN(t, 42)
	app := &api.AdminApplication{
		Application: api.Application{SHA256: fakeSHA, DraftID: "d1", Status: api.AppSubmitted,
			SignerIIN: "780312450016", SignerName: "НҰРЛАНОВА АЙГҮЛ", CertSerial: "ABC123",
			SignedAt: fixedNow(), SubmittedAt: fixedNow()},
		Form: form.Form{Subunit: "Алматы қаласы бойынша филиал", Date: "2026-11-20",
			Head: form.Head{Position: "Бөлім басшысы", FullName: "Нұрланова Айгүл Серікқызы"}},
		Rows: []api.AdminRow{
			{N: 1, Row: form.Row{FullName: "Омаров Данияр", IIN: reg, IP: "10.0.0.5", UserType: 1, Operation: form.OpRegister,
				AccessLevels: []string{"B"}, Position: "маман", OrderFile: "scans/o.pdf"},
				OrderRequired: true, Order: &api.OrderInfo{Size: 2048, ContentType: "application/pdf", UploadedAt: fixedNow()}},
			{N: 2, Row: form.Row{FullName: "Сейітова Дана", IIN: reset, IP: "10.0.0.6", UserType: 1, Operation: form.OpResetPassword, Position: "маман"},
				Account: &api.AdminAccount{Account: api.Account{IIN: reset, FullName: "Сейітова Дана", Kind: api.KindRER, Status: api.StatusActive, Login: "dana.s"}}},
			{N: 3, Row: form.Row{FullName: "Әбенов Ерлан", IIN: validIIN(t, 43), IP: "10.0.0.7", UserType: 1, Operation: form.OpDismissal,
				Position: "маман", OrderFile: "scans/d.pdf"}, OrderRequired: true},
		},
	}
	return &fakeAdmin{
		roles: roles,
		queue: []api.AdminApplicationSummary{{Application: app.Application, Subunit: app.Form.Subunit,
			HeadName: app.Form.Head.FullName, Date: app.Form.Date, Rows: 3}},
		apps: map[string]*api.AdminApplication{fakeSHA: app},
		history: map[string]*api.AuditHistory{reset: {IIN: reset, Entries: []api.AuditEntry{
			{Seq: 1, At: fixedNow(), ActorName: "", AccountIIN: reset, Action: api.AuditAccountCreated},
			{Seq: 2, At: fixedNow(), ActorName: "Ким Виктор", AccountIIN: reset, Action: api.AuditChangeIP, Operation: form.OpChangeIP,
				Application: fakeSHA, Row: 4, Changes: []api.FieldChange{{Field: "boundIp", Old: "10.0.0.1", New: "10.0.0.6"}}},
		}}},
		grounds: api.UNISGrounds,
	}
}

func (f *fakeAdmin) Roles() []string { return f.roles }

func (f *fakeAdmin) Queue(_ context.Context, all bool) ([]api.AdminApplicationSummary, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.queue), nil
}

func (f *fakeAdmin) Application(_ context.Context, sha string) (*api.AdminApplication, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a, ok := f.apps[sha]
	if !ok {
		return nil, errors.New("no such application")
	}
	c := *a
	c.Rows = slices.Clone(a.Rows)
	return &c, nil
}

func (f *fakeAdmin) Execute(_ context.Context, sha string, n int, req api.ExecuteRequest) (*api.ExecuteResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.executed = append(f.executed, fakeExec{sha, n, req})
	a := f.apps[sha]
	r := &a.Rows[n-1]
	oc := api.RowOutcome{Row: n, Status: api.RowExecuted, At: fixedNow(), By: "Ким Виктор", Reason: req.Note}
	r.Outcome = &oc
	resp := &api.ExecuteResponse{Outcome: oc, Account: api.AdminAccount{Account: api.Account{IIN: r.Row.IIN, FullName: r.Row.FullName, Login: req.Login, Status: api.StatusActive}}}
	if r.Account != nil && req.Login == "" {
		resp.Account.Login = r.Account.Login
	}
	if r.Row.Operation == form.OpRegister || r.Row.Operation == form.OpResetPassword {
		resp.PrimaryPassword = api.Secret("Hk7m-PqR2-zX9a-Wb3c")
		f.issued = append(f.issued, resp.PrimaryPassword)
	}
	return resp, nil
}

func (f *fakeAdmin) Reject(_ context.Context, sha string, n int, reason string) (*api.RowOutcome, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rejected = append(f.rejected, reason)
	oc := &api.RowOutcome{Row: n, Status: api.RowRejected, Reason: reason, At: fixedNow(), By: "Ким Виктор"}
	f.apps[sha].Rows[n-1].Outcome = oc
	return oc, nil
}

func (f *fakeAdmin) Order(context.Context, string, int) ([]byte, string, error) {
	return []byte("%PDF-1.4 order"), "application/pdf", nil
}

func (f *fakeAdmin) Account(_ context.Context, iin string) (*api.AdminAccount, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, a := range f.apps {
		for _, r := range a.Rows {
			if r.Account != nil && r.Account.IIN == iin {
				c := *r.Account
				return &c, nil
			}
		}
	}
	return nil, errors.New("no account")
}

func (f *fakeAdmin) History(_ context.Context, iin string) (*api.AuditHistory, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if h, ok := f.history[iin]; ok {
		return h, nil
	}
	return &api.AuditHistory{IIN: iin}, nil
}

func (f *fakeAdmin) ApplicationPDF(*api.AdminApplication) ([]byte, error) {
	f.mu.Lock()
	f.pdfs++
	f.mu.Unlock()
	return []byte("%PDF-1.4 application"), nil
}

func (f *fakeAdmin) Slip(s PasswordSlip) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s.Password = slices.Clone(s.Password)
	f.slips = append(f.slips, s)
	return []byte("%PDF-1.4 slip " + string(s.Password)), nil
}

func (f *fakeAdmin) Grounds(context.Context) ([]api.UNISGround, error) { return f.grounds, nil }

func (f *fakeAdmin) CreateUNIS(_ context.Context, req api.UNISCreateRequest) (*api.AdminAccount, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.created = append(f.created, req)
	return &api.AdminAccount{Account: api.Account{IIN: req.IIN, FullName: req.FullName, Kind: api.KindUNIS, Status: api.StatusActive}}, nil
}

func (f *fakeAdmin) BlockUNIS(_ context.Context, iin string, req api.UNISBlockRequest) (*api.AdminAccount, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.blocked = append(f.blocked, req)
	return &api.AdminAccount{Account: api.Account{IIN: iin, FullName: "Оспанов Болат", Kind: api.KindUNIS, Status: api.StatusBlocked}}, nil
}

// newAdminHarness is newHarness with the admin service wired (nil: none),
// in English.
func newAdminHarness(t *testing.T, ad AdminService) *harness {
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
		Admin:        ad,
	}
	h.app = New(fyne.CurrentApp(), h.win, svc)
	h.app.do = func(fn func()) { h.queue <- fn }
	h.app.Start()
	t.Cleanup(h.app.Close)
	return h
}

func (h *harness) openedPaths() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, u := range h.opened {
		out = append(out, u.Path)
	}
	return out
}

// admEntry finds a visible entry by its placeholder, dialogs included.
func (h *harness) admEntry(placeholder string) *widget.Entry {
	roots := append([]fyne.CanvasObject{h.content()}, h.win.Canvas().Overlays().List()...)
	for _, r := range roots {
		if es := find(r, func(e *widget.Entry) bool { return e.PlaceHolder == placeholder }); len(es) > 0 {
			return es[0]
		}
	}
	return nil
}

// rowButton is the n-th (0-based) visible button with text, window first.
func (h *harness) admButtons(text string) []*widget.Button {
	return find(h.content(), func(b *widget.Button) bool { return b.Text == text })
}

// openQueueApp opens the queue and the application in it.
func openQueueApp(t *testing.T, h *harness) {
	t.Helper()
	test.Tap(h.button(i18n.T("adminui.open")))
	h.waitFor("the queue", func() bool {
		return strings.Contains(h.tkTexts(), "Алматы қаласы бойынша филиал")
	})
	if !strings.Contains(h.tkTexts(), i18n.T("adminui.queue.rows", "n", 3, "decided", 0)) {
		t.Fatalf("the queue line says:\n%s", h.tkTexts())
	}
	h.app.admin.list.Select(0)
	h.waitFor("the application", func() bool { return strings.Contains(h.tkTexts(), "Омаров Данияр") })
}

// Only an account with the RER SDB administrator role sees the queue; a
// chamber employee sees the UNIS screen instead, nobody else either.
func TestAdminScreensFollowRoles(t *testing.T) {
	h := newAdminHarness(t, nil)
	if h.tkButton(i18n.T("adminui.open")) != nil || h.tkButton(i18n.T("adminui.unis.open")) != nil {
		t.Fatal("admin screens without an admin service")
	}
	h = newAdminHarness(t, newFakeAdmin(t, api.RoleLine1))
	if h.tkButton(i18n.T("adminui.open")) != nil {
		t.Fatal("queue for a ServiceDesk line")
	}
	h = newAdminHarness(t, newFakeAdmin(t, api.RoleChamber))
	if h.tkButton(i18n.T("adminui.open")) != nil || h.tkButton(i18n.T("adminui.unis.open")) == nil {
		t.Fatal("a chamber employee: no queue, the UNIS screen")
	}
	h = newAdminHarness(t, newFakeAdmin(t, api.RoleRERAdmin))
	if h.tkButton(i18n.T("adminui.unis.open")) != nil {
		t.Fatal("UNIS screen for the RER SDB administrator")
	}
	openQueueApp(t, h)
	text := h.tkTexts()
	op, _ := form.FindOperation(form.OpRegister)
	for _, want := range []string{
		op.Label.Bilingual(), // the form's own bilingual label
		i18n.T("adminui.row.noaccount"),
		i18n.T("adminui.row.order.present", "kb", 2, "time", admTime(fixedNow())),
		i18n.T("adminui.row.order.missing"),
		i18n.T("adminui.row.pending"),
		i18n.T("adminui.acct.active"),
		i18n.T("adminui.row.login", "login", "dana.s"),
	} {
		if !strings.Contains(text, want) {
			t.Errorf("%q missing from the application:\n%s", want, text)
		}
	}
	// Dismissal without its order: Execute is off (the server refuses it
	// too); Reject stays.
	execs := h.admButtons(i18n.T("adminui.row.execute"))
	rejects := h.admButtons(i18n.T("adminui.row.reject"))
	if len(execs) != 3 || len(rejects) != 3 {
		t.Fatalf("%d execute, %d reject buttons", len(execs), len(rejects))
	}
	if execs[0].Disabled() || execs[1].Disabled() || !execs[2].Disabled() || rejects[2].Disabled() {
		t.Fatal("execute must be off only for the row whose order is missing")
	}
	// The PDF as filed and the order open in the system's viewer.
	test.Tap(h.button(i18n.T("adminui.app.pdf")))
	h.waitFor("the PDF opened", func() bool { return len(h.openedPaths()) == 1 })
	test.Tap(h.button(i18n.T("adminui.row.order")))
	h.waitFor("the order opened", func() bool { return len(h.openedPaths()) == 2 })
	ps := h.openedPaths()
	if !strings.Contains(filepath.Base(ps[0]), "kense-application-") || !strings.HasSuffix(ps[1], ".pdf") ||
		!strings.Contains(filepath.Base(ps[1]), "kense-order-") {
		t.Fatalf("opened %v", ps)
	}
	// The language switch keeps the application open.
	h.app.SetLanguage(i18n.KK)
	h.waitFor("the application in Kazakh", func() bool {
		return strings.Contains(h.tkTexts(), i18n.T("adminui.title.app")) && strings.Contains(h.tkTexts(), "Омаров Данияр")
	})
}

// A registration asks for the login; executing it calls through, and the
// primary password in the answer is printed on a slip opened at once;
// the password is wiped, and the slip's file goes when the app closes.
func TestAdminExecuteRegistrationPrintsSlip(t *testing.T) {
	ad := newFakeAdmin(t, api.RoleRERAdmin)
	h := newAdminHarness(t, ad)
	openQueueApp(t, h)
	test.Tap(h.admButtons(i18n.T("adminui.row.execute"))[0])
	dlg := func() *widget.Button {
		for _, b := range find(h.win.Canvas().Overlays().Top(), func(b *widget.Button) bool { return b.Text == i18n.T("adminui.row.execute") }) {
			return b
		}
		t.Fatal("no execute button in the dialog")
		return nil
	}
	ok := dlg()
	if !ok.Disabled() || !strings.Contains(h.tkTexts(), i18n.T("adminui.exec.need.login")) {
		t.Fatal("a registration executes without a login")
	}
	login := h.admEntry(i18n.T("adminui.exec.login"))
	if login == nil {
		t.Fatal("no login field")
	}
	test.Type(login, "daniyar.omarov")
	if ok.Disabled() {
		t.Fatal("still disabled with a login")
	}
	test.Type(h.admEntry(i18n.T("adminui.exec.note")), "бұйрық №15")
	test.Tap(ok)
	h.waitFor("the slip opened", func() bool { return len(h.openedPaths()) == 1 })
	ad.mu.Lock()
	ex, slips := slices.Clone(ad.executed), slices.Clone(ad.slips)
	issued := ad.issued[0]
	ad.mu.Unlock()
	if len(ex) != 1 || ex[0].sha != fakeSHA || ex[0].n != 1 || ex[0].req.Login != "daniyar.omarov" || ex[0].req.Note != "бұйрық №15" {
		t.Fatalf("executed %+v", ex)
	}
	if len(slips) != 1 || string(slips[0].Password) != "Hk7m-PqR2-zX9a-Wb3c" || slips[0].Login != "daniyar.omarov" ||
		slips[0].FullName != "Омаров Данияр" || slips[0].IssuedBy != "Ким Виктор" || !slips[0].Date.Equal(fixedNow()) {
		t.Fatalf("slip %+v", slips)
	}
	if strings.Trim(string(issued), "\x00") != "" {
		t.Fatal("the primary password was not wiped")
	}
	path := h.openedPaths()[0]
	if !strings.HasPrefix(filepath.Base(path), "kense-slip-") {
		t.Fatalf("opened %s", path)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(h.tkTexts(), i18n.T("adminui.slip.done")) {
		t.Fatal("no word on handing the slip over")
	}
	// Nothing of the password is on the screen.
	if strings.Contains(h.tkTexts(), "Hk7m") {
		t.Fatal("the password is on the screen")
	}
	h.waitFor("the row executed", func() bool {
		return strings.Contains(h.tkTexts(), i18n.T("adminui.row.executed.note", "by", "Ким Виктор", "time", admTime(fixedNow()), "note", "бұйрық №15"))
	})
	// Printed again from the file, not from a kept password.
	test.Tap(h.tkButton(i18n.T("adminui.slip.again")))
	if len(h.openedPaths()) != 2 || h.openedPaths()[1] != path {
		t.Fatalf("again: %v", h.openedPaths())
	}
	h.app.Close()
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the slip outlived the app: %v", err)
	}
}

// A password reset prints its slip with the account's login; a row
// executed is executed: its buttons go off.
func TestAdminExecuteResetPrintsSlip(t *testing.T) {
	ad := newFakeAdmin(t, api.RoleRERAdmin)
	h := newAdminHarness(t, ad)
	openQueueApp(t, h)
	test.Tap(h.admButtons(i18n.T("adminui.row.execute"))[1])
	if h.admEntry(i18n.T("adminui.exec.login")) != nil {
		t.Fatal("a reset asks for a login")
	}
	if !strings.Contains(h.tkTexts(), i18n.T("adminui.exec.slipnote")) {
		t.Fatal("the dialog does not say a slip comes")
	}
	var ok *widget.Button
	for _, b := range find(h.win.Canvas().Overlays().Top(), func(b *widget.Button) bool { return b.Text == i18n.T("adminui.row.execute") }) {
		ok = b
	}
	test.Tap(ok)
	h.waitFor("the slip opened", func() bool { return len(h.openedPaths()) == 1 })
	ad.mu.Lock()
	s := ad.slips[0]
	ad.mu.Unlock()
	if s.Login != "dana.s" || string(s.Password) == "" {
		t.Fatalf("slip %+v", s)
	}
	h.waitFor("the row executed", func() bool {
		return strings.Contains(h.tkTexts(), i18n.T("adminui.row.executed", "by", "Ким Виктор", "time", admTime(fixedNow())))
	})
	if b := h.admButtons(i18n.T("adminui.row.execute")); !b[1].Disabled() || !h.admButtons(i18n.T("adminui.row.reject"))[1].Disabled() {
		t.Fatal("a decided row can be worked again")
	}
}

// Rejecting needs a reason; the reason goes to the server.
func TestAdminRejectNeedsReason(t *testing.T) {
	ad := newFakeAdmin(t, api.RoleRERAdmin)
	h := newAdminHarness(t, ad)
	openQueueApp(t, h)
	test.Tap(h.admButtons(i18n.T("adminui.row.reject"))[2])
	var ok *widget.Button
	for _, b := range find(h.win.Canvas().Overlays().Top(), func(b *widget.Button) bool { return b.Text == i18n.T("adminui.row.reject") }) {
		ok = b
	}
	if ok == nil || !ok.Disabled() {
		t.Fatal("reject without a reason")
	}
	reason := h.admEntry(i18n.T("adminui.reject.reason"))
	test.Type(reason, "   ")
	if !ok.Disabled() {
		t.Fatal("blanks are no reason")
	}
	reason.SetText("")
	test.Type(reason, "Бұйрық жоқ")
	if ok.Disabled() {
		t.Fatal("still disabled with a reason")
	}
	test.Tap(ok)
	h.waitFor("the row rejected", func() bool {
		return strings.Contains(h.tkTexts(), i18n.T("adminui.row.rejected", "by", "Ким Виктор", "time", admTime(fixedNow()), "reason", "Бұйрық жоқ"))
	})
	ad.mu.Lock()
	defer ad.mu.Unlock()
	if len(ad.rejected) != 1 || ad.rejected[0] != "Бұйрық жоқ" || len(ad.executed) != 0 {
		t.Fatalf("rejected %v executed %v", ad.rejected, ad.executed)
	}
}

// An account's history: every entry, who, which application and row, the
// fields changed; the console's own changes say so.
func TestAdminHistory(t *testing.T) {
	ad := newFakeAdmin(t, api.RoleRERAdmin)
	h := newAdminHarness(t, ad)
	openQueueApp(t, h)
	test.Tap(h.button(i18n.T("adminui.row.history")))
	op, _ := form.FindOperation(form.OpChangeIP)
	h.waitFor("the history", func() bool { return strings.Contains(h.tkTexts(), op.Label.Bilingual()) })
	text := h.tkTexts()
	for _, want := range []string{
		i18n.T("adminui.action.account_created"), i18n.T("adminui.history.console"), "Ким Виктор",
		i18n.T("adminui.history.row", "n", 4), i18n.T("adminui.history.change", "field", "boundIp", "old", "10.0.0.1", "new", "10.0.0.6"),
	} {
		if !strings.Contains(text, want) {
			t.Errorf("%q missing:\n%s", want, text)
		}
	}
	test.Tap(h.button(i18n.T("adminui.back")))
	h.waitFor("back on the application", func() bool { return strings.Contains(h.tkTexts(), "Омаров Данияр") })
}

// The chamber creates a UNIS account on an application and blocks one on
// a ground of UNIS rule 5 from the server's list.
func TestAdminUNISCreateAndBlock(t *testing.T) {
	ad := newFakeAdmin(t, api.RoleChamber)
	h := newAdminHarness(t, ad)
	test.Tap(h.button(i18n.T("adminui.unis.open")))
	h.waitFor("the grounds", func() bool { return len(h.app.admin.unis.grounds.Options) == len(api.UNISGrounds) })
	v := h.app.admin.unis
	if !v.create.Disabled() || !v.block.Disabled() {
		t.Fatal("buttons on with nothing typed")
	}
	id := validIIN(t, 77)
	test.Type(v.iin, id)
	test.Type(v.name, "Оспанов Болат")
	if !v.create.Disabled() {
		t.Fatal("create without the application")
	}
	test.Type(v.app, "№ 12 от 20.11.2026")
	if v.create.Disabled() {
		t.Fatal("create still off")
	}
	test.Tap(v.create)
	test.Tap(h.tkButton("Yes"))
	h.waitFor("created", func() bool { ad.mu.Lock(); defer ad.mu.Unlock(); return len(ad.created) == 1 })
	h.waitFor("the message", func() bool {
		return strings.Contains(h.tkTexts(), i18n.T("adminui.unis.created", "name", "Оспанов Болат", "iin", id))
	})

	v = h.app.admin.unis
	test.Type(v.biin, id)
	test.Type(v.bapp, "№ 13")
	if !v.block.Disabled() {
		t.Fatal("block without grounds")
	}
	v.grounds.SetSelectedIndex(1)
	if v.block.Disabled() {
		t.Fatal("block still off")
	}
	test.Tap(v.block)
	test.Tap(h.tkButton("Yes"))
	h.waitFor("blocked", func() bool { ad.mu.Lock(); defer ad.mu.Unlock(); return len(ad.blocked) == 1 })
	ad.mu.Lock()
	got := ad.blocked[0]
	ad.mu.Unlock()
	if got.Grounds != "5.2" || got.Application != "№ 13" {
		t.Fatalf("blocked %+v", got)
	}
}
