package server

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/netip"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"kense/api"
	"kense/form"
	"kense/iin"
	"kense/servicedesk"
)

// Executing applications (issue 8). The RER SDB administrator (role
// rer_admin) lists the submitted applications, opens one (its form, for
// the PDF, and whether each row's order is on the server) and executes or
// rejects each row with a reason. Executing applies the row's operation
// to the RER SDB account with the row's IIN, in one bbolt transaction
// with the checks, the audit entry (audit.go), the row's outcome and a new
// version of the applicant's draft carrying the outcomes, so that they
// sync back.
//
// What each operation (form.Operations) does to the account:
//
//	1  block                 status blocked (reason: the application and row)
//	2  register              a new account: the row's name, IP, position,
//	                         user type and levels, the application's subunit,
//	                         the login the administrator gives, a primary
//	                         password; needs the order uploaded
//	3  change IP             the bound IP
//	4  change authority      the position
//	5  … and name            the position and full name
//	6  … name and access     the position, full name, user type and levels
//	7  reset password        a new primary password (the old hash joins the
//	                         history; a compromise mark is cleared)
//	8  dismissal             status dismissed, for good; needs the order
//	9  unblock               status active (not an EDS-year block that is
//	                         still due: that needs a new EDS registered)
//	10 change name           the full name
//	11 change account        the full name, IP, position and the
//	                         application's subunit (a transfer, access rule
//	                         5), and the login when the administrator gives one
//	12 change access rights  the user type and levels
//	13 change IIN            the account moves to the row's IIN; the
//	                         administrator names its current IIN, and the
//	                         row's full name must be the account's
//
// A dismissed account refuses every operation, and its IIN cannot be
// registered again.
//
// The scanned orders are not in the signed content (it names only the
// file): the applicant uploads each after submitting, and the server keeps
// it only when it is a PDF, JPEG, PNG or TIFF scan of a row that names one.
//
//	approws    sha256 → []api.RowOutcome as JSON, in row order
//	orders     sha256 0x00 row → the order's bytes
//	ordermeta  sha256 0x00 row → api.OrderInfo as JSON

var (
	bAppRows   = []byte("approws")
	bOrders    = []byte("orders")
	bOrderMeta = []byte("ordermeta")
)

// ErrDismissed: the account was closed by a dismissal; nothing changes it.
var ErrDismissed = errors.New("the account was closed by a dismissal and can no longer be changed")

func isNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// opError is a refusal with its HTTP status and API code; returned from a
// transaction it rolls the transaction back.
type opError struct {
	status int
	code   string
	msg    string
}

func (e *opError) Error() string { return e.msg }

func refuseOp(status int, code, msg string) error { return &opError{status, code, msg} }

// AppRec is a submitted application with what the administrator needs.
type AppRec struct {
	App      api.Application
	Form     form.Form
	Owner    string // the draft's owner (IIN)
	Outcomes []api.RowOutcome
	Orders   map[int]api.OrderInfo
}

func (a *AppRec) outcome(n int) *api.RowOutcome {
	for i := range a.Outcomes {
		if a.Outcomes[i].Row == n {
			return &a.Outcomes[i]
		}
	}
	return nil
}

// RowDecision is an administrator's execute or reject of one row.
type RowDecision struct {
	SHA256  string
	Row     int // 1-based
	Execute bool
	Reason  string // reject: required; execute: the note
	Req     api.ExecuteRequest
	Actor   *Account
	// PasswordHash: the argon2id hash of the primary password that
	// registration (2) and reset (7) set; made before the transaction.
	PasswordHash string
	Now          time.Time
}

// AdminStore is the part of the Store that executing applications needs;
// BoltStore has it.
type AdminStore interface {
	AppRecs(all bool) ([]*AppRec, error)
	AppRec(sha256 string) (*AppRec, error)
	PutOrder(sha256 string, row int, info api.OrderInfo, data []byte) error
	Order(sha256 string, row int) (*api.OrderInfo, []byte, error)
	DecideRow(d RowDecision) (*Account, *api.RowOutcome, error)
	CreateAccountAudited(a *Account, e api.AuditEntry) error
	ChangeAccountAudited(iin string, e api.AuditEntry, fn func(*Account) ([]api.FieldChange, error)) (*Account, error)
	AuditHistory(iins []string) ([]api.AuditEntry, error)
	AppendAudit(e api.AuditEntry) error
}

var _ AdminStore = (*BoltStore)(nil)

func (s *Server) adminStore(w http.ResponseWriter) (AdminStore, bool) {
	as, ok := s.cfg.Store.(AdminStore)
	if !ok {
		s.writeError(w, http.StatusNotImplemented, api.CodeInternal, "this server's store keeps no applications")
	}
	return as, ok
}

func orderKey(sha string, n int) []byte { return []byte(sha + "\x00" + strconv.Itoa(n)) }

