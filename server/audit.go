package server

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"

	bolt "go.etcd.io/bbolt"

	"kense/api"
	"kense/iin"
)

// The audit log of account changes (issue 8): who, when, which
// application and row, which operation, on what grounds or for what
// reason, and which fields changed (never a password or its hash). It is
// append-only: nothing in the server deletes or rewrites an entry, and a
// dismissed account keeps its history.
//
//	audit     big-endian sequence → api.AuditEntry as JSON
//	auditidx  IIN 0x00 big-endian sequence → "" (an entry is indexed under
//	          its account's IIN and, for a change of IIN, the previous one)
//
// Entries are written in the same transaction as the change they record
// (admin_apps.go), so a change is never without its entry.

var (
	bAudit    = []byte("audit")
	bAuditIdx = []byte("auditidx")
)

func auditIdxKey(iin string, seq uint64) []byte {
	k := make([]byte, 0, len(iin)+9)
	k = append(k, iin...)
	k = append(k, 0)
	return binary.BigEndian.AppendUint64(k, seq)
}

// appendAuditTx stores e (its Seq assigned here) inside tx.
func appendAuditTx(tx *bolt.Tx, e *api.AuditEntry) error {
	b, err := tx.CreateBucketIfNotExists(bAudit)
	if err != nil {
		return err
	}
	idx, err := tx.CreateBucketIfNotExists(bAuditIdx)
	if err != nil {
		return err
	}
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	e.Seq, e.At = seq, e.At.UTC()
	v, err := json.Marshal(e)
	if err != nil {
		return err
	}
	if err := b.Put(seqKey(seq), v); err != nil {
		return err
	}
	for _, id := range []string{e.AccountIIN, e.PreviousIIN} {
		if id == "" {
			continue
		}
		if err := idx.Put(auditIdxKey(id, seq), []byte{}); err != nil {
			return err
		}
	}
	return nil
}

// AppendAudit records one change made outside an administrator's request
// (the server's own commands), in its own transaction.
func (s *BoltStore) AppendAudit(e api.AuditEntry) error {
	return s.db.Update(func(tx *bolt.Tx) error { return appendAuditTx(tx, &e) })
}

