package ui

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"kense/assets"
	"kense/form"
	"kense/i18n"
	"kense/iin"
)

// validIIN makes a well-formed IIN (born 1985-03-15, male, 20th century).
func validIIN(t testing.TB, serial int) string {
	t.Helper()
	for s := serial; s < serial+100; s++ {
		head := fmt.Sprintf("8503153%04d", s%10000)
		var d [11]int
		for i := range d {
			d[i] = int(head[i] - '0')
		}
		if c, ok := iin.CheckDigit(d); ok {
			v := fmt.Sprintf("%s%d", head, c)
			if !iin.Valid(v) {
				t.Fatalf("made %s, iin says invalid", v)
			}
			return v
		}
	}
	t.Fatal("no serial with a check digit")
	return ""
}

// validForm is a complete application with n rows.
func validForm(t testing.TB, n int) form.Form {
	f := form.Form{Subunit: "Филиал по г. Астана", Date: "2026-11-20", AttachmentPages: 0,
		Head: form.Head{Position: "Директор", FullName: "Сейткали Айгерим"}}
	for i := 0; i < n; i++ {
		f.Rows = append(f.Rows, form.Row{FullName: fmt.Sprintf("Пользователь %d", i+1), IIN: validIIN(t, i*100),
			IP: fmt.Sprintf("10.1.%d.%d", i/250, i%250+1), UserType: 1, Operation: form.OpChangeIP, Position: "Регистратор"})
	}
	return f
}

func TestIINValidationLiveInCurrentLanguage(t *testing.T) {
	for _, l := range []i18n.Lang{i18n.KK, i18n.RU, i18n.EN} {
		t.Run(string(l), func(t *testing.T) {
			s := newMemStore()
			s.settings[SettingLanguage] = string(l)
			h := newHarness(t, s)
			if i18n.Current() != l {
				t.Fatalf("language %s, want %s from the settings", i18n.Current(), l)
			}
			test.Tap(h.button(i18n.T("ui.drafts.new")))
			if h.app.editor == nil {
				t.Fatal("New did not open the editor")
			}
			ri := h.row(0)
			if msg := ri.msgs["iin"]; msg.Visible() {
				t.Fatalf("a new form shows %q before anything is typed", msg.Text)
			}
			test.Type(ri.iin, "85031530")
			want := ""
			for _, p := range form.ValidateRow(h.app.editor.draft.Form.Rows[0], 1, form.Options{Today: fixedNow()}) {
				if p.Field == "iin" {
					want = p.Message(l)
				}
			}
			if want == "" {
				t.Fatal("form accepts a short IIN")
			}
			ri = h.row(0)
			msg := ri.msgs["iin"]
			if !msg.Visible() || msg.Text != want {
				t.Fatalf("IIN message = %q (visible %v), want it to contain %q", msg.Text, msg.Visible(), want)
			}
			// The message sits under the IIN column, not at the row's start.
			if msg.Position().X < ri.iin.Position().X-1 && ri.Size().Width-ri.iin.Position().X > messageRoom {
				t.Errorf("message at x=%v, IIN field at x=%v", msg.Position().X, ri.iin.Position().X)
			}
			// Other untouched fields stay quiet.
			if ri.msgs["fullName"].Visible() {
				t.Errorf("untouched full name shows %q", ri.msgs["fullName"].Text)
			}

			ri.iin.SetText("")
			test.Type(ri.iin, validIIN(t, 0))
			ri = h.row(0)
			if ri.msgs["iin"].Visible() {
				t.Fatalf("fixed IIN still shows %q", ri.msgs["iin"].Text)
			}
			if got := h.app.editor.draft.Form.Rows[0].IIN; got != validIIN(t, 0) {
				t.Fatalf("form IIN = %q", got)
			}
		})
	}
}

