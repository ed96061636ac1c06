package wire

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	"kense/cache"
	"kense/client"
	"kense/eds"
	"kense/eds/ncalayer"
	"kense/form"
	"kense/ui"
)

// Signing an application through NCALayer, for a head whose SIGN key only
// NCALayer can use (a token, an ID card). NCALayer lets the user choose
// the key in its own window, so whose certificate signs is known only from
// the signature it returns: SignNCALayer signs at once and hands back that
// signature with its certificate's facts; Submit sends it unchanged once
// the head has seen them.

// ncaSignature is the CMS NCALayer made over a draft's canonical content,
// waiting for the head to confirm its signer. version and hash name the
// content it signs.
type ncaSignature struct {
	cms     []byte
	version uint64
	hash    [32]byte
	facts   ui.SignKeyFacts
}

func (k *ncaSignature) Facts() ui.SignKeyFacts { return k.facts }

// Close forgets the signature.
func (k *ncaSignature) Close() {
	if k != nil {
		clear(k.cms)
		k.cms = nil
	}
}

// SignNCALayer brings the server to the draft's content and refuses what
// Submit would refuse (conflict, refused, submitted, not synced), then asks
// NCALayer for a detached CMS over the canonical content with a SIGN key.
// The CMS must verify over that content with a certificate that has the
// SIGN usage and is valid now; its facts are the returned key's. Cancel in
// NCALayer (or ctx canceled) gives an error that errors.Is
// ui.ErrSignCanceled.
func (s *Submitter) SignNCALayer(ctx context.Context, id string) (ui.SignKey, error) {
	ds, err := s.ready(ctx, id)
	if err != nil {
		return nil, err
	}
	d, err := s.S.GetDraft(id)
	if err != nil {
		return nil, err
	}
	content := form.Canonical(d.Form)
	defer clear(content)
	// Locale "": the app's language (i18n.Current) for NCALayer's window.
	n := &ncalayer.Client{URL: s.NCALayerURL, Purpose: eds.EKUSign}
	cms, err := n.SignCMSContext(ctx, content, true)
	switch {
	case err == nil:
	case client.IsCanceled(err) || ctx.Err() != nil:
		return nil, fmt.Errorf("%w (%w)", ui.ErrSignCanceled, err)
	case errors.Is(err, eds.ErrNCALayerNotRunning):
		return nil, &submitError{key: "submit.err.ncalayer_not_running", err: err}
	default:
		return nil, wrapSubmit(err)
	}
	info, err := checkSignCMS(cms, content, s.now())
	if err != nil {
		var ee *eds.Error
		if errors.As(err, &ee) && ee.Code == eds.CodeWrongKeyUsage {
			return nil, &submitError{key: "submit.err.ncalayer_wrong_key", err: err}
		}
		return nil, wrapSubmit(err)
	}
	return &ncaSignature{cms: cms, version: ds.Version, hash: form.Hash(d.Form), facts: signKeyFacts(info)}, nil
}

// checkSignCMS checks a signature NCALayer returned: it verifies over
// content, and its signer's certificate has the SIGN usage and is valid at
// now. Whether NCA issued that certificate, and whether it is revoked, is
// the server's to check (it has the trust anchors): here the certificate
// is taken as its own anchor, as session's offline unlock does.
func checkSignCMS(cms, content []byte, now time.Time) (eds.KeyInfo, error) {
	sd, err := eds.ParseCMS(cms)
	if err != nil {
		return eds.KeyInfo{}, err
	}
	if len(sd.Signers) == 0 || sd.Signers[0].Cert == nil {
		return eds.KeyInfo{}, &eds.Error{Code: eds.CodeBadCMS, Detail: "no signer certificate in NCALayer's CMS"}
	}
	v := eds.Verifier{Anchors: []*x509.Certificate{sd.Signers[0].Cert}, Policy: eds.RevocationOff,
		Now: func() time.Time { return now }}
	r, err := v.VerifyCMS(cms, content, eds.EKUSign)
	if err != nil {
		return eds.KeyInfo{}, err
	}
	return r.Signer, nil
}

// submitSigned sends an NCALayer signature, refusing when the draft is no
// longer exactly the content it signs (edited, synced to another version,
// in conflict) or was submitted meanwhile.
func (s *Submitter) submitSigned(ctx context.Context, id string, k *ncaSignature) (ui.AppState, error) {
	ds, err := s.S.SyncState(id)
	if err != nil {
		return ui.AppState{}, err
	}
	if ds.AppStatus != "" {
		return ui.AppState{}, &submitError{key: "submit.err.submitted", err: errors.New("submitted already")}
	}
	d, err := s.S.GetDraft(id)
	if err != nil {
		return ui.AppState{}, err
	}
	if ds.Status != cache.StatusSynced || ds.Version != k.version || form.Hash(d.Form) != k.hash {
		return ui.AppState{}, &submitError{key: "submit.err.resign", err: errors.New("the draft changed after it was signed")}
	}
	return s.send(ctx, id, k.version, k.cms)
}