// AuditHistory lists the entries indexed under any of iins, oldest first.
func (s *BoltStore) AuditHistory(iins []string) ([]api.AuditEntry, error) {
	out := []api.AuditEntry{}
	seen := map[uint64]bool{}
	err := s.db.View(func(tx *bolt.Tx) error {
		b, idx := tx.Bucket(bAudit), tx.Bucket(bAuditIdx)
		if b == nil || idx == nil {
			return nil
		}
		for _, id := range iins {
			prefix := append([]byte(id), 0)
			c := idx.Cursor()
			for k, _ := c.Seek(prefix); k != nil && len(k) == len(prefix)+8 && string(k[:len(prefix)]) == string(prefix); k, _ = c.Next() {
				seq := binary.BigEndian.Uint64(k[len(prefix):])
				if seen[seq] {
					continue
				}
				seen[seq] = true
				v := b.Get(seqKey(seq))
				if v == nil {
					return fmt.Errorf("audit entry %d: indexed but absent", seq)
				}
				var e api.AuditEntry
				if err := json.Unmarshal(v, &e); err != nil {
					return fmt.Errorf("audit entry %d: %w", seq, err)
				}
				out = append(out, e)
			}
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out, err
}

// mayAdminister: rer_admin works RER SDB accounts, chamber UNIS accounts.
func mayAdminister(actor *Account, kind string) bool {
	switch kind {
	case api.KindRER:
		return slices.Contains(actor.Roles, api.RoleRERAdmin)
	case api.KindUNIS:
		return slices.Contains(actor.Roles, api.RoleChamber)
	}
	return false
}

// isAdmin: the account holds any administrator role.
func isAdmin(a *Account) bool {
	return slices.ContainsFunc(a.Roles, func(r string) bool { return slices.Contains(api.AdminRoles, r) })
}

// AdminAccountView is the account as administrators see it.
func AdminAccountView(a *Account) api.AdminAccount {
	return api.AdminAccount{
		Account: AccountView(a), BlockedReason: a.BlockedReason, BlockedAt: a.BlockedAt, DismissedAt: a.DismissedAt,
		CreatedAt: a.CreatedAt, Subunit: a.Subunit, PreviousIINs: a.PreviousIINs, Roles: a.Roles,
		PasswordPrimary: a.PasswordPrimary,
	}
}

// adminAccount is the account of GET /v1/admin/accounts/{iin}[/history]
// when the caller may see it: nil (and no answer written) for an IIN
// without an account that a rer_admin asks about (rejected rows are
// audited under IINs that have none).
func (s *Server) adminAccount(w http.ResponseWriter, r *http.Request) (*Account, string, bool) {
	_, _, actor, ok := s.session(w, r)
	if !ok {
		return nil, "", false
	}
	if !isAdmin(actor) {
		s.writeError(w, http.StatusForbidden, api.CodeForbidden, "this needs an administrator role")
		return nil, "", false
	}
	id := r.PathValue("iin")
	if !iin.Valid(id) {
		s.writeError(w, http.StatusBadRequest, api.CodeBadRequest, "iin: 12 digits, a valid IIN")
		return nil, "", false
	}
	a, err := s.cfg.Store.Account(id)
	switch {
	case err == nil:
		if !mayAdminister(actor, a.Kind) {
			s.writeError(w, http.StatusForbidden, api.CodeForbidden, "your administrator role does not cover this kind of account")
			return nil, "", false
		}
		return a, id, true
	case isNotFound(err):
		if !slices.Contains(actor.Roles, api.RoleRERAdmin) {
			s.writeError(w, http.StatusNotFound, api.CodeNoAccount, "no account has this IIN")
			return nil, "", false
		}
		return nil, id, true
	default:
		s.log.Error("store", "err", err)
		s.writeError(w, http.StatusInternalServerError, api.CodeInternal, "storage error")
		return nil, "", false
	}
}

func (s *Server) handleAdminAccount(w http.ResponseWriter, r *http.Request) {
	a, _, ok := s.adminAccount(w, r)
	if !ok {
		return
	}
	if a == nil {
		s.writeError(w, http.StatusNotFound, api.CodeNoAccount, "no account has this IIN")
		return
	}
	writeJSON(w, http.StatusOK, AdminAccountView(a))
}

// handleAccountHistory: the account's full history, under its IIN and the
// IINs it had before.
func (s *Server) handleAccountHistory(w http.ResponseWriter, r *http.Request) {
	a, id, ok := s.adminAccount(w, r)
	if !ok {
		return
	}
	as, ok := s.adminStore(w)
	if !ok {
		return
	}
	iins := []string{id}
	if a != nil {
		iins = append(iins, a.PreviousIINs...)
	}
	entries, err := as.AuditHistory(iins)
	if err != nil {
		s.log.Error("audit", "err", err)
		s.writeError(w, http.StatusInternalServerError, api.CodeInternal, "storage error")
		return
	}
	writeJSON(w, http.StatusOK, api.AuditHistory{IIN: id, Entries: entries})
}

// Actors of changes made outside an administrator's request.
const (
	ActorConsole = "kense-server (console)"
	ActorServer  = "kense-server"
)

// auditAfter records a change already made through Store.UpdateAccount
// (the console commands, the user's own password, the EDS-year block),
// when the store keeps an audit log. Unlike the administrators' changes it
// is a second transaction: a crash between the two loses the entry, never
// the change.
func auditAfter(st Store, e api.AuditEntry) error {
	if as, ok := st.(interface{ AppendAudit(api.AuditEntry) error }); ok {
		if e.ActorName == "" {
			e.ActorName = ActorConsole
		}
		return as.AppendAudit(e)
	}
	return nil
}
