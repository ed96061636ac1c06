// Package ui is the Kense desktop app's screens: the drafts list and the
// application form editor. It talks to small interfaces (Store, Autosaver,
// Validate, Render) that cmd/kense wires to the real packages, so it imports
// neither bbolt nor HTTP and runs under Fyne's test driver.
package ui

import (
	"context"
	"errors"
	"io"

	"fyne.io/fyne/v2"
	"net/url"
	"slices"
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
	// Sync is the draft's sync state in the user's language ("" when
	// offline: nothing syncs).
	Sync string
	// SyncProblem marks a state that needs the user (conflict, refused).
	SyncProblem bool
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
	// PasswordRequired says the server now refuses this session's work
	// until the password is changed (it passed 30 days mid-session, rule
	// 17): the shell then opens the forced change. nil: never.
	PasswordRequired func() (why string, required bool)
	// Sharing shares a draft with the signed-in user's structural subunit
	// (nil: offline, nothing is shared).
	Sharing Sharing
	// SyncState is the overall sync state for the top bar, in the user's
	// language (nil: offline, nothing syncs); problem marks one that needs
	// the user or a server that cannot be reached.
	SyncState func() (text string, problem bool)
	// Conflicts resolves drafts in conflict (nil: nothing syncs).
	Conflicts ConflictService
	// Submitter signs and submits applications (nil: nobody signed in).
	Submitter Submitter
	// Application is a draft's application state (nil, or a zero
	// AppState: never submitted, editable).
	Application func(id string) AppState
	// Tickets is the ServiceDesk (issue 6) for a signed-in account; nil
	// (offline, or no server) hides the ticket screens.
	Tickets TicketService
	// Admin executes applications and keeps UNIS accounts (issue 8) for
	// an account with an administrator role (admin_service.go); nil hides
	// those screens.
	Admin AdminService
	// Notices are the signed-in user's notifications (notice.go), shown
	// once each after the sign-in and after sync rounds; nil: none.
	Notices NoticeService
}

// Conflict is a draft changed both here and on the server since they last
// agreed: both versions, for the side-by-side screen.
type Conflict struct {
	ID                       string
	Mine, Theirs             form.Form
	MineShared, TheirsShared bool
	// MineDeleted, TheirsDeleted: that side deleted the draft; merging
	// field by field needs both.
	MineDeleted, TheirsDeleted bool
	// TheirsBy is who changed the server's copy, TheirsAt when.
	TheirsBy string
	TheirsAt time.Time
}

// ConflictService is the cache's conflict API behind an adapter. Merge's
// theirs names each differing field, true taking the server's value:
// "subunit", "date", "attachmentPages", "head.position", "head.fullName",
// "shared", "rows[N]" (N from 0) for a row only one side has, and
// "rows[N].iin" (a row field's JSON name) for a row both sides have.
type ConflictService interface {
	GetConflict(id string) (Conflict, error)
	KeepMine(id string) error
	TakeTheirs(id string) error
	Merge(id string, theirs map[string]bool) error
}

// SignKeyFacts is a signing certificate as the user sees it before it
// signs.
type SignKeyFacts struct {
	CommonName, IIN, Organization, Issuer, Serial string
	NotBefore, NotAfter                           time.Time
}

// SignKey is an opened signing key waiting to sign; Close wipes it.
type SignKey interface {
	Facts() SignKeyFacts
	Close()
}

// Submitter signs an application with the head's SIGN key and submits it
// to the Operator.
type Submitter interface {
	// OpenSignKey reads a key file's signing key (EKU 1.3.6.1.5.5.7.3.4);
	// password is wiped.
	OpenSignKey(path string, password []byte) (SignKey, error)
	// SignNCALayer signs the draft's canonical content through NCALayer
	// (the key chosen in NCALayer's window) after the checks Submit makes,
	// and returns that signature as a SignKey whose Facts are its signer's
	// certificate; Submit sends it as it is, Close forgets it. It blocks
	// until the user answers NCALayer; canceling ctx stops the wait. The
	// user's Cancel in NCALayer gives an error that errors.Is
	// ErrSignCanceled.
	SignNCALayer(ctx context.Context, id string) (SignKey, error)
	// Submit signs the draft's canonical content with key and submits it
	// (a SignNCALayer key: sends its signature, refused when the draft
	// changed since); the draft is read-only from then on.
	Submit(ctx context.Context, id string, key SignKey) (AppState, error)
}

// ErrSignCanceled: the user pressed Cancel in NCALayer's window, or the
// wait for it was stopped. Nothing to show.
var ErrSignCanceled = errors.New("signing canceled in NCALayer")

// AppState is a draft's life as an application.
type AppState struct {
	// Status: "" for a draft, else submitted, accepted, rejected or done.
	Status string
	// Reason: the Operator's reason for a rejection.
	Reason string
	// Who signed it, with which certificate, when (empty when not known
	// here).
	SignerName, SignerIIN, CertSerial string
	SignedAt                          time.Time
	// Rows: the administrator's decision on each decided row, in row
	// order (issue 8); none before the Operator decides.
	Rows []RowOutcome
}

// RowOutcome is the administrator's decision on one row of a submitted
// application.
type RowOutcome struct {
	Row int // 1-based, as the printed table numbers rows
	// Executed: carried out; else rejected for Reason.
	Executed bool
	Reason   string
	At       time.Time
	By       string // the administrator's full name
}

// sameApp reports whether two application states show the same.
func sameApp(a, b AppState) bool {
	return a.Status == b.Status && a.Reason == b.Reason && a.SignerName == b.SignerName &&
		a.SignerIIN == b.SignerIIN && a.CertSerial == b.CertSerial && a.SignedAt.Equal(b.SignedAt) &&
		slices.EqualFunc(a.Rows, b.Rows, func(x, y RowOutcome) bool {
			return x.Row == y.Row && x.Executed == y.Executed && x.Reason == y.Reason && x.At.Equal(y.At) && x.By == y.By
		})
}

// Sharing marks a draft as shared with the owner's structural subunit: the
// server then lets the subunit's other members read and edit it (never
// delete it or change its sharing). The mark syncs like any edit.
type Sharing interface {
	Shared(id string) (bool, error)
	SetShared(id string, shared bool) error
}