// appRecTx reads the submission sha with its form, outcomes and orders.
func appRecTx(tx *bolt.Tx, sha string) (*AppRec, error) {
	sha = strings.ToLower(sha)
	b := tx.Bucket(bSubmissions)
	var v []byte
	if b != nil {
		v = b.Get([]byte(sha))
	}
	if v == nil {
		return nil, fmt.Errorf("application %s: %w", sha, ErrNotFound)
	}
	var sub submission
	if err := json.Unmarshal(v, &sub); err != nil {
		return nil, fmt.Errorf("application %s: %w", sha, err)
	}
	d, err := getDraftRec(tx, sub.DraftID)
	if err != nil {
		return nil, err
	}
	if d == nil || form.HashHex(d.Form) != sha {
		// A submitted draft is read-only: this is damage, not a race.
		return nil, fmt.Errorf("application %s: its draft %s no longer holds the signed form", sha, sub.DraftID)
	}
	rec := &AppRec{App: sub.Application, Form: d.Form, Owner: d.Owner, Outcomes: []api.RowOutcome{}, Orders: map[int]api.OrderInfo{}}
	if rb := tx.Bucket(bAppRows); rb != nil {
		if v := rb.Get([]byte(sha)); v != nil {
			if err := json.Unmarshal(v, &rec.Outcomes); err != nil {
				return nil, fmt.Errorf("application %s outcomes: %w", sha, err)
			}
		}
	}
	if mb := tx.Bucket(bOrderMeta); mb != nil {
		for n := range d.Form.Rows {
			if v := mb.Get(orderKey(sha, n+1)); v != nil {
				var oi api.OrderInfo
				if err := json.Unmarshal(v, &oi); err != nil {
					return nil, err
				}
				rec.Orders[n+1] = oi
			}
		}
	}
	return rec, nil
}

// AppRecs lists the submitted applications, oldest first; without all,
// only those still open (submitted or accepted) with rows to decide.
func (s *BoltStore) AppRecs(all bool) ([]*AppRec, error) {
	var out []*AppRec
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bSubmissions)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, _ []byte) error {
			rec, err := appRecTx(tx, string(k))
			if err != nil {
				return err
			}
			if all || appOpen(rec.App.Status) && len(rec.Outcomes) < len(rec.Form.Rows) {
				out = append(out, rec)
			}
			return nil
		})
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].App.SubmittedAt.Before(out[j].App.SubmittedAt) })
	return out, err
}

// AppRec reads one submitted application.
func (s *BoltStore) AppRec(sha string) (*AppRec, error) {
	var rec *AppRec
	err := s.db.View(func(tx *bolt.Tx) (err error) {
		rec, err = appRecTx(tx, sha)
		return err
	})
	return rec, err
}

// appOpen: rows of an application with this status may still be worked.
func appOpen(status string) bool { return status == api.AppSubmitted || status == api.AppAccepted }

// PutOrder keeps a row's order (replacing an earlier upload) while the
// row is undecided and the application open.
func (s *BoltStore) PutOrder(sha string, n int, info api.OrderInfo, data []byte) error {
	sha = strings.ToLower(sha)
	return s.db.Update(func(tx *bolt.Tx) error {
		rec, err := appRecTx(tx, sha)
		if err != nil {
			return err
		}
		if !appOpen(rec.App.Status) {
			return refuseOp(http.StatusConflict, api.CodeApplicationClosed, "the application is "+rec.App.Status)
		}
		if rec.outcome(n) != nil {
			return refuseOp(http.StatusConflict, api.CodeRowDecided, "the row was decided already")
		}
		ob, err := tx.CreateBucketIfNotExists(bOrders)
		if err != nil {
			return err
		}
		mb, err := tx.CreateBucketIfNotExists(bOrderMeta)
		if err != nil {
			return err
		}
		v, err := json.Marshal(info)
		if err != nil {
			return err
		}
		if err := ob.Put(orderKey(sha, n), data); err != nil {
			return err
		}
		return mb.Put(orderKey(sha, n), v)
	})
}

// Order reads a row's order: ErrNotFound when none was uploaded.
func (s *BoltStore) Order(sha string, n int) (*api.OrderInfo, []byte, error) {
	sha = strings.ToLower(sha)
	var info api.OrderInfo
	var data []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		ob, mb := tx.Bucket(bOrders), tx.Bucket(bOrderMeta)
		if ob == nil || mb == nil {
			return ErrNotFound
		}
		m, d := mb.Get(orderKey(sha, n)), ob.Get(orderKey(sha, n))
		if m == nil || d == nil {
			return ErrNotFound
		}
		data = append([]byte(nil), d...)
		return json.Unmarshal(m, &info)
	})
	if err != nil {
		return nil, nil, err
	}
	return &info, data, nil
}

