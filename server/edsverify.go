package server

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"kense/api"
	"kense/eds"
)

// EDSVerifier is the SignatureVerifier of package eds.
type EDSVerifier struct{ V *eds.Verifier }

// VerifyCMS verifies with eds and maps its errors to API codes (they share
// the code names).
func (e EDSVerifier) VerifyCMS(cms, data []byte, requireEKU string) (*Verified, error) {
	r, err := e.V.VerifyCMS(cms, data, requireEKU)
	if err != nil {
		var ee *eds.Error
		if errors.As(err, &ee) {
			return nil, &CheckError{Code: ee.Code, Detail: ee.Detail}
		}
		// Anything else came from reading the client's bytes.
		return nil, &CheckError{Code: api.CodeBadCMS, Detail: err.Error()}
	}
	return &Verified{
		Cert: r.Cert, IIN: r.Signer.IIN, BIN: r.Signer.BIN, CommonName: r.Signer.CommonName,
		Serial: r.Signer.Serial, Issuer: r.Signer.Issuer, NotBefore: r.Signer.NotBefore, NotAfter: r.Signer.NotAfter,
		SigningTime: r.SigningTime, Revocation: r.Revocation,
	}, nil
}

// NewEDSVerifier loads the trust configuration (certificate files, CRL
// files or URLs) into an eds.Verifier whose clock is now.
func NewEDSVerifier(ctx context.Context, t TrustConfig, now func() time.Time, client *http.Client) (*eds.Verifier, error) {
	policy, err := CheckRevocationPolicy(t.Revocation)
	if err != nil {
		return nil, err
	}
	if len(t.Anchors) == 0 {
		return nil, errors.New("no trust anchors: give -trust FILE (or a config file with trust.anchors)")
	}
	anchors, err := LoadCertificates(t.Anchors)
	if err != nil {
		return nil, err
	}
	inter, err := LoadCertificates(t.Intermediates)
	if err != nil {
		return nil, err
	}
	crls, err := LoadCRLs(ctx, t.CRLs, client)
	if err != nil {
		return nil, err
	}
	v := &eds.Verifier{Anchors: anchors, Intermediates: inter, CRLs: crls, Policy: eds.RevocationPolicy(policy), Now: now}
	if t.OCSP != "" {
		v.OCSP = &OCSPClient{URL: t.OCSP, Client: client, Now: now}
	}
	return v, nil
}

// ReloadingVerifier is an eds.Verifier whose CRLs can be replaced while the
// server runs: NCA publishes CRLs daily, and a stale CRL under the
// "require" policy would refuse every sign-in.
type ReloadingVerifier struct {
	p    atomic.Pointer[eds.Verifier]
	srcs []string
	hc   *http.Client
}

// NewReloadingVerifier wraps v; srcs are the CRL files or URLs to reload.
func NewReloadingVerifier(v *eds.Verifier, srcs []string, client *http.Client) *ReloadingVerifier {
	r := &ReloadingVerifier{srcs: srcs, hc: client}
	r.p.Store(v)
	return r
}

// Current is the verifier in use.
func (r *ReloadingVerifier) Current() *eds.Verifier { return r.p.Load() }

// VerifyCMS verifies with the current verifier.
func (r *ReloadingVerifier) VerifyCMS(cms, data []byte, requireEKU string) (*Verified, error) {
	return EDSVerifier{r.p.Load()}.VerifyCMS(cms, data, requireEKU)
}

// ReloadCRLs reads every CRL source again. On any error the CRLs in use are
// kept (a failed download must not drop revocation data).
func (r *ReloadingVerifier) ReloadCRLs(ctx context.Context) error {
	if len(r.srcs) == 0 {
		return nil
	}
	crls, err := LoadCRLs(ctx, r.srcs, r.hc)
	if err != nil {
		return err
	}
	v := *r.p.Load()
	v.CRLs = crls
	r.p.Store(&v)
	return nil
}

// RunCRLReload reloads the CRLs every interval until ctx ends, logging
// failures.
func (r *ReloadingVerifier) RunCRLReload(ctx context.Context, every time.Duration, log *slog.Logger) {
	if len(r.srcs) == 0 || every <= 0 {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := r.ReloadCRLs(ctx); err != nil {
				log.Warn("CRL reload failed; keeping the CRLs in use", "err", err)
			} else {
				log.Info("CRLs reloaded", "count", len(r.srcs))
			}
		}
	}
}
