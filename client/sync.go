package client

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strconv"
	"sync"
	"time"

	"kense/api"
	"kense/cache"
)

// Drafts sync (issue 4): the runner that pushes the cache's outbox and
// pulls the server's changes.
//
// Protocol, one round (Sync):
//  1. push: PrepareOutbox freezes each pending draft into an outbox entry
//     (its ID is the idempotency key; its base is the server version the
//     draft was last in step with) and the entries go in batches to
//     POST /v1/drafts/push. The answers are recorded in one cache
//     transaction per batch. A batch whose answer is lost (network, server
//     restart) is sent again as it was: the server answers keys it has
//     applied with their first result, so nothing applies twice, and the
//     entries stay in the cache until answered, so nothing is lost when
//     the app restarts either.
//  2. pull: GET /v1/drafts/changes from the account's cursor, page by
//     page; each page and the new cursor are stored in one transaction.
//
// A stale base is a conflict: the cache keeps the server's copy beside the
// local one until the user resolves it (cache.Resolve*), and the draft is
// not pushed meanwhile.

// SyncOptions tune a Syncer; zero values take the defaults.
type SyncOptions struct {
	// BatchSize: outbox entries per push (default 100, at most
	// api.MaxPushItems).
	BatchSize int
	// PageSize: changes per pull (default 200, at most api.MaxPullLimit).
	PageSize int
	// Interval: Run syncs this often when nothing kicks it (default 30 s).
	Interval time.Duration
	// MaxBackoff: Run waits at most this long after failures (default 5 min).
	MaxBackoff time.Duration
	// OnSync is called by Run after every round, on Run's goroutine.
	OnSync func(SyncReport, error)
}

// SyncReport counts what one round did.
type SyncReport struct {
	Pushed    int // changes the server applied (or had applied: replays)
	Replayed  int // of which the server had applied before (a lost answer)
	Conflicts int
	Refused   int
	Pulled    int // changes received (own pushes coming back included)
}

// Syncer syncs one cache with one server for the signed-in account.
type Syncer struct {
	c   *Client
	st  *cache.Store
	opt SyncOptions

	mu      sync.Mutex
	account string

	round sync.Mutex // one round at a time
	kick  chan struct{}
}

// NewSyncer makes a Syncer; SetAccount (or the first Sync, which asks
// the server) names the account.
func NewSyncer(c *Client, st *cache.Store, opt SyncOptions) *Syncer {
	if opt.BatchSize <= 0 || opt.BatchSize > api.MaxPushItems {
		opt.BatchSize = 100
	}
	if opt.PageSize <= 0 || opt.PageSize > api.MaxPullLimit {
		opt.PageSize = 200
	}
	if opt.Interval <= 0 {
		opt.Interval = 30 * time.Second
	}
	if opt.MaxBackoff <= 0 {
		opt.MaxBackoff = 5 * time.Minute
	}
	return &Syncer{c: c, st: st, opt: opt, kick: make(chan struct{}, 1)}
}

// SetAccount names the signed-in account (its IIN); "" after sign-out
// stops syncing until the next sign-in.
func (s *Syncer) SetAccount(iin string) {
	s.mu.Lock()
	s.account = iin
	s.mu.Unlock()
}

// Account is the account being synced ("" when unknown).
func (s *Syncer) Account() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.account
}

// ErrSignedOut: there is no session to sync with.
var ErrSignedOut = errors.New("sync: not signed in")

// Sync runs one round: push everything pending, then pull everything new.
// The time the server answered, or why it did not, is noted in the cache
// for SyncOverview.
func (s *Syncer) Sync(ctx context.Context) (SyncReport, error) {
	s.round.Lock()
	defer s.round.Unlock()
	rep, err := s.sync(ctx)
	if errors.Is(err, ErrSignedOut) || errors.Is(err, context.Canceled) {
		return rep, err
	}
	if nerr := s.st.NoteSync(time.Now(), err); nerr != nil && err == nil {
		err = nerr
	}
	return rep, err
}

func (s *Syncer) sync(ctx context.Context) (SyncReport, error) {
	var rep SyncReport
	if s.c.Token() == "" {
		return rep, ErrSignedOut
	}
	acct := s.Account()
	if acct == "" {
		me, err := s.c.Me(ctx)
		if err != nil {
			return rep, err
		}
		acct = me.Account.IIN
		s.SetAccount(acct)
	}
	if err := s.push(ctx, acct, &rep); err != nil {
		return rep, err
	}
	return rep, s.pull(ctx, acct, &rep)
}

