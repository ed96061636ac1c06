package server

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"kense/api"
	"kense/form"
	"kense/i18n"
)

// Submitting an application (issue 4). The head of the subunit signs the
// draft's canonical content (form.Canonical, whose SHA-256 the printed
// form carries under its QR code) with their SIGN key; the server checks
// the signature as it checks sign-ins (signature, chain, validity, EKU,
// revocation), that the signer is the signed-in account and the head the
// form names, keeps the CMS, and makes the draft read-only with status
// submitted. The Operator then moves it to accepted or rejected (with a
// reason) and done: SetApplicationStatus, for the server's admin commands.
//
//	submissions  SHA-256 hex → submission as JSON (Application + CMS)

var bSubmissions = []byte("submissions")

// EKUSign is the extended key usage of an NCA signing (SIGN) key.
const EKUSign = "1.3.6.1.5.5.7.3.4"

// Submission errors of the store.
var (
	ErrVersion   = errors.New("the draft has a newer version")
	ErrSubmitted = errors.New("the draft was submitted already")
)

type submission struct {
	api.Application
	CMS []byte `json:"cms"`
}

// SignerIsHead: the certificate's common name (NCA: "SURNAME GIVENNAME")
// is how the head's full name on the form begins, letter case aside.
func SignerIsHead(commonName, headFullName string) bool {
	cn := strings.Fields(strings.ToLower(commonName))
	head := strings.Fields(strings.ToLower(headFullName))
	if len(cn) == 0 || len(cn) > len(head) {
		return false
	}
	for i := range cn {
		if cn[i] != head[i] {
			return false
		}
	}
	return true
}

// SubmitDraft marks the draft submitted at the given version, in one
// transaction with the check that it is still at that version and not
// submitted: ErrVersion, ErrSubmitted, ErrNotFound (not iin's).
func (s *BoltStore) SubmitDraft(iin, id string, version uint64, app api.Application, cms []byte, now time.Time) (*api.DraftRecord, error) {
	var out *api.DraftRecord
	err := s.db.Update(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bDrafts, bDraftLog, bDraftIdem, bDraftMembers, bSubmissions} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		cur, err := getDraftRec(tx, id)
		if err != nil {
			return err
		}
		switch {
		case cur == nil || cur.Owner != iin || cur.Deleted:
			return fmt.Errorf("draft %s: %w", id, ErrNotFound)
		case cur.AppStatus != "" || tx.Bucket(bSubmissions).Get([]byte(app.SHA256)) != nil:
			return ErrSubmitted
		case cur.Version != version:
			return ErrVersion
		}
		now = now.UTC()
		app.Status, app.SubmittedAt, app.Updated, app.DraftID, app.Version = api.AppSubmitted, now, now, id, version
		v, err := json.Marshal(submission{Application: app, CMS: cms})
		if err != nil {
			return err
		}
		if err := tx.Bucket(bSubmissions).Put([]byte(app.SHA256), v); err != nil {
			return err
		}
		out, err = setAppStatus(tx, cur, iin, app, now)
		return err
	})
	return out, err
}

// setAppStatus writes the draft's application status as a new change, so
// that it syncs back to every workstation.
func setAppStatus(tx *bolt.Tx, cur *api.DraftRecord, by string, app api.Application, now time.Time) (*api.DraftRecord, error) {
	lb := tx.Bucket(bDraftLog)
	seq, err := lb.NextSequence()
	if err != nil {
		return nil, err
	}
	if err := lb.Delete(seqKey(cur.Version)); err != nil {
		return nil, err
	}
	rec := *cur
	rec.Version, rec.Updated, rec.UpdatedBy = seq, now, by
	rec.AppStatus, rec.SHA256, rec.AppReason = app.Status, app.SHA256, app.Reason
	v, err := json.Marshal(rec)
	if err != nil {
		return nil, err
	}
	if err := tx.Bucket(bDrafts).Put([]byte(rec.ID), v); err != nil {
		return nil, err
	}
	return &rec, lb.Put(seqKey(seq), []byte(rec.ID))
}

