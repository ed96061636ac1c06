package ui

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"kense/i18n"
)

// TestRowOutcomesOnSubmittedApplication: the administrator's decision on
// each row, brought by sync, shows on the read-only form: executed when and
// by whom (in Almaty time), rejected and why.
func TestRowOutcomesOnSubmittedApplication(t *testing.T) {
	h, fs, d := newSubmitHarness(t, true)
	openKey(h, "Demo1234")
	sign := overlayButton(h, i18n.T("submit.sign"))
	h.waitFor("the key", func() bool { return !sign.Disabled() })
	test.Tap(sign)
	h.waitFor("the submission", func() bool { return h.app.editor.readOnly })

	at1 := time.Date(2026, 12, 6, 10, 4, 0, 0, time.UTC) // 15:04 in Almaty
	at2 := time.Date(2026, 12, 6, 10, 30, 0, 0, time.UTC)
	fs.mu.Lock()
	st := fs.states[d.ID]
	st.Status = "accepted"
	st.Rows = []RowOutcome{{Row: 1, Executed: true, At: at1, By: "ӘБІЛҚАЙЫР ЖАНАР"}}
	fs.states[d.ID] = st
	fs.mu.Unlock()
	h.app.refreshApplication()
	executed := i18n.T("notice.row.executed", "row", 1, "time", "06.12.2026 15:04", "name", "ӘБІЛҚАЙЫР ЖАНАР")
	if !h.hasText(executed) {
		t.Fatalf("the executed row is not shown (%q)", executed)
	}
	if !strings.Contains(executed, "15:04") {
		t.Fatalf("not in Almaty time: %q", executed)
	}

	// The second row's rejection comes with the next round.
	fs.mu.Lock()
	st = fs.states[d.ID]
	st.Rows = append(slices.Clone(st.Rows), RowOutcome{Row: 2, Reason: "бұйрық қоса берілмеген", At: at2, By: "ӘБІЛҚАЙЫР ЖАНАР"})
	fs.states[d.ID] = st
	fs.mu.Unlock()
	h.app.refreshApplication()
	rejected := i18n.T("notice.row.rejected", "row", 2, "time", "06.12.2026 15:30", "name", "ӘБІЛҚАЙЫР ЖАНАР",
		"reason", "бұйрық қоса берілмеген")
	if !h.hasText(executed) || !h.hasText(rejected) {
		t.Fatal("both rows' outcomes are not shown")
	}
	// In another language, the same outcomes in its words.
	h.app.SetLanguage(i18n.RU)
	if !h.hasText(i18n.TL(i18n.RU, "notice.row.rejected", "row", 2, "time", "06.12.2026 15:30", "name", "ӘБІЛҚАЙЫР ЖАНАР",
		"reason", "бұйрық қоса берілмеген")) {
		t.Fatal("the outcome is not shown in Russian")
	}
}

// fakeNotices stands for wire.Notices: the server's list and the IDs the
// cache remembers as shown.
type fakeNotices struct {
	mu      sync.Mutex
	list    []Notice
	seen    map[string]bool
	fail    error
	fetches int
}

func (f *fakeNotices) Unseen(context.Context) ([]Notice, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fetches++
	if f.fail != nil {
		return nil, f.fail
	}
	var out []Notice
	for _, n := range f.list {
		if !f.seen[n.ID] {
			out = append(out, n)
		}
	}
	return out, nil
}

func (f *fakeNotices) MarkSeen(ids []string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, id := range ids {
		f.seen[id] = true
	}
	return nil
}

func (f *fakeNotices) add(n Notice) {
	f.mu.Lock()
	f.list = append([]Notice{n}, f.list...)
	f.mu.Unlock()
}

func (f *fakeNotices) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fetches
}

// noticeDialogs counts the open notification dialogs.
func noticeDialogs(h *shellHarness) int {
	n := 0
	for _, o := range h.win.Canvas().Overlays().List() {
		if len(find(o, func(l *widget.Label) bool { return l.Text == i18n.T("notice.title") })) > 0 {
			n++
		}
	}
	return n
}

