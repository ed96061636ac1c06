// Package server is kense-server's core: the /v1 HTTP JSON API, sign-in by
// EDS challenge–response, sessions, accounts and their storage.
package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"kense/api"
	"kense/deploy"
)

// Config configures a Server. Zero durations take the defaults below.
type Config struct {
	Store    Store
	Verifier SignatureVerifier
	Logger   *slog.Logger     // nil: discard
	Now      func() time.Time // nil: time.Now; tests move it
	Demo     bool

	ChallengeLifetime  time.Duration // default 2 min
	SessionIdleTimeout time.Duration // default 30 min
	SessionMaxAge      time.Duration // default 12 h
	IdleLockMinutes    int           // default 10

	// LatestVersion and DownloadURL announce the newest Kense release in
	// the policy (deploy.ValidVersion, deploy.ValidDownloadURL); empty:
	// nothing announced.
	LatestVersion string
	DownloadURL   string

	// Rate limiting of failed sign-ins, per IIN and per client address.
	MaxFailures   int           // default 5; negative: off
	FailureWindow time.Duration // default 15 min
	LockDuration  time.Duration // default 15 min
}

// Defaults.
const (
	DefaultChallengeLifetime  = 2 * time.Minute
	DefaultSessionIdleTimeout = 30 * time.Minute
	DefaultSessionMaxAge      = 12 * time.Hour
	DefaultIdleLockMinutes    = 10
	DefaultMaxFailures        = 5
	DefaultFailureWindow      = 15 * time.Minute
	DefaultLockDuration       = 15 * time.Minute

	// MaxBodyBytes bounds every JSON request body.
	MaxBodyBytes = 64 << 10
)

// EDSWarningDays are the steps at which sign-in warns that the EDS year
// (UNIS rule 12) is ending.
var EDSWarningDays = []int{30, 14, 7, 1}

// Server serves the API.
type Server struct {
	cfg   Config
	log   *slog.Logger
	now   func() time.Time
	chal  *challenges
	byIIN *limiter
	byIP  *limiter
	mux   *http.ServeMux
	// calMu makes a calendar PUT's version check and store one step.
	calMu sync.Mutex
}

// New checks cfg and builds a Server.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil || cfg.Verifier == nil {
		return nil, errors.New("server: Store and Verifier are required")
	}
	if cfg.LatestVersion != "" && !deploy.ValidVersion(cfg.LatestVersion) {
		return nil, fmt.Errorf("server: latest version %q is not MAJOR.MINOR.PATCH", cfg.LatestVersion)
	}
	if cfg.DownloadURL != "" && !deploy.ValidDownloadURL(cfg.DownloadURL) {
		return nil, fmt.Errorf("server: download URL %q is not an https URL", cfg.DownloadURL)
	}
	if cfg.DownloadURL != "" && cfg.LatestVersion == "" {
		return nil, errors.New("server: a download URL needs the latest version")
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&cfg.ChallengeLifetime, DefaultChallengeLifetime)
	def(&cfg.SessionIdleTimeout, DefaultSessionIdleTimeout)
	def(&cfg.SessionMaxAge, DefaultSessionMaxAge)
	def(&cfg.FailureWindow, DefaultFailureWindow)
	def(&cfg.LockDuration, DefaultLockDuration)
	if cfg.IdleLockMinutes <= 0 {
		cfg.IdleLockMinutes = DefaultIdleLockMinutes
	}
	if cfg.MaxFailures == 0 {
		cfg.MaxFailures = DefaultMaxFailures
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Server{
		cfg:   cfg,
		log:   cfg.Logger,
		now:   cfg.Now,
		chal:  newChallenges(cfg.ChallengeLifetime),
		byIIN: newLimiter(cfg.MaxFailures, cfg.FailureWindow, cfg.LockDuration),
		byIP:  newLimiter(cfg.MaxFailures, cfg.FailureWindow, cfg.LockDuration),
		mux:   http.NewServeMux(),
	}
	for _, rt := range s.routes() {
		s.mux.HandleFunc(rt.pattern, rt.h)
	}
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, http.StatusNotFound, api.CodeNotFound, "no such endpoint")
	})
	return s, nil
}

type route struct {
	pattern string // "METHOD /path", as api/openapi.yaml documents it
	h       http.HandlerFunc
}

