package server

import (
	"sync"
	"time"
)

// limiter counts sign-in failures per key (an IIN, or a client address).
// MaxFailures failures within Window lock the key for Lock from the last
// failure; a success clears the key. Clock is the server's, so tests move
// time rather than sleep.
type limiter struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	lock   time.Duration
	m      map[string]*failures
}

type failures struct {
	times       []time.Time
	lockedUntil time.Time
}

func newLimiter(max int, window, lock time.Duration) *limiter {
	return &limiter{max: max, window: window, lock: lock, m: map[string]*failures{}}
}

// blocked returns how long key stays locked (0: not locked).
func (l *limiter) blocked(key string, now time.Time) time.Duration {
	if l.max <= 0 {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	f := l.m[key]
	if f == nil || !now.Before(f.lockedUntil) {
		return 0
	}
	return f.lockedUntil.Sub(now)
}

// fail records a failure for key.
func (l *limiter) fail(key string, now time.Time) {
	if l.max <= 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	f := l.m[key]
	if f == nil {
		f = &failures{}
		l.m[key] = f
	}
	keep := f.times[:0]
	for _, t := range f.times {
		if now.Sub(t) < l.window {
			keep = append(keep, t)
		}
	}
	f.times = append(keep, now)
	if len(f.times) >= l.max {
		f.lockedUntil = now.Add(l.lock)
		f.times = f.times[:0]
	}
}

// succeed clears key.
func (l *limiter) succeed(key string) {
	l.mu.Lock()
	delete(l.m, key)
	l.mu.Unlock()
}

func (l *limiter) prune(now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for k, f := range l.m {
		if !now.Before(f.lockedUntil) && (len(f.times) == 0 || now.Sub(f.times[len(f.times)-1]) >= l.window) {
			delete(l.m, k)
		}
	}
}