// maxRounds bounds one push phase: each batch answered removes its entries,
// so more batches than this means something keeps re-adding them.
const maxRounds = 100000

func (s *Syncer) push(ctx context.Context, acct string, rep *SyncReport) error {
	// Entries are made in one pass; edits made while the batches go out
	// are picked up by a second pass, and the rest by the next round.
	for pass := 0; pass < 2; pass++ {
		made, err := s.st.EnqueuePending(acct)
		if err != nil {
			return err
		}
		if pass > 0 && made == 0 {
			return nil
		}
		for range maxRounds {
			entries, err := s.st.NextOutbox(acct, s.opt.BatchSize)
			if err != nil {
				return err
			}
			if len(entries) == 0 {
				break
			}
			outcomes, err := s.pushBatch(ctx, entries, rep)
			if err != nil {
				return err
			}
			if err := s.st.ApplyPushResults(outcomes); err != nil {
				return err
			}
		}
	}
	return nil
}

// batchKey names a batch for the Idempotency-Key header (which makes the
// client retry it); the server goes by each change's own key.
func batchKey(entries []cache.OutboxEntry) string {
	h := sha256.New()
	for _, e := range entries {
		h.Write([]byte(e.ID))
		h.Write([]byte{0})
	}
	return "batch-" + hex.EncodeToString(h.Sum(nil))[:40]
}

func (s *Syncer) pushBatch(ctx context.Context, entries []cache.OutboxEntry, rep *SyncReport) ([]cache.PushOutcome, error) {
	req := api.PushRequest{Changes: make([]api.DraftChange, len(entries))}
	for i, e := range entries {
		req.Changes[i] = api.DraftChange{Key: e.ID, ID: e.DraftID, BaseVersion: e.BaseVersion,
			Deleted: e.Deleted, Shared: e.Shared, Form: e.Form}
		req.Changes[i].Form.ID = e.DraftID
	}
	var resp api.PushResponse
	_, err := s.c.R(ctx).SetHeader(IdempotencyKeyHeader, batchKey(entries)).
		SetBody(req).SetResult(&resp).Post(api.PathDraftsPush)
	if err != nil {
		return nil, err
	}
	return outcomesOf(entries, &resp, rep)
}

// outcomesOf checks the server's answer against what was sent.
func outcomesOf(entries []cache.OutboxEntry, resp *api.PushResponse, rep *SyncReport) ([]cache.PushOutcome, error) {
	if len(resp.Results) != len(entries) {
		return nil, &APIError{Status: 200, Code: CodeBadResponse,
			Message: fmt.Sprintf("%d results for %d changes", len(resp.Results), len(entries))}
	}
	out := make([]cache.PushOutcome, len(entries))
	for i, r := range resp.Results {
		e := entries[i]
		if r.Key != e.ID || r.ID != e.DraftID {
			return nil, &APIError{Status: 200, Code: CodeBadResponse, Message: "results out of order"}
		}
		o := cache.PushOutcome{EntryID: e.ID, Status: r.Status, Version: r.Version, Message: r.Message}
		switch r.Status {
		case api.PushApplied:
			if r.Version == 0 {
				return nil, &APIError{Status: 200, Code: CodeBadResponse, Message: "applied without a version"}
			}
			rep.Pushed++
			if r.Replayed {
				rep.Replayed++
			}
		case api.PushConflict:
			if r.Current == nil || r.Current.ID != e.DraftID {
				return nil, &APIError{Status: 200, Code: CodeBadResponse, Message: "conflict without the server's copy"}
			}
			rem := RemoteOf(r.Current)
			o.Current = &rem
			rep.Conflicts++
		default:
			rep.Refused++
		}
		out[i] = o
	}
	return out, nil
}

// RemoteOf is the server's draft record as the cache takes it (a pull, a
// conflict's server side, a submission's answer).
func RemoteOf(r *api.DraftRecord) cache.Remote {
	return cache.Remote{ID: r.ID, Version: r.Version, Owner: r.Owner, Shared: r.Shared, Deleted: r.Deleted,
		Form: r.Form, Created: r.Created, Updated: r.Updated, UpdatedBy: r.UpdatedBy,
		AppStatus: r.AppStatus, SHA256: r.SHA256, AppReason: r.AppReason, RowOutcomes: rowOutcomesOf(r.RowOutcomes)}
}

