package server

import (
	"crypto/x509"
	"errors"
	"time"
)

// EKUAuth is the extended key usage of an NCA authentication (AUTH) key.
const EKUAuth = "1.3.6.1.5.5.7.3.2"

// Verified is what a SignatureVerifier learned about a valid signature.
type Verified struct {
	Cert        *x509.Certificate
	IIN         string // from SERIALNUMBER=IIN…
	BIN         string // from OU=BIN…, organisation keys only
	CommonName  string
	Serial      string // hex, upper case
	Issuer      string
	NotBefore   time.Time
	NotAfter    time.Time
	SigningTime time.Time
	// Revocation says how revocation was checked ("ocsp", "crl", "off", …).
	Revocation string
}

// SignatureVerifier checks a CMS signature over data: the signature itself,
// the chain to a trust anchor, validity at the verifier's "now", the
// required EKU and revocation, in that order. A refusal is a *CheckError
// whose Code is one of the api.Code* values (bad_signature, untrusted,
// expired, not_yet_valid, wrong_key_usage, revoked, revocation_unknown,
// unsupported_algorithm, bad_cms).
type SignatureVerifier interface {
	VerifyCMS(cms, data []byte, requireEKU string) (*Verified, error)
}

// CheckError is a refusal with an API error code.
type CheckError struct {
	Code   string
	Detail string // English, for logs and the API message; no secrets
}

func (e *CheckError) Error() string {
	if e.Detail == "" {
		return e.Code
	}
	return e.Code + ": " + e.Detail
}

// codeOf returns the API code of err, or "" when it carries none.
func codeOf(err error) string {
	var ce *CheckError
	if errors.As(err, &ce) {
		return ce.Code
	}
	return ""
}
