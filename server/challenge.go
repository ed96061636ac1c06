package server

import (
	"crypto/rand"
	"encoding/base64"
	"sync"
	"time"

	"kense/api"
)

// A challenge is kept in memory only: it lives two minutes, so a restart
// that forgets it costs the user one retry. It is bound to the address that
// asked for it: from any other address it is unknown.
type challenge struct {
	nonce     []byte
	addr      string
	expiresAt time.Time
	used      bool
}

type challenges struct {
	mu   sync.Mutex
	m    map[string]*challenge
	life time.Duration
	// keep: how long after expiry a challenge is remembered, so that a late
	// answer gets nonce_expired (or nonce_used) rather than nonce_unknown.
	keep time.Duration
	// max bounds all remembered challenges (memory); perAddr bounds the
	// unanswered ones of one address (byAddr counts them), so that one client asking in a loop cannot fill the
	// table and lock everyone else out. perAddr is generous: a notarial
	// office behind one NAT address signs in a few dozen times an hour.
	max, perAddr int
	byAddr       map[string]int
}

// maxChallengesPerAddr: remembered challenges (live or within keep) of one
// address before it gets rate_limited.
const maxChallengesPerAddr = 300

func newChallenges(life time.Duration) *challenges {
	return &challenges{m: map[string]*challenge{}, byAddr: map[string]int{}, life: life,
		keep: 10 * time.Minute, max: 100000, perAddr: maxChallengesPerAddr}
}

// issue makes a challenge for addr. ok is false when too many are
// outstanding (the caller answers rate_limited).
func (c *challenges) issue(addr string, now time.Time) (id string, ch *challenge, ok bool) {
	idb := make([]byte, 16)
	nonce := make([]byte, 32)
	rand.Read(idb)
	rand.Read(nonce)
	id = base64.RawURLEncoding.EncodeToString(idb)
	ch = &challenge{nonce: nonce, addr: addr, expiresAt: now.Add(c.life)}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.max || c.byAddr[addr] >= c.perAddr {
		c.pruneLocked(now)
		if len(c.m) >= c.max || c.byAddr[addr] >= c.perAddr {
			return "", nil, false
		}
	}
	c.m[id] = ch
	c.byAddr[addr]++
	return id, ch, true
}

// take looks up the challenge for a sign-in attempt from addr and marks it
// used, whatever the attempt's outcome: a nonce is good for one attempt.
// state is "" for a fresh challenge, else the api code that describes it.
func (c *challenges) take(id, addr string, now time.Time) (nonce []byte, state string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch, ok := c.m[id]
	if !ok || ch.addr != addr {
		return nil, api.CodeNonceUnknown
	}
	switch {
	case ch.used:
		state = api.CodeNonceUsed
	case !now.Before(ch.expiresAt):
		state = api.CodeNonceExpired
	}
	if !ch.used {
		c.release(ch.addr)
	}
	ch.used = true
	return ch.nonce, state
}

func (c *challenges) prune(now time.Time) {
	c.mu.Lock()
	c.pruneLocked(now)
	c.mu.Unlock()
}

func (c *challenges) pruneLocked(now time.Time) {
	for id, ch := range c.m {
		if now.After(ch.expiresAt.Add(c.keep)) {
			delete(c.m, id)
			if !ch.used {
				c.release(ch.addr)
			}
		}
	}
}

// release forgets one unanswered challenge of addr (answered or pruned).
func (c *challenges) release(addr string) {
	if c.byAddr[addr]--; c.byAddr[addr] <= 0 {
		delete(c.byAddr, addr)
	}
}