func TestEditReachesStore(t *testing.T) {
	h := newHarness(t, nil)
	test.Tap(h.button(i18n.T("ui.drafts.new")))
	e := h.app.editor
	test.Type(e.subunit, "Алматы филиалы")
	if e.status.Text != i18n.T("ui.status.saving") {
		t.Errorf("status while saving = %q", e.status.Text)
	}
	h.waitFor("the subunit in the store", func() bool {
		d, err := h.store.GetDraft(e.draft.ID)
		return err == nil && d.Form.Subunit == "Алматы филиалы"
	})
	h.waitFor("the Saved status", func() bool {
		return strings.HasPrefix(e.status.Text, strings.Split(i18n.T("ui.status.saved"), "{")[0])
	})
}

func TestDraftsSearchDeleteUndo(t *testing.T) {
	s := newMemStore()
	now := time.Now()
	a := validForm(t, 1)
	a.Subunit = "Астана қаласы бойынша филиал"
	b := validForm(t, 2)
	b.Subunit = "Алматы облысы бойынша филиал"
	b.Rows[1].IIN = validIIN(t, 5000)
	s.put(a, now)
	s.put(b, now)
	h := newHarness(t, s)
	v := h.app.drafts
	if len(v.items) != 2 {
		t.Fatalf("list shows %d drafts, want 2", len(v.items))
	}
	test.Type(v.search, "алматы")
	if len(v.items) != 1 || v.items[0].Subunit != b.Subunit {
		t.Fatalf("search by subunit: %+v", v.items)
	}
	v.search.SetText("")
	test.Type(v.search, b.Rows[1].IIN[:8])
	if len(v.items) != 1 || v.items[0].Subunit != b.Subunit {
		t.Fatalf("search by IIN: %+v", v.items)
	}
	v.search.SetText("zzz")
	if len(v.items) != 0 || !v.empty.Visible() || v.empty.Text != i18n.T("ui.drafts.nomatch") {
		t.Fatalf("no match: %d items, empty label %q", len(v.items), v.empty.Text)
	}
	v.search.SetText("")

	// Delete the first shown draft through its own button.
	items := find(h.content(), func(it *draftItem) bool { return it.id != "" })
	if len(items) != 2 {
		t.Fatalf("%d list items drawn", len(items))
	}
	gone := items[0].id
	test.Tap(items[0].trash)
	if len(v.items) != 1 || v.items[0].ID == gone {
		t.Fatalf("after delete the list is %+v", v.items)
	}
	if !v.banner.Visible() {
		t.Fatal("no Undo banner after delete")
	}
	test.Tap(v.bannerUndo)
	if len(v.items) != 2 || v.banner.Visible() {
		t.Fatalf("after undo: %d drafts, banner visible %v", len(v.items), v.banner.Visible())
	}

	// Duplicate adds a copy.
	test.Tap(find(h.content(), func(it *draftItem) bool { return it.id == gone })[0].dup)
	if len(v.items) != 3 {
		t.Fatalf("after duplicate: %d drafts", len(v.items))
	}
}

func TestLanguageSwitch(t *testing.T) {
	s := newMemStore()
	s.settings[SettingLanguage] = "kk"
	h := newHarness(t, s)
	h.button(i18n.TL(i18n.KK, "ui.drafts.new"))
	if got := lang.L("Cancel"); got != "Бас тарту" {
		t.Errorf("Fyne's Cancel in Kazakh = %q", got)
	}
	sels := find(h.content(), func(s *widget.Select) bool { return len(s.Options) == 3 })
	if len(sels) != 1 {
		t.Fatalf("%d language selects", len(sels))
	}
	sels[0].SetSelected("Русский")
	h.pump()
	if i18n.Current() != i18n.RU {
		t.Fatalf("language %s after choosing Русский", i18n.Current())
	}
	h.button(i18n.TL(i18n.RU, "ui.drafts.new"))
	if v, _, _ := s.Setting(SettingLanguage); v != "ru" {
		t.Errorf("setting = %q", v)
	}
	if got := lang.L("Cancel"); got != "Отмена" {
		t.Errorf("Fyne's Cancel in Russian = %q", got)
	}

	// Switching inside the editor keeps the draft open, in the new language.
	test.Tap(h.button(i18n.T("ui.drafts.new")))
	id := h.app.editor.draft.ID
	test.Type(h.app.editor.subunit, "X")
	sels = find(h.content(), func(s *widget.Select) bool { return len(s.Options) == 3 })
	sels[0].SetSelected("English")
	h.pump()
	if h.app.editor == nil || h.app.editor.draft.ID != id || h.app.editor.subunit.Text != "X" {
		t.Fatal("the open draft was lost on a language switch")
	}
	h.button("Print / PDF")
	if got := lang.L("Cancel"); got != "Cancel" {
		t.Errorf("Fyne's Cancel in English = %q", got)
	}
}

