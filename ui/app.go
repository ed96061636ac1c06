package ui

import (
	"errors"
	"os"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"kense/i18n"
)

// App is the Kense window: the drafts list and the form editor.
type App struct {
	fa    fyne.App
	win   fyne.Window
	svc   Services
	saver Autosaver
	do    func(fn func()) // Services.Do or fyne.Do
	// filedNote is the "ticket filed, waiting to be sent" notice; the
	// registration's confirmation replaces it rather than stacking on it.
	filedNote dialog.Dialog

	drafts   *draftsView
	editor   *editor
	conflict *conflictView  // a draft in conflict (conflict.go)
	signing  *submitDialog  // the open signing dialog (submit.go)
	tickets  *ticketsScreen // the ServiceDesk (tickets.go)
	admin    *adminScreen   // the administrators' screens (admin.go)

	// bar is the top bar's right part (frame); relayoutBar fits it again
	// when a label in it changes.
	bar *fyne.Container

	// locked tells whether the workstation is locked (the shell's
	// Locker); nil: never.
	locked func() bool

	mu    sync.Mutex
	temps []string // PDF previews to remove on Close
}

// New builds the app on window w. Call Start to show it.
func New(fa fyne.App, w fyne.Window, svc Services) *App {
	a := &App{fa: fa, win: w, svc: svc, do: svc.Do}
	if a.do == nil {
		a.do = fyne.Do
	}
	return a
}

// Start picks the language (settings, else the OS) and shows the drafts.
func (a *App) Start() {
	if a.saver == nil && a.svc.NewAutosaver != nil {
		a.saver = a.svc.NewAutosaver(a.onSaved)
	}
	if err := ApplyLang(StartLang(a.svc.Store)); err != nil {
		fyne.LogError("language", err)
	}
	a.showDrafts()
}