func (s *Server) routes() []route {
	return append([]route{
		{"POST " + api.PathChallenge, s.handleChallenge},
		{"POST " + api.PathSignIn, s.handleSignIn},
		{"POST " + api.PathSignOut, s.handleSignOut},
		{"GET " + api.PathMe, s.handleMe},
		{"GET " + api.PathPolicy, s.handlePolicy},
	}, append(append(append(s.draftRoutes(), s.ticketRoutes()...), s.passwordRoutes()...), s.adminRoutes()...)...)
}

// Handler is the API with request logging.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		s.mux.ServeHTTP(sw, r)
		// Only method, path, status, address and duration: never the
		// body, query or headers, which carry tokens and signatures.
		s.log.Info("request", "method", r.Method, "path", r.URL.Path, "status", sw.status,
			"addr", clientAddr(r), "ms", time.Since(start).Milliseconds())
	})
}

// Run prunes expired challenges, failure counters and sessions every
// minute until ctx ends.
func (s *Server) Run(ctx context.Context) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.Prune()
		}
	}
}

// Prune forgets what has expired.
func (s *Server) Prune() {
	now := s.now()
	s.chal.prune(now)
	s.byIIN.prune(now)
	s.byIP.prune(now)
	if n, err := s.cfg.Store.PruneSessions(now, s.cfg.SessionIdleTimeout); err != nil {
		s.log.Error("prune sessions", "err", err)
	} else if n > 0 {
		s.log.Info("sessions ended", "count", n)
	}
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// clientAddr is the IP address of the peer. kense-server faces clients
// directly (TLS ends here); behind a proxy the operator must bind RER SDB
// accounts to the proxy's view, so X-Forwarded-For is deliberately ignored.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if a, err := netip.ParseAddr(host); err == nil {
		return a.Unmap().String()
	}
	return host
}

func (s *Server) handlePolicy(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, api.Policy{
		IdleLockMinutes:           s.cfg.IdleLockMinutes,
		SessionIdleTimeoutMinutes: int(s.cfg.SessionIdleTimeout / time.Minute),
		SessionMaxHours:           int(s.cfg.SessionMaxAge / time.Hour),
		ChallengeLifetimeSeconds:  int(s.cfg.ChallengeLifetime / time.Second),
		EDSWarningDays:            EDSWarningDays,
		Demo:                      s.cfg.Demo,
		AuthEKU:                   EKUAuth,
		LatestVersion:             s.cfg.LatestVersion,
		DownloadURL:               s.cfg.DownloadURL,
	})
}

func (s *Server) handleChallenge(w http.ResponseWriter, r *http.Request) {
	addr := clientAddr(r)
	now := s.now()
	if d := s.byIP.blocked(addr, now); d > 0 {
		s.writeRateLimited(w, d)
		return
	}
	var req api.ChallengeRequest
	if err := decodeBody(r, &req, true); err != nil {
		s.writeDecodeError(w, err)
		return
	}
	if len(req.ClientNonce) > 64 {
		s.writeError(w, http.StatusBadRequest, api.CodeBadRequest, "clientNonce: at most 64 characters")
		return
	}
	id, ch, ok := s.chal.issue(addr, now)
	if !ok {
		s.writeRateLimited(w, time.Minute)
		return
	}
	writeJSON(w, http.StatusOK, api.Challenge{
		ChallengeID: id,
		Nonce:       base64.StdEncoding.EncodeToString(ch.nonce),
		ExpiresAt:   ch.expiresAt.UTC(),
		ClientNonce: req.ClientNonce,
	})
}

// refusal is a sign-in refused with an API code.
type refusal struct {
	status int
	code   string
	msg    string
	retry  time.Duration
}

func refuse(code, msg string) *refusal {
	return &refusal{status: statusOf(code), code: code, msg: msg}
}

func statusOf(code string) int {
	switch code {
	case api.CodeBadRequest, api.CodeBadCMS:
		return http.StatusBadRequest
	case api.CodeAccountNotFound, api.CodeAccountBlocked, api.CodeWrongIP, api.CodeEDSYearExpired, api.CodeAccountDismissed:
		return http.StatusForbidden
	case api.CodeRevocationUnknown:
		return http.StatusServiceUnavailable
	case api.CodeRateLimited:
		return http.StatusTooManyRequests
	case api.CodeInternal:
		return http.StatusInternalServerError
	}
	return http.StatusUnauthorized
}

