package ui

import (
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"kense/i18n"
)

type fakeSharing struct{ on map[string]bool }

func (f *fakeSharing) Shared(id string) (bool, error) { return f.on[id], nil }
func (f *fakeSharing) SetShared(id string, v bool) error {
	f.on[id] = v
	return nil
}

// "Share with my subunit" shows only when a Sharing service is there
// (signed in), reflects the draft's mark, and a tap sets it.
func TestShareCheck(t *testing.T) {
	h := newHarness(t, nil)
	test.Tap(h.button(i18n.T("ui.drafts.new")))
	if checks := find(h.content(), func(c *widget.Check) bool { return c.Text == i18n.T("share.check") }); len(checks) != 0 {
		t.Fatal("a share box offline")
	}

	fs := &fakeSharing{on: map[string]bool{}}
	h.app.svc.Sharing = fs
	id := h.app.editor.draft.ID
	fs.on[id] = true
	h.app.openDraft(id)
	checks := find(h.content(), func(c *widget.Check) bool { return c.Text == i18n.T("share.check") })
	if len(checks) != 1 || !checks[0].Checked {
		t.Fatalf("share box %d, want one, ticked", len(checks))
	}
	test.Tap(checks[0])
	if fs.on[id] {
		t.Fatal("unticking did not reach the service")
	}
}