// rowOutcomesOf is the server's row outcomes as the cache keeps them.
func rowOutcomesOf(in []api.RowOutcome) []cache.RowOutcome {
	if len(in) == 0 {
		return nil
	}
	out := make([]cache.RowOutcome, len(in))
	for i, o := range in {
		out[i] = cache.RowOutcome{Row: o.Row, Status: o.Status, Reason: o.Reason, At: o.At, By: o.By}
	}
	return out
}

// maxPages bounds one pull phase against a server whose "more" never ends.
const maxPages = 1000000

func (s *Syncer) pull(ctx context.Context, acct string, rep *SyncReport) error {
	cursor, err := s.st.PullCursor(acct)
	if err != nil {
		return err
	}
	for range maxPages {
		var resp api.ChangesResponse
		_, err := s.c.R(ctx).SetResult(&resp).
			SetQueryParam("since", strconv.FormatUint(cursor, 10)).
			SetQueryParam("limit", strconv.Itoa(s.opt.PageSize)).
			Get(api.PathDraftsChanges)
		if err != nil {
			return err
		}
		if resp.Cursor < cursor {
			return &APIError{Status: 200, Code: CodeBadResponse, Message: "the change cursor went back"}
		}
		page := make([]cache.Remote, len(resp.Changes))
		for i := range resp.Changes {
			page[i] = RemoteOf(&resp.Changes[i])
		}
		if err := s.st.ApplyPulled(acct, page, resp.Cursor); err != nil {
			return err
		}
		rep.Pulled += len(page)
		if !resp.More || resp.Cursor == cursor {
			return nil
		}
		cursor = resp.Cursor
	}
	return nil
}

// Kick asks Run for a round soon (after an edit, on reconnect).
func (s *Syncer) Kick() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// Run syncs every Interval, and soon after Kick, until ctx ends. After a
// failure it waits with jittered exponential backoff, from 2 s up to
// MaxBackoff; signed out, it waits for a Kick.
func (s *Syncer) Run(ctx context.Context) {
	wait := time.Duration(0)
	backoff := 2 * time.Second
	for {
		if wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-s.kick:
				t.Stop()
			case <-t.C:
			}
		}
		rep, err := s.Sync(ctx)
		if ctx.Err() != nil {
			return
		}
		if s.opt.OnSync != nil {
			s.opt.OnSync(rep, err)
		}
		switch {
		case err == nil:
			wait, backoff = s.opt.Interval, 2*time.Second
		case errors.Is(err, ErrSignedOut):
			wait = s.opt.MaxBackoff
		default:
			// Full jitter: many workstations coming back after an outage
			// must not all knock at once.
			wait = backoff/2 + rand.N(backoff/2+1)
			backoff = min(backoff*2, s.opt.MaxBackoff)
		}
	}
}

// SubmitDraft submits the draft as an application: cms is the head's
// signature (SIGN key) over form.Canonical of the draft's form at version,
// the version the cache last synced. Sync first: a draft with local
// changes is a conflict. The next pull brings the read-only status back.
func (c *Client) SubmitDraft(ctx context.Context, id string, version uint64, cms []byte) (*api.SubmitResponse, error) {
	var resp api.SubmitResponse
	req := api.SubmitRequest{Version: version, CMS: base64.StdEncoding.EncodeToString(cms)}
	// Not retried: a repeat of a submission that reached the server is
	// answered "submitted" anyway, which the caller can check with
	// Application.
	_, err := c.R(ctx).SetBody(req).SetResult(&resp).Post(api.PathDrafts + url.PathEscape(id) + "/submit")
	if err != nil {
		return nil, err
	}
	return &resp, nil
}

// Application looks a printout's SHA-256 up among submitted applications;
// an *APIError with Code api.CodeNotFound when there is none.
func (c *Client) Application(ctx context.Context, sha256hex string) (*api.Application, error) {
	var app api.Application
	if _, err := c.R(ctx).SetResult(&app).Get(api.PathApplications + url.PathEscape(sha256hex)); err != nil {
		return nil, err
	}
	return &app, nil
}