func TestDateShownDayFirst(t *testing.T) {
	s := newMemStore()
	f := validForm(t, 1)
	f.Date = "2026-11-20"
	d := s.put(f, time.Now())
	h := newHarness(t, s)
	h.app.openDraft(d.ID)
	e := h.app.editor
	if e.date.Text != "20.11.2026" {
		t.Fatalf("date shown as %q", e.date.Text)
	}
	e.date.SetText("")
	test.Type(e.date, "1.2.2026")
	if e.draft.Form.Date != "2026-02-01" || e.hdrErr["date"].Visible() {
		t.Fatalf("typed 1.2.2026: stored %q, message %q", e.draft.Form.Date, e.hdrErr["date"].Text)
	}
	e.date.SetText("31.02.2026")
	if !e.hdrErr["date"].Visible() || e.hdrErr["date"].Text != i18n.T("ui.err.date") {
		t.Fatalf("31.02.2026: message %q", e.hdrErr["date"].Text)
	}
	test.Tap(h.button(i18n.T("ui.date.today")))
	if e.draft.Form.Date != "2026-11-23" || e.date.Text != "23.11.2026" {
		t.Fatalf("Today: stored %q shown %q", e.draft.Form.Date, e.date.Text)
	}
}

func TestRowChoices(t *testing.T) {
	h := newHarness(t, nil)
	test.Tap(h.button(i18n.T("ui.drafts.new")))
	e := h.app.editor
	ri := h.row(0)
	ri.userType.SetSelected(userTypeOption(2))
	ri.operation.SetSelected(operationOption(form.OpRegister))
	r := e.draft.Form.Rows[0]
	if r.UserType != 2 || r.Operation != form.OpRegister {
		t.Fatalf("row = %+v", r)
	}
	ri = h.row(0)
	if !ri.orderBox.Visible() {
		t.Error("operation 2 hides the order file")
	}
	ri.operation.SetSelected(operationOption(form.OpChangeIP))
	ri = h.row(0)
	if ri.orderBox.Visible() {
		t.Error("operation 3 shows the order file")
	}
	if !ri.access.Disabled() {
		t.Error("operation 3 offers access levels")
	}
	e.editRow(0, "accessLevels", func(r *form.Row) { r.AccessLevels = []string{"A"} })
	ri.userType.SetSelected(userTypeOption(1))
	if got := e.draft.Form.Rows[0].AccessLevels; len(got) != 0 {
		t.Errorf("levels %v kept across a user type change", got)
	}

	test.Tap(h.button(i18n.T("ui.rows.add")))
	if len(e.draft.Form.Rows) != 2 {
		t.Fatalf("%d rows after Add", len(e.draft.Form.Rows))
	}
	test.Tap(h.row(1).remove) // empty row: no question asked
	if len(e.draft.Form.Rows) != 1 {
		t.Fatalf("%d rows after removing the empty one", len(e.draft.Form.Rows))
	}
}

