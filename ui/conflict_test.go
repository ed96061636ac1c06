package ui

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"kense/form"
	"kense/i18n"
)

// fakeConflicts is a ConflictService over one conflict per draft, that
// records what the user chose.
type fakeConflicts struct {
	mu       sync.Mutex
	c        map[string]Conflict
	kept     []string
	taken    []string
	merged   map[string]bool
	mergedID string
}

func (f *fakeConflicts) GetConflict(id string) (Conflict, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.c[id]
	if !ok {
		return Conflict{}, errors.New("no conflict")
	}
	return c, nil
}

func (f *fakeConflicts) resolved(id string) {
	delete(f.c, id)
}

func (f *fakeConflicts) KeepMine(id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.kept = append(f.kept, id)
	f.resolved(id)
	return nil
}

func (f *fakeConflicts) TakeTheirs(id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.taken = append(f.taken, id)
	f.resolved(id)
	return nil
}

func (f *fakeConflicts) Merge(id string, theirs map[string]bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.mergedID, f.merged = id, theirs
	f.resolved(id)
	return nil
}

// conflictForms: the server's copy changed the subunit and row 1's IIN,
// this one row 1's position; the server's copy also has a second row.
func conflictForms(t *testing.T) (mine, theirs form.Form) {
	mine = validForm(t, 1)
	theirs = copyForm(mine)
	mine.Rows[0].Position = "Менің лауазымым"
	theirs.Subunit = "Сервердегі бөлім"
	theirs.Rows[0].IIN = validIIN(t, 500)
	theirs.Rows = append(theirs.Rows, form.Row{FullName: "Екінші Қызметкер", IIN: validIIN(t, 700), UserType: 1, Operation: 1})
	return mine, theirs
}

func newConflictHarness(t *testing.T, c func(mine, theirs form.Form) Conflict) (*harness, *fakeConflicts, Draft) {
	s := newMemStore()
	mine, theirs := conflictForms(t)
	d := s.put(mine, time.Now())
	other := s.put(validForm(t, 2), time.Now())
	h := newHarness(t, s)
	cf := c(mine, theirs)
	cf.ID = d.ID
	fc := &fakeConflicts{c: map[string]Conflict{d.ID: cf}}
	h.app.svc.Conflicts = fc
	// A draft not in conflict still opens in the editor.
	h.app.openDraft(other.ID)
	if h.app.editor == nil || h.app.conflict != nil {
		t.Fatal("a draft with no conflict did not open in the editor")
	}
	h.app.showDrafts()
	return h, fc, d
}

func plainConflict(mine, theirs form.Form) Conflict {
	return Conflict{Mine: mine, Theirs: theirs, TheirsBy: "780312450016",
		TheirsAt: time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)}
}

// openFromList opens draft id as the user does: its Open button in the list.
func openFromList(t *testing.T, h *harness, id string) {
	t.Helper()
	items := find(h.content(), func(it *draftItem) bool { return it.id == id })
	if len(items) != 1 {
		t.Fatalf("draft %s not in the list", id)
	}
	test.Tap(items[0].open)
}

func (h *harness) radios() map[string]*widget.RadioGroup { return h.app.conflict.radios }