// messages are the English texts of the sign-in codes; the app shows its own
// translation by code.
var messages = map[string]string{
	api.CodeBadSignature:      "the signature does not match the challenge",
	api.CodeUntrusted:         "the certificate does not chain to a trusted certification authority",
	api.CodeExpired:           "the certificate has expired",
	api.CodeNotYetValid:       "the certificate is not valid yet",
	api.CodeWrongKeyUsage:     "this is a signing (SIGN) key: choose your authentication key (AUTH, file name AUTH_RSA256_…) to sign in",
	api.CodeRevoked:           "the certificate has been revoked",
	api.CodeRevocationUnknown: "the certificate's revocation status cannot be checked now; try again later",
	api.CodeUnsupportedAlg:    "this key's algorithm is not supported yet",
	api.CodeBadCMS:            "the signature is not a readable CMS",
	api.CodeNonceUnknown:      "unknown challenge: ask for a new one",
	api.CodeNonceExpired:      "the challenge has expired: ask for a new one",
	api.CodeNonceUsed:         "the challenge was already used: ask for a new one",
	api.CodeAccountNotFound:   "no account is registered for this IIN",
	api.CodeAccountBlocked:    "the account is blocked",
	api.CodeAccountDismissed:  "the account was closed by a dismissal and can no longer be used",
	api.CodePasswordRequired:  "this account signs in with login and password as well as the EDS",
	api.CodeWrongPassword:     "wrong login or password",
	api.CodeWrongIP:           "this account may sign in only from its registered workstation address",
	api.CodeEDSYearExpired:    "the registered EDS is more than a calendar year old: the account is blocked until a new EDS is registered",
}

func (s *Server) handleSignIn(w http.ResponseWriter, r *http.Request) {
	addr := clientAddr(r)
	now := s.now()
	if d := s.byIP.blocked(addr, now); d > 0 {
		s.log.Warn("signin refused", "code", api.CodeRateLimited, "addr", addr)
		s.writeRateLimited(w, d)
		return
	}
	var req api.SignInRequest
	if err := decodeBody(r, &req, false); err != nil {
		s.byIP.fail(addr, now)
		s.writeDecodeError(w, err)
		return
	}
	defer req.Password.Wipe()
	res, iin, rf := s.signIn(&req, addr, now)
	if rf != nil {
		// The server's own trouble (OCSP down, storage) is not the
		// client's failure: it must not lock users out.
		if rf.code != api.CodeRevocationUnknown && rf.code != api.CodeInternal {
			s.byIP.fail(addr, now)
			if iin != "" && rf.code != api.CodeRateLimited {
				s.byIIN.fail(iin, now)
			}
		}
		s.log.Warn("signin refused", "code", rf.code, "iin", iin, "addr", addr)
		if rf.code == api.CodeRateLimited {
			s.writeRateLimited(w, rf.retry)
			return
		}
		s.writeError(w, rf.status, rf.code, rf.msg)
		return
	}
	s.byIP.succeed(addr)
	s.byIIN.succeed(iin)
	s.log.Info("signin", "iin", iin, "kind", res.Account.Kind, "addr", addr, "warnings", len(res.Warnings))
	writeJSON(w, http.StatusOK, res)
}