// Close writes pending edits and removes the PDF previews. The viewer may
// still hold a preview open (Windows refuses the delete then); such a file
// stays in the temp folder, which the system cleans.
func (a *App) Close() {
	a.leaveTickets() // its clock ticker stops
	a.closeSigning()
	if a.saver != nil {
		if err := a.saver.Close(); err != nil {
			fyne.LogError("autosave on close", err)
		}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, p := range a.temps {
		_ = os.Remove(p)
	}
	a.temps = nil
}

// Flush writes the pending edit now (before the lock takes the keys); an
// opened signing key is wiped and its dialog closed.
func (a *App) Flush() {
	a.closeSigning()
	if a.saver != nil {
		if err := a.saver.Flush(); err != nil {
			fyne.LogError("autosave before lock", err)
		}
	}
}

func (a *App) now() time.Time {
	if a.svc.Now != nil {
		return a.svc.Now()
	}
	return time.Now()
}

// onSaved comes from the autosaver's goroutine.
func (a *App) onSaved(d Draft, err error) {
	a.do(func() {
		if a.editor != nil && a.editor.draft.ID == d.ID {
			a.editor.saved(d, err)
		}
	})
}

func (a *App) showDrafts() {
	if a.editor != nil {
		a.editor.close()
		a.editor = nil
	}
	a.conflict = nil
	a.leaveTickets()
	a.drafts = newDraftsView(a)
	a.win.SetContent(a.frame(a.drafts.title(), a.drafts.content))
	a.drafts.reload()
}

func (a *App) openDraft(id string) {
	// A draft in conflict opens on both versions, to choose.
	if a.svc.Conflicts != nil {
		if c, err := a.svc.Conflicts.GetConflict(id); err == nil {
			a.openConflict(c)
			return
		}
	}
	d, err := a.svc.Store.GetDraft(id)
	if err != nil {
		a.showError(err)
		return
	}
	a.openEditor(d, true)
}

func (a *App) openEditor(d Draft, showAll bool) {
	if a.drafts != nil {
		a.drafts.close()
		a.drafts = nil
	}
	a.conflict = nil
	a.leaveTickets()
	a.editor = newEditor(a, d, showAll)
	a.win.SetContent(a.frame(a.editor.title(), a.editor.content))
}

// newDraft starts an application dated today with one empty row.
func (a *App) newDraft() {
	f := emptyForm(a.now())
	d, err := a.svc.Store.NewDraft(f)
	if err != nil {
		a.showError(err)
		return
	}
	a.openEditor(d, false)
}

// rebuildFrame redraws the current screen with a fresh top bar.
func (a *App) rebuildFrame() {
	if a.adminRefreshFrame() {
		return
	}
	if a.editor != nil {
		a.win.SetContent(a.frame(a.editor.title(), a.editor.content))
		return
	}
	if a.tickets != nil {
		a.win.SetContent(a.frame(a.tickets.titleL, a.tickets.content))
		return
	}
	if a.conflict != nil {
		a.win.SetContent(a.frame(a.conflict.title(), a.conflict.content))
		return
	}
	if a.drafts != nil {
		a.win.SetContent(a.frame(a.drafts.title(), a.drafts.content))
	}
}

// SetLanguage remembers l and rebuilds the window in it, keeping the open
// draft open.
func (a *App) SetLanguage(l i18n.Lang) {
	if l == i18n.Current() {
		return
	}
	if err := a.svc.Store.SetSetting(SettingLanguage, string(l)); err != nil {
		a.showError(err)
	}
	if err := ApplyLang(l); err != nil {
		fyne.LogError("language", err)
	}
	if a.adminRebuild() {
		return
	}
	if a.editor != nil {
		a.editor.rebuild()
		a.win.SetContent(a.frame(a.editor.title(), a.editor.content))
		return
	}
	if a.tickets != nil {
		a.tickets.rebuild()
		a.win.SetContent(a.frame(a.tickets.titleL, a.tickets.content))
		return
	}
	if a.conflict != nil {
		a.conflict.rebuild()
		a.win.SetContent(a.frame(a.conflict.title(), a.conflict.content))
		return
	}
	a.showDrafts()
}

// frame puts the top bar (app name, screen title, language) over body.
func (a *App) frame(title, body fyne.CanvasObject) fyne.CanvasObject {
	name := widget.NewLabelWithStyle("Kense", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	left := container.NewHBox(name, widget.NewSeparator(), title)
	if res := a.fa.Icon(); res != nil {
		left.Objects = append([]fyne.CanvasObject{widget.NewIcon(res)}, left.Objects...)
	}
	langs := make([]string, len(i18n.Langs))
	for i, l := range i18n.Langs {
		langs[i] = i18n.T("lang." + string(l))
	}
	sel := widget.NewSelect(langs, nil)
	sel.SetSelected(i18n.T("lang." + string(i18n.Current())))
	sel.OnChanged = func(s string) {
		for i, o := range langs {
			if o == s {
				l := i18n.Langs[i]
				// Rebuilding replaces the select under its own callback.
				a.do(func() { a.SetLanguage(l) })
			}
		}
	}
	right := container.New(barLayout{})
	if a.svc.Bar != nil {
		right.Objects = append(right.Objects, a.svc.Bar()...)
	}
	right.Objects = append(right.Objects, a.ticketsButton()...)
	right.Objects = append(right.Objects, a.adminButtons()...)
	right.Objects = append(right.Objects, sel)
	a.bar = right
	// The right part is the centre: it takes the room the title leaves.
	bar := container.NewBorder(nil, nil, left, nil, right)
	return container.NewBorder(container.NewVBox(bar, widget.NewSeparator()), nil, nil, nil, body)
}

// showError tells the user what went wrong, in their language.
func (a *App) showError(err error) {
	msg := err.Error()
	if a.svc.Message != nil {
		msg = a.svc.Message(err)
	}
	dialog.NewError(errors.New(msg), a.win).Show()
}

// info shows a short message with an OK button.
func (a *App) info(titleKey, msg string) {
	d := dialog.NewInformation(i18n.T(titleKey), msg, a.win)
	d.Show()
}

// relayoutBar fits the top bar again after a label in it changed: the
// shrinking labels' minimum does not change with their text, so Fyne
// would not lay the bar out again by itself.
func (a *App) relayoutBar() {
	if a.bar != nil {
		a.bar.Refresh()
	}
}

func (a *App) addTemp(path string) {
	a.mu.Lock()
	a.temps = append(a.temps, path)
	a.mu.Unlock()
}
