package server

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

// OCSPClient asks an OCSP responder (RFC 6960, HTTP POST) about a
// certificate; it implements eds.OCSPChecker. A response must be signed by
// the issuer or a responder it delegated, and be current at Now.
type OCSPClient struct {
	URL     string
	Client  *http.Client     // nil: 10 s timeout
	Now     func() time.Time // nil: time.Now
	Timeout time.Duration
}

// Check returns eds.StatusGood, StatusRevoked or StatusUnknown.
func (o *OCSPClient) Check(cert, issuer *x509.Certificate) (string, error) {
	req, err := ocsp.CreateRequest(cert, issuer, &ocsp.RequestOptions{Hash: crypto.SHA1})
	if err != nil {
		return "", err
	}
	to := o.Timeout
	if to <= 0 {
		to = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), to)
	defer cancel()
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, o.URL, bytes.NewReader(req))
	if err != nil {
		return "", err
	}
	hr.Header.Set("Content-Type", "application/ocsp-request")
	client := o.Client
	if client == nil {
		client = &http.Client{}
	}
	resp, err := client.Do(hr)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("OCSP responder: HTTP %s", resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", err
	}
	r, err := ocsp.ParseResponseForCert(body, cert, issuer)
	if err != nil {
		return "", fmt.Errorf("OCSP response: %w", err)
	}
	now := time.Now()
	if o.Now != nil {
		now = o.Now()
	}
	// A little skew is allowed: responders' clocks are not ours.
	const skew = 5 * time.Minute
	if r.ThisUpdate.After(now.Add(skew)) {
		return "", errors.New("OCSP response from the future")
	}
	if !r.NextUpdate.IsZero() && now.After(r.NextUpdate.Add(skew)) {
		return "", errors.New("OCSP response is stale")
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
