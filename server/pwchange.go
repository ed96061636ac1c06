package server

// The password rules of RER SDB accounts (access rules 12.3, 14–18; issue 8):
//
//   - The administrator's primary password (account created or reset) lets
//     the user in only to change it (rule 14).
//   - A password more than 30 calendar days old (Asia/Almaty days,
//     password.ChangeDue) does the same (rule 17: "the user shall be given a
//     form for the change of the old password"); from day 25 sign-in warns.
//   - "My password is compromised" does the same from that moment and
//     notifies the user's head (rules 12.3, 16).
//
// A restricted account's sessions reach only POST /v1/auth/password, POST
// /v1/auth/password/compromised and POST /v1/auth/signout; everything else
// answers 403 password_change_required. The state is the account's, read at
// each request, so an existing session is restricted the moment the
// password expires or is reported, and becomes a full session again the
// moment it is changed.
//
// The server never makes up a user's password (rule 15): the only passwords
// it does not receive from the user are the administrator's primary ones.

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"kense/api"
	"kense/iin"
	"kense/password"
)

// PasswordHistoryLen is how many replaced passwords (argon2id hashes) an
// account keeps to refuse their reuse (rule 18.7); with the current one,
// the last 25 passwords are refused — two years of monthly changes.
const PasswordHistoryLen = 24

// passwordChangedAt is when the account's password was set; accounts made
// before the password rules count from their creation.
func passwordChangedAt(a *Account) time.Time {
	if a.PasswordChangedAt.IsZero() {
		return a.CreatedAt
	}
	return a.PasswordChangedAt
}

// PasswordRestriction is why the account may only change its password
// (api.PasswordCompromised, PasswordPrimary or PasswordExpired), "" when it
// may work. Only RER SDB accounts have passwords.
func PasswordRestriction(a *Account, now time.Time) string {
	if a.Kind != api.KindRER {
		return ""
	}
	switch {
	case !a.PasswordCompromisedAt.IsZero():
		return api.PasswordCompromised
	case a.PasswordPrimary:
		return api.PasswordPrimary
	}
	if _, blocked, _ := password.ChangeDue(passwordChangedAt(a), now); blocked {
		return api.PasswordExpired
	}
	return ""
}

// passwordSignIn is what a sign-in says about the password: the restriction
// (see PasswordRestriction) and, from day WarnFromDay while it still works,
// a password_change_due warning.
func passwordSignIn(a *Account, now time.Time) (string, *api.Warning) {
	reason := PasswordRestriction(a, now)
	if reason != "" || a.Kind != api.KindRER {
		return reason, nil
	}
	warn, _, left := password.ChangeDue(passwordChangedAt(a), now)
	if !warn {
		return "", nil
	}
	return "", &api.Warning{
		Code: api.WarnPasswordChangeDue, DaysLeft: left,
		// The warnings start this many days before the block.
		Threshold: password.MaxAgeDays - password.WarnFromDay,
		Message:   fmt.Sprintf("the password must be changed within %d day(s); after that only the password change form is available", left),
	}
}

// passwordExempt are the routes a restricted session may use.
var passwordExempt = map[string]bool{
	"POST " + api.PathPassword:            true,
	"POST " + api.PathPasswordCompromised: true,
	"POST " + api.PathSignOut:             true,
}

// passwordGate answers 403 password_change_required and returns false when
// acct may only change its password and r is not one of the routes for it.
func (s *Server) passwordGate(w http.ResponseWriter, r *http.Request, acct *Account) bool {
	reason := PasswordRestriction(acct, s.now())
	if reason == "" || passwordExempt[r.Pattern] {
		return true
	}
	s.writeError(w, http.StatusForbidden, api.CodePasswordChangeRequired,
		"change the password first (POST "+api.PathPassword+"): "+reason)
	return false
}

func (s *Server) passwordRoutes() []route {
	return []route{
		{"POST " + api.PathPassword, s.handlePasswordChange},
		{"POST " + api.PathPasswordCompromised, s.handlePasswordCompromised},
		{"GET " + api.PathNotifications, s.handleNotifications},
	}
}

// DecodePasswordChange decodes the body of POST /v1/auth/password. Both
// passwords are required; on error nothing decoded is left unwiped.
func DecodePasswordChange(data []byte) (*api.PasswordChangeRequest, error) {
	var req api.PasswordChangeRequest
	if err := DecodeStrict(data, &req); err != nil {
		req.Wipe()
		return nil, err
	}
	if len(req.Old) == 0 || len(req.New) == 0 {
		req.Wipe()
		return nil, errors.New("old and new passwords are required")
	}
	return &req, nil
}

// brokenRules turns the checker's broken results into the wire form.
func brokenRules(results []password.Result) []api.BrokenRule {
	out := []api.BrokenRule{}
	for _, r := range password.Broken(results) {
		b := api.BrokenRule{Rule: string(r.Rule), Key: r.Key}
		for i := 0; i+1 < len(r.Args); i += 2 {
			if b.Args == nil {
				b.Args = map[string]string{}
			}
			b.Args[fmt.Sprint(r.Args[i])] = fmt.Sprint(r.Args[i+1])
		}
		out = append(out, b)
	}
	return out
}

