package cache

import (
	"sort"
	"sync"
	"time"
)

// Autosave timing defaults: save once typing pauses for half a second, and
// during continuous typing at least once a second.
const (
	DefaultQuiet    = 500 * time.Millisecond
	DefaultMaxDelay = time.Second
)

// AutosaveOptions tune an Autosaver; zero values take the defaults.
type AutosaveOptions struct {
	// Quiet: save this long after the last change.
	Quiet time.Duration
	// MaxDelay: and never later than this after the first unsaved change.
	MaxDelay time.Duration
	// OnSaved is called after every save attempt, once per draft, with the
	// draft as stored (Updated set) or with the error. It runs on the
	// goroutine that saved — a timer goroutine, or the caller of Flush or
	// Close — so the UI must hand it over with fyne.Do. It must not call
	// Flush or Close, nor wait for the UI thread (no fyne.DoAndWait): a
	// Flush there may be waiting for it.
	OnSaved func(Draft, error)
}

// Autosaver saves drafts shortly after they change. The UI calls Changed on
// every edit; the latest state of each draft is saved at most Quiet after
// the last change and at most MaxDelay after the first unsaved one. A
// failed save is retried (after MaxDelay) until it succeeds or Close.
type Autosaver struct {
	save    func([]Draft) ([]Draft, error)
	clk     clock
	quiet   time.Duration
	max     time.Duration
	onSaved func(Draft, error)

	saveMu sync.Mutex // one save at a time, so saves land in order

	mu      sync.Mutex
	pending map[string]Draft // latest unsaved state per draft ID
	first   time.Time        // first change since the last save
	last    time.Time        // latest change
	retryAt time.Time        // no retry before this after a failure
	stop    func() bool      // cancels the armed timer
	gen     uint64           // tells a stale timer from the armed one
	saving  bool
	closed  bool
}

// clock is time, replaceable in tests.
type clock interface {
	Now() time.Time
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }
func (realClock) AfterFunc(d time.Duration, f func()) func() bool {
	return time.AfterFunc(d, f).Stop
}

// NewAutosaver saves into s. Close it before closing s.
func NewAutosaver(s *Store, opt AutosaveOptions) *Autosaver {
	return newAutosaver(s.saveDrafts, realClock{}, opt)
}

func newAutosaver(save func([]Draft) ([]Draft, error), clk clock, opt AutosaveOptions) *Autosaver {
	if opt.Quiet <= 0 {
		opt.Quiet = DefaultQuiet
	}
	if opt.MaxDelay <= 0 {
		opt.MaxDelay = DefaultMaxDelay
	}
	if opt.Quiet > opt.MaxDelay {
		opt.Quiet = opt.MaxDelay
	}
	return &Autosaver{
		save: save, clk: clk, quiet: opt.Quiet, max: opt.MaxDelay, onSaved: opt.OnSaved,
		pending: map[string]Draft{},
	}
}

// Changed records the draft's current state. It returns at once; the save
// happens later on another goroutine. The draft is copied, so the caller
// may go on editing its rows. After Close it does nothing.
func (a *Autosaver) Changed(d Draft) {
	d.Form = cloneForm(d.Form)
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return
	}
	now := a.clk.Now()
	if len(a.pending) == 0 {
		a.first = now
	}
	a.pending[d.ID] = d
	a.last = now
	a.armLocked(now)
}

// armLocked (re)arms the timer for the next save.
func (a *Autosaver) armLocked(now time.Time) {
	deadline := a.last.Add(a.quiet)
	if m := a.first.Add(a.max); m.Before(deadline) {
		deadline = m
	}
	if deadline.Before(a.retryAt) {
		deadline = a.retryAt
	}
	a.disarmLocked()
	g := a.gen
	a.stop = a.clk.AfterFunc(deadline.Sub(now), func() { a.fire(g) })
}

func (a *Autosaver) disarmLocked() {
	if a.stop != nil {
		a.stop()
		a.stop = nil
	}
	a.gen++
}

func (a *Autosaver) fire(g uint64) {
	a.mu.Lock()
	stale := g != a.gen || a.closed
	if !stale {
		a.stop = nil
	}
	a.mu.Unlock()
	if !stale {
		_ = a.Flush() // OnSaved reports the outcome
	}
}

// Flush saves every pending change now and returns when it is committed
// (on window close, before the screen locks). Nothing pending: nil.
func (a *Autosaver) Flush() error {
	a.saveMu.Lock()
	defer a.saveMu.Unlock()

	a.mu.Lock()
	if len(a.pending) == 0 {
		a.mu.Unlock()
		return nil
	}
	batch := make([]Draft, 0, len(a.pending))
	for _, d := range a.pending {
		batch = append(batch, d)
	}
	sort.Slice(batch, func(i, j int) bool { return batch[i].ID < batch[j].ID })
	a.pending = map[string]Draft{}
	a.disarmLocked() // this save covers everything; the next change re-arms
	a.saving = true
	a.mu.Unlock()

	saved, err := a.save(batch)

	a.mu.Lock()
	a.saving = false
	if err != nil {
		now := a.clk.Now()
		if len(a.pending) == 0 {
			a.first, a.last = now, now
		}
		for _, d := range batch {
			if _, newer := a.pending[d.ID]; !newer {
				a.pending[d.ID] = d
			}
		}
		// Wait a while before trying again: a full disk is not fixed in 500 ms.
		a.retryAt = now.Add(a.max)
		if !a.closed {
			a.armLocked(now)
		}
	} else {
		a.retryAt = time.Time{}
	}
	a.mu.Unlock()

	if a.onSaved != nil {
		if err != nil {
			for _, d := range batch {
				a.onSaved(d, err)
			}
		} else {
			for _, d := range saved {
				a.onSaved(d, nil)
			}
		}
	}
	return err
}

// Pending reports changes not yet committed (waiting, being saved, or
// failed to save).
func (a *Autosaver) Pending() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.pending) > 0 || a.saving
}

// Close stops the timer and saves what is pending. Later Changed calls are
// ignored. Close the store after the autosaver.
func (a *Autosaver) Close() error {
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		return nil
	}
	a.closed = true
	a.disarmLocked()
	a.mu.Unlock()
	return a.Flush()
}
