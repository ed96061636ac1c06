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
	err error // the refusal; nil: none
}

func (g *passwordGate) note(err error) {
	var ae *client.APIError
	if !errors.As(err, &ae) || ae.Code != api.CodePasswordChangeRequired {
		err = nil
	}
	g.mu.Lock()
	g.err = err
	g.mu.Unlock()
}

// required words the refusal in the language of the moment.
func (g *passwordGate) required() (string, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.err == nil {
		return "", false
	}
	return client.UserMessage(g.err, i18n.Current()), true
}
