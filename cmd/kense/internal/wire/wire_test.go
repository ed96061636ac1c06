package wire

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"kense/cache"
	"kense/form"
	"kense/i18n"
	"kense/iin"
	"kense/ui"
)

func openStore(t *testing.T) *cache.Store {
	t.Helper()
	s, err := cache.Open(filepath.Join(t.TempDir(), "kense.db"), cache.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func validIIN(t *testing.T, serial int) string {
	t.Helper()
	for s := serial; ; s++ {
		head := fmt.Sprintf("9001024%04d", s%10000)
		var d [11]int
		for i := range d {
			d[i] = int(head[i] - '0')
		}
		if c, ok := iin.CheckDigit(d); ok {
			return fmt.Sprintf("%s%d", head, c)
		}
	}
}

func TestSettingNameMatchesCache(t *testing.T) {
	if ui.SettingLanguage != cache.SettingLanguage {
		t.Fatalf("ui stores the language as %q, cache names it %q", ui.SettingLanguage, cache.SettingLanguage)
	}
}

func TestStoreAdapter(t *testing.T) {
	st := Store{S: openStore(t)}
	a, err := st.NewDraft(form.Form{Subunit: "Астана филиалы", Rows: []form.Row{{IIN: validIIN(t, 1)}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.NewDraft(form.Form{Subunit: "Алматы филиалы"}); err != nil {
		t.Fatal(err)
	}
	got, err := st.GetDraft(a.ID)
	if err != nil || got.Form.Subunit != "Астана филиалы" || got.ID != a.ID {
		t.Fatalf("GetDraft: %+v %v", got, err)
	}
	for q, want := range map[string]int{"": 2, "астана": 1, validIIN(t, 1)[:6]: 1, "шымкент": 0} {
		list, err := st.ListDrafts(q)
		if err != nil || len(list) != want {
			t.Errorf("ListDrafts(%q) = %d drafts, %v; want %d", q, len(list), err, want)
		}
	}
	if err := st.DeleteDraft(a.ID); err != nil {
		t.Fatal(err)
	}
	if list, _ := st.ListDrafts(""); len(list) != 1 {
		t.Fatalf("after delete: %d drafts", len(list))
	}
	if err := st.UndoDelete(a.ID); err != nil {
		t.Fatal(err)
	}
	if list, _ := st.ListDrafts(""); len(list) != 2 {
		t.Fatalf("after undo: %d drafts", len(list))
	}
	if _, err := st.GetDraft("nope"); !errors.Is(err, cache.ErrNotFound) {
		t.Fatalf("missing draft: %v", err)
	}
	if err := st.SetSetting(ui.SettingLanguage, "ru"); err != nil {
		t.Fatal(err)
	}
	if ui.StartLang(st) != i18n.RU {
		t.Fatal("the language setting is not read back")
	}
}

func TestAutosaverAdapter(t *testing.T) {
	s := openStore(t)
	st := Store{S: s}
	d, err := st.NewDraft(form.Form{})
	if err != nil {
		t.Fatal(err)
	}
	saved := make(chan ui.Draft, 10)
	svc := Services(s, ui.Services{})
	as := svc.NewAutosaver(func(d ui.Draft, err error) {
		if err != nil {
			t.Error(err)
		}
		saved <- d
	})
	d.Form.Subunit = "Қарағанды"
	as.Changed(d)
	select {
	case got := <-saved:
		if got.ID != d.ID || got.Updated.IsZero() {
			t.Fatalf("OnSaved got %+v", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("autosave never reported")
	}
	if got, _ := st.GetDraft(d.ID); got.Form.Subunit != "Қарағанды" {
		t.Fatalf("stored subunit %q", got.Form.Subunit)
	}
	if err := as.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestValidatorMessagesInCurrentLanguage(t *testing.T) {
	defer i18n.SetLang(i18n.Current())
	v := Validator(func() time.Time { return time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC) })
	f := form.Form{Rows: []form.Row{{IIN: "123"}}}
	for _, l := range i18n.Langs {
		i18n.SetLang(l)
		var msg string
		for _, p := range v(f) {
			if p.Row == 1 && p.Field == "iin" {
				msg = p.Message
			}
		}
		want := ""
		for _, p := range form.Validate(f, form.Options{}) {
			if p.Row == 1 && p.Field == "iin" {
				want = p.Message(l)
			}
		}
		if msg == "" || msg != want {
			t.Errorf("%s: IIN message %q, want %q", l, msg, want)
		}
	}
}

func TestLoadFormResolvesOrders(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "order.pdf"), []byte("%PDF-1.4\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "app.json")
	in := form.Form{Subunit: "S", Date: "2026-11-20", Rows: []form.Row{{FullName: "A", Operation: form.OpRegister, OrderFile: "order.pdf"}}}
	fh, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := form.Write(fh, in); err != nil {
		t.Fatal(err)
	}
	fh.Close()
	f, err := form.LoadResolved(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "order.pdf"); f.Rows[0].OrderFile != want {
		t.Fatalf("order file %q, want %q", f.Rows[0].OrderFile, want)
	}
	_, err = form.LoadResolved(filepath.Join(dir, "missing.json"))
	var re *form.ReadError
	if !errors.As(err, &re) || Message(err) != re.Message(i18n.Current()) {
		t.Fatalf("missing file: %v / %q", err, Message(err))
	}
}

func TestMessageTranslatesCacheErrors(t *testing.T) {
	defer i18n.SetLang(i18n.Current())
	path := filepath.Join(t.TempDir(), "kense.db")
	s, err := cache.Open(path, cache.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	start := time.Now()
	_, err = cache.Open(path, cache.Options{Timeout: 100 * time.Millisecond})
	if !errors.Is(err, cache.ErrInUse) {
		t.Fatalf("second open: %v", err)
	}
	if time.Since(start) > 30*time.Second {
		t.Fatal("second open hung")
	}
	i18n.SetLang(i18n.RU)
	if got, want := Message(err), cache.UserMessage(err, i18n.RU); got != want || got == "" {
		t.Fatalf("Message = %q, want %q", got, want)
	}
}

// TestAppOverRealCache runs the screens on a real bbolt file: a new
// application, typed into, lands in the file within the autosave delay.
func TestAppOverRealCache(t *testing.T) {
	test.NewTempApp(t)
	defer i18n.SetLang(i18n.Current())
	s := openStore(t)
	if err := s.SetSetting(cache.SettingLanguage, "en"); err != nil {
		t.Fatal(err)
	}
	w := test.NewTempWindow(t, widget.NewLabel(""))
	w.Resize(fyne.NewSize(1400, 900))
	queue := make(chan func(), 100)
	a := ui.New(fyne.CurrentApp(), w, Services(s, ui.Services{
		OpenURL: func(*url.URL) error { return nil },
		TempDir: t.TempDir(),
		Do:      func(fn func()) { queue <- fn },
	}))
	a.Start()
	defer a.Close()

	newBtn := findButton(w.Canvas().Content(), i18n.T("ui.drafts.new"))
	if newBtn == nil {
		t.Fatal("no New button")
	}
	test.Tap(newBtn)
	entries := findAll[*widget.Entry](w.Canvas().Content())
	if len(entries) == 0 {
		t.Fatal("editor has no entries")
	}
	// The subunit is the form's first field: top left.
	drv := fyne.CurrentApp().Driver()
	subunit := entries[0]
	for _, e := range entries {
		p, q := drv.AbsolutePositionForObject(e), drv.AbsolutePositionForObject(subunit)
		if p.Y < q.Y || p.Y == q.Y && p.X < q.X {
			subunit = e
		}
	}
	test.Type(subunit, "Павлодар филиалы")
	deadline := time.Now().Add(10 * time.Second)
	for {
		list, err := s.ListDrafts("павлодар")
		if err == nil && len(list) == 1 {
			break
		}
		if time.Now().After(deadline) {
			all, _ := s.ListDrafts("")
			t.Fatalf("the edit never reached the cache: %v %v; all %+v; typed %q", list, err, all, subunit.Text)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The status line follows once the UI goroutine runs the report.
	saved := strings.Split(i18n.T("ui.status.saved"), "{")[0]
	for !hasLabelPrefix(w.Canvas().Content(), saved) {
		if time.Now().After(deadline) {
			t.Fatal("no Saved status")
		}
		select {
		case fn := <-queue:
			fn()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func hasLabelPrefix(root fyne.CanvasObject, prefix string) bool {
	for _, l := range findAll[*widget.Label](root) {
		if strings.HasPrefix(l.Text, prefix) {
			return true
		}
	}
	return false
}

func findAll[T fyne.CanvasObject](root fyne.CanvasObject) []T {
	var out []T
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		if v, ok := o.(T); ok {
			out = append(out, v)
		}
		switch x := o.(type) {
		case *fyne.Container:
			for _, c := range x.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(x).Objects() {
				walk(c)
			}
		}
	}
	walk(root)
	return out
}

func findButton(root fyne.CanvasObject, text string) *widget.Button {
	for _, b := range findAll[*widget.Button](root) {
		if strings.TrimSpace(b.Text) == text {
			return b
		}
	}
	return nil
}

func TestRenderFinalOnlyWhenValid(t *testing.T) {
	f := form.Form{Subunit: "Астана филиалы", Date: time.Now().Format(time.DateOnly),
		Head: form.Head{Position: "Директор", FullName: "Сейтқали Айгерім"},
		Rows: []form.Row{{FullName: "Иванова Анна", IIN: validIIN(t, 7), IP: "10.1.2.3", UserType: 1, Operation: form.OpChangeIP, Position: "Тіркеуші"}}}
	b, err := Render(f, true)
	if err != nil || !strings.HasPrefix(string(b), "%PDF") {
		t.Fatalf("final render of a valid form: %v", err)
	}
	f.Rows[0].IIN = "123"
	if _, err := Render(f, true); err == nil {
		t.Fatal("a final copy of an invalid form was rendered")
	} else if msg := Message(err); msg == "" || msg == err.Error() && i18n.Current() != i18n.EN {
		t.Errorf("refusal not translated: %q", msg)
	}
	if b, err := Render(f, false); err != nil || !strings.HasPrefix(string(b), "%PDF") {
		t.Fatalf("draft render: %v", err)
	}
}
