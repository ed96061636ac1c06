package cache

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// fakeClock runs timers synchronously in Advance, in deadline order, so
// autosave timing is tested exactly.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
}

type fakeTimer struct {
	at            time.Time
	f             func()
	fired, halted bool
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *fakeClock) AfterFunc(d time.Duration, f func()) func() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{at: c.now.Add(d), f: f}
	c.timers = append(c.timers, t)
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		live := !t.fired && !t.halted
		t.halted = true
		return live
	}
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	end := c.now.Add(d)
	c.mu.Unlock()
	for {
		c.mu.Lock()
		var next *fakeTimer
		for _, t := range c.timers {
			if !t.fired && !t.halted && !t.at.After(end) && (next == nil || t.at.Before(next.at)) {
				next = t
			}
		}
		if next == nil {
			c.now = end
			c.mu.Unlock()
			return
		}
		if next.at.After(c.now) {
			c.now = next.at
		}
		next.fired = true
		c.mu.Unlock()
		next.f()
	}
}

type saveEvent struct {
	at    time.Time
	draft Draft
	err   error
}

type recorder struct {
	mu     sync.Mutex
	clk    interface{ Now() time.Time }
	events []saveEvent
}

func (r *recorder) onSaved(d Draft, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, saveEvent{r.clk.Now(), d, err})
}

func (r *recorder) all() []saveEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]saveEvent(nil), r.events...)
}

func newFakeAutosaver(t *testing.T) (*Store, *fakeClock, *recorder, *Autosaver) {
	s := openTemp(t)
	clk := newFakeClock()
	rec := &recorder{clk: clk}
	a := newAutosaver(s.saveDrafts, clk, AutosaveOptions{OnSaved: rec.onSaved})
	return s, clk, rec, a
}

// version makes the n-th state of a draft, recognisable by Subunit.
func version(d Draft, n int) Draft {
	d.Form.Subunit = fmt.Sprintf("Нұсқа %d", n)
	return d
}

func stored(t *testing.T, s *Store, id string) string {
	t.Helper()
	d, err := s.GetDraft(id)
	if err != nil {
		t.Fatal(err)
	}
	return d.Form.Subunit
}

func TestAutosaveAfterQuiet(t *testing.T) {
	s, clk, rec, a := newFakeAutosaver(t)
	d, _ := s.NewDraft(sampleForm("Нұсқа 0", 3, 1))
	a.Changed(version(d, 1))
	clk.Advance(300 * time.Millisecond)
	a.Changed(version(d, 2)) // the quiet period starts again
	if !a.Pending() {
		t.Fatal("not pending after a change")
	}
	clk.Advance(499 * time.Millisecond)
	if n := len(rec.all()); n != 0 || stored(t, s, d.ID) != "Нұсқа 0" {
		t.Fatalf("saved %d times before the quiet period ended", n)
	}
	clk.Advance(time.Millisecond)
	ev := rec.all()
	if len(ev) != 1 || ev[0].err != nil || ev[0].draft.Form.Subunit != "Нұсқа 2" {
		t.Fatalf("events %+v", ev)
	}
	if stored(t, s, d.ID) != "Нұсқа 2" || a.Pending() {
		t.Fatal("latest state not saved")
	}
	if ev[0].draft.Updated.Before(d.Updated) {
		t.Fatal("OnSaved got the draft without its new Updated time")
	}
	clk.Advance(5 * time.Second)
	if len(rec.all()) != 1 {
		t.Fatal("saved again with nothing changed")
	}
}

func TestAutosaveContinuousTyping(t *testing.T) {
	s, clk, rec, a := newFakeAutosaver(t)
	d, _ := s.NewDraft(sampleForm("Нұсқа 0", 3, 1))
	start := clk.Now()
	const keys = 35 // one keystroke every 100 ms for 3.5 s
	for i := 1; i <= keys; i++ {
		a.Changed(version(d, i))
		clk.Advance(100 * time.Millisecond)
	}
	typed := rec.all()
	clk.Advance(time.Second)
	ev := rec.all()
	if len(typed) < 3 {
		t.Fatalf("%d saves during 3.5 s of typing, want one a second", len(typed))
	}
	prev := start
	for i, e := range ev {
		if e.err != nil {
			t.Fatal(e.err)
		}
		if gap := e.at.Sub(prev); gap > time.Second {
			t.Fatalf("save %d came %v after the previous one", i, gap)
		}
		prev = e.at
	}
	last := ev[len(ev)-1]
	if last.draft.Form.Subunit != fmt.Sprintf("Нұсқа %d", keys) || stored(t, s, d.ID) != last.draft.Form.Subunit {
		t.Fatalf("last save %q, stored %q", last.draft.Form.Subunit, stored(t, s, d.ID))
	}
	if want := start.Add((keys-1)*100*time.Millisecond + DefaultQuiet); !last.at.Equal(want) {
		t.Fatalf("final save at %v, want quiet period after the last key (%v)", last.at.Sub(start), want.Sub(start))
	}
}

