package wire

import (
	"context"
	"errors"
	"os"
	"strings"
	"time"

	"kense/api"
	"kense/cache"
	"kense/client"
	"kense/eds"
	"kense/form"
	"kense/i18n"
	"kense/pdf"
	"kense/ui"
)

// Conflicts is the cache's conflict API seen through ui.ConflictService.
// Kick (may be nil) asks the sync runner for a round after a choice, so
// that the chosen version goes out at once.
type Conflicts struct {
	S    *cache.Store
	Kick func()
}

var _ ui.ConflictService = Conflicts{}

func (c Conflicts) GetConflict(id string) (ui.Conflict, error) {
	cf, mine, present, err := c.S.GetConflict(id)
	if err != nil {
		return ui.Conflict{}, err
	}
	out := ui.Conflict{ID: id, Mine: mine.Form, Theirs: cf.Theirs.Form, TheirsShared: cf.Theirs.Shared,
		MineDeleted: !present || !mine.Deleted.IsZero(), TheirsDeleted: cf.Theirs.Deleted,
		TheirsBy: cf.Theirs.UpdatedBy, TheirsAt: cf.Theirs.Updated}
	if out.TheirsAt.IsZero() {
		out.TheirsAt = cf.At
	}
	if ds, err := c.S.SyncState(id); err == nil {
		out.MineShared = ds.Shared
	}
	return out, nil
}

func (c Conflicts) done(err error) error {
	if err == nil && c.Kick != nil {
		c.Kick()
	}
	return err
}

func (c Conflicts) KeepMine(id string) error   { return c.done(c.S.ResolveKeepMine(id)) }
func (c Conflicts) TakeTheirs(id string) error { return c.done(c.S.ResolveTakeTheirs(id)) }

func (c Conflicts) Merge(id string, theirs map[string]bool) error {
	choices := make(map[string]cache.Choice, len(theirs))
	for k, t := range theirs {
		choices[k] = cache.ChoiceMine
		if t {
			choices[k] = cache.ChoiceTheirs
		}
	}
	return c.done(c.S.ResolveMerge(id, choices))
}

// Application is the draft's application state from the cache.
func Application(st *cache.Store) func(id string) ui.AppState {
	return func(id string) ui.AppState {
		ds, err := st.SyncState(id)
		if err != nil {
			return ui.AppState{}
		}
		out := ui.AppState{Status: ds.AppStatus, Reason: ds.AppReason}
		if s := ds.Signature; s != nil {
			out.SignerName, out.SignerIIN, out.CertSerial, out.SignedAt = s.SignerName, s.IIN, s.CertSerial, s.SignedAt
		}
		for _, o := range ds.RowOutcomes {
			out.Rows = append(out.Rows, ui.RowOutcome{Row: o.Row, Executed: o.Status == api.RowExecuted,
				Reason: o.Reason, At: o.At, By: o.By})
		}
		return out
	}
}

// RenderSigned is Render that prints the signature block on a submitted
// application: when the form is exactly the content that was signed (its
// SHA-256 is the submitted one), the signer kept in the cache goes beside
// the QR code. Any other form prints as Render does.
func RenderSigned(st *cache.Store) func(form.Form, bool) ([]byte, error) {
	return func(f form.Form, final bool) ([]byte, error) {
		if !final || f.ID == "" {
			return Render(f, final)
		}
		ds, err := st.SyncState(f.ID)
		if err != nil || ds.Signature == nil || ds.SHA256 == "" || ds.SHA256 != form.HashHex(f) {
			return Render(f, final)
		}
		s := ds.Signature
		opt := pdf.Options{Now: time.Now, Signature: &pdf.SignatureBlock{SignerName: s.SignerName, IIN: s.IIN,
			CertSerial: s.CertSerial, SignedAt: s.SignedAt}}
		return pdf.RenderFinal(f, opt, form.Options{OrderExists: form.CheckScan})
	}
}

