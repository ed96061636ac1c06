package wire

import (
	"errors"
	"sync"

	"kense/api"
	"kense/client"
	"kense/i18n"
)

// passwordGate remembers that the last sync round was refused because the
// account's password must be changed (rule 17: 30 days passed while the
// user worked), so the shell opens the forced change instead of showing
// "server not reachable" for ever. Any other outcome clears it.
type passwordGate struct {
	mu  sync.Mutex
	why string
	on  bool
}

func (g *passwordGate) note(err error) {
	var ae *client.APIError
	on := errors.As(err, &ae) && ae.Code == api.CodePasswordChangeRequired
	g.mu.Lock()
	defer g.mu.Unlock()
	g.on = on
	g.why = ""
	if on {
		g.why = client.UserMessage(err, i18n.Current())
	}
}

func (g *passwordGate) required() (string, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.why, g.on
}