func (s *Server) handlePasswordChange(w http.ResponseWriter, r *http.Request) {
	_, _, acct, ok := s.session(w, r)
	if !ok {
		return
	}
	addr, now := clientAddr(r), s.now()
	// Guessing the old password is guessing the sign-in password: the same
	// counters (per account and per address) as sign-in.
	if d := max(s.byIIN.blocked(acct.IIN, now), s.byIP.blocked(addr, now)); d > 0 {
		s.log.Warn("password change refused", "code", api.CodeRateLimited, "iin", acct.IIN, "addr", addr)
		s.writeRateLimited(w, d)
		return
	}
	// As decodeBody: the buffer is wiped, it holds two passwords.
	data, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	defer clear(data)
	if err != nil {
		s.writeDecodeError(w, fmt.Errorf("request body: %w", err))
		return
	}
	req, err := DecodePasswordChange(data)
	if err != nil {
		s.writeDecodeError(w, err)
		return
	}
	defer req.Wipe()
	if acct.Kind != api.KindRER {
		s.writeError(w, http.StatusBadRequest, api.CodeBadRequest, "only RER SDB accounts have a password")
		return
	}
	good, err := CheckPassword(acct.PasswordHash, req.Old)
	if err != nil {
		s.log.Error("password hash unreadable", "iin", acct.IIN)
		s.writeError(w, http.StatusInternalServerError, api.CodeInternal, "account password unusable; ask the administrator to reset it")
		return
	}
	if !good {
		s.byIIN.fail(acct.IIN, now)
		s.byIP.fail(addr, now)
		s.log.Warn("password change refused", "code", api.CodeWrongPassword, "iin", acct.IIN, "addr", addr)
		// 403, not 401: the session is still valid.
		s.writeError(w, http.StatusForbidden, api.CodeWrongPassword, "the old password is wrong")
		return
	}
	hist := password.Hashes{Hashes: append([]string{acct.PasswordHash}, acct.PasswordHistory...), Verify: CheckPassword}
	results := password.Check(req.New, password.User{Login: acct.Login, FullName: acct.FullName, IIN: acct.IIN}, req.Old, hist)
	for _, res := range results {
		if res.Err != nil {
			s.log.Error("password history", "iin", acct.IIN, "err", res.Err)
			s.writeError(w, http.StatusInternalServerError, api.CodeInternal, "the password history cannot be read")
			return
		}
	}
	if broken := brokenRules(results); len(broken) > 0 {
		code, msg := api.CodePasswordPolicy, "the new password breaks the password rules"
		if len(broken) == 1 && broken[0].Rule == string(password.Reused) {
			code, msg = api.CodePasswordReused, "the new password was used before"
		}
		rules := make([]string, len(broken))
		for i, b := range broken {
			rules[i] = b.Rule
		}
		s.log.Info("password change refused", "code", code, "iin", acct.IIN, "rules", strings.Join(rules, ","))
		writeJSON(w, http.StatusUnprocessableEntity, api.PasswordPolicyError{Code: code, Message: msg + ": " + strings.Join(rules, ", "), Rules: broken})
		return
	}
	h, err := HashPassword(req.New)
	if err != nil {
		s.writeError(w, http.StatusInternalServerError, api.CodeInternal, "hashing failed")
		return
	}
	err = s.cfg.Store.UpdateAccount(acct.IIN, func(a *Account) error {
		if a.PasswordHash != acct.PasswordHash {
			return errPasswordRace
		}
		setPassword(a, h, now)
		a.PasswordPrimary = false
		return nil
	})
	if errors.Is(err, errPasswordRace) {
		s.writeError(w, http.StatusConflict, api.CodeConflict, "the password was changed meanwhile: try again with the current password")
		return
	} else if err != nil {
		s.log.Error("store", "err", err)
		s.writeError(w, http.StatusInternalServerError, api.CodeInternal, "storage error")
		return
	}
	s.byIIN.succeed(acct.IIN)
	s.byIP.succeed(addr)
	if err := auditAfter(s.cfg.Store, api.AuditEntry{At: now, ActorIIN: acct.IIN, ActorName: actorName(acct), AccountIIN: acct.IIN,
		Action: api.AuditPasswordChanged, Changes: []api.FieldChange{{Field: "password"}}}); err != nil {
		s.log.Error("audit", "iin", acct.IIN, "err", err)
	}
	s.log.Info("password changed", "iin", acct.IIN, "addr", addr)
	w.WriteHeader(http.StatusNoContent)
}

var errPasswordRace = errors.New("the password changed concurrently")