// TestConflictSideBySideMerge: a draft in conflict opens on both versions,
// only the differing fields with a choice each (a row both sides have,
// field by field); Combine needs every choice and sends them.
func TestConflictSideBySideMerge(t *testing.T) {
	h, fc, d := newConflictHarness(t, plainConflict)
	openFromList(t, h, d.ID)
	if h.app.conflict == nil || h.app.editor != nil {
		t.Fatal("a draft in conflict did not open the conflict screen")
	}
	mine, theirs := conflictForms(t)
	// Both values of each differing field are on screen.
	for _, s := range []string{mine.Subunit, theirs.Subunit, mine.Rows[0].IIN, theirs.Rows[0].IIN,
		mine.Rows[0].Position, theirs.Rows[0].Position, i18n.T("submit.conflict.no_row")} {
		if !h.hasText(s) {
			t.Errorf("%q not shown", s)
		}
	}
	if !h.hasText(i18n.T("sync.conflict.theirs", "who", "780312450016", "time", "23.11.2026 14:30")) {
		t.Error("who changed the server's copy, and when, is not said")
	}
	// The fields both agree on are folded away, not shown as choices.
	if h.hasText(mine.Head.FullName) {
		t.Error("an unchanged field is shown prominently")
	}
	keys := []string{"subunit", "rows[0].iin", "rows[0].position", "rows[1]"}
	rs := h.radios()
	if len(rs) != len(keys) {
		t.Fatalf("choices for %v, want %v", mapKeys(rs), keys)
	}
	merge := h.button(i18n.T("sync.conflict.merge"))
	if !merge.Disabled() {
		t.Fatal("Combine enabled before every field has a choice")
	}
	rs["subunit"].SetSelected(choiceTheirs())
	rs["rows[0].iin"].SetSelected(choiceTheirs())
	rs["rows[0].position"].SetSelected(choiceMine())
	if !merge.Disabled() {
		t.Fatal("Combine enabled with a field left")
	}
	// A language switch keeps the choices made.
	h.app.SetLanguage(i18n.EN)
	rs = h.radios()
	if rs["subunit"].Selected != choiceTheirs() || rs["rows[0].position"].Selected != choiceMine() || rs["rows[1]"].Selected != "" {
		t.Fatalf("choices after the language switch: %q %q %q", rs["subunit"].Selected, rs["rows[0].position"].Selected, rs["rows[1]"].Selected)
	}
	rs["rows[1]"].SetSelected(choiceTheirs())
	merge = h.button(i18n.T("sync.conflict.merge"))
	if merge.Disabled() {
		t.Fatal("Combine disabled with every field chosen")
	}
	test.Tap(merge)
	want := map[string]bool{"subunit": true, "rows[0].iin": true, "rows[0].position": false, "rows[1]": true}
	if fc.mergedID != d.ID || fmt.Sprint(fc.merged) != fmt.Sprint(want) {
		t.Fatalf("merged %s with %v, want %v", fc.mergedID, fc.merged, want)
	}
	if h.app.drafts == nil || h.app.conflict != nil {
		t.Fatal("not back on the list after combining")
	}
	// Resolved: the draft opens in the editor again.
	h.app.openDraft(d.ID)
	if h.app.editor == nil {
		t.Fatal("a resolved draft does not open in the editor")
	}
}

func TestConflictKeepMineTakeTheirs(t *testing.T) {
	for _, c := range []struct {
		button string
		got    func(*fakeConflicts) []string
	}{
		{"sync.conflict.keep_mine", func(f *fakeConflicts) []string { return f.kept }},
		{"sync.conflict.take_theirs", func(f *fakeConflicts) []string { return f.taken }},
	} {
		t.Run(c.button, func(t *testing.T) {
			h, fc, d := newConflictHarness(t, plainConflict)
			h.app.openDraft(d.ID)
			test.Tap(h.button(i18n.T(c.button)))
			if got := c.got(fc); len(got) != 1 || got[0] != d.ID || fc.merged != nil {
				t.Fatalf("resolved %v", got)
			}
			if h.app.drafts == nil {
				t.Fatal("not back on the list")
			}
		})
	}
}

// TestConflictDeletedOnOneSide: fields cannot be combined with a deleted
// version; keep mine and take theirs remain.
func TestConflictDeletedOnOneSide(t *testing.T) {
	h, fc, d := newConflictHarness(t, func(mine, theirs form.Form) Conflict {
		c := plainConflict(mine, form.Form{})
		c.TheirsDeleted = true
		return c
	})
	h.app.openDraft(d.ID)
	if len(h.radios()) != 0 {
		t.Fatal("choices offered against a deleted version")
	}
	if bs := find(h.content(), func(b *widget.Button) bool { return b.Text == i18n.T("sync.conflict.merge") }); len(bs) != 0 {
		t.Fatal("Combine offered against a deleted version")
	}
	if !h.hasText(i18n.T("sync.err.merge_deleted")) {
		t.Fatal("the screen does not say why fields cannot be combined")
	}
	test.Tap(h.button(i18n.T("sync.conflict.take_theirs")))
	if len(fc.taken) != 1 {
		t.Fatal("take theirs did nothing")
	}
}

func TestConflictDiffsRows(t *testing.T) {
	i18n.SetLang(i18n.EN)
	t.Cleanup(func() { i18n.SetLang(i18n.KK) })
	mine, theirs := conflictForms(t)
	differ, same := conflictDiffs(Conflict{Mine: mine, Theirs: theirs, TheirsShared: true})
	var keys []string
	for _, d := range differ {
		keys = append(keys, d.Key)
	}
	if fmt.Sprint(keys) != "[subunit shared rows[0].iin rows[0].position rows[1]]" {
		t.Fatalf("differing %v", keys)
	}
	if differ[1].Mine != "no" || differ[1].Theirs != "yes" {
		t.Fatalf("shared: %+v", differ[1])
	}
	if last := differ[4]; last.Mine != i18n.T("submit.conflict.no_row") || last.Theirs == last.Mine {
		t.Fatalf("row only theirs have: %+v", last)
	}
	if len(same) != len(headerFields)-1+len(rowFields)-2 {
		t.Fatalf("%d fields the same", len(same))
	}
}

func mapKeys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