// Application reads a submitted application by its SHA-256 (hex).
func (s *BoltStore) Application(sha string) (*api.Application, error) {
	var app *api.Application
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bSubmissions)
		var v []byte
		if b != nil {
			v = b.Get([]byte(strings.ToLower(sha)))
		}
		if v == nil {
			return fmt.Errorf("application %s: %w", sha, ErrNotFound)
		}
		var sub submission
		if err := json.Unmarshal(v, &sub); err != nil {
			return err
		}
		app = &sub.Application
		return nil
	})
	return app, err
}

// validNext: submitted → accepted | rejected; accepted → done. A rejected
// application stays rejected (the head submits a corrected one).
func validNext(from, to string) bool {
	switch from {
	case api.AppSubmitted:
		return to == api.AppAccepted || to == api.AppRejected
	case api.AppAccepted:
		return to == api.AppDone
	}
	return false
}

// SetApplicationStatus is the Operator's decision on an application
// (rejected needs a reason); the draft's status syncs back.
func (s *BoltStore) SetApplicationStatus(sha, status, reason string, now time.Time) error {
	reason = strings.TrimSpace(reason)
	if status == api.AppRejected && reason == "" {
		return errors.New("a rejection needs a reason")
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bSubmissions)
		var v []byte
		if b != nil {
			v = b.Get([]byte(strings.ToLower(sha)))
		}
		if v == nil {
			return fmt.Errorf("application %s: %w", sha, ErrNotFound)
		}
		var sub submission
		if err := json.Unmarshal(v, &sub); err != nil {
			return err
		}
		if !validNext(sub.Status, status) {
			return fmt.Errorf("an application %s cannot become %s", sub.Status, status)
		}
		now = now.UTC()
		sub.Status, sub.Reason, sub.Updated = status, reason, now
		nv, err := json.Marshal(sub)
		if err != nil {
			return err
		}
		if err := b.Put([]byte(sub.SHA256), nv); err != nil {
			return err
		}
		cur, err := getDraftRec(tx, sub.DraftID)
		if err != nil || cur == nil {
			return fmt.Errorf("draft %s of application %s: %v", sub.DraftID, sha, err)
		}
		_, err = setAppStatus(tx, cur, cur.UpdatedBy, sub.Application, now)
		return err
	})
}

