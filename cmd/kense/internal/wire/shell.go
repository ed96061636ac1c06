package wire

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"kense/cache"
	"kense/client"
	"kense/i18n"
	"kense/servicedesk"
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
	// SyncInterval: how often drafts sync with nothing to kick them (0:
	// the client's default, 30 s).
	SyncInterval time.Duration
}

// syncRunner runs one client.Syncer in the background while someone is
// signed in and the app is not locked. Its methods run on the UI
// goroutine.
type syncRunner struct {
	sy     *client.Syncer
	cancel context.CancelFunc
	done   chan struct{}

	mu  sync.Mutex
	ctx context.Context // the running round's, for work riding on it (tickets)
}

// context is the runner's current context, canceled by pause; callable
// from the runner's goroutine.
func (r *syncRunner) context() context.Context {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ctx == nil {
		return context.Background()
	}
	return r.ctx
}

func (r *syncRunner) start(sy *client.Syncer) {
	r.stop()
	r.sy = sy
	r.resume()
}

func (r *syncRunner) resume() {
	if r.sy == nil || r.cancel != nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	r.cancel, r.done = cancel, done
	r.mu.Lock()
	r.ctx = ctx
	r.mu.Unlock()
	go func() {
		defer close(done)
		r.sy.Run(ctx)
	}()
}

// pause stops the runner and waits (briefly) for its round to end.
func (r *syncRunner) pause() {
	if r.cancel == nil {
		return
	}
	r.cancel()
	select {
	case <-r.done:
	case <-time.After(syncStopWait):
	}
	r.cancel, r.done = nil, nil
}

func (r *syncRunner) stop() {
	r.pause()
	r.sy = nil
}

// syncStopWait bounds waiting for a round to notice its cancel (HTTP calls
// end at once; a bbolt commit in progress finishes).
const syncStopWait = 3 * time.Second

// syncState is the top bar's sync line for account.
func syncState(st *cache.Store, account string) (string, bool) {
	o, err := st.SyncOverview(account)
	if err != nil {
		return Message(err), true
	}
	waiting := o.Pending + o.Conflicts + o.Refused
	switch {
	case o.Conflicts > 0:
		return i18n.T("sync.bar.conflicts", "n", o.Conflicts), true
	case o.LastError != "":
		return i18n.T("sync.bar.unreachable", "n", waiting), true
	case o.Refused > 0:
		return i18n.T("sync.bar.refused", "n", o.Refused), true
	case o.Pending > 0:
		return i18n.T("sync.bar.pending", "n", o.Pending), false
	case o.LastReached.IsZero():
		return i18n.T("sync.bar.never"), false
	}
	return i18n.T("sync.bar.synced", "time", o.LastReached.In(servicedesk.Location).Format("15:04")), false
}

// Shell is the ui.ShellConfig over the cache and a session: sign-in
// unlocks the account's cache key, the lock wipes the keys, sign-out ends
// the server session and leaves only the local profile readable.
func Shell(st *cache.Store, sess *session.Session, opt ShellOptions) ui.ShellConfig {
	ad := sessionui.New(sess)
	var account string
	var runner syncRunner
	return ui.ShellConfig{
		SignIn:        ad,
		Unlocker:      ad,
		Password:      ad, // RER SDB accounts: the change form (ui/password.go)
		Settings:      Store{S: st},
		DefaultServer: opt.Server,
		IdleLock:      opt.IdleLock,
		Enter: func(who ui.SignedIn, changed func()) (ui.Services, error) {
			account = ""
			if !who.Offline {
				account = who.IIN
			}
			if err := st.Unlock(account, nil); err != nil {
				return ui.Services{}, err
			}
			svc := AccountServices(st, account, opt.Base)
			if account == "" || sess.Client() == nil {
				return svc, nil
			}
			tk := &Tickets{St: st, Account: account, Name: who.FullName, Client: sess.Client, Now: opt.Base.Now}
			tk.SignedInRoles(sess.Account().Roles)
			acct := account
			orders := &Orders{S: st, C: sess.Client(), Account: acct}
			pwGate := &passwordGate{}
			sy := client.NewSyncer(sess.Client(), st, client.SyncOptions{
				Interval: opt.SyncInterval,
				OnSync: func(_ client.SyncReport, err error) {
					if err != nil {
						slogOr(opt.Log).Warn("sync", "error", err.Error())
					}
					pwGate.note(err)
					// Tickets ride on every round (issue 6): the outbox goes
					// out, staff changes come in.
					switch {
					case errors.Is(err, client.ErrSignedOut):
					case errors.Is(err, client.ErrOffline):
						tk.NoteFailure(err) // no second wait on a dead network
					default:
						if terr := tk.SyncRound(runner.context()); terr != nil && !errors.Is(terr, context.Canceled) {
							slogOr(opt.Log).Warn("tickets sync", "error", terr.Error())
						}
						// Orders of submitted applications the server lacks.
						if oerr := orders.Send(runner.context()); oerr != nil && !errors.Is(oerr, context.Canceled) {
							slogOr(opt.Log).Warn("orders", "error", oerr.Error())
						}
					}
					changed()
				},
			})
			tk.Kick = sy.Kick
			sy.SetAccount(account)
			runner.start(sy)
			inner := svc.NewAutosaver
			svc.NewAutosaver = func(onSaved func(ui.Draft, error)) ui.Autosaver {
				return inner(func(d ui.Draft, err error) {
					onSaved(d, err)
					if err == nil {
						sy.Kick() // an edit goes out soon, not at the next interval
					}
				})
			}
			svc.SyncState = func() (string, bool) { return syncState(st, acct) }
			svc.Sharing = sharing{st: st, kick: sy.Kick}
			svc.PasswordRequired = pwGate.required
			svc.Conflicts = Conflicts{S: st, Kick: sy.Kick}
			svc.Tickets = tk
			// Executing applications (issue 8): only for an administrator role.
			svc.Admin = AdminFor(sess.Account().Roles, sess.Client)
			// A head's notifications: a subordinate's compromised password.
			svc.Notices = &Notices{S: st, Account: acct, Client: sess.Client}
			svc.Submitter = &Submitter{S: st, C: sess.Client(), Account: acct, Orders: orders,
				Sync:        func(ctx context.Context) error { _, err := sy.Sync(ctx); return err },
				NCALayerURL: sess.NCALayerURL()}
			return svc, nil
		},
		Leave: func() {
			runner.stop()
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
		// The runner stops before the keys go (a round half done is safe:
		// the outbox keeps it) and comes back with them.
		Seal: func() {
			runner.pause()
			st.Lock()
		},
		Unseal: func() error {
			if err := st.Unlock(account, nil); err != nil {
				return err
			}
			runner.resume()
			return nil
		},
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