func TestPrintRefusesFinalWithProblems(t *testing.T) {
	h := newHarness(t, nil)
	test.Tap(h.button(i18n.T("ui.drafts.new")))
	test.Tap(h.button(i18n.T("ui.editor.print")))
	if !h.app.editor.showAll {
		t.Error("print with problems does not reveal them")
	}
	if len(overlayButtons(h, i18n.T("ui.print.preview"))) != 0 || len(overlayButtons(h, i18n.T("ui.print.save"))) != 0 {
		t.Fatal("final preview or save offered for a form with problems")
	}
	draft := overlayButtons(h, i18n.T("ui.print.draft"))
	if len(draft) != 1 {
		t.Fatal("no draft preview offered")
	}
	test.Tap(draft[0])
	h.waitFor("the preview to open", func() bool { h.mu.Lock(); defer h.mu.Unlock(); return len(h.opened) == 1 })
	if len(h.renders) != 1 || h.renders[0] {
		t.Fatalf("renders = %v, want one draft render", h.renders)
	}
	checkPreview(t, h)
}

func TestPrintValidForm(t *testing.T) {
	s := newMemStore()
	d := s.put(validForm(t, 3), time.Now())
	h := newHarness(t, s)
	h.app.openDraft(d.ID)
	if n := len(h.app.editor.problems); n != 0 {
		t.Fatalf("valid form has problems: %v", h.app.editor.problemLines())
	}
	test.Tap(h.button(i18n.T("ui.editor.print")))
	view := overlayButtons(h, i18n.T("ui.print.preview"))
	if len(view) != 1 || len(overlayButtons(h, i18n.T("ui.print.save"))) != 1 {
		t.Fatal("valid form: preview and save not both offered")
	}
	test.Tap(view[0])
	h.waitFor("the preview to open", func() bool { h.mu.Lock(); defer h.mu.Unlock(); return len(h.opened) == 1 })
	if len(h.renders) != 1 || !h.renders[0] {
		t.Fatalf("renders = %v, want one final render", h.renders)
	}
	checkPreview(t, h)
}

// checkPreview: the file opened is a file URI in the temp folder, holds the
// PDF, and its name carries nothing of the form.
func checkPreview(t *testing.T, h *harness) {
	t.Helper()
	u := h.opened[0]
	if u.Scheme != "file" {
		t.Fatalf("opened %s", u)
	}
	name := filepath.Base(u.Path)
	if !strings.HasPrefix(name, "kense-preview-") || !strings.HasSuffix(name, ".pdf") {
		t.Errorf("preview file %q", name)
	}
	b, err := os.ReadFile(filepath.Join(h.app.svc.TempDir, name))
	if err != nil || !strings.HasPrefix(string(b), "%PDF") {
		t.Fatalf("preview file: %v %q", err, b)
	}
	h.app.Close()
	if _, err := os.Stat(filepath.Join(h.app.svc.TempDir, name)); !os.IsNotExist(err) {
		t.Errorf("preview left behind after Close: %v", err)
	}
}

func overlayButtons(h *harness, text string) []*widget.Button {
	var out []*widget.Button
	for _, o := range h.win.Canvas().Overlays().List() {
		out = append(out, find(o, func(b *widget.Button) bool { return b.Text == text })...)
	}
	return out
}

func TestFiveHundredRows(t *testing.T) {
	s := newMemStore()
	d := s.put(validForm(t, 500), time.Now())
	h := newHarness(t, s)
	h.app.openDraft(d.ID)
	e := h.app.editor
	if got := e.rows.list.Length(); got != 500 {
		t.Fatalf("table has %d rows", got)
	}
	made := len(find(h.content(), func(r *rowItem) bool { return r.idx >= 0 }))
	if made == 0 || made > 60 {
		t.Fatalf("%d row widgets for 500 rows: the table must recycle a screenful", made)
	}
	e.rows.list.ScrollToBottom()
	ri := h.row(499)
	if ri.fullName.Text != "Пользователь 500" {
		t.Fatalf("row 500 shows %q", ri.fullName.Text)
	}
	test.Type(ri.iin, "9")
	ri = h.row(499)
	if !ri.msgs["iin"].Visible() {
		t.Fatal("no message on row 500")
	}
}

