// Package sessionui adapts package session to the screens of package ui:
// it is the ui.SignInService of the sign-in screen and the ui.Unlocker of
// the idle lock. ui imports no HTTP and session no Fyne; this small package
// is where the two meet, so that cmd/kense only wires.
package sessionui

import (
	"context"
	"errors"
	"time"

	"kense/api"
	"kense/client"
	"kense/eds"
	"kense/i18n"
	"kense/session"
	"kense/ui"
)

// UnlockTimeout bounds one unlock: the server round trip, or the user
// choosing the key in NCALayer's window.
const UnlockTimeout = 3 * time.Minute

// Adapter serves the sign-in screen and the lock from one Session.
type Adapter struct {
	S *session.Session
	// Lang is the user's language; nil: i18n.Current.
	Lang func() i18n.Lang
}

var (
	_ ui.SignInService   = (*Adapter)(nil)
	_ ui.Unlocker        = (*Adapter)(nil)
	_ ui.PasswordService = (*Adapter)(nil)
)

// New adapts s.
func New(s *session.Session) *Adapter { return &Adapter{S: s} }

func (a *Adapter) lang() i18n.Lang {
	if a.Lang != nil {
		return a.Lang()
	}
	return i18n.Current()
}

// Connect reads the server's policy.
func (a *Adapter) Connect(ctx context.Context, server string) (ui.ServerFacts, error) {
	p, err := a.S.Connect(ctx, server)
	if err != nil {
		return ui.ServerFacts{}, err
	}
	return serverFacts(p), nil
}

func serverFacts(p api.Policy) ui.ServerFacts {
	return ui.ServerFacts{Demo: p.Demo, IdleLock: time.Duration(p.IdleLockMinutes) * time.Minute}
}

// Facts is an eds.KeyInfo as the screen shows it.
func Facts(k eds.KeyInfo) ui.KeyFacts {
	return ui.KeyFacts{CommonName: k.CommonName, IIN: k.IIN, BIN: k.BIN, Organization: k.Organization,
		Issuer: k.Issuer, KeyUsage: k.KeyUsage, Algorithm: k.Algorithm, NotBefore: k.NotBefore, NotAfter: k.NotAfter}
}

// OpenKey opens a key file (password wiped).
func (a *Adapter) OpenKey(path string, password []byte) (ui.KeyFacts, error) {
	k, err := a.S.OpenKeyFile(path, password)
	return Facts(k), err
}

// SignIn signs in; the warnings come back in the user's language.
func (a *Adapter) SignIn(ctx context.Context, req ui.SignInRequest) (ui.SignedIn, error) {
	res, err := a.S.SignIn(ctx, session.Request{Server: req.Server, NCALayer: req.NCALayer, Login: req.Login, Password: req.Password})
	if err != nil {
		return ui.SignedIn{}, err
	}
	out := ui.SignedIn{
		Server:   req.Server,
		FullName: res.Account.FullName,
		IIN:      res.Account.IIN,
		RER:      res.Account.Kind == api.KindRER,
		Demo:     res.Policy.Demo,
		IdleLock: serverFacts(res.Policy).IdleLock,
		Key:      Facts(res.Key),
	}
	if out.IdleLock <= 0 {
		out.IdleLock = session.DefaultIdleLock
	}
	if res.Update != nil {
		out.Update = ui.Update{Version: res.Update.Version, URL: res.Update.URL}
	}
	if res.PasswordChangeRequired {
		out.PasswordChange = true
		out.PasswordChangeWhy = client.PasswordChangeRequiredMessage(res.PasswordChangeReason, a.lang())
	}
	for _, w := range res.Warnings {
		if w.Code == api.WarnPasswordChangeDue {
			// The shell offers the change form with it (ui/password.go).
			out.PasswordDue = client.WarningMessage(w, a.lang())
			continue
		}
		out.Warnings = append(out.Warnings, client.WarningMessage(w, a.lang()))
	}
	return out, nil
}

// Explain says what a failure means for the screen.
func (a *Adapter) Explain(err error) ui.SignInProblem {
	p := ui.SignInProblem{Message: session.UserMessage(err, a.lang())}
	var ae *client.APIError
	switch {
	case client.IsCanceled(err):
		p.Canceled = true
	case errors.Is(err, eds.ErrWrongPassword):
		p.WrongKeyPassword = true
	case errors.As(err, &ae) && (ae.Code == api.CodePasswordRequired || ae.Code == api.CodeWrongPassword):
		p.NeedLogin = true
	}
	return p
}

// UnlockNeeds: the key file's password (not with NCALayer), and the RER SDB
// password for such accounts.
func (a *Adapter) UnlockNeeds() (keyPassword, rerPassword bool) { return a.S.UnlockNeeds() }

// Unlock proves the same person (both passwords wiped).
func (a *Adapter) Unlock(keyPassword, rerPassword []byte) error {
	ctx, cancel := context.WithTimeout(context.Background(), UnlockTimeout)
	defer cancel()
	return a.S.Unlock(ctx, keyPassword, rerPassword)
}

// UnlockMessage explains a failed unlock; Cancel in NCALayer is no failure.
func (a *Adapter) UnlockMessage(err error) (string, bool) {
	if client.IsCanceled(err) {
		return "", true
	}
	return session.UserMessage(err, a.lang()), false
}