// saveAccountTx writes a (new when prev is nil) keeping the login index
// and, when the IIN changed, moving the account and what names it.
func saveAccountTx(tx *bolt.Tx, a, prev *Account) error {
	ab, lb := tx.Bucket(bAccounts), tx.Bucket(bLogins)
	if (prev == nil || prev.IIN != a.IIN) && ab.Get([]byte(a.IIN)) != nil {
		return refuseOp(http.StatusConflict, api.CodeAccountExists, "an account with IIN "+a.IIN+" exists already")
	}
	oldLogin := ""
	if prev != nil {
		oldLogin = prev.Login
	}
	if !strings.EqualFold(oldLogin, a.Login) {
		if a.Login != "" && lb.Get(loginKey(a.Login)) != nil {
			return refuseOp(http.StatusConflict, api.CodeAccountExists, "the login "+a.Login+" is taken")
		}
		if oldLogin != "" {
			if err := lb.Delete(loginKey(oldLogin)); err != nil {
				return err
			}
		}
	}
	if a.Login != "" {
		if err := lb.Put(loginKey(a.Login), []byte(a.IIN)); err != nil {
			return err
		}
	}
	if prev != nil && prev.IIN != a.IIN {
		if err := ab.Delete([]byte(prev.IIN)); err != nil {
			return err
		}
		if mb := tx.Bucket(bDraftMembers); mb != nil {
			if sub := mb.Get([]byte(prev.IIN)); sub != nil {
				sub = append([]byte(nil), sub...)
				if err := mb.Put([]byte(a.IIN), sub); err != nil {
					return err
				}
				if err := mb.Delete([]byte(prev.IIN)); err != nil {
					return err
				}
			}
		}
		// Subordinates name their head by IIN (rule 16's notification).
		var subs []*Account
		err := ab.ForEach(func(k, v []byte) error {
			var x Account
			if json.Unmarshal(v, &x) == nil && x.HeadIIN == prev.IIN {
				subs = append(subs, &x)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, x := range subs {
			x.HeadIIN = a.IIN
			v, err := json.Marshal(x)
			if err != nil {
				return err
			}
			if err := ab.Put([]byte(x.IIN), v); err != nil {
				return err
			}
		}
	}
	v, err := json.Marshal(a)
	if err != nil {
		return err
	}
	return ab.Put([]byte(a.IIN), v)
}

func normName(s string) string { return strings.Join(strings.Fields(s), " ") }

// changes records field changes as they are made.
type changes []api.FieldChange

func (c *changes) set(field string, dst *string, v string) {
	if *dst != v {
		*c = append(*c, api.FieldChange{Field: field, Old: *dst, New: v})
		*dst = v
	}
}

func (c *changes) levels(a *Account, userType int, levels []string) {
	if a.UserType != userType {
		*c = append(*c, api.FieldChange{Field: "userType", Old: itoa0(a.UserType), New: strconv.Itoa(userType)})
		a.UserType = userType
	}
	if !slices.Equal(a.AccessLevels, levels) {
		*c = append(*c, api.FieldChange{Field: "accessLevels", Old: strings.Join(a.AccessLevels, ","), New: strings.Join(levels, ",")})
		a.AccessLevels = append([]string(nil), levels...)
	}
}

func itoa0(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

func boundIP(s string) (string, error) {
	ip, err := netip.ParseAddr(strings.TrimSpace(s))
	if err != nil || !ip.Unmap().Is4() {
		return "", refuseOp(http.StatusUnprocessableEntity, api.CodeBadRequest, fmt.Sprintf("the row's IP %q is not an IPv4 address", s))
	}
	return ip.Unmap().String(), nil
}

// ValidLogin: a login is 3–64 printable characters without spaces.
func ValidLogin(l string) bool {
	if n := len([]rune(l)); n < 3 || n > 64 {
		return false
	}
	for _, r := range l {
		if r <= ' ' || r == 0x7f {
			return false
		}
	}
	return true
}

// applyOperation changes a (an existing RER SDB account, not dismissed)
// as the row's operation asks, and lists what changed. Registration and
// change of IIN are DecideRow's own.
func applyOperation(a *Account, rec *AppRec, n int, d RowDecision) (changes, error) {
	row := rec.Form.Rows[n-1]
	var ch changes
	now := d.Now.UTC()
	switch row.Operation {
	case form.OpBlock:
		if a.Status != api.StatusActive {
			return nil, refuseOp(http.StatusConflict, api.CodeAccountState, "the account is "+a.Status+" already")
		}
		reason := fmt.Sprintf("application of %s, row %d", rec.Form.Date, n)
		if d.Reason != "" {
			reason += ": " + d.Reason
		}
		ch.set("status", &a.Status, api.StatusBlocked)
		ch.set("blockedReason", &a.BlockedReason, reason)
		a.BlockedAt = now
	case form.OpUnblock:
		if a.Status != api.StatusBlocked {
			return nil, refuseOp(http.StatusConflict, api.CodeAccountState, "the account is not blocked")
		}
		if a.BlockedReason == api.CodeEDSYearExpired {
			if end, ok := EDSYearEnd(a); ok && !d.Now.Before(end) {
				return nil, refuseOp(http.StatusConflict, api.CodeAccountState,
					"the registered EDS is more than a calendar year old: registering the new EDS unblocks the account")
			}
		}
		ch.set("status", &a.Status, api.StatusActive)
		ch.set("blockedReason", &a.BlockedReason, "")
		a.BlockedAt = time.Time{}
	case form.OpChangeIP:
		ip, err := boundIP(row.IP)
		if err != nil {
			return nil, err
		}
		ch.set("boundIp", &a.BoundIP, ip)
	case form.OpChangeAuthority:
		ch.set("position", &a.Position, normName(row.Position))
	case form.OpChangeAuthorityAndName:
		ch.set("position", &a.Position, normName(row.Position))
		ch.set("fullName", &a.FullName, normName(row.FullName))
	case form.OpChangeAuthorityNameAndAccess:
		ch.set("position", &a.Position, normName(row.Position))
		ch.set("fullName", &a.FullName, normName(row.FullName))
		ch.levels(a, row.UserType, row.AccessLevels)
	case form.OpResetPassword:
		if d.PasswordHash == "" {
			return nil, errors.New("reset: no primary password")
		}
		setPassword(a, d.PasswordHash, now) // pwchange.go: the old hash joins the history
		a.PasswordPrimary = true
		ch = append(ch, api.FieldChange{Field: "password"})
	case form.OpDismissal:
		ch.set("status", &a.Status, api.StatusDismissed)
		a.DismissedAt = now
	case form.OpChangeName:
		ch.set("fullName", &a.FullName, normName(row.FullName))
	case form.OpChangeAccount:
		ip, err := boundIP(row.IP)
		if err != nil {
			return nil, err
		}
		ch.set("fullName", &a.FullName, normName(row.FullName))
		ch.set("boundIp", &a.BoundIP, ip)
		ch.set("position", &a.Position, normName(row.Position))
		ch.set("subunit", &a.Subunit, normName(rec.Form.Subunit))
		if l := strings.TrimSpace(d.Req.Login); l != "" {
			ch.set("login", &a.Login, l)
		}
	case form.OpChangeAccessRights:
		ch.levels(a, row.UserType, row.AccessLevels)
	default:
		return nil, fmt.Errorf("operation %d is not applied here", row.Operation)
	}
	return ch, nil
}

// DecideRow executes or rejects one row, atomically with its checks, the
// audit entry, the outcome and the draft's new version. It returns the
// account as changed (nil for a rejection).
func (s *BoltStore) DecideRow(d RowDecision) (*Account, *api.RowOutcome, error) {
	sha := strings.ToLower(d.SHA256)
	var out *Account
	var oc *api.RowOutcome
	err := s.db.Update(func(tx *bolt.Tx) error {
		rec, err := appRecTx(tx, sha)
		if err != nil {
			return err
		}
		if !appOpen(rec.App.Status) {
			return refuseOp(http.StatusConflict, api.CodeApplicationClosed, "the application is "+rec.App.Status+": its rows can no longer be worked")
		}
		if d.Row < 1 || d.Row > len(rec.Form.Rows) {
			return fmt.Errorf("row %d: %w", d.Row, ErrNotFound)
		}
		if rec.outcome(d.Row) != nil {
			return refuseOp(http.StatusConflict, api.CodeRowDecided, "the row was decided already")
		}
		row := rec.Form.Rows[d.Row-1]
		now := d.Now.UTC()
		entry := api.AuditEntry{At: now, ActorIIN: d.Actor.IIN, ActorName: actorName(d.Actor), AccountIIN: row.IIN,
			Operation: row.Operation, Application: sha, Row: d.Row, Reason: d.Reason}
		outcome := api.RowOutcome{Row: d.Row, Status: api.RowRejected, Reason: d.Reason, At: now, By: actorName(d.Actor)}
		if d.Execute {
			outcome.Status = api.RowExecuted
			entry.Action = api.AuditOperations[row.Operation]
			if form.OrderRequired(row.Operation) {
				if _, ok := rec.Orders[d.Row]; !ok {
					return refuseOp(http.StatusConflict, api.CodeOrderMissing, "the row's order is not on the server: the applicant uploads it first")
				}
			}
			a, ch, err := executeTx(tx, rec, d)
			if err != nil {
				return err
			}
			entry.AccountIIN, entry.Changes = a.IIN, ch
			if row.Operation == form.OpChangeIIN {
				entry.PreviousIIN = d.Req.AccountIIN
			}
			out = a
		} else {
			entry.Action = api.AuditRowRejected
		}
		if err := appendAuditTx(tx, &entry); err != nil {
			return err
		}
		rec.Outcomes = append(rec.Outcomes, outcome)
		sort.Slice(rec.Outcomes, func(i, j int) bool { return rec.Outcomes[i].Row < rec.Outcomes[j].Row })
		rb, err := tx.CreateBucketIfNotExists(bAppRows)
		if err != nil {
			return err
		}
		v, err := json.Marshal(rec.Outcomes)
		if err != nil {
			return err
		}
		if err := rb.Put([]byte(sha), v); err != nil {
			return err
		}
		cur, err := getDraftRec(tx, rec.App.DraftID)
		if err != nil || cur == nil {
			return fmt.Errorf("draft %s of application %s: %v", rec.App.DraftID, sha, err)
		}
		oc = &outcome
		return setRowOutcomesTx(tx, cur, rec.Outcomes, now)
	})
	return out, oc, err
}

// executeTx applies the row's operation inside tx.
func executeTx(tx *bolt.Tx, rec *AppRec, d RowDecision) (*Account, changes, error) {
	row := rec.Form.Rows[d.Row-1]
	now := d.Now.UTC()
	target := row.IIN
	if row.Operation == form.OpChangeIIN {
		target = d.Req.AccountIIN
	}
	prev, err := getAccount(tx, target)
	if row.Operation == form.OpRegister {
		switch {
		case err == nil && prev.Status == api.StatusDismissed:
			return nil, nil, refuseOp(http.StatusConflict, api.CodeAccountDismissed, "the account with this IIN was closed by a dismissal; it cannot be registered again")
		case err == nil:
			return nil, nil, refuseOp(http.StatusConflict, api.CodeAccountExists, "an account with IIN "+row.IIN+" exists already")
		case !isNotFound(err):
			return nil, nil, err
		}
		ip, err := boundIP(row.IP)
		if err != nil {
			return nil, nil, err
		}
		if d.PasswordHash == "" {
			return nil, nil, errors.New("register: no primary password")
		}
		a := &Account{IIN: row.IIN, FullName: normName(row.FullName), Kind: api.KindRER, Status: api.StatusActive,
			CreatedAt: now, Login: strings.TrimSpace(d.Req.Login), PasswordHash: d.PasswordHash, BoundIP: ip,
			PasswordPrimary: true, PasswordChangedAt: now, Position: normName(row.Position), UserType: row.UserType,
			AccessLevels: append([]string(nil), row.AccessLevels...), Subunit: normName(rec.Form.Subunit)}
		if err := saveAccountTx(tx, a, nil); err != nil {
			return nil, nil, err
		}
		ch := changes{{Field: "status", New: a.Status}, {Field: "fullName", New: a.FullName}, {Field: "login", New: a.Login},
			{Field: "boundIp", New: a.BoundIP}, {Field: "position", New: a.Position}, {Field: "userType", New: strconv.Itoa(a.UserType)},
			{Field: "accessLevels", New: strings.Join(a.AccessLevels, ",")}, {Field: "subunit", New: a.Subunit}, {Field: "password"}}
		return a, ch, nil
	}
	switch {
	case isNotFound(err):
		return nil, nil, refuseOp(http.StatusNotFound, api.CodeNoAccount, "no account has IIN "+target)
	case err != nil:
		return nil, nil, err
	case prev.Kind != api.KindRER:
		return nil, nil, refuseOp(http.StatusConflict, api.CodeAccountKind, "the account with IIN "+target+" is not an RER SDB account")
	case prev.Status == api.StatusDismissed:
		return nil, nil, refuseOp(http.StatusConflict, api.CodeAccountDismissed, ErrDismissed.Error())
	}
	a := *prev
	a.Roles = slices.Clone(prev.Roles)
	var ch changes
	if row.Operation == form.OpChangeIIN {
		if row.IIN == prev.IIN {
			return nil, nil, refuseOp(http.StatusUnprocessableEntity, api.CodeBadRequest, "the row's IIN is the account's IIN already")
		}
		if !strings.EqualFold(normName(row.FullName), normName(prev.FullName)) {
			return nil, nil, refuseOp(http.StatusConflict, api.CodeAccountState,
				"the row's full name is not the name of the account with IIN "+prev.IIN)
		}
		a.PreviousIINs = append(slices.Clone(prev.PreviousIINs), prev.IIN)
		ch.set("iin", &a.IIN, row.IIN)
	} else {
		if ch, err = applyOperation(&a, rec, d.Row, d); err != nil {
			return nil, nil, err
		}
	}
	if err := saveAccountTx(tx, &a, prev); err != nil {
		return nil, nil, err
	}
	return &a, ch, nil
}

// setRowOutcomesTx writes the draft with the outcomes as a new change, so
// that it syncs back to the applicant's workstations.
func setRowOutcomesTx(tx *bolt.Tx, cur *api.DraftRecord, outcomes []api.RowOutcome, now time.Time) error {
	lb := tx.Bucket(bDraftLog)
	seq, err := lb.NextSequence()
	if err != nil {
		return err
	}
	if err := lb.Delete(seqKey(cur.Version)); err != nil {
		return err
	}
	rec := *cur
	rec.Version, rec.Updated = seq, now
	rec.RowOutcomes = append([]api.RowOutcome(nil), outcomes...)
	v, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	if err := tx.Bucket(bDrafts).Put([]byte(rec.ID), v); err != nil {
		return err
	}
	return lb.Put(seqKey(seq), []byte(rec.ID))
}

// CreateAccountAudited stores a new account with its audit entry.
func (s *BoltStore) CreateAccountAudited(a *Account, e api.AuditEntry) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		if old, err := getAccount(tx, a.IIN); err == nil {
			if old.Status == api.StatusDismissed {
				return refuseOp(http.StatusConflict, api.CodeAccountDismissed, "the account with this IIN was closed for good")
			}
			return refuseOp(http.StatusConflict, api.CodeAccountExists, "an account with IIN "+a.IIN+" exists already")
		}
		if err := saveAccountTx(tx, a, nil); err != nil {
			return err
		}
		return appendAuditTx(tx, &e)
	})
}

// ChangeAccountAudited changes an account with fn and records e with the
// changes fn lists, atomically. The IIN cannot change here.
func (s *BoltStore) ChangeAccountAudited(id string, e api.AuditEntry, fn func(*Account) ([]api.FieldChange, error)) (*Account, error) {
	var out *Account
	err := s.db.Update(func(tx *bolt.Tx) error {
		prev, err := getAccount(tx, id)
		if err != nil {
			return err
		}
		a := *prev
		ch, err := fn(&a)
		if err != nil {
			return err
		}
		a.IIN = id
		if err := saveAccountTx(tx, &a, prev); err != nil {
			return err
		}
		e.AccountIIN, e.Changes = id, ch
		out = &a
		return appendAuditTx(tx, &e)
	})
	return out, err
}

// Primary passwords: 16 characters from 57 that cannot be mistaken for
// one another on a printed slip (no 0/O, 1/l/I), in four groups joined by
// '-': about 93 bits of entropy, with capitals, small letters, digits and
// a symbol, so that it is no weaker than what rule 18 asks of the user.
const primaryAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"

// NewPrimaryPassword makes an administrator's primary password (access
// rule 2.8) from crypto/rand. The caller wipes it.
func NewPrimaryPassword() ([]byte, error) {
	size := big.NewInt(int64(len(primaryAlphabet)))
	for {
		pw := make([]byte, 0, 19)
		var up, low, dig bool
		for i := range 16 {
			if i > 0 && i%4 == 0 {
				pw = append(pw, '-')
			}
			n, err := rand.Int(rand.Reader, size)
			if err != nil {
				return nil, err
			}
			c := primaryAlphabet[n.Int64()]
			up, low, dig = up || c >= 'A' && c <= 'Z', low || c >= 'a' && c <= 'z', dig || c >= '0' && c <= '9'
			pw = append(pw, c)
		}
		if up && low && dig {
			return pw, nil
		}
		clear(pw)
	}
}

func (s *Server) adminRoutes() []route {
	return []route{
		{"GET " + api.PathAdminApplications, s.handleAdminApplications},
		{"GET " + api.PathAdminApplication + "{sha256}", s.handleAdminApplication},
		{"POST " + api.PathAdminApplication + "{sha256}/rows/{n}/execute", s.handleRowExecute},
		{"POST " + api.PathAdminApplication + "{sha256}/rows/{n}/reject", s.handleRowReject},
		{"GET " + api.PathAdminApplication + "{sha256}/rows/{n}/order", s.handleRowOrderGet},
		{"PUT " + api.PathApplications + "{sha256}/rows/{n}/order", s.handleRowOrderPut},
		{"GET " + api.PathAdminAccount + "{iin}", s.handleAdminAccount},
		{"GET " + api.PathAdminAccount + "{iin}/history", s.handleAccountHistory},
		{"POST " + api.PathAdminUNISAccounts, s.handleUNISCreate},
		{"POST " + api.PathAdminUNISAccount + "{iin}/block", s.handleUNISBlock},
		{"GET " + api.PathAdminUNISGrounds, s.handleUNISGrounds},
	}
}

// withRole authenticates the request and requires role.
// adminRow is the common start of the RER SDB administrator's row routes
// (/v1/admin/applications/{sha256}/rows/{n}/…): the role, then the
// application's hash and the 1-based row number from the path.
func (s *Server) adminRow(w http.ResponseWriter, r *http.Request) (actor *Account, as AdminStore, sha string, n int, ok bool) {
	if actor, as, sha, ok = s.adminApp(w, r); !ok {
		return
	}
	n, ok = rowNumber(w, r, s)
	return
}

// adminApp is the same for the application routes
// (/v1/admin/applications/{sha256}…): the role and the hash.
func (s *Server) adminApp(w http.ResponseWriter, r *http.Request) (actor *Account, as AdminStore, sha string, ok bool) {
	if actor, as, ok = s.withRole(w, r, api.RoleRERAdmin); !ok {
		return
	}
	sha, ok = validSHA(w, r, s)
	return
}

func (s *Server) withRole(w http.ResponseWriter, r *http.Request, role string) (*Account, AdminStore, bool) {
	_, _, acct, ok := s.session(w, r)
	if !ok {
		return nil, nil, false
	}
	if !slices.Contains(acct.Roles, role) {
		what := "the RER SDB administrator role (rer_admin)"
		if role == api.RoleChamber {
			what = "the territorial notarial chamber role (chamber)"
		}
		s.writeError(w, http.StatusForbidden, api.CodeForbidden, "this needs "+what)
		return nil, nil, false
	}
	as, ok := s.adminStore(w)
	return acct, as, ok
}

// writeStoreError answers a store error: an opError as it says, not found
// as 404, anything else as 500.
func (s *Server) writeStoreError(w http.ResponseWriter, what string, err error) {
	var oe *opError
	switch {
	case errors.As(err, &oe):
		s.writeError(w, oe.status, oe.code, oe.msg)
	case isNotFound(err):
		s.writeError(w, http.StatusNotFound, api.CodeNotFound, what+" not found")
	default:
		s.log.Error("admin", "what", what, "err", err)
		s.writeError(w, http.StatusInternalServerError, api.CodeInternal, "storage error")
	}
}

func validSHA(w http.ResponseWriter, r *http.Request, s *Server) (string, bool) {
	sha := strings.ToLower(r.PathValue("sha256"))
	if b, err := hex.DecodeString(sha); err != nil || len(b) != 32 {
		s.writeError(w, http.StatusBadRequest, api.CodeBadRequest, "sha256: 64 hex digits")
		return "", false
	}
	return sha, true
}

func rowNumber(w http.ResponseWriter, r *http.Request, s *Server) (int, bool) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 || n > 10000 {
		s.writeError(w, http.StatusBadRequest, api.CodeBadRequest, "n: the row number, from 1")
		return 0, false
	}
	return n, true
}