func BenchmarkOpen500Rows(b *testing.B) {
	test.NewTempApp(b)
	s := newMemStore()
	d := s.put(validForm(b, 500), time.Now())
	w := test.NewTempWindow(b, widget.NewLabel(""))
	w.Resize(fyne.NewSize(1400, 900))
	a := New(fyne.CurrentApp(), w, Services{Store: s, Validate: formValidate, Now: fixedNow})
	a.do = func(func()) {}
	a.Start()
	b.ResetTimer()
	for b.Loop() {
		a.openDraft(d.ID)
		_ = w.Canvas().Content().MinSize()
		a.showDrafts()
	}
}

func BenchmarkKeystroke500Rows(b *testing.B) {
	test.NewTempApp(b)
	s := newMemStore()
	d := s.put(validForm(b, 500), time.Now())
	w := test.NewTempWindow(b, widget.NewLabel(""))
	w.Resize(fyne.NewSize(1400, 900))
	a := New(fyne.CurrentApp(), w, Services{Store: s, Validate: formValidate, Now: fixedNow})
	a.do = func(func()) {}
	a.Start()
	a.openDraft(d.ID)
	en := a.editor.subunit
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		en.TypedRune(rune('a' + i%26))
	}
}

// The table's entries scroll their text only when needed, so that the mouse
// wheel over a cell scrolls the rows instead (see cellEntry).
func TestCellEntryScrollsOnlyWhenNeeded(t *testing.T) {
	test.NewTempApp(t)
	e := newCellEntry()
	w := test.NewTempWindow(t, e)
	w.Resize(fyne.NewSize(200, 60))
	e.Resize(fyne.NewSize(150, e.MinSize().Height))
	e.SetText("850315300009")
	e.fit()
	if e.Scroll != fyne.ScrollNone {
		t.Fatalf("a short text scrolls (%v)", e.Scroll)
	}
	e.SetText(strings.Repeat("Сәрсенова Динара ", 4))
	e.fit()
	if e.Scroll != fyne.ScrollHorizontalOnly {
		t.Fatalf("a long text does not scroll (%v)", e.Scroll)
	}
	e.SetText("x")
	e.fit()
	w.Canvas().Focus(e)
	if e.Scroll != fyne.ScrollHorizontalOnly {
		t.Fatalf("a focused entry does not scroll (%v)", e.Scroll)
	}
	w.Canvas().Unfocus()
	if e.Scroll != fyne.ScrollNone {
		t.Fatalf("scrolling stays on after focus is lost (%v)", e.Scroll)
	}
}

func FuzzReadDate(f *testing.F) {
	for _, s := range []string{"", "23.11.2026", "1.2.2026", "31.02.2026", "2026-11-23", " 05.06.2025 ", "99.99.9999", "1.1.1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		iso, ok := readDate(s)
		if !ok {
			return
		}
		if iso == "" {
			if strings.TrimSpace(s) != "" {
				t.Fatalf("%q read as empty", s)
			}
			return
		}
		// A date read back from what is shown is the same date.
		again, ok := readDate(showDate(iso))
		if !ok || again != iso {
			t.Fatalf("%q → %q → %q → %q", s, iso, showDate(iso), again)
		}
	})
}

func FuzzReadCount(f *testing.F) {
	for _, s := range []string{"", "0", "12", "-1", "1e3", " 7 ", "99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := readCount(s)
		if ok && n < 0 {
			t.Fatalf("%q read as %d", s, n)
		}
		if !ok && n != 0 {
			t.Fatalf("%q refused but gave %d", s, n)
		}
	})
}