func TestAutosaveFlushAndClose(t *testing.T) {
	s, clk, rec, a := newFakeAutosaver(t)
	d, _ := s.NewDraft(sampleForm("Нұсқа 0", 3, 1))
	other, _ := s.NewDraft(sampleForm("Басқа 0", 1, 1))
	a.Changed(version(d, 1))
	a.Changed(version(other, 7)) // switching drafts loses nothing
	if err := a.Flush(); err != nil {
		t.Fatal(err)
	}
	if stored(t, s, d.ID) != "Нұсқа 1" || stored(t, s, other.ID) != "Нұсқа 7" || a.Pending() {
		t.Fatal("Flush did not save both drafts")
	}
	if n := len(rec.all()); n != 2 {
		t.Fatalf("%d OnSaved calls, want one per draft", n)
	}
	clk.Advance(2 * time.Second)
	if n := len(rec.all()); n != 2 {
		t.Fatal("the timer saved again after Flush")
	}
	if err := a.Flush(); err != nil {
		t.Fatal(err)
	}

	// The caller may go on editing the draft it handed over.
	v := version(d, 2)
	a.Changed(v)
	v.Form.Subunit = "өзгертілді"
	v.Form.Rows[0].FullName = "өзгертілді"
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	got, _ := s.GetDraft(d.ID)
	if got.Form.Subunit != "Нұсқа 2" || got.Form.Rows[0].FullName == "өзгертілді" {
		t.Fatalf("Close saved %q / %q", got.Form.Subunit, got.Form.Rows[0].FullName)
	}
	a.Changed(version(d, 3))
	clk.Advance(2 * time.Second)
	if stored(t, s, d.ID) != "Нұсқа 2" || a.Pending() {
		t.Fatal("a change after Close was saved")
	}
}

func TestAutosaveErrorReported(t *testing.T) {
	s, clk, rec, a := newFakeAutosaver(t)
	a.Changed(Draft{ID: "no spaces allowed"})
	clk.Advance(DefaultQuiet)
	ev := rec.all()
	if len(ev) != 1 || !errors.Is(ev[0].err, ErrBadID) || ev[0].draft.ID != "no spaces allowed" {
		t.Fatalf("events %+v", ev)
	}
	if !a.Pending() {
		t.Fatal("a failed save is not pending")
	}
	// It is retried, no sooner than MaxDelay later.
	clk.Advance(DefaultMaxDelay - time.Millisecond)
	if len(rec.all()) != 1 {
		t.Fatal("retried too soon")
	}
	clk.Advance(time.Millisecond)
	if len(rec.all()) != 2 {
		t.Fatal("not retried")
	}

	// A real I/O failure: the store is closed under the autosaver.
	s2, clk2, rec2, a2 := newFakeAutosaver(t)
	d, _ := s2.NewDraft(sampleForm("x", 1, 1))
	s2.Close()
	a2.Changed(version(d, 1))
	clk2.Advance(DefaultQuiet)
	if ev := rec2.all(); len(ev) != 1 || !errors.Is(ev[0].err, ErrClosed) {
		t.Fatalf("events %+v", ev)
	}
	if err := a2.Close(); !errors.Is(err, ErrClosed) || !a2.Pending() {
		t.Fatalf("Close: %v, pending %v", err, a2.Pending())
	}
	_ = s
}

// The same with real timers, short and bounded.
func TestAutosaveRealTimers(t *testing.T) {
	s := openTemp(t)
	d, _ := s.NewDraft(sampleForm("Нұсқа 0", 50, 1))
	saved := make(chan saveEvent, 100)
	a := NewAutosaver(s, AutosaveOptions{OnSaved: func(d Draft, err error) {
		saved <- saveEvent{time.Now(), d, err}
	}})
	defer a.Close()

	start := time.Now()
	a.Changed(version(d, 1))
	select {
	case e := <-saved:
		if e.err != nil || e.draft.Form.Subunit != "Нұсқа 1" {
			t.Fatalf("%+v", e)
		}
		if e.at.Sub(start) < DefaultQuiet {
			t.Fatalf("saved after %v, before the quiet period", e.at.Sub(start))
		}
		t.Logf("single change saved after %v", e.at.Sub(start))
	case <-time.After(10 * time.Second):
		t.Fatal("a change was not saved in 10 s")
	}
	if stored(t, s, d.ID) != "Нұсқа 1" {
		t.Fatal("not in the file")
	}

	// Keys every 20 ms for 2.5 s: MaxDelay must save while typing goes on.
	start = time.Now()
	n := 0
	for time.Since(start) < 2500*time.Millisecond {
		n++
		a.Changed(version(d, 100+n))
		time.Sleep(20 * time.Millisecond)
	}
	var during []time.Duration
	for len(saved) > 0 {
		e := <-saved
		if e.err != nil {
			t.Fatal(e.err)
		}
		during = append(during, e.at.Sub(start))
	}
	if len(during) == 0 {
		t.Fatal("nothing saved during 2.5 s of continuous typing")
	}
	t.Logf("saves during typing at %v", during)
	want := fmt.Sprintf("Нұсқа %d", 100+n)
	for {
		select {
		case e := <-saved:
			if e.err != nil {
				t.Fatal(e.err)
			}
			if e.draft.Form.Subunit == want {
				if stored(t, s, d.ID) != want {
					t.Fatal("OnSaved before the file has it")
				}
				return
			}
		case <-time.After(10 * time.Second):
			t.Fatal("last change not saved")
		}
	}
}