// Submitter signs and submits for the signed-in account: sync first (the
// server must hold exactly the content signed), sign the canonical content
// with the SIGN key (a key file's, or through NCALayer:
// submit_ncalayer.go), submit, and keep the answer and the signer in the
// cache.
type Submitter struct {
	S       *cache.Store
	C       *client.Client
	Sync    func(ctx context.Context) error
	Account string
	// Now is the signing time's clock; nil: time.Now.
	Now func() time.Time
	// Orders sends the scanned orders after a submission (and keeps
	// trying each sync round).
	Orders *Orders
	// NCALayerURL is where SignNCALayer reaches NCALayer ("": its own
	// address, wss://127.0.0.1:13579; tests use a fake).
	NCALayerURL string
}

var _ ui.Submitter = (*Submitter)(nil)

// signKey is an opened SIGN key.
type signKey struct {
	c      *eds.Container
	signer eds.Signer
	facts  ui.SignKeyFacts
}

func (k *signKey) Facts() ui.SignKeyFacts { return k.facts }

func (k *signKey) Close() {
	if k != nil && k.c != nil {
		k.c.Wipe()
		k.c, k.signer = nil, nil
	}
}

// OpenSignKey reads the key file's signing key: among the keys with the
// SIGN usage (EKU 1.3.6.1.5.5.7.3.4), one valid now, else the newest.
// password is wiped.
func (s *Submitter) OpenSignKey(path string, password []byte) (ui.SignKey, error) {
	defer clear(password)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &submitError{key: "client.err.key_file", args: []any{"file", baseName(path)}, err: err}
	}
	c, err := eds.ReadPKCS12(data, password)
	if err != nil {
		return nil, wrapSubmit(err)
	}
	now := s.now()
	var best *eds.Key
	valid := func(k *eds.Key) bool { return !now.Before(k.Info.NotBefore) && !now.After(k.Info.NotAfter) }
	for _, k := range c.Keys {
		if k == nil || k.Cert == nil || !hasUsage(k.Info.KeyUsage, "SIGN") {
			continue
		}
		if best == nil || (valid(k) && !valid(best)) || (valid(k) == valid(best) && k.Info.NotAfter.After(best.Info.NotAfter)) {
			best = k
		}
	}
	if best == nil {
		c.Wipe()
		return nil, &submitError{key: "submit.err.no_sign_key", err: errors.New("no SIGN key in the container")}
	}
	signer, err := best.Signer()
	if err != nil {
		c.Wipe()
		return nil, wrapSubmit(err)
	}
	return &signKey{c: c, signer: signer, facts: signKeyFacts(best.Info)}, nil
}

// signKeyFacts is a signing certificate as the head sees it before it
// signs (or, with NCALayer, before its signature is sent).
func signKeyFacts(i eds.KeyInfo) ui.SignKeyFacts {
	return ui.SignKeyFacts{CommonName: i.CommonName, IIN: i.IIN, Organization: i.Organization, Issuer: i.Issuer,
		Serial: i.Serial, NotBefore: i.NotBefore, NotAfter: i.NotAfter}
}

func hasUsage(list, u string) bool {
	for _, x := range strings.Split(list, ",") {
		if strings.TrimSpace(x) == u {
			return true
		}
	}
	return false
}

func (s *Submitter) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Submit submits draft id with key: a key file's key signs it now; an
// NCALayer signature (SignNCALayer) goes as it was made, and only while the
// draft is still exactly what was signed.
func (s *Submitter) Submit(ctx context.Context, id string, key ui.SignKey) (ui.AppState, error) {
	switch k := key.(type) {
	case *signKey:
		if k != nil && k.signer != nil {
			return s.submitWith(ctx, id, k.signer)
		}
	case *ncaSignature:
		if k != nil && k.cms != nil {
			return s.submitSigned(ctx, id, k)
		}
	}
	return ui.AppState{}, errors.New("wire: the signing key is closed")
}

// submitWith signs the draft's canonical content with a key file's key and
// submits it.
func (s *Submitter) submitWith(ctx context.Context, id string, signer eds.Signer) (ui.AppState, error) {
	ds, err := s.ready(ctx, id)
	if err != nil {
		return ui.AppState{}, err
	}
	d, err := s.S.GetDraft(id)
	if err != nil {
		return ui.AppState{}, err
	}
	content := form.Canonical(d.Form)
	cms, err := signer.SignCMS(content, true, s.now())
	clear(content)
	if err != nil {
		return ui.AppState{}, wrapSubmit(err)
	}
	return s.send(ctx, id, ds.Version, cms)
}