// Fyne's own strings come from assets/i18n/fyne/<lang>.json: the three files
// carry the same keys, and choosing a language switches Fyne's buttons.
func TestFyneCatalogues(t *testing.T) {
	test.NewTempApp(t)
	defer func() { _ = ApplyLang(i18n.KK) }()
	keys := map[i18n.Lang]map[string]any{}
	for _, l := range i18n.Langs {
		b, err := assets.I18n.ReadFile("i18n/fyne/" + string(l) + ".json")
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]any{}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
		keys[l] = m
	}
	for _, k := range []string{"Cancel", "OK", "Yes", "No", "Save", "Open", "Copy", "Paste", "Cut", "Select all", "Undo", "Redo", "Error", "New Folder", "Enter filename"} {
		if _, ok := keys[i18n.EN][k]; !ok {
			t.Errorf("en lacks Fyne key %q", k)
		}
	}
	for _, l := range i18n.Langs {
		for k := range keys[i18n.EN] {
			if _, ok := keys[l][k]; !ok {
				t.Errorf("%s lacks Fyne key %q", l, k)
			}
		}
		if len(keys[l]) != len(keys[i18n.EN]) {
			t.Errorf("%s has %d Fyne keys, en %d", l, len(keys[l]), len(keys[i18n.EN]))
		}
		if err := ApplyLang(l); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"Save", "Yes", "Cancel"} {
			if got, want := lang.L(k), keys[l][k]; got != want {
				t.Errorf("%s: Fyne shows %q for %q, want %q", l, got, k, want)
			}
		}
	}
}

// A preview that finishes rendering after the workstation locked does not
// open a viewer over the lock screen; after unlocking it opens again.
func TestPreviewNotOpenedWhileLocked(t *testing.T) {
	s := newMemStore()
	d := s.put(validForm(t, 1), time.Now())
	h := newHarness(t, s)
	var locked atomic.Bool
	h.app.locked = locked.Load
	h.app.openDraft(d.ID)
	test.Tap(h.button(i18n.T("ui.editor.print")))
	locked.Store(true) // the lock comes while the PDF renders
	test.Tap(overlayButtons(h, i18n.T("ui.print.preview"))[0])
	// The "working" dialog goes when the render's answer has been handled.
	h.waitFor("the render's answer", func() bool { return len(h.win.Canvas().Overlays().List()) == 0 })
	h.mu.Lock()
	opened := len(h.opened)
	h.mu.Unlock()
	if opened != 0 {
		t.Fatal("a viewer opened while locked")
	}
	locked.Store(false)
	h.app.editor.preview(true)
	h.waitFor("the preview to open", func() bool { h.mu.Lock(); defer h.mu.Unlock(); return len(h.opened) == 1 })
	checkPreview(t, h)
}

// A long scan name and all sixteen access levels stay inside their cells
// (a Fyne button draws its whole text, over its neighbours), and a tap on
// the shown value still reaches the button under it.
func TestLongValuesStayInTheirCells(t *testing.T) {
	s := newMemStore()
	f := validForm(t, 1)
	f.Rows[0].Operation = form.OpRegister
	for _, l := range form.AccessLevelsFor(1) {
		f.Rows[0].AccessLevels = append(f.Rows[0].AccessLevels, l.Code)
	}
	name := "employment-order-112-k-of-the-subunit-for-astana-branch-2026.pdf"
	f.Rows[0].OrderFile = filepath.Join(t.TempDir(), name)
	d := s.put(f, time.Now())
	h := newHarness(t, s)
	h.app.openDraft(d.ID)
	ri := h.row(0)
	if ri.accessVal.Text != strings.Join(f.Rows[0].AccessLevels, ", ") || ri.orderVal.Text != name {
		t.Fatalf("shown %q / %q", ri.accessVal.Text, ri.orderVal.Text)
	}
	for what, b := range map[string]*widget.Button{"access": ri.access, "order": ri.order} {
		if b.MinSize().Width > b.Size().Width {
			t.Errorf("%s: the button needs %.0f but has %.0f: its text runs over the next cell", what, b.MinSize().Width, b.Size().Width)
		}
	}
	for what, l := range map[string]*widget.Label{"access": ri.accessVal, "order": ri.orderVal} {
		if l.Truncation != fyne.TextTruncateEllipsis || l.Size().Width <= 0 {
			t.Errorf("%s: value not cut to its cell (%v, width %.0f)", what, l.Truncation, l.Size().Width)
		}
	}
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(ri.accessVal).Add(fyne.NewPos(10, 10))
	test.TapCanvas(h.win.Canvas(), pos)
	if len(h.win.Canvas().Overlays().List()) == 0 {
		t.Fatal("a tap on the access levels shown opened no chooser")
	}
}