// setPassword replaces a's password hash, keeping the old one in the
// history, and restarts the 30 days; a reported compromise is over.
func setPassword(a *Account, hash string, now time.Time) {
	if a.PasswordHash != "" {
		a.PasswordHistory = append(a.PasswordHistory, a.PasswordHash)
	}
	if n := len(a.PasswordHistory); n > PasswordHistoryLen {
		a.PasswordHistory = append([]string(nil), a.PasswordHistory[n-PasswordHistoryLen:]...)
	}
	a.PasswordHash, a.PasswordChangedAt, a.PasswordCompromisedAt = hash, now.UTC(), time.Time{}
}

func (s *Server) handlePasswordCompromised(w http.ResponseWriter, r *http.Request) {
	_, _, acct, ok := s.session(w, r)
	if !ok {
		return
	}
	if acct.Kind != api.KindRER {
		s.writeError(w, http.StatusBadRequest, api.CodeBadRequest, "only RER SDB accounts have a password")
		return
	}
	now := s.now()
	already := false
	err := s.cfg.Store.UpdateAccount(acct.IIN, func(a *Account) error {
		already = !a.PasswordCompromisedAt.IsZero()
		if !already {
			a.PasswordCompromisedAt = now.UTC()
		}
		return nil
	})
	if err != nil {
		s.log.Error("store", "err", err)
		s.writeError(w, http.StatusInternalServerError, api.CodeInternal, "storage error")
		return
	}
	if !already {
		if err := auditAfter(s.cfg.Store, api.AuditEntry{At: now, ActorIIN: acct.IIN, ActorName: actorName(acct), AccountIIN: acct.IIN,
			Action: api.AuditPasswordCompromised}); err != nil {
			s.log.Error("audit", "iin", acct.IIN, "err", err)
		}
	}
	s.log.Warn("password reported compromised", "iin", acct.IIN, "head", acct.HeadIIN)
	res := api.CompromisedResponse{}
	if acct.HeadIIN != "" {
		// A repeated report before the change does not notify again.
		if already {
			res.HeadNotified = true
		} else if err := s.notifyHead(acct, now); err != nil {
			s.log.Error("notify head", "iin", acct.IIN, "head", acct.HeadIIN, "err", err)
		} else {
			res.HeadNotified = true
		}
	}
	writeJSON(w, http.StatusOK, res)
}

func (s *Server) notifyHead(acct *Account, now time.Time) error {
	ns, ok := s.cfg.Store.(NotificationStore)
	if !ok {
		return errors.New("the store keeps no notifications")
	}
	return ns.AddNotification(acct.HeadIIN, api.Notification{
		Kind: api.NotePasswordCompromised, SubjectIIN: acct.IIN, SubjectName: acct.FullName,
		SubjectUser: acct.Login, CreatedAt: now.UTC(),
	})
}

func (s *Server) handleNotifications(w http.ResponseWriter, r *http.Request) {
	_, _, acct, ok := s.session(w, r)
	if !ok {
		return
	}
	out := api.Notifications{Notifications: []api.Notification{}}
	if ns, ok := s.cfg.Store.(NotificationStore); ok {
		list, err := ns.Notifications(acct.IIN)
		if err != nil {
			s.log.Error("store", "err", err)
			s.writeError(w, http.StatusInternalServerError, api.CodeInternal, "storage error")
			return
		}
		out.Notifications = append(out.Notifications, list...)
	}
	writeJSON(w, http.StatusOK, out)
}

// SetHead records the head of the account iin (notified of a compromised
// password); head "" removes it. The head must have an account.
func SetHead(st Store, acctIIN, head string) error {
	head = strings.TrimSpace(head)
	if head != "" {
		if _, err := iin.Parse(head); err != nil {
			return fmt.Errorf("head IIN %q: %w", head, err)
		}
		if head == acctIIN {
			return errors.New("an account cannot be its own head")
		}
		if _, err := st.Account(head); err != nil {
			return fmt.Errorf("head %s: %w", head, err)
		}
	}
	return st.UpdateAccount(acctIIN, func(a *Account) error {
		a.HeadIIN = head
		return nil
	})
}

// ResetPassword is the administrator's reset (issue 8, operation "reset
// password"): pw becomes the new primary password, which the user must
// change at the first sign-in (rule 14). pw is wiped.
func ResetPassword(st Store, acctIIN string, pw []byte, now time.Time) error {
	defer clear(pw)
	if len(pw) == 0 {
		return errors.New("a primary password is required")
	}
	h, err := HashPassword(pw)
	if err != nil {
		return err
	}
	err = st.UpdateAccount(acctIIN, func(a *Account) error {
		if a.Kind != api.KindRER {
			return errors.New("only RER SDB accounts have a password")
		}
		if a.Status == api.StatusDismissed {
			return ErrDismissed
		}
		setPassword(a, h, now)
		a.PasswordPrimary = true
		return nil
	})
	if err != nil {
		return err
	}
	return auditAfter(st, api.AuditEntry{At: now, AccountIIN: acctIIN, Action: api.AuditPasswordReset, Changes: []api.FieldChange{{Field: "password"}}})
}
