package session

import (
	"context"

	"kense/api"
)

// ChangePassword changes the signed-in RER SDB account's password on the
// server (client.ChangePassword: a refusal is a *client.PasswordError);
// old and new are wiped. Afterwards a restricted session works in full,
// and the idle lock's offline unlock checks the new password.
func (s *Session) ChangePassword(ctx context.Context, old, new []byte) error {
	defer clear(old)
	defer clear(new)
	s.mu.Lock()
	in, c := s.in, s.c
	s.mu.Unlock()
	if in == nil || c == nil {
		return errNotSignedIn
	}
	if in.account.Kind != api.KindRER {
		return errNoPassword
	}
	// Hashed before the client wipes it; kept only if the server agrees.
	salt, hash := hashPassword(new)
	if err := c.ChangePassword(ctx, old, new); err != nil {
		return err
	}
	s.mu.Lock()
	if s.in == in {
		in.pwSalt, in.pwHash = salt, hash
	}
	s.mu.Unlock()
	return nil
}

// ReportCompromised tells the server that someone else knows the signed-in
// RER SDB account's password (rules 12.3, 16): until ChangePassword the
// session may do nothing else. headNotified: the user's head was told.
func (s *Session) ReportCompromised(ctx context.Context) (headNotified bool, err error) {
	s.mu.Lock()
	in, c := s.in, s.c
	s.mu.Unlock()
	if in == nil || c == nil {
		return false, errNotSignedIn
	}
	if in.account.Kind != api.KindRER {
		return false, errNoPassword
	}
	return c.ReportCompromised(ctx)
}
