// Package ui is the Kense desktop app's screens: the drafts list and the
// application form editor. It talks to small interfaces (Store, Autosaver,
// Validate, Render) that cmd/kense wires to the real packages, so it imports
// neither bbolt nor HTTP and runs under Fyne's test driver.
package ui

import (
	"io"

	"fyne.io/fyne/v2"
	"net/url"
	"time"

	"kense/form"
)

// Draft is one stored application.
type Draft struct {
	ID               string
	Form             form.Form
	Created, Updated time.Time
}

// Summary is what the drafts list shows of a draft.
type Summary struct {
	ID      string
	Subunit string
	Rows    int
	Updated time.Time
	IINs    []string
}

// Store keeps drafts and settings (cache.Store behind an adapter).
type Store interface {
	NewDraft(f form.Form) (Draft, error)
	GetDraft(id string) (Draft, error)
	// ListDrafts lists the live drafts, newest first; a non-empty query keeps
	// those whose subunit or one of whose IINs contains it.
	ListDrafts(query string) ([]Summary, error)
	DuplicateDraft(id string) (Draft, error)
	DeleteDraft(id string) error
	UndoDelete(id string) error
	Setting(key string) (string, bool, error)
	SetSetting(key, value string) error
}

// Autosaver takes every edit and writes it soon after (debounced).
type Autosaver interface {
	Changed(d Draft)
	// Flush writes what is pending now and returns when it is written.
	Flush() error
	// Close flushes and stops; later Changed calls do nothing.
	Close() error
}

// Problem is one validation finding, its message already in the current
// language. Row is 0 for the header, else the 1-based row number; Field is
// the JSON name of the field (subunit, date, iin, …).
type Problem struct {
	Row     int
	Field   string
	Message string
}

// Services is everything the UI needs from the rest of Kense.
type Services struct {
	Store Store
	// NewAutosaver starts the saver every edit goes to; onSaved may be
	// called from any goroutine.
	NewAutosaver func(onSaved func(Draft, error)) Autosaver
	// Validate checks a whole form; messages in i18n.Current().
	Validate func(f form.Form) []Problem
	// Render makes the PDF; final=false stamps it as a draft.
	Render func(f form.Form, final bool) ([]byte, error)
	// LoadForm reads an application JSON file (order files resolved
	// against its folder); WriteForm writes one.
	LoadForm  func(path string) (form.Form, error)
	WriteForm func(w io.Writer, f form.Form) error
	// OpenURL opens a file or link with the system's default handler.
	OpenURL func(u *url.URL) error
	// Now is the clock (tests pin it); nil means time.Now.
	Now func() time.Time
	// TempDir holds PDF previews; empty means os.TempDir().
	TempDir string
	// Do runs fn on the UI goroutine; nil means fyne.Do. Tests pass a
	// queue they drain themselves: Fyne's test driver runs fyne.Do on the
	// calling goroutine, which races with the test.
	Do func(fn func())
	// Message is an error as the user reads it, in i18n.Current(); nil
	// means err.Error().
	Message func(err error) string
	// Activity is told of every edit (the idle lock: keys typed into an
	// entry never reach the window's canvas); nil: nobody listens.
	Activity func()
	// Bar adds to the top bar, before the language: the shell's user
	// name, lock and sign-out. Called on every rebuild (language switch).
	Bar func() []fyne.CanvasObject
}