// ready brings the server to exactly the draft's content (what is pending
// is sent first) and refuses a draft that cannot be submitted: in
// conflict, refused, submitted already, not on the server.
func (s *Submitter) ready(ctx context.Context, id string) (cache.DraftSync, error) {
	ds, err := s.S.SyncState(id)
	if err != nil {
		return ds, err
	}
	if ds.AppStatus != "" {
		return ds, &submitError{key: "submit.err.submitted", err: errors.New("submitted already")}
	}
	// The server must hold exactly what is signed: send what is pending.
	if ds.Status != cache.StatusSynced || ds.Version == 0 {
		if s.Sync != nil {
			if err := s.Sync(ctx); err != nil {
				return ds, wrapSubmit(err)
			}
		}
		if ds, err = s.S.SyncState(id); err != nil {
			return ds, err
		}
	}
	switch {
	case ds.Status == cache.StatusConflict:
		return ds, &submitError{key: "submit.err.conflict", err: errors.New("in conflict")}
	case ds.Status == cache.StatusRefused:
		return ds, &submitError{key: "submit.err.refused", args: []any{"reason", ds.Refused}, err: errors.New(ds.Refused)}
	case ds.AppStatus != "":
		return ds, &submitError{key: "submit.err.submitted", err: errors.New("submitted already")}
	case ds.Status != cache.StatusSynced || ds.Version == 0:
		return ds, &submitError{key: "submit.err.not_synced", err: errors.New("not synced")}
	}
	return ds, nil
}

// send submits cms, the signature of version's content, and keeps the
// answer and the signer in the cache.
func (s *Submitter) send(ctx context.Context, id string, version uint64, cms []byte) (ui.AppState, error) {
	res, err := s.C.SubmitDraft(ctx, id, version, cms)
	if err != nil {
		return ui.AppState{}, wrapSubmit(err)
	}
	app := res.Application
	sig := cache.Signature{SignerName: app.SignerName, IIN: app.SignerIIN, CertSerial: app.CertSerial, SignedAt: app.SignedAt}
	if err := s.S.RecordSubmitted(s.Account, client.RemoteOf(&res.Draft), sig); err != nil {
		return ui.AppState{}, err
	}
	// The orders follow at once; what fails here goes with the next sync
	// rounds (Orders.Send), so the submission itself stands.
	s.Orders.Submitted()
	_ = s.Orders.Send(ctx)
	return Application(s.S)(id), nil
}

// submitError explains a submission's failure in the user's language
// (Message, which wire.Message finds).
type submitError struct {
	key  string
	args []any
	err  error
}

func (e *submitError) Error() string { return "submit: " + e.err.Error() }
func (e *submitError) Unwrap() error { return e.err }

func (e *submitError) Message(l i18n.Lang) string {
	if e.key == "" {
		return client.UserMessage(e.err, l)
	}
	return i18n.TL(l, e.key, e.args...)
}

// wrapSubmit gives a client, server or key error its message for a
// submission: the server's codes that mean something else here than at
// sign-in get the submission's own words.
func wrapSubmit(err error) error {
	var ae *client.APIError
	var ee *eds.Error
	switch {
	case errors.As(err, &ae):
		switch ae.Code {
		case api.CodeSubmitted, api.CodeSignerNotHead, api.CodeInvalidForm, api.CodeWrongKeyUsage:
			return &submitError{key: "submit.err." + ae.Code, err: err}
		case api.CodeConflict:
			return &submitError{key: "submit.err.changed", err: err}
		}
	case errors.As(err, &ee) && ee.Code == eds.CodeWrongKeyUsage:
		return &submitError{key: "submit.err.wrong_key_usage", err: err}
	case client.IsOffline(err):
		return &submitError{key: "submit.err.offline", err: err}
	}
	return &submitError{err: err}
}

func baseName(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}
