package wire

import (
	"context"
	"log/slog"
	"time"

	"kense/cache"
	"kense/i18n"
	"kense/session"
	"kense/session/sessionui"
	"kense/ui"
)

// signOutTimeout bounds telling the server about a sign-out; the app signs
// out locally at once either way.
const signOutTimeout = 10 * time.Second

// ShellOptions are cmd/kense's choices for the shell.
type ShellOptions struct {
	// Server is the server address offered when none is remembered.
	Server string
	// IdleLock caps the idle timeout (the -idle-lock flag, the deployed
	// value); 0 leaves the server's.
	IdleLock time.Duration
	// Log gets the lock events (applog's redacting logger); nil: none.
	Log *slog.Logger
	// Base brings what the app itself provides (OpenURL, TempDir).
	Base ui.Services
}

// Shell is the ui.ShellConfig over the cache and a session: sign-in
// unlocks the account's cache key, the lock wipes the keys, sign-out ends
// the server session and leaves only the local profile readable.
func Shell(st *cache.Store, sess *session.Session, opt ShellOptions) ui.ShellConfig {
	ad := sessionui.New(sess)
	var account string
	return ui.ShellConfig{
		SignIn:        ad,
		Unlocker:      ad,
		Settings:      Store{S: st},
		DefaultServer: opt.Server,
		IdleLock:      opt.IdleLock,
		Enter: func(who ui.SignedIn) (ui.Services, error) {
			account = ""
			if !who.Offline {
				account = who.IIN
			}
			if err := st.Unlock(account, nil); err != nil {
				return ui.Services{}, err
			}
			return AccountServices(st, account, opt.Base), nil
		},
		Leave: func() {
			account = ""
			st.Lock()
			if err := st.Unlock("", nil); err != nil {
				slogOr(opt.Log).Error("cache: local profile after sign-out", "error", err.Error())
			}
			go func() {
				ctx, cancel := context.WithTimeout(context.Background(), signOutTimeout)
				defer cancel()
				if err := sess.SignOut(ctx); err != nil {
					slogOr(opt.Log).Warn("sign-out: server not told", "error", err.Error())
				}
			}()
		},
		Seal:   st.Lock,
		Unseal: func() error { return st.Unlock(account, nil) },
		LockLog: func(event, reason string) {
			// No form data and no account here: the event and why.
			slogOr(opt.Log).Info("lock", "event", event, "reason", reason)
		},
		Message: func(err error) string {
			return i18n.T("shell.err.enter", "error", Message(err))
		},
	}
}

func slogOr(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l
}
