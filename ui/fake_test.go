package ui

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"kense/form"
	"kense/i18n"
)

// memStore is an in-memory Store for the UI tests (cmd/kense/internal/wire
// runs the same screens over the real bbolt cache).
type memStore struct {
	mu       sync.Mutex
	drafts   map[string]Draft
	deleted  map[string]bool
	settings map[string]string
	seq      int
	saves    int
}

func newMemStore() *memStore {
	return &memStore{drafts: map[string]Draft{}, deleted: map[string]bool{}, settings: map[string]string{}}
}

func (s *memStore) put(f form.Form, updated time.Time) Draft {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	id := fmt.Sprintf("d%03d", s.seq)
	f.ID = id
	d := Draft{ID: id, Form: copyForm(f), Created: updated, Updated: updated}
	s.drafts[id] = d
	return d
}

func (s *memStore) NewDraft(f form.Form) (Draft, error) { return s.put(f, time.Now()), nil }

func (s *memStore) GetDraft(id string) (Draft, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.drafts[id]
	if !ok {
		return Draft{}, errors.New("not found")
	}
	d.Form = copyForm(d.Form)
	return d, nil
}

func (s *memStore) save(d Draft) Draft {
	s.mu.Lock()
	defer s.mu.Unlock()
	d.Updated = time.Now()
	d.Form = copyForm(d.Form)
	s.drafts[d.ID] = d
	s.saves++
	return d
}

func (s *memStore) ListDrafts(q string) ([]Summary, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Summary
	for id, d := range s.drafts {
		if s.deleted[id] {
			continue
		}
		sum := Summary{ID: id, Subunit: d.Form.Subunit, Rows: len(d.Form.Rows), Updated: d.Updated}
		match := q == "" || strings.Contains(strings.ToLower(d.Form.Subunit), strings.ToLower(q))
		for _, r := range d.Form.Rows {
			if r.IIN != "" {
				sum.IINs = append(sum.IINs, r.IIN)
				match = match || strings.HasPrefix(r.IIN, q)
			}
		}
		if match {
			out = append(out, sum)
		}
	}
	return out, nil
}

func (s *memStore) DuplicateDraft(id string) (Draft, error) {
	d, err := s.GetDraft(id)
	if err != nil {
		return d, err
	}
	return s.put(d.Form, time.Now()), nil
}

func (s *memStore) DeleteDraft(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deleted[id] = true
	return nil
}

func (s *memStore) UndoDelete(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.deleted, id)
	return nil
}

func (s *memStore) Setting(k string) (string, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.settings[k]
	return v, ok, nil
}

func (s *memStore) SetSetting(k, v string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settings[k] = v
	return nil
}

// memSaver saves 100 ms after the last change, on a timer goroutine, like
// the real autosaver.
type memSaver struct {
	s       *memStore
	onSaved func(Draft, error)
	mu      sync.Mutex
	pending *Draft
	timer   *time.Timer
}

func (a *memSaver) Changed(d Draft) {
	a.mu.Lock()
	defer a.mu.Unlock()
	d.Form = copyForm(d.Form)
	a.pending = &d
	if a.timer != nil {
		a.timer.Stop()
	}
	a.timer = time.AfterFunc(100*time.Millisecond, func() { _ = a.Flush() })
}

func (a *memSaver) Flush() error {
	a.mu.Lock()
	p := a.pending
	a.pending = nil
	a.mu.Unlock()
	if p != nil {
		a.onSaved(a.s.save(*p), nil)
	}
	return nil
}

func (a *memSaver) Close() error { return a.Flush() }

// harness is an App in a test window, with the UI queue under the test's
// control.
type harness struct {
	t       *testing.T
	app     *App
	win     fyne.Window
	store   *memStore
	queue   chan func()
	opened  []*url.URL
	renders []bool
	mu      sync.Mutex
}

// formValidate is what cmd/kense wires: form.Validate in the current language.
func formValidate(f form.Form) []Problem {
	var out []Problem
	for _, p := range form.Validate(f, form.Options{Today: fixedNow()}) {
		out = append(out, Problem{Row: p.Row, Field: p.Field, Message: p.Message(i18n.Current())})
	}
	return out
}

func fixedNow() time.Time { return time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC) }

func newHarness(t *testing.T, s *memStore) *harness {
	t.Helper()
	test.NewTempApp(t)
	t.Cleanup(func() { i18n.SetLang(i18n.KK) })
	if s == nil {
		s = newMemStore()
	}
	h := &harness{t: t, store: s, queue: make(chan func(), 1000)}
	h.win = test.NewTempWindow(t, widget.NewLabel(""))
	h.win.Resize(fyne.NewSize(1400, 900))
	svc := Services{
		Store: s,
		NewAutosaver: func(on func(Draft, error)) Autosaver {
			return &memSaver{s: s, onSaved: on}
		},
		Validate: formValidate,
		Render: func(f form.Form, final bool) ([]byte, error) {
			h.mu.Lock()
			h.renders = append(h.renders, final)
			h.mu.Unlock()
			return []byte("%PDF-1.4 test"), nil
		},
		OpenURL: h.recordOpen,
		Now:     fixedNow,
		TempDir: t.TempDir(),
	}
	h.app = New(fyne.CurrentApp(), h.win, svc)
	h.app.do = func(fn func()) { h.queue <- fn }
	h.app.Start()
	t.Cleanup(h.app.Close)
	return h
}

// recordOpen is the harness's OpenURL: it notes what would open.
func (h *harness) recordOpen(u *url.URL) error {
	h.mu.Lock()
	h.opened = append(h.opened, u)
	h.mu.Unlock()
	return nil
}

// pump runs what other goroutines handed to the UI.
func (h *harness) pump() {
	for {
		select {
		case fn := <-h.queue:
			fn()
		default:
			return
		}
	}
}

// waitFor pumps until ok holds, failing after a generous bound (this is a
// correctness check, not a timing assertion).
func (h *harness) waitFor(what string, ok func() bool) {
	h.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			h.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
		h.pump()
	}
}

// find walks the window's widget tree for objects matching keep.
func find[T fyne.CanvasObject](root fyne.CanvasObject, keep func(T) bool) []T {
	var out []T
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		if v, ok := o.(T); ok && (keep == nil || keep(v)) {
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

func (h *harness) content() fyne.CanvasObject { return h.win.Canvas().Content() }

// row is the row widget bound to row index i.
func (h *harness) row(i int) *rowItem {
	h.t.Helper()
	rs := find(h.content(), func(r *rowItem) bool { return r.idx == i })
	if len(rs) == 0 {
		h.t.Fatalf("no row widget shows row %d", i+1)
	}
	return rs[0]
}

// button finds a visible button by its text.
func (h *harness) button(text string) *widget.Button {
	h.t.Helper()
	bs := find(h.content(), func(b *widget.Button) bool { return b.Text == text })
	if len(bs) == 0 {
		h.t.Fatalf("no button %q", text)
	}
	return bs[0]
}

func (h *harness) hasText(text string) bool {
	return len(find(h.content(), func(l *widget.Label) bool { return l.Text == text })) > 0
}
