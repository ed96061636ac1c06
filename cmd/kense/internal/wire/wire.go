// Package wire connects the ui package to the real ones: the bbolt cache,
// the form's validation and files, and the PDF renderer. It is kept apart
// from cmd/kense's main so that tests can run it without a display.
package wire

import (
	"errors"
	"sync"
	"time"

	"kense/cache"
	"kense/form"
	"kense/i18n"
	"kense/pdf"
	"kense/ui"
)

// Services is everything ui needs, over an open cache store; base brings
// what the app itself provides (OpenURL, TempDir).
func Services(s *cache.Store, base ui.Services) ui.Services {
	return AccountServices(s, "", base)
}

// AccountServices is Services for a signed-in account (its IIN): new
// drafts are the account's (sealed with its key, synced as its own).
// account "" is the offline local profile.
func AccountServices(s *cache.Store, account string, base ui.Services) ui.Services {
	svc := base
	svc.Store = Store{S: s, Account: account}
	svc.NewAutosaver = func(onSaved func(ui.Draft, error)) ui.Autosaver {
		return autosaver{cache.NewAutosaver(s, cache.AutosaveOptions{
			OnSaved: func(d cache.Draft, err error) { onSaved(toUI(d), err) },
		})}
	}
	svc.Validate = Validator(svc.Now)
	// A submitted application prints with its signature block.
	svc.Render = RenderSigned(s)
	svc.Application = Application(s)
	if account != "" {
		svc.Conflicts = Conflicts{S: s}
	}
	svc.LoadForm = form.LoadResolved
	svc.WriteForm = form.Write
	svc.Message = Message
	return svc
}

// Store is cache.Store seen through ui.Store. Account is the signed-in
// account ("" offline): the list shows what the cache's keys in memory can
// read, which is that account's drafts and this OS user's offline ones.
type Store struct {
	S       *cache.Store
	Account string
}

func (s Store) NewDraft(f form.Form) (ui.Draft, error) {
	if s.Account != "" {
		d, err := s.S.NewDraftFor(s.Account, f)
		return toUI(d), err
	}
	d, err := s.S.NewDraft(f)
	return toUI(d), err
}

func (s Store) GetDraft(id string) (ui.Draft, error) {
	d, err := s.S.GetDraft(id)
	return toUI(d), err
}

func (s Store) ListDrafts(query string) ([]ui.Summary, error) {
	list, err := s.S.ListDrafts(query)
	var states map[string]cache.DraftSync
	if s.Account != "" {
		// A failure here only leaves the status column empty.
		states, _ = s.S.SyncStates(s.Account)
	}
	var out []ui.Summary
	for _, x := range list {
		sum := ui.Summary{ID: x.ID, Subunit: x.Subunit, Rows: x.Rows, Updated: x.Updated, IINs: x.IINs}
		if s.Account != "" {
			if ds, ok := states[x.ID]; ok {
				sum.Sync = i18n.T("sync.status." + string(ds.Status))
				if ds.AppStatus != "" {
					sum.Sync = i18n.T("sync.app." + ds.AppStatus)
				}
				sum.SyncProblem = ds.Status == cache.StatusConflict || ds.Status == cache.StatusRefused
			} else {
				sum.Sync = i18n.T("sync.status.local")
			}
		}
		out = append(out, sum)
	}
	return out, err
}

func (s Store) DuplicateDraft(id string) (ui.Draft, error) {
	d, err := s.S.DuplicateDraft(id)
	if err == nil && s.Account != "" {
		err = s.S.GiveDraftTo(d.ID, s.Account)
	}
	return toUI(d), err
}

func (s Store) DeleteDraft(id string) error { return s.S.DeleteDraft(id) }

func (s Store) UndoDelete(id string) error { return s.S.UndoDelete(id) }

func (s Store) Setting(key string) (string, bool, error) { return s.S.Setting(key) }

func (s Store) SetSetting(key, value string) error { return s.S.SetSetting(key, value) }

func toUI(d cache.Draft) ui.Draft {
	return ui.Draft{ID: d.ID, Form: d.Form, Created: d.Created, Updated: d.Updated}
}

// toCache keeps Form.ID equal to the draft's, as the cache requires.
func toCache(d ui.Draft) cache.Draft {
	d.Form.ID = d.ID
	return cache.Draft{ID: d.ID, Form: d.Form, Created: d.Created}
}

// autosaver is cache.Autosaver seen through ui.Autosaver.
type autosaver struct{ a *cache.Autosaver }

func (a autosaver) Changed(d ui.Draft) { a.a.Changed(toCache(d)) }
func (a autosaver) Flush() error       { return a.a.Flush() }
func (a autosaver) Close() error       { return a.a.Close() }

// Render makes the application's PDF. The final copy goes through
// pdf.RenderFinal, which validates again (order scans read afresh): the UI
// offers it only for a valid form, and this keeps it so.
func Render(f form.Form, final bool) ([]byte, error) {
	if final {
		return pdf.RenderFinal(f, pdf.Options{Now: time.Now}, form.Options{OrderExists: form.CheckScan})
	}
	return pdf.Render(f, pdf.Options{Now: time.Now})
}

// Validator validates with form.Validate, messages in the current language.
// The editor validates on every keystroke, so order files are checked once
// per few seconds each, not re-read every time.
func Validator(now func() time.Time) func(form.Form) []ui.Problem {
	if now == nil {
		now = time.Now
	}
	checks := newScanChecks(5*time.Second, now)
	return func(f form.Form) []ui.Problem {
		ps := form.Validate(f, form.Options{OrderExists: checks.check, Today: now()})
		l := i18n.Current()
		out := make([]ui.Problem, len(ps))
		for i, p := range ps {
			out[i] = ui.Problem{Row: p.Row, Field: p.Field, Message: p.Message(l)}
		}
		return out
	}
}

type scanCheck struct {
	err error
	at  time.Time
}

func newScanChecks(ttl time.Duration, now func() time.Time) *scanChecks {
	return &scanChecks{ttl: ttl, now: now, m: map[string]scanCheck{}}
}

// scanChecks remembers form.CheckScan's verdicts for a short while.
type scanChecks struct {
	ttl time.Duration
	now func() time.Time
	mu  sync.Mutex
	m   map[string]scanCheck
}

func (c *scanChecks) check(path string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r, ok := c.m[path]; ok && c.now().Sub(r.at) < c.ttl {
		return r.err
	}
	err := form.CheckScan(path)
	c.m[path] = scanCheck{err: err, at: c.now()}
	return err
}

// Message is err as the user reads it, in the current language.
func Message(err error) string {
	l := i18n.Current()
	var ce *cache.Error
	if errors.As(err, &ce) {
		return ce.UserMessage(l)
	}
	// form.ReadError, pdf.Error, pdf.ProblemsError carry their own texts.
	var m interface{ Message(i18n.Lang) string }
	if errors.As(err, &m) {
		return m.Message(l)
	}
	return err.Error()
}