func (s *Server) handleDraftSubmit(w http.ResponseWriter, r *http.Request) {
	_, _, acct, ok := s.session(w, r)
	if !ok {
		return
	}
	var req api.SubmitRequest
	if err := decodeBody(r, &req, false); err != nil {
		s.writeDecodeError(w, err)
		return
	}
	id := r.PathValue("id")
	rec, err := s.cfg.Store.DraftFor(acct.IIN, id)
	switch {
	case errors.Is(err, ErrNotFound):
		s.writeError(w, http.StatusNotFound, api.CodeNotFound, "no such draft")
		return
	case err != nil:
		s.log.Error("submit", "err", err)
		s.writeError(w, http.StatusInternalServerError, api.CodeInternal, "storage error")
		return
	case rec.Owner != acct.IIN:
		s.writeError(w, http.StatusForbidden, api.CodeForbidden, "only the draft's owner submits it")
		return
	case rec.Deleted:
		s.writeError(w, http.StatusNotFound, api.CodeNotFound, "the draft was deleted")
		return
	case rec.AppStatus != "":
		s.writeError(w, http.StatusConflict, api.CodeSubmitted, "the application was submitted already")
		return
	case rec.Version != req.Version:
		writeJSON(w, http.StatusConflict, api.ConflictError{Code: api.CodeConflict,
			Message: fmt.Sprintf("version %d was signed, the draft is at version %d", req.Version, rec.Version), Current: rec})
		return
	}
	cms, err := base64.StdEncoding.DecodeString(req.CMS)
	if err != nil || len(cms) == 0 {
		s.writeError(w, http.StatusBadRequest, api.CodeBadCMS, "cms: not standard base64")
		return
	}
	f := rec.Form
	// Only a valid form is an application. The order scans stay on the
	// workstation: their names are required, their files checked there.
	if ps := form.Validate(f, form.Options{Today: s.now().In(Almaty)}); len(ps) > 0 {
		s.writeError(w, http.StatusUnprocessableEntity, api.CodeInvalidForm, problemsText(ps))
		return
	}
	v, err := s.cfg.Verifier.VerifyCMS(cms, form.Canonical(f), EKUSign)
	if err != nil {
		code := codeOf(err)
		if code == "" {
			s.log.Error("submit verify", "err", err)
			s.writeError(w, http.StatusInternalServerError, api.CodeInternal, "verification failed")
			return
		}
		msg := messages[code]
		if code == api.CodeWrongKeyUsage {
			msg = "this is not a signing (SIGN) key: sign the application with your SIGN key (file name RSA256_…, not AUTH_…)"
		}
		if msg == "" {
			msg = code
		}
		s.writeError(w, statusOf(code), code, msg)
		return
	}
	if v == nil || v.Cert == nil || v.IIN != acct.IIN || !SignerIsHead(v.CommonName, f.Head.FullName) {
		s.writeError(w, http.StatusForbidden, api.CodeSignerNotHead,
			"the application must be signed by the signed-in head of the subunit named on it")
		return
	}
	sum := form.Hash(f)
	app := api.Application{SHA256: hex.EncodeToString(sum[:]), SignerIIN: v.IIN, SignerName: v.CommonName,
		CertSerial: v.Serial, SignedAt: v.SigningTime.UTC()}
	out, err := s.cfg.Store.SubmitDraft(acct.IIN, id, req.Version, app, cms, s.now())
	switch {
	case errors.Is(err, ErrVersion):
		cur, _ := s.cfg.Store.DraftFor(acct.IIN, id)
		writeJSON(w, http.StatusConflict, api.ConflictError{Code: api.CodeConflict, Message: "the draft changed meanwhile", Current: cur})
		return
	case errors.Is(err, ErrSubmitted):
		s.writeError(w, http.StatusConflict, api.CodeSubmitted, "the application was submitted already")
		return
	case err != nil:
		s.log.Error("submit", "err", err)
		s.writeError(w, http.StatusInternalServerError, api.CodeInternal, "storage error")
		return
	}
	full, err := s.cfg.Store.Application(app.SHA256)
	if err != nil {
		s.log.Error("submit", "err", err)
		s.writeError(w, http.StatusInternalServerError, api.CodeInternal, "storage error")
		return
	}
	s.log.Info("application submitted", "iin", acct.IIN, "sha256", app.SHA256, "serial", app.CertSerial)
	writeJSON(w, http.StatusOK, api.SubmitResponse{Application: *full, Draft: *out})
}

// handleApplication tells any signed-in account whether a printout's
// SHA-256 is a submitted application and who signed it: the facts the
// printout's signature block shows anyway, never the form.
func (s *Server) handleApplication(w http.ResponseWriter, r *http.Request) {
	if _, _, _, ok := s.session(w, r); !ok {
		return
	}
	sha := strings.ToLower(r.PathValue("sha256"))
	if b, err := hex.DecodeString(sha); err != nil || len(b) != 32 {
		s.writeError(w, http.StatusBadRequest, api.CodeBadRequest, "sha256: 64 hex digits")
		return
	}
	app, err := s.cfg.Store.Application(sha)
	if errors.Is(err, ErrNotFound) {
		s.writeError(w, http.StatusNotFound, api.CodeNotFound, "no submitted application has this SHA-256")
		return
	} else if err != nil {
		s.log.Error("application", "err", err)
		s.writeError(w, http.StatusInternalServerError, api.CodeInternal, "storage error")
		return
	}
	writeJSON(w, http.StatusOK, app)
}

// problemsText lists a form's first problems as kensectl validate prints
// them ("row N: field: message", in English).
func problemsText(ps []form.Problem) string {
	const most = 5
	var b strings.Builder
	fmt.Fprintf(&b, "the form has %d problem(s): ", len(ps))
	for i, p := range ps {
		if i == most {
			fmt.Fprintf(&b, "; and %d more", len(ps)-most)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "row %d: %s: %s", p.Row, p.Field, p.Message(i18n.EN))
	}
	return b.String()
}
