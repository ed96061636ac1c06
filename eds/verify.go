package eds

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"sync"
	"time"
)

// RevocationPolicy says what to do when revocation cannot be established.
type RevocationPolicy string

const (
	// RevocationRequire: OCSP or CRL must say "good"; unknown is refused.
	RevocationRequire RevocationPolicy = "require"
	// RevocationPrefer: ask OCSP, fall back to CRLs; unknown is accepted and reported.
	RevocationPrefer RevocationPolicy = "prefer"
	// RevocationOff: no revocation check.
	RevocationOff RevocationPolicy = "off"
)

// Revocation statuses as Result.Revocation reports them.
const (
	StatusGood    = "good"
	StatusRevoked = "revoked"
	StatusUnknown = "unknown"
	StatusOff     = "off"
)

// OCSPChecker asks an OCSP responder about cert. It returns StatusGood,
// StatusRevoked or StatusUnknown; an error means no usable answer.
type OCSPChecker interface {
	Check(cert, issuer *x509.Certificate) (string, error)
}

// Verifier checks signatures and certificates against configured trust.
// Set its fields once; after that it is safe for concurrent use.
type Verifier struct {
	Anchors       []*x509.Certificate // trust anchors (NCA's intermediates are fine)
	Intermediates []*x509.Certificate
	CRLs          []*x509.RevocationList
	OCSP          OCSPChecker // nil: no OCSP
	Policy        RevocationPolicy
	Now           func() time.Time // nil: time.Now
}

// Result is a successful verification.
type Result struct {
	Signer      KeyInfo
	Cert        *x509.Certificate
	Chain       []*x509.Certificate // leaf first, anchor last
	SigningTime time.Time           // from the signed attributes; zero when absent
	Revocation  string              // good, revoked, unknown, off
	Source      string              // ocsp, crl or "" when none answered
	// RevocationDetail tells why the status is unknown (for logs).
	RevocationDetail string
}

func (v *Verifier) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
}

// VerifyCMS checks a CMS signature over data (nil: the attached content),
// then the signer's certificate with VerifyCert. Every signer must verify;
// the result describes the first one.
func (v *Verifier) VerifyCMS(cms, data []byte, requireEKU string) (*Result, error) {
	sd, err := ParseCMS(cms)
	if err != nil {
		return nil, err
	}
	switch {
	case data == nil && sd.Content == nil:
		return nil, badCMS("detached signature and no data given")
	case data == nil:
		data = sd.Content
	case sd.Content != nil && !bytes.Equal(sd.Content, data):
		return nil, newErr(CodeBadSignature, "the signed content differs from the data")
	}
	var first *Result
	for i := range sd.Signers {
		si := &sd.Signers[i]
		if si.Cert == nil {
			return nil, badCMS("the signer's certificate is not in the CMS")
		}
		if err := si.checkSignature(si.Cert, data); err != nil {
			return nil, err
		}
		r, err := v.verifyCert(si.Cert, sd.Certificates, requireEKU)
		if err != nil {
			return nil, err
		}
		r.SigningTime = si.SigningTime
		if first == nil {
			first = r
		}
	}
	return first, nil
}

// VerifyCert checks the chain to an anchor, validity at Now, the required
// extended key usage ("" for any) and revocation per Policy.
func (v *Verifier) VerifyCert(cert *x509.Certificate, requireEKU string) (*Result, error) {
	return v.verifyCert(cert, nil, requireEKU)
}

func (v *Verifier) verifyCert(cert *x509.Certificate, extra []*x509.Certificate, requireEKU string) (*Result, error) {
	now := v.now()
	chain, err := v.chain(cert, extra, now)
	if err != nil {
		return nil, err
	}
	if requireEKU != "" && !hasEKU(cert, requireEKU) {
		e := &Error{Code: CodeWrongKeyUsage, Detail: "certificate lacks extended key usage " + requireEKU}
		switch requireEKU {
		case EKUAuth:
			e.Want = "AUTH"
		case EKUSign:
			e.Want = "SIGN"
		}
		return nil, e
	}
	r := &Result{Signer: Facts(cert), Cert: cert, Chain: chain}
	issuer := chain[0]
	if len(chain) > 1 {
		issuer = chain[1]
	}
	if err := v.revocation(r, cert, issuer, now); err != nil {
		return nil, err
	}
	return r, nil
}

