package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"

	"kense/i18n"
)

// deliverShortcut hands a key combination to the window the way Fyne's
// desktop driver does (fyne.io/fyne/v2 v2.7 internal/driver/glfw,
// window.triggersShortcut): the main menu's items first (by shortcut
// name, submenus included); else the focused widget if it takes
// shortcuts (a disabled selectable one only "Copy"), and nothing else;
// only with nothing focusable focused, the canvas. The test driver's
// window has no key path of its own, so this is the real one's, copied.
func deliverShortcut(t *testing.T, w fyne.Window, sh fyne.Shortcut) {
	t.Helper()
	var inMenu func(m *fyne.Menu) bool
	inMenu = func(m *fyne.Menu) bool {
		for _, i := range m.Items {
			if i.Shortcut != nil && i.Shortcut.ShortcutName() == sh.ShortcutName() && i.Action != nil {
				i.Action()
				return true
			}
			if i.ChildMenu != nil && inMenu(i.ChildMenu) {
				return true
			}
		}
		return false
	}
	if mm := w.MainMenu(); mm != nil {
		for _, m := range mm.Items {
			if inMenu(m) {
				return
			}
		}
	}
	c := w.Canvas()
	if focused, ok := c.Focused().(fyne.Shortcutable); ok {
		type selectableText interface {
			fyne.Disableable
			SelectedText() string
		}
		if st, ok := focused.(selectableText); ok && st.Disabled() && sh.ShortcutName() != "Copy" {
			return
		}
		focused.TypedShortcut(sh)
		return
	}
	sc, ok := c.(fyne.Shortcutable)
	if !ok {
		t.Fatal("test canvas takes no shortcuts")
	}
	sc.TypedShortcut(sh)
}

// typeFocused types text as the desktop driver does (glfw, charInput):
// into the focused widget.
func typeFocused(t *testing.T, w fyne.Window, text string) {
	t.Helper()
	f := w.Canvas().Focused()
	if f == nil {
		t.Fatal("nothing has the focus")
	}
	for _, r := range text {
		f.TypedRune(r)
	}
}

// ctrlL is what the driver builds for Ctrl+L (a CustomShortcut: L is not
// one of Fyne's standard shortcuts).
func ctrlL() fyne.Shortcut {
	return &desktop.CustomShortcut{KeyName: fyne.KeyL, Modifier: fyne.KeyModifierShortcutDefault}
}

// signedInEditor: the shell signed in, a new draft open in the editor.
func signedInEditor(t *testing.T) (*shellHarness, *editor) {
	t.Helper()
	h := newShellHarness(t, 0)
	h.signIn()
	if h.sh.App() == nil {
		t.Fatal("not signed in")
	}
	// The fake key's "EDS year ends" notice is a dialog: dismiss it, as
	// the user would, so that the focus is the window's.
	for _, o := range h.win.Canvas().Overlays().List() {
		h.win.Canvas().Overlays().Remove(o)
	}
	h.sh.App().newDraft()
	h.pump()
	e := h.sh.App().editor
	if e == nil {
		t.Fatal("no editor")
	}
	return h, e
}

// focusCell focuses the first row's full-name cell, as a click would, and
// types into it through the canvas (so the focus is real).
func focusCell(t *testing.T, h *shellHarness, e *editor, text string) *cellEntry {
	t.Helper()
	if len(find(h.win.Canvas().Content(), func(*cellEntry) bool { return true })) == 0 {
		e.addRow()
		h.pump()
	}
	cells := find(h.win.Canvas().Content(), func(c *cellEntry) bool { return c.Visible() })
	if len(cells) == 0 {
		t.Fatal("the editor shows no table cell")
	}
	cell := cells[0]
	h.win.Canvas().Focus(cell)
	typeFocused(t, h.win, text)
	h.pump()
	if h.win.Canvas().Focused() != cell || cell.Text != text {
		t.Fatalf("focused %T, cell text %q", h.win.Canvas().Focused(), cell.Text)
	}
	return cell
}

func TestLockCtrlLWithEditorCellFocused(t *testing.T) {
	h, e := signedInEditor(t)
	cell := focusCell(t, h, e, "Abc")
	deliverShortcut(t, h.win, ctrlL())
	h.pump()
	if !h.sh.Locker().Locked() {
		t.Fatal("Ctrl+L in a table cell did not lock")
	}
	if n := len(h.events); n == 0 || h.events[n-1] != (lockEvent{LockEventLock, LockManual}) {
		t.Fatalf("events %v", h.events)
	}
	if txt := strings.Join(canvasTexts(h.win.Canvas(), true), "\n"); strings.Contains(txt, "Abc") {
		t.Fatalf("the lock screen shows the cell:\n%s", txt)
	}
	// Unlocked: the same cell, its text untouched by the keys.
	test.Type(h.sh.locker.screen.keyPW, "right")
	test.Tap(h.sh.locker.screen.unlock)
	h.pump()
	if h.sh.Locker().Locked() || h.win.Canvas().Focused() != cell || cell.Text != "Abc" {
		t.Fatalf("locked %v, focused %T, text %q", h.sh.Locker().Locked(), h.win.Canvas().Focused(), cell.Text)
	}
}