func hasShellText(h *shellHarness, text string) bool {
	return slices.Contains(canvasTexts(h.win.Canvas(), false), text)
}

// TestNoticesShownOnceAfterSignInAndSync: a head's notifications (a
// subordinate reported a compromised password) show in a dialog after the
// sign-in, each once; a sync round shows only those that came since; a
// failed fetch and a locked app show nothing and lose nothing.
func TestNoticesShownOnceAfterSignInAndSync(t *testing.T) {
	h := newShellHarness(t, 0)
	fn := &fakeNotices{seen: map[string]bool{}, list: []Notice{
		{ID: "1", Kind: NoticePasswordCompromised, SubjectName: "Сейітова Дана Маратқызы", SubjectIIN: "850505400028",
			SubjectLogin: "dana.seitova", At: time.Date(2026, 12, 6, 4, 15, 0, 0, time.UTC)},
	}}
	var changed func()
	enter := h.sh.cfg.Enter
	h.sh.cfg.Enter = func(who SignedIn, ch func()) (Services, error) {
		svc, err := enter(who, ch)
		svc.Notices = fn
		changed = ch
		return svc, err
	}
	h.signIn()
	h.pump()
	first := i18n.T("notice.password_compromised", "time", "06.12.2026 09:15", "name", "Сейітова Дана Маратқызы",
		"iin", "850505400028", "login", "dana.seitova")
	if noticeDialogs(h) != 1 || !hasShellText(h, first) {
		t.Fatalf("no notification after the sign-in (%q):\n%s", first, h.texts())
	}
	// A sync round with nothing new: no second dialog.
	changed()
	h.pump()
	if fn.count() != 2 || noticeDialogs(h) != 1 {
		t.Fatalf("after a quiet round: %d fetches, %d dialogs", fn.count(), noticeDialogs(h))
	}
	var closeBtn *widget.Button
	for _, o := range h.win.Canvas().Overlays().List() {
		for _, b := range find(o, func(b *widget.Button) bool { return b.Text == i18n.T("ui.close") }) {
			closeBtn = b
		}
	}
	if closeBtn == nil {
		t.Fatal("the notification has no close button")
	}
	test.Tap(closeBtn)
	if noticeDialogs(h) != 0 {
		t.Fatal("close left the notification open")
	}

	// A failed fetch shows nothing; the next round brings the new one.
	fn.add(Notice{ID: "2", Kind: NoticePasswordCompromised, SubjectName: "Қасымов Ерлан", SubjectIIN: "921029350851",
		At: time.Date(2026, 12, 6, 5, 0, 0, 0, time.UTC)})
	fn.mu.Lock()
	fn.fail = errors.New("offline")
	fn.mu.Unlock()
	changed()
	h.pump()
	if noticeDialogs(h) != 0 {
		t.Fatal("a failed fetch showed something")
	}
	fn.mu.Lock()
	fn.fail = nil
	fn.mu.Unlock()
	// Locked: nothing is fetched, nothing shown.
	h.sh.Locker().Lock("test")
	h.pump()
	before := fn.count()
	changed()
	h.pump()
	if fn.count() != before || noticeDialogs(h) != 0 {
		t.Fatalf("fetched %d times while locked", fn.count()-before)
	}
	test.Type(h.sh.locker.screen.keyPW, "right")
	test.Tap(h.sh.locker.screen.unlock)
	h.pump()
	if h.sh.Locker().Locked() {
		t.Fatal("not unlocked")
	}
	second := i18n.T("notice.password_compromised.nologin", "time", "06.12.2026 10:00", "name", "Қасымов Ерлан", "iin", "921029350851")
	changed()
	h.pump()
	if noticeDialogs(h) != 1 || !hasShellText(h, second) || hasShellText(h, first) {
		t.Fatalf("the round after: want only the new notification:\n%s", h.texts())
	}
	if !fn.seen["1"] || !fn.seen["2"] {
		t.Fatalf("shown not remembered: %v", fn.seen)
	}
}