func (v *Verifier) chain(cert *x509.Certificate, extra []*x509.Certificate, now time.Time) ([]*x509.Certificate, error) {
	if g := gostAlgorithm(spkiOID(cert)); g != "" {
		return gostChain(v, cert, extra, now)
	}
	roots := x509.NewCertPool()
	for _, a := range v.Anchors {
		roots.AddCert(a)
	}
	inter := x509.NewCertPool()
	for _, c := range v.Intermediates {
		inter.AddCert(c)
	}
	for _, c := range extra {
		inter.AddCert(c)
	}
	opts := x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: now, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}
	chains, err := cert.Verify(opts)
	if err == nil {
		return chains[0], nil
	}
	var inv x509.CertificateInvalidError
	if errors.As(err, &inv) && inv.Reason == x509.Expired {
		// Say "untrusted" rather than "expired" for a certificate that would
		// not be trusted at any time: check at the middle of its life.
		mid := cert.NotBefore.Add(cert.NotAfter.Sub(cert.NotBefore) / 2)
		opts.CurrentTime = mid
		if _, err2 := cert.Verify(opts); err2 != nil && !errors.As(err2, &inv) {
			return nil, newErr(CodeUntrusted, err2.Error())
		}
		who := "the certificate"
		if inv.Cert != nil && !bytes.Equal(inv.Cert.Raw, cert.Raw) {
			who = "issuing CA " + inv.Cert.Subject.CommonName
		}
		if now.Before(cert.NotBefore) {
			return nil, newErr(CodeNotYetValid, fmt.Sprintf("valid from %s", cert.NotBefore.UTC().Format(time.RFC3339)))
		}
		if inv.Cert != nil && now.Before(inv.Cert.NotBefore) {
			return nil, newErr(CodeNotYetValid, who+" is not valid yet")
		}
		return nil, newErr(CodeExpired, fmt.Sprintf("%s expired %s", who, expiry(inv.Cert, cert).UTC().Format(time.RFC3339)))
	}
	var ua x509.UnknownAuthorityError
	if errors.As(err, &ua) {
		return nil, newErr(CodeUntrusted, "no chain to a configured trust anchor")
	}
	if errors.Is(err, x509.ErrUnsupportedAlgorithm) {
		return nil, newErr(CodeUnsupportedAlgorithm, err.Error())
	}
	return nil, newErr(CodeUntrusted, err.Error())
}

func expiry(c, leaf *x509.Certificate) time.Time {
	if c != nil {
		return c.NotAfter
	}
	return leaf.NotAfter
}

func spkiOID(c *x509.Certificate) []int {
	oid, _ := spkiAlgorithm(c.RawSubjectPublicKeyInfo)
	return oid
}

// revocation fills r.Revocation and r.Source per policy.
func (v *Verifier) revocation(r *Result, cert, issuer *x509.Certificate, now time.Time) error {
	policy := v.Policy
	if policy == "" {
		policy = RevocationPrefer
	}
	if policy == RevocationOff {
		r.Revocation = StatusOff
		return nil
	}
	status, source, why := StatusUnknown, "", []string{}
	if v.OCSP != nil {
		s, err := v.OCSP.Check(cert, issuer)
		switch {
		case err != nil:
			why = append(why, "OCSP: "+err.Error())
		case s == StatusGood || s == StatusRevoked:
			status, source = s, "ocsp"
		default:
			why = append(why, "OCSP: status "+s)
		}
	}
	if status == StatusUnknown {
		s, err := v.checkCRLs(cert, issuer, now)
		if err != nil {
			why = append(why, "CRL: "+err.Error())
		} else {
			status, source = s, "crl"
		}
	}
	r.Revocation, r.Source = status, source
	r.RevocationDetail = fmt.Sprint(why)
	switch {
	case status == StatusRevoked:
		return newErr(CodeRevoked, fmt.Sprintf("serial %s, per %s", r.Signer.Serial, source))
	case status == StatusUnknown && policy == RevocationRequire:
		return newErr(CodeRevocationUnknown, r.RevocationDetail)
	case status == StatusUnknown && policy != RevocationPrefer:
		return newErr(CodeRevocationUnknown, "unknown revocation policy "+string(policy))
	}
	return nil
}

var errNoCRL = errors.New("no CRL from the certificate's issuer covers this time")

// checkCRLs looks for cert in a CRL of its issuer whose signature checks. A
// CRL speaks for times up to its NextUpdate; a listing counts from its
// revocation time, so a certificate revoked later was good before.
func (v *Verifier) checkCRLs(cert, issuer *x509.Certificate, now time.Time) (string, error) {
	var lastErr error = errNoCRL
	for _, l := range v.CRLs {
		if !bytes.Equal(l.RawIssuer, cert.RawIssuer) {
			continue
		}
		if err := crlSignatureOK(l, issuer); err != nil {
			lastErr = fmt.Errorf("CRL signature: %w", err)
			continue
		}
		for _, e := range l.RevokedCertificateEntries {
			if e.SerialNumber != nil && e.SerialNumber.Cmp(cert.SerialNumber) == 0 && !now.Before(e.RevocationTime) {
				return StatusRevoked, nil
			}
		}
		if !l.NextUpdate.IsZero() && now.After(l.NextUpdate) {
			lastErr = fmt.Errorf("CRL expired at %s", l.NextUpdate.UTC().Format(time.RFC3339))
			continue
		}
		return StatusGood, nil
	}
	return "", lastErr
}

// A server checks the same few CRLs on every sign-in: remember which
// (CRL, issuer) signatures were good. Bounded: cleared when it grows past
// crlCacheMax, so reloading CRLs forever does not leak.
const crlCacheMax = 256

var (
	crlCacheMu sync.Mutex
	crlCache   = map[[2][32]byte]bool{}
)

func crlSignatureOK(l *x509.RevocationList, issuer *x509.Certificate) error {
	key := [2][32]byte{sha256.Sum256(l.Raw), sha256.Sum256(issuer.Raw)}
	crlCacheMu.Lock()
	ok := crlCache[key]
	crlCacheMu.Unlock()
	if ok {
		return nil
	}
	if err := checkCRLSignature(l, issuer); err != nil {
		return err
	}
	crlCacheMu.Lock()
	if len(crlCache) >= crlCacheMax {
		clear(crlCache)
	}
	crlCache[key] = true
	crlCacheMu.Unlock()
	return nil
}