// Without the main menu (an app that sets its own and drops ours), the
// table cell still passes Ctrl+L on to the canvas.
func TestLockCtrlLCellForwardsWithoutMenu(t *testing.T) {
	h, e := signedInEditor(t)
	h.win.SetMainMenu(nil)
	cell := focusCell(t, h, e, "Abc")
	// The cell's own shortcuts stay its own: select all, then a word
	// delete, reach the entry and not the lock.
	deliverShortcut(t, h.win, &fyne.ShortcutSelectAll{})
	if cell.SelectedText() != "Abc" || h.sh.Locker().Locked() {
		t.Fatalf("select all: %q, locked %v", cell.SelectedText(), h.sh.Locker().Locked())
	}
	deliverShortcut(t, h.win, ctrlL())
	h.pump()
	if !h.sh.Locker().Locked() {
		t.Fatal("Ctrl+L in a table cell without the menu did not lock")
	}
}

func TestLockCtrlLWithHeaderEntryFocused(t *testing.T) {
	h, e := signedInEditor(t)
	h.win.Canvas().Focus(e.subunit)
	typeFocused(t, h.win, "Филиал")
	h.pump()
	if h.win.Canvas().Focused() != e.subunit || e.subunit.Text != "Филиал" {
		t.Fatalf("focused %T, text %q", h.win.Canvas().Focused(), e.subunit.Text)
	}
	deliverShortcut(t, h.win, ctrlL())
	h.pump()
	if !h.sh.Locker().Locked() {
		t.Fatal("Ctrl+L in a header field did not lock")
	}
}

// The menu is there only while someone is signed in (offline and on the
// sign-in screen there is nobody to lock for), holds the item once after
// a second sign-in, and speaks the chosen language.
func TestLockMenuFollowsSignIn(t *testing.T) {
	h := newShellHarness(t, 0)
	if h.win.MainMenu() != nil {
		t.Fatal("a main menu on the sign-in screen")
	}
	// Ctrl+L on the sign-in screen's focused field does nothing.
	h.win.Canvas().Focus(h.sh.signIn.keyPass)
	deliverShortcut(t, h.win, ctrlL())
	if h.sh.Locker().Locked() {
		t.Fatal("locked before a sign-in")
	}
	for round := range 2 {
		h.signIn()
		mm := h.win.MainMenu()
		if mm == nil || len(mm.Items) != 1 || len(mm.Items[0].Items) != 1 {
			t.Fatalf("round %d: main menu %+v", round, mm)
		}
		it := mm.Items[0].Items[0]
		if mm.Items[0].Label != i18n.T("lock.menu") || it.Label != i18n.T("lock.button") || it.Shortcut.ShortcutName() != LockShortcut.ShortcutName() {
			t.Fatalf("menu %q item %q %v", mm.Items[0].Label, it.Label, it.Shortcut)
		}
		h.sh.SignOut()
		h.pump()
		if h.sh.App() != nil {
			t.Fatal("not signed out")
		}
		if h.win.MainMenu() != nil {
			t.Fatalf("round %d: the menu stays after the sign-out", round)
		}
	}

	// The language switch rebuilds the bar; the menu follows.
	h.signIn()
	i18n.SetLang(i18n.RU)
	h.sh.App().rebuildFrame()
	mm := h.win.MainMenu()
	if mm.Items[0].Label != i18n.TL(i18n.RU, "lock.menu") || mm.Items[0].Items[0].Label != i18n.TL(i18n.RU, "lock.button") {
		t.Fatalf("menu in %q/%q after the switch to Russian", mm.Items[0].Label, mm.Items[0].Items[0].Label)
	}
}

// An app menu of its own gets the item added, and back without it after.
func TestLockMenuJoinsTheAppsMenu(t *testing.T) {
	h := newLockHarness(t, 10*time.Minute)
	h.l.Stop()
	file := fyne.NewMenu("File", fyne.NewMenuItem("Open", func() {}))
	h.win.SetMainMenu(fyne.NewMainMenu(file))
	h.l.Start()
	if len(file.Items) != 2 || file.Items[0] != h.l.MenuItem() {
		t.Fatalf("app menu %+v", file.Items)
	}
	h.l.Stop()
	h.l.Start()
	if len(file.Items) != 2 {
		t.Fatalf("item added twice: %+v", file.Items)
	}
	h.win.Canvas().Focus(h.iinEntry)
	deliverShortcut(t, h.win, ctrlL())
	h.wantLocked(LockManual)
	h.typeUnlock("right")
	h.l.Stop()
	if len(file.Items) != 1 || file.Items[0].Label != "Open" || h.win.MainMenu().Items[0] != file {
		t.Fatalf("app menu after Stop %+v", file.Items)
	}
}