// signIn runs the checks in the documented order. iin is set once the
// signature has named the signer.
func (s *Server) signIn(req *api.SignInRequest, addr string, now time.Time) (*api.SignInResponse, string, *refusal) {
	if req.ChallengeID == "" || req.CMS == "" {
		return nil, "", refuse(api.CodeBadRequest, "challengeId and cms are required")
	}
	// The challenge is consumed by this attempt whatever its outcome; its
	// state is reported after the signature checks, in the documented order.
	nonce, state := s.chal.take(req.ChallengeID, addr, now)
	if nonce == nil {
		return nil, "", refuse(state, messages[state])
	}
	cms, err := base64.StdEncoding.DecodeString(req.CMS)
	if err != nil {
		return nil, "", refuse(api.CodeBadCMS, "cms: not standard base64")
	}
	v, err := s.cfg.Verifier.VerifyCMS(cms, nonce, EKUAuth)
	if err != nil {
		code := codeOf(err)
		if code == "" {
			s.log.Error("verify", "err", err)
			return nil, "", refuse(api.CodeInternal, "verification failed")
		}
		msg := messages[code]
		if msg == "" {
			msg = code
		}
		var ce *CheckError
		if errors.As(err, &ce) && ce.Detail != "" {
			msg += " (" + ce.Detail + ")"
		}
		return nil, "", refuse(code, msg)
	}
	if state != "" {
		return nil, "", refuse(state, messages[state])
	}
	if v == nil || v.Cert == nil {
		s.log.Error("verify: no certificate in the result")
		return nil, "", refuse(api.CodeInternal, "verification failed")
	}
	iin := v.IIN
	if iin == "" {
		return nil, "", refuse(api.CodeAccountNotFound, "the certificate names no IIN")
	}
	if d := s.byIIN.blocked(iin, now); d > 0 {
		return nil, iin, &refusal{status: http.StatusTooManyRequests, code: api.CodeRateLimited, retry: d}
	}
	acct, err := s.cfg.Store.Account(iin)
	if errors.Is(err, ErrNotFound) {
		return nil, iin, refuse(api.CodeAccountNotFound, messages[api.CodeAccountNotFound])
	} else if err != nil {
		s.log.Error("store", "err", err)
		return nil, iin, refuse(api.CodeInternal, "storage error")
	}
	if acct.Status == api.StatusDismissed { // admin_apps.go: closed for good
		return nil, iin, refuse(api.CodeAccountDismissed, messages[api.CodeAccountDismissed])
	}
	if acct.Status != api.StatusActive {
		msg := messages[api.CodeAccountBlocked]
		if acct.BlockedReason != "" {
			msg += ": " + acct.BlockedReason
		}
		return nil, iin, refuse(api.CodeAccountBlocked, msg)
	}
	if acct.Kind == api.KindRER {
		if req.Login == "" || len(req.Password) == 0 {
			return nil, iin, refuse(api.CodePasswordRequired, messages[api.CodePasswordRequired])
		}
		ok, err := CheckPassword(acct.PasswordHash, req.Password)
		if err != nil {
			s.log.Error("password hash unreadable", "iin", iin)
			return nil, iin, refuse(api.CodeInternal, "account password unusable; ask the administrator to reset it")
		}
		if !ok || !strings.EqualFold(req.Login, acct.Login) {
			return nil, iin, refuse(api.CodeWrongPassword, messages[api.CodeWrongPassword])
		}
		if !sameIP(addr, acct.BoundIP) {
			return nil, iin, refuse(api.CodeWrongIP, messages[api.CodeWrongIP])
		}
	}
	// With no EDS registered yet, the one signing in now is registered
	// (first use); for a UNIS account it starts the EDS year.
	var warnings []api.Warning
	if len(acct.Certificates) == 0 {
		if err := s.cfg.Store.UpdateAccount(iin, func(a *Account) error {
			if len(a.Certificates) == 0 {
				a.Certificates = append(a.Certificates, certRecord(v.Cert, now))
			}
			return nil
		}); err != nil {
			s.log.Error("store", "err", err)
			return nil, iin, refuse(api.CodeInternal, "storage error")
		}
		acct, err = s.cfg.Store.Account(iin)
		if err != nil {
			return nil, iin, refuse(api.CodeInternal, "storage error")
		}
	}
	// UNIS rule 12 (the notarial system's rule; RER SDB accounts have the
	// password rules of issue 8 instead, and their EDS validity is checked above).
	if end, ok := EDSYearEnd(acct); ok && acct.Kind == api.KindUNIS {
		days, expired := DaysLeft(now, end)
		if expired {
			err := s.cfg.Store.UpdateAccount(iin, func(a *Account) error {
				a.Status, a.BlockedReason, a.BlockedAt = api.StatusBlocked, api.CodeEDSYearExpired, now.UTC()
				return nil
			})
			if err != nil {
				s.log.Error("store", "err", err)
				return nil, iin, refuse(api.CodeInternal, "storage error")
			}
			if err := auditAfter(s.cfg.Store, api.AuditEntry{At: now, ActorName: ActorServer, AccountIIN: iin,
				Action: api.AuditEDSYearBlock, Reason: api.CodeEDSYearExpired}); err != nil {
				s.log.Error("audit", "iin", iin, "err", err)
			}
			s.log.Warn("account blocked", "iin", iin, "reason", api.CodeEDSYearExpired)
			return nil, iin, refuse(api.CodeEDSYearExpired, messages[api.CodeEDSYearExpired])
		}
		if th := warnThreshold(days); th > 0 {
			warnings = append(warnings, api.Warning{
				Code: api.WarnEDSYearEnding, DaysLeft: days, Threshold: th,
				Message: fmt.Sprintf("the registered EDS turns a calendar year old in %d day(s): get a new EDS and have it registered, or the account will be blocked", days),
			})
		}
	}
	token, hash := newToken()
	se := &Session{IIN: iin, CreatedAt: now.UTC(), LastSeen: now.UTC(), ExpiresAt: now.Add(s.cfg.SessionMaxAge).UTC(), Addr: addr}
	if err := s.cfg.Store.PutSession(hash, se); err != nil {
		s.log.Error("store", "err", err)
		return nil, iin, refuse(api.CodeInternal, "storage error")
	}
	// Rules 14–17 (pwchange.go): a restricted session or a due warning.
	pwReason, pwWarn := passwordSignIn(acct, now)
	if pwWarn != nil {
		warnings = append(warnings, *pwWarn)
	}
	if warnings == nil {
		warnings = []api.Warning{}
	}
	return &api.SignInResponse{
		Token:                  token,
		ExpiresAt:              se.ExpiresAt,
		IdleTimeoutSeconds:     int(s.cfg.SessionIdleTimeout / time.Second),
		Account:                AccountView(acct),
		Warnings:               warnings,
		PasswordChangeRequired: pwReason != "",
		PasswordChangeReason:   pwReason,
	}, iin, nil
}

