package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"kense/i18n"
)

// Ctrl+L whatever has the focus.
//
// Fyne's desktop driver (internal/driver/glfw, window.triggersShortcut)
// hands a key combination first to the main menu, then to the focused
// widget if it is a fyne.Shortcutable, and only when nothing focusable has
// the focus to the canvas. An entry takes every shortcut and drops the
// ones it does not know, so a shortcut added to the canvas alone never
// fires while the user types in a field. Hence two ways in:
//
//   - the main menu's "Lock" item carries Ctrl+L: the driver runs it before
//     any widget sees the keys, whatever has the focus (the sign-in and
//     settings fields, dialogs, the editor);
//   - the editor's own table entries (cellEntry) pass the shortcuts they do
//     not handle on to the canvas, so Ctrl+L works there even in a window
//     without the menu.

// installMenu puts the "Lock" item into the window's main menu (a menu of
// its own when the window has none); removeMenu takes it out again.
func (l *Locker) installMenu() {
	item := l.MenuItem()
	item.Label = i18n.T("lock.button")
	main := l.win.MainMenu()
	if main != nil && menuHas(main, item) {
		return
	}
	if main == nil || len(main.Items) == 0 {
		menu := fyne.NewMenu(i18n.T("lock.menu"), item)
		main = fyne.NewMainMenu(menu)
		l.mu.Lock()
		l.ownMenu, l.menu = main, menu
		l.mu.Unlock()
		l.win.SetMainMenu(main)
		return
	}
	// The app has a menu of its own: the item goes into its first one.
	first := main.Items[0]
	first.Items = append([]*fyne.MenuItem{item}, first.Items...)
	l.mu.Lock()
	l.ownMenu, l.menu = nil, first
	l.mu.Unlock()
	l.win.SetMainMenu(main)
}

func (l *Locker) removeMenu() {
	l.mu.Lock()
	own, menu, item := l.ownMenu, l.menu, l.menuItem
	l.ownMenu, l.menu = nil, nil
	l.mu.Unlock()
	if menu == nil || item == nil {
		return
	}
	main := l.win.MainMenu()
	if own != nil {
		if main == own {
			l.win.SetMainMenu(nil)
		}
		return
	}
	for i, it := range menu.Items {
		if it == item {
			menu.Items = append(menu.Items[:i:i], menu.Items[i+1:]...)
			break
		}
	}
	if main != nil {
		l.win.SetMainMenu(main)
	}
}

// labelMenu puts the menu's words in the current language (the app's bar
// is rebuilt on a language switch, and asks for the lock Button then).
func (l *Locker) labelMenu() {
	l.mu.Lock()
	item, menu, own := l.menuItem, l.menu, l.ownMenu
	l.mu.Unlock()
	if item == nil {
		return
	}
	label, changed := i18n.T("lock.button"), false
	if item.Label != label {
		item.Label, changed = label, true
	}
	if own != nil && menu != nil && menu.Label != i18n.T("lock.menu") {
		menu.Label, changed = i18n.T("lock.menu"), true
	}
	if main := l.win.MainMenu(); changed && main != nil && menuHas(main, item) {
		l.win.SetMainMenu(main)
	}
}

func menuHas(main *fyne.MainMenu, item *fyne.MenuItem) bool {
	var in func(m *fyne.Menu) bool
	in = func(m *fyne.Menu) bool {
		for _, it := range m.Items {
			if it == item || (it.ChildMenu != nil && in(it.ChildMenu)) {
				return true
			}
		}
		return false
	}
	for _, m := range main.Items {
		if in(m) {
			return true
		}
	}
	return false
}

// TypedShortcut lets the entry handle its own shortcuts (copy, paste, word
// moves…) and passes the other key combinations on to the window's canvas,
// where Ctrl+L locks. Fyne's standard shortcuts (copy, paste, undo…) are
// the entry's alone.
func (e *cellEntry) TypedShortcut(s fyne.Shortcut) {
	e.Entry.TypedShortcut(s)
	forwardShortcut(e, s)
}

// forwardShortcut hands a key combination typed into o on to o's canvas.
func forwardShortcut(o fyne.CanvasObject, s fyne.Shortcut) {
	if _, custom := s.(*desktop.CustomShortcut); !custom {
		return
	}
	app := fyne.CurrentApp()
	if app == nil {
		return
	}
	c := app.Driver().CanvasForObject(o)
	if sc, ok := c.(fyne.Shortcutable); ok {
		sc.TypedShortcut(s)
	}
}