func summary(rec *AppRec) api.AdminApplicationSummary {
	return api.AdminApplicationSummary{Application: rec.App, Subunit: rec.Form.Subunit, HeadName: rec.Form.Head.FullName,
		Date: rec.Form.Date, Rows: len(rec.Form.Rows), Decided: len(rec.Outcomes)}
}

func (s *Server) handleAdminApplications(w http.ResponseWriter, r *http.Request) {
	_, as, ok := s.withRole(w, r, api.RoleRERAdmin)
	if !ok {
		return
	}
	recs, err := as.AppRecs(r.URL.Query().Get("all") == "1")
	if err != nil {
		s.writeStoreError(w, "applications", err)
		return
	}
	out := api.AdminApplicationList{Applications: []api.AdminApplicationSummary{}}
	for _, rec := range recs {
		out.Applications = append(out.Applications, summary(rec))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleAdminApplication(w http.ResponseWriter, r *http.Request) {
	_, as, sha, ok := s.adminApp(w, r)
	if !ok {
		return
	}
	rec, err := as.AppRec(sha)
	if err != nil {
		s.writeStoreError(w, "application", err)
		return
	}
	out := api.AdminApplication{Application: rec.App, Form: rec.Form, Rows: []api.AdminRow{}}
	for i, row := range rec.Form.Rows {
		ar := api.AdminRow{N: i + 1, Row: row, OrderRequired: form.OrderRequired(row.Operation), Outcome: rec.outcome(i + 1)}
		if oi, ok := rec.Orders[i+1]; ok {
			ar.Order = &oi
		}
		if a, err := s.cfg.Store.Account(row.IIN); err == nil {
			v := AdminAccountView(a)
			ar.Account = &v
		} else if !isNotFound(err) {
			s.writeStoreError(w, "account", err)
			return
		}
		out.Rows = append(out.Rows, ar)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleRowExecute(w http.ResponseWriter, r *http.Request) {
	actor, as, sha, n, ok := s.adminRow(w, r)
	if !ok {
		return
	}
	var req api.ExecuteRequest
	if err := decodeBody(r, &req, true); err != nil {
		s.writeDecodeError(w, err)
		return
	}
	rec, err := as.AppRec(sha)
	if err != nil {
		s.writeStoreError(w, "application", err)
		return
	}
	if n > len(rec.Form.Rows) {
		s.writeError(w, http.StatusNotFound, api.CodeNotFound, "the application has no such row")
		return
	}
	op := rec.Form.Rows[n-1].Operation
	req.Login, req.AccountIIN, req.Note = strings.TrimSpace(req.Login), strings.TrimSpace(req.AccountIIN), strings.TrimSpace(req.Note)
	switch {
	case op == form.OpRegister && !ValidLogin(req.Login):
		s.writeError(w, http.StatusBadRequest, api.CodeBadRequest, "login: registration needs the new account's login (3–64 characters, no spaces)")
		return
	case op == form.OpChangeAccount && req.Login != "" && !ValidLogin(req.Login):
		s.writeError(w, http.StatusBadRequest, api.CodeBadRequest, "login: 3–64 characters, no spaces")
		return
	case op == form.OpChangeIIN && !iin.Valid(req.AccountIIN):
		s.writeError(w, http.StatusBadRequest, api.CodeBadRequest, "accountIin: a change of IIN needs the account's current IIN")
		return
	case len([]rune(req.Note)) > 1000:
		s.writeError(w, http.StatusBadRequest, api.CodeBadRequest, "note: at most 1000 characters")
		return
	}
	d := RowDecision{SHA256: sha, Row: n, Execute: true, Reason: req.Note, Req: req, Actor: actor, Now: s.now()}
	var pw []byte
	if op == form.OpRegister || op == form.OpResetPassword {
		if pw, err = NewPrimaryPassword(); err != nil {
			s.writeStoreError(w, "password", err)
			return
		}
		defer clear(pw)
		if d.PasswordHash, err = HashPassword(pw); err != nil {
			s.writeStoreError(w, "password", err)
			return
		}
	}
	a, oc, err := as.DecideRow(d)
	if err != nil {
		s.writeStoreError(w, "application row", err)
		return
	}
	s.log.Info("application row executed", "sha256", sha, "row", n, "operation", op, "iin", a.IIN, "by", actor.IIN)
	resp := api.ExecuteResponse{Outcome: *oc, Account: AdminAccountView(a), PrimaryPassword: api.Secret(pw)}
	// Written by hand so that the buffer holding the password is wiped.
	b, err := json.Marshal(resp)
	defer clear(b)
	if err != nil {
		s.writeStoreError(w, "encoding", err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	w.Write(b)
}

func (s *Server) handleRowReject(w http.ResponseWriter, r *http.Request) {
	actor, as, sha, n, ok := s.adminRow(w, r)
	if !ok {
		return
	}
	var req api.RejectRequest
	if err := decodeBody(r, &req, false); err != nil {
		s.writeDecodeError(w, err)
		return
	}
	reason := strings.TrimSpace(req.Reason)
	if reason == "" || len([]rune(reason)) > 1000 {
		s.writeError(w, http.StatusBadRequest, api.CodeBadRequest, "reason: a rejection needs a reason (at most 1000 characters)")
		return
	}
	_, oc, err := as.DecideRow(RowDecision{SHA256: sha, Row: n, Reason: reason, Actor: actor, Now: s.now()})
	if err != nil {
		s.writeStoreError(w, "application row", err)
		return
	}
	s.log.Info("application row rejected", "sha256", sha, "row", n, "by", actor.IIN)
	writeJSON(w, http.StatusOK, oc)
}

func (s *Server) handleRowOrderGet(w http.ResponseWriter, r *http.Request) {
	_, as, sha, n, ok := s.adminRow(w, r)
	if !ok {
		return
	}
	info, data, err := as.Order(sha, n)
	if err != nil {
		s.writeStoreError(w, "order", err)
		return
	}
	w.Header().Set("Content-Type", info.ContentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Disposition", "attachment")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	w.Write(data)
}

// handleRowOrderPut: the applicant (the draft's owner or the signer)
// uploads the scanned order of a row that names one.
func (s *Server) handleRowOrderPut(w http.ResponseWriter, r *http.Request) {
	_, _, acct, ok := s.session(w, r)
	if !ok {
		return
	}
	as, ok := s.adminStore(w)
	if !ok {
		return
	}
	sha, ok := validSHA(w, r, s)
	if !ok {
		return
	}
	n, ok := rowNumber(w, r, s)
	if !ok {
		return
	}
	rec, err := as.AppRec(sha)
	if err != nil {
		s.writeStoreError(w, "application", err)
		return
	}
	if rec.Owner != acct.IIN && rec.App.SignerIIN != acct.IIN {
		s.writeError(w, http.StatusForbidden, api.CodeForbidden, "only the applicant uploads the application's orders")
		return
	}
	if n > len(rec.Form.Rows) || strings.TrimSpace(rec.Form.Rows[n-1].OrderFile) == "" {
		s.writeError(w, http.StatusNotFound, api.CodeNotFound, "the application has no such row, or the row names no order")
		return
	}
	data, ok := s.readUpload(w, r, "an order")
	if !ok {
		return
	}
	ct := servicedesk.SniffAttachment(data)
	if ct == "" {
		s.writeError(w, http.StatusBadRequest, api.CodeBadRequest, "an order is a PDF, JPEG, PNG or TIFF scan")
		return
	}
	sum := sha256.Sum256(data)
	info := api.OrderInfo{SHA256: hex.EncodeToString(sum[:]), Size: len(data), ContentType: ct, UploadedAt: s.now().UTC()}
	if err := as.PutOrder(sha, n, info, data); err != nil {
		s.writeStoreError(w, "order", err)
		return
	}
	s.log.Info("order uploaded", "sha256", sha, "row", n, "iin", acct.IIN, "size", len(data))
	writeJSON(w, http.StatusOK, info)
}

// handleUNISCreate: the chamber employee creates a UNIS account on the
// user's application (UNIS rule 4).
func (s *Server) handleUNISCreate(w http.ResponseWriter, r *http.Request) {
	actor, as, ok := s.withRole(w, r, api.RoleChamber)
	if !ok {
		return
	}
	var req api.UNISCreateRequest
	if err := decodeBody(r, &req, false); err != nil {
		s.writeDecodeError(w, err)
		return
	}
	name, app := normName(req.FullName), strings.TrimSpace(req.Application)
	switch {
	case !iin.Valid(req.IIN):
		s.writeError(w, http.StatusBadRequest, api.CodeBadRequest, "iin: a valid IIN")
		return
	case name == "" || len([]rune(name)) > 200:
		s.writeError(w, http.StatusBadRequest, api.CodeBadRequest, "fullName: required, at most 200 characters")
		return
	case app == "" || len([]rune(app)) > 500:
		s.writeError(w, http.StatusBadRequest, api.CodeBadRequest, "application: the user's application (number and date) is required, at most 500 characters")
		return
	}
	now := s.now().UTC()
	a := &Account{IIN: req.IIN, FullName: name, Kind: api.KindUNIS, Status: api.StatusActive, CreatedAt: now}
	e := api.AuditEntry{At: now, ActorIIN: actor.IIN, ActorName: actorName(actor), AccountIIN: a.IIN, Action: api.AuditUNISCreate,
		Reason: app, Changes: []api.FieldChange{{Field: "status", New: a.Status}, {Field: "fullName", New: name}}}
	if err := as.CreateAccountAudited(a, e); err != nil {
		s.writeStoreError(w, "account", err)
		return
	}
	s.log.Info("unis account created", "iin", a.IIN, "by", actor.IIN)
	writeJSON(w, http.StatusCreated, AdminAccountView(a))
}

// handleUNISBlock: the chamber employee blocks a UNIS account on the
// grounds of UNIS rule 5, on the user's application (rule 6).
func (s *Server) handleUNISBlock(w http.ResponseWriter, r *http.Request) {
	actor, as, ok := s.withRole(w, r, api.RoleChamber)
	if !ok {
		return
	}
	id := r.PathValue("iin")
	var req api.UNISBlockRequest
	if err := decodeBody(r, &req, false); err != nil {
		s.writeDecodeError(w, err)
		return
	}
	g, okG := api.FindUNISGround(req.Grounds)
	app, note := strings.TrimSpace(req.Application), strings.TrimSpace(req.Note)
	switch {
	case !iin.Valid(id):
		s.writeError(w, http.StatusBadRequest, api.CodeBadRequest, "iin: a valid IIN")
		return
	case !okG:
		s.writeError(w, http.StatusBadRequest, api.CodeBadRequest, "grounds: one of UNIS rule 5's grounds (5.1, 5.2)")
		return
	case app == "" || len([]rune(app)) > 500 || len([]rune(note)) > 1000:
		s.writeError(w, http.StatusBadRequest, api.CodeBadRequest, "application: the user's application with its supporting documents is required")
		return
	}
	now := s.now().UTC()
	reason := app
	if note != "" {
		reason += "; " + note
	}
	e := api.AuditEntry{At: now, ActorIIN: actor.IIN, ActorName: actorName(actor), Action: api.AuditUNISBlock, Grounds: g.Code, Reason: reason}
	a, err := as.ChangeAccountAudited(id, e, func(a *Account) ([]api.FieldChange, error) {
		switch {
		case a.Kind != api.KindUNIS:
			return nil, refuseOp(http.StatusConflict, api.CodeAccountKind, "the account is not a UNIS account")
		case a.Status == api.StatusDismissed:
			return nil, refuseOp(http.StatusConflict, api.CodeAccountDismissed, ErrDismissed.Error())
		case a.Status != api.StatusActive:
			return nil, refuseOp(http.StatusConflict, api.CodeAccountState, "the account is "+a.Status+" already")
		}
		var ch changes
		ch.set("status", &a.Status, api.StatusBlocked)
		ch.set("blockedReason", &a.BlockedReason, "UNIS rule "+g.Code+": "+g.EN)
		a.BlockedAt = now
		return ch, nil
	})
	if isNotFound(err) {
		s.writeError(w, http.StatusNotFound, api.CodeNoAccount, "no account has this IIN")
		return
	}
	if err != nil {
		s.writeStoreError(w, "account", err)
		return
	}
	s.log.Info("unis account blocked", "iin", id, "grounds", g.Code, "by", actor.IIN)
	writeJSON(w, http.StatusOK, AdminAccountView(a))
}

func (s *Server) handleUNISGrounds(w http.ResponseWriter, r *http.Request) {
	if _, _, ok := s.withRole(w, r, api.RoleChamber); !ok {
		return
	}
	writeJSON(w, http.StatusOK, api.UNISGrounds)
}