func sameIP(a, b string) bool {
	x, err1 := netip.ParseAddr(a)
	y, err2 := netip.ParseAddr(b)
	return err1 == nil && err2 == nil && x.Unmap() == y.Unmap()
}

// newToken makes a session token (32 random bytes, base64url) and the
// SHA-256 under which the store keeps it.
func newToken() (string, []byte) {
	b := make([]byte, 32)
	rand.Read(b)
	t := base64.RawURLEncoding.EncodeToString(b)
	return t, tokenHash(t)
}

func tokenHash(t string) []byte {
	h := sha256.Sum256([]byte(t))
	return h[:]
}

// session authenticates a request by its bearer token.
func (s *Server) session(w http.ResponseWriter, r *http.Request) (*Session, []byte, *Account, bool) {
	auth := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok || tok == "" {
		s.writeError(w, http.StatusUnauthorized, api.CodeUnauthorized, "sign in first (Authorization: Bearer <token>)")
		return nil, nil, nil, false
	}
	h := tokenHash(strings.TrimSpace(tok))
	se, err := s.cfg.Store.TouchSession(h, s.now(), s.cfg.SessionIdleTimeout)
	if err != nil {
		if !errors.Is(err, ErrNotFound) {
			s.log.Error("store", "err", err)
		}
		s.writeError(w, http.StatusUnauthorized, api.CodeUnauthorized, "the session has ended: sign in again")
		return nil, nil, nil, false
	}
	acct, err := s.cfg.Store.Account(se.IIN)
	if err != nil || acct.Status != api.StatusActive {
		// Blocking an account ends its sessions at their next request.
		s.cfg.Store.DeleteSession(h)
		s.writeError(w, http.StatusForbidden, api.CodeAccountBlocked, messages[api.CodeAccountBlocked])
		return nil, nil, nil, false
	}
	if !s.passwordGate(w, r, acct) { // pwchange.go: rules 14, 16, 17
		return nil, nil, nil, false
	}
	return se, h, acct, true
}

func (s *Server) handleMe(w http.ResponseWriter, r *http.Request) {
	se, _, acct, ok := s.session(w, r)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, api.Me{
		Account:          AccountView(acct),
		SessionExpiresAt: se.ExpiresAt.UTC(),
		SessionIdleUntil: se.LastSeen.Add(s.cfg.SessionIdleTimeout).UTC(),
	})
}

func (s *Server) handleSignOut(w http.ResponseWriter, r *http.Request) {
	se, h, _, ok := s.session(w, r)
	if !ok {
		return
	}
	if err := s.cfg.Store.DeleteSession(h); err != nil {
		s.log.Error("store", "err", err)
		s.writeError(w, http.StatusInternalServerError, api.CodeInternal, "storage error")
		return
	}
	s.log.Info("signout", "iin", se.IIN)
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) writeRateLimited(w http.ResponseWriter, d time.Duration) {
	secs := int((d + time.Second - 1) / time.Second)
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	writeJSON(w, http.StatusTooManyRequests, api.Error{
		Code: api.CodeRateLimited, Message: fmt.Sprintf("too many failed attempts: try again in %d s", secs), RetryAfterSeconds: secs,
	})
}

func (s *Server) writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, api.Error{Code: code, Message: msg})
}

func (s *Server) writeDecodeError(w http.ResponseWriter, err error) {
	status := http.StatusBadRequest
	if errors.Is(err, errTooLarge) {
		status = http.StatusRequestEntityTooLarge
	}
	s.writeError(w, status, api.CodeBadRequest, err.Error())
}
