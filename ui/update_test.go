package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/widget"

	"kense/i18n"
)

func (h *shellHarness) links() []*widget.Hyperlink {
	return find(h.win.Canvas().Content(), func(*widget.Hyperlink) bool { return true })
}

// TestShellShowsNewerVersion: a newer release announced at sign-in shows in
// the top bar (with its download link) over the work, which stays usable;
// Hide removes it until the next sign-in.
func TestShellShowsNewerVersion(t *testing.T) {
	h := newShellHarness(t, 0)
	h.svc.update = Update{Version: "0.2.0", URL: "https://kense.kz/kense-0.2.0-x64.msi"}
	h.signIn()
	notice := i18n.T("update.available", "version", "0.2.0")
	if !strings.Contains(h.texts(), notice) {
		t.Fatalf("no update notice in the top bar:\n%s", h.texts())
	}
	links := h.links()
	if len(links) != 1 || links[0].Text != i18n.T("update.download") || links[0].URL.String() != "https://kense.kz/kense-0.2.0-x64.msi" {
		t.Fatalf("download link %+v", links)
	}
	// Not blocking: in the bar, never in a dialog (the only overlay is the
	// fake's EDS-year warning), and the work goes on (a new draft opens
	// under the same bar).
	if n := len(find(h.win.Canvas().Content(), func(l *widget.Label) bool { return l.Text == notice })); n != 1 {
		t.Fatalf("%d notices in the window's content", n)
	}
	for _, o := range h.win.Canvas().Overlays().List() {
		if len(find(o, func(l *widget.Label) bool { return l.Text == notice })) > 0 {
			t.Fatal("the notice is a dialog")
		}
	}
	h.sh.App().newDraft()
	if h.sh.App().editor == nil || !strings.Contains(h.texts(), notice) {
		t.Fatalf("the editor lost the notice or did not open:\n%s", h.texts())
	}

	hide := h.button(i18n.T("update.dismiss"))
	hide.OnTapped()
	h.pump()
	if strings.Contains(h.texts(), notice) || len(h.links()) != 0 {
		t.Fatalf("Hide left the notice:\n%s", h.texts())
	}
	if h.sh.App().editor == nil {
		t.Fatal("Hide closed the draft")
	}

	// The next sign-in announces it again; without an announcement there
	// is no notice.
	h.sh.SignOut()
	h.pump()
	h.signIn()
	if !strings.Contains(h.texts(), notice) {
		t.Fatalf("no notice after signing in again:\n%s", h.texts())
	}
	h.sh.SignOut()
	h.pump()
	h.svc.update = Update{}
	h.signIn()
	if strings.Contains(h.texts(), i18n.T("update.dismiss")) || len(h.links()) != 0 {
		t.Fatalf("a notice with nothing announced:\n%s", h.texts())
	}
}

// TestUpdateNoticeLinkOnlyHTTPS: a link the server sends is shown only when
// it is https; the version is shown either way.
func TestUpdateNoticeLinkOnlyHTTPS(t *testing.T) {
	for url, want := range map[string]int{"https://kense.kz/dl": 1, "http://kense.kz/dl": 0, "file:///C:/x.msi": 0, "": 0} {
		n := updateNotice(Update{Version: "1.0.0", URL: url}, func() {})
		if got := len(find(n, func(*widget.Hyperlink) bool { return true })); got != want {
			t.Errorf("%q: %d links, want %d", url, got, want)
		}
	}
}
