// Package ocsphttp asks an OCSP responder over HTTP, for eds.Verifier. It is
// apart from eds so that the domain package does no networking.
package ocsphttp

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"golang.org/x/crypto/ocsp"

	"kense/eds"
)

// Checker implements eds.OCSPChecker with HTTP POST (RFC 6960 appendix A).
type Checker struct {
	URL     string        // the responder, e.g. http://test.pki.gov.kz/ocsp/ (the server configures it)
	Timeout time.Duration // per request; 0 means 5 s
	Client  *http.Client  // nil: a plain client
	// Now is the clock for freshness checks (nil: time.Now); the server
	// passes the same clock as its Verifier.
	Now func() time.Time
	// Hash names the certificate in the request; 0 means SHA-256, which is
	// what NCA's own test responses carry. crypto.SHA1 suits RFC 5019
	// lightweight responders.
	Hash crypto.Hash
	// MaxAge bounds the age of an answer without nextUpdate (NCA's have
	// none: it answers at the time of the request); 0 means DefaultMaxAge.
	MaxAge time.Duration
}

// DefaultMaxAge is how old an answer without nextUpdate may be.
const DefaultMaxAge = time.Hour

const maxResponse = 1 << 20

// Check asks the responder about cert. NCA's service fails now and then, so
// an error here is normal: eds.Verifier then falls back to CRLs.
func (c *Checker) Check(cert, issuer *x509.Certificate) (string, error) {
	h := c.Hash
	if h == 0 {
		h = crypto.SHA256
	}
	req, err := ocsp.CreateRequest(cert, issuer, &ocsp.RequestOptions{Hash: h})
	if err != nil {
		return "", err
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, bytes.NewReader(req))
	if err != nil {
		return "", err
	}
	hr.Header.Set("Content-Type", "application/ocsp-request")
	hr.Header.Set("Accept", "application/ocsp-response")
	client := c.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(hr)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("OCSP responder answered HTTP %d", resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return "", err
	}
	return c.Status(body, cert, issuer)
}

// Status reads a DER OCSP response about cert, checking its signature by
// issuer (or a responder certificate issuer delegated) and its freshness.
// This is the one place of Kense's OCSP rule: the server's and kensectl's
// checks both come here. RSA and ECDSA signatures are checked by
// x/crypto/ocsp, GOST ones (NCA's GOST responder) by eds/gost (gost.go).
func (c *Checker) Status(der []byte, cert, issuer *x509.Certificate) (string, error) {
	now := time.Now()
	if c.Now != nil {
		now = c.Now()
	}
	var r *ocsp.Response
	var err error
	if gostSigned(der) {
		r, err = parseGOST(der, cert, issuer, now)
	} else {
		r, err = ocsp.ParseResponseForCert(der, cert, issuer)
	}
	if err != nil {
		var re ocsp.ResponseError
		if errors.As(err, &re) {
			return "", fmt.Errorf("OCSP responder: %s", re.Status.String())
		}
		return "", err
	}
	// A little skew is allowed: responders' clocks are not ours.
	const skew = 5 * time.Minute
	if !r.NextUpdate.IsZero() && now.After(r.NextUpdate.Add(skew)) {
		return "", fmt.Errorf("OCSP response is stale (next update %s)", r.NextUpdate.UTC().Format(time.RFC3339))
	}
	// NCA's answers carry no nextUpdate: without a bound, an old signed
	// "good" could be replayed (the service is plain HTTP) for ever.
	maxAge := c.MaxAge
	if maxAge <= 0 {
		maxAge = DefaultMaxAge
	}
	if r.NextUpdate.IsZero() && now.After(r.ThisUpdate.Add(maxAge+skew)) {
		return "", fmt.Errorf("OCSP response is stale (this update %s, no next update)", r.ThisUpdate.UTC().Format(time.RFC3339))
	}
	if now.Before(r.ThisUpdate.Add(-skew)) {
		return "", fmt.Errorf("OCSP response is from the future (%s)", r.ThisUpdate.UTC().Format(time.RFC3339))
	}
	switch r.Status {
	case ocsp.Good:
		return eds.StatusGood, nil
	case ocsp.Revoked:
		if now.Before(r.RevokedAt) {
			return eds.StatusGood, nil
		}
		return eds.StatusRevoked, nil
	}
	return eds.StatusUnknown, nil
}
