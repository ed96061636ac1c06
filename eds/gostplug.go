package eds

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"hash"
	"sync"
	"time"

	"kense/eds/gost"
)

// GOST keys (issue 7) go through eds/gost at four points: gostSigner
// (Key.Signer), gostVerify (SignerInfo.checkSignature), gostChain
// (Verifier.chain) and checkCRLSignature (CRLs). crypto/x509 cannot check
// GOST signatures, so GOST chains are built here by hand.

// gostSigner returns a Signer for a GOST key of a container. The private
// key is parsed from the kept PKCS#8 on every signature and dropped after
// it, so Container.Wipe really ends the key's life; here it is parsed once
// to check that it belongs to the certificate.
func gostSigner(k *Key) (Signer, error) {
	priv, err := k.gostPrivate()
	if err != nil {
		return nil, err
	}
	defer wipeScalar(priv)
	digOID, sigOID, err := gost.AlgorithmOIDs(&priv.PublicKey)
	if err != nil {
		return nil, &Error{Code: CodeUnsupportedAlgorithm, Detail: k.Info.Algorithm}
	}
	return &gostKeySigner{k: k, digOID: digOID, sigOID: sigOID}, nil
}

// gostPrivate parses the key and checks it against the certificate: a
// scalar read in the wrong byte order would give another public key.
func (k *Key) gostPrivate() (*gost.PrivateKey, error) {
	if k.gostPKCS8 == nil || k.Cert == nil {
		return nil, newErr(CodeBadContainer, "key has been wiped")
	}
	priv, err := gost.ParseNCAPrivateKey(k.gostPKCS8)
	if err != nil {
		if errors.Is(err, gost.ErrUnsupported) {
			return nil, &Error{Code: CodeUnsupportedAlgorithm, Detail: k.Info.Algorithm}
		}
		return nil, newErr(CodeBadContainer, "GOST private key: "+err.Error())
	}
	pub, err := gost.PublicKeyOf(k.Cert)
	if err != nil {
		return nil, newErr(CodeBadContainer, "GOST certificate key: "+err.Error())
	}
	if pub.Curve != priv.Curve || pub.X.Cmp(priv.X) != 0 || pub.Y.Cmp(priv.Y) != 0 {
		return nil, newErr(CodeBadContainer, "the GOST private key does not match its certificate")
	}
	return priv, nil
}

// wipeScalar clears the private scalar's words in place (Bits shares
// them). Copies that math/big made on the way are beyond reach.
func wipeScalar(priv *gost.PrivateKey) {
	if priv != nil && priv.D != nil {
		clear(priv.D.Bits())
	}
}

type gostKeySigner struct {
	k              *Key
	digOID, sigOID asn1.ObjectIdentifier
}

func (s *gostKeySigner) Certificate() *x509.Certificate { return s.k.Cert }

// SignCMS makes SignedData as Kalkan/NCALayer do with GOST keys: NCA's
// digest and signature OIDs with NULL parameters, messageDigest = the GOST
// hash of the data as the hash outputs it, signature = SignNCA over the DER
// SET of the signed attributes.
func (s *gostKeySigner) SignCMS(data []byte, detached bool, signingTime time.Time) ([]byte, error) {
	priv, err := s.k.gostPrivate()
	if err != nil {
		return nil, err
	}
	defer wipeScalar(priv)
	newHash := func() hash.Hash {
		h, _ := gost.NewHash(s.digOID) // digOID comes from AlgorithmOIDs: always known
		return h
	}
	null := asn1.NullRawValue
	return buildSignedData(s.k.Cert, s.k.Chain, data, detached, signingTime,
		pkix.AlgorithmIdentifier{Algorithm: s.digOID, Parameters: null},
		pkix.AlgorithmIdentifier{Algorithm: s.sigOID, Parameters: null},
		newHash, func(set []byte) ([]byte, error) { return gost.SignNCA(rand.Reader, priv, set) })
}

func isGOSTCert(cert *x509.Certificate) bool {
	return cert != nil && gostAlgorithm(spkiOID(cert)) != ""
}

// gostVerify checks a signature whose digest or key is not one crypto/x509
// handles: GOST, or something unsupported.
func gostVerify(si *SignerInfo, cert *x509.Certificate, data []byte) (err error) {
	defer func() {
		if r := recover(); r != nil { // outside data: never a crash
			err = badCMS("internal error: %v", r)
		}
	}()
	if !isGOSTCert(cert) {
		alg := certAlgorithm(cert)
		if alg == "" {
			alg = si.SignatureAlgorithm.String()
		}
		return &Error{Code: CodeUnsupportedAlgorithm, Detail: alg}
	}
	pub, err := gost.PublicKeyOf(cert)
	if err != nil {
		if errors.Is(err, gost.ErrUnsupported) {
			return &Error{Code: CodeUnsupportedAlgorithm, Detail: certAlgorithm(cert)}
		}
		return badCMS("the signer's GOST public key: %v", err)
	}
	wantDig, wantSig, err := gost.AlgorithmOIDs(pub)
	if err != nil {
		return &Error{Code: CodeUnsupportedAlgorithm, Detail: certAlgorithm(cert)}
	}
	// The digest must be the hash the key signs with (VerifyNCA uses it).
	h, err := gost.NewHash(si.DigestAlgorithm)
	if err != nil || !si.DigestAlgorithm.Equal(wantDig) && !(si.DigestAlgorithm.Equal(gost.OIDTC26Digest512) && pub.Curve.Size() == gost.Size512) {
		return &Error{Code: CodeUnsupportedAlgorithm, Detail: fmt.Sprintf("%s key with digest %v", certAlgorithm(cert), si.DigestAlgorithm)}
	}
	// Signers name the signature or, like rsaEncryption, the key algorithm.
	if sa := si.SignatureAlgorithm; !sa.Equal(wantSig) && !sa.Equal(spkiOID(cert)) &&
		!(sa.Equal(gost.OIDTC26Signature512) && pub.Curve.Size() == gost.Size512) {
		return &Error{Code: CodeUnsupportedAlgorithm, Detail: fmt.Sprintf("%s key with signature algorithm %v", certAlgorithm(cert), sa)}
	}
	signed := data
	if si.SignedAttrs != nil {
		h.Write(data)
		if !bytes.Equal(si.MessageDigest, h.Sum(nil)) {
			return newErr(CodeBadSignature, "message digest does not match the data")
		}
		if si.ContentType == nil {
			return newErr(CodeBadSignature, "signed attributes without content type")
		}
		signed = si.SignedAttrs
	}
	if err := gost.VerifyNCA(pub, signed, si.Signature); err != nil {
		return newErr(CodeBadSignature, "GOST signature does not verify: "+err.Error())
	}
	return nil
}

// Bounds for hand-built GOST chains: NCA's are two or three long, and a
// CMS may carry certificates made to send the search round in circles. A
// GOST signature check costs milliseconds, so the budget is small (Go's
// x509 allows 100 of its much cheaper RSA checks).
const (
	maxChainLen             = 8
	maxChainSignatureChecks = 16
)

// gostChain builds the chain of a GOST certificate to an anchor by hand:
// issuer name = subject name, the issuer's GOST signature on the
// certificate, issuers are CAs allowed to sign certificates (basic
// constraints, key usage, path length). It returns the first chain valid
// at now; when the chains found all have a certificate out of its
// validity, it says which, with the codes chain() uses. Not checked (as
// NCA's certificates do not use them): name constraints and policy
// constraints.
func gostChain(v *Verifier, cert *x509.Certificate, extra []*x509.Certificate, now time.Time) (chain []*x509.Certificate, err error) {
	defer func() {
		if r := recover(); r != nil {
			chain, err = nil, newErr(CodeUntrusted, fmt.Sprintf("internal error: %v", r))
		}
	}()
	if len(cert.UnhandledCriticalExtensions) > 0 {
		return nil, newErr(CodeUntrusted, "the certificate has an unhandled critical extension")
	}
	pool := append(append([]*x509.Certificate(nil), v.Intermediates...), extra...)
	var found, outOfTime []*x509.Certificate
	var lastErr error
	checks := 0
	var walk func(path []*x509.Certificate)
	complete := func(path []*x509.Certificate) {
		if outOfValidity(path, now) == nil {
			found = path
		} else if outOfTime == nil {
			outOfTime = path
		}
	}
	walk = func(path []*x509.Certificate) {
		cur := path[len(path)-1]
		if isAnchor(v.Anchors, cur) {
			complete(path)
			return
		}
		if len(path) >= maxChainLen {
			return
		}
		try := func(c *x509.Certificate, anchor bool) {
			if found != nil || !bytes.Equal(c.RawSubject, cur.RawIssuer) || onPath(path, c) {
				return
			}
			if err := canIssue(c, len(path)-1); err != nil {
				lastErr = err
				return
			}
			if checks >= maxChainSignatureChecks {
				lastErr = errors.New("too many candidate issuers")
				return
			}
			checks++
			if err := gostCertSignatureOK(cur, c); err != nil {
				lastErr = fmt.Errorf("%s: %w", c.Subject.CommonName, err)
				return
			}
			next := append(append([]*x509.Certificate(nil), path...), c)
			if anchor {
				complete(next)
				return
			}
			walk(next)
		}
		for _, a := range v.Anchors {
			try(a, true)
		}
		for _, c := range pool {
			try(c, false)
		}
	}
	walk([]*x509.Certificate{cert})
	switch {
	case found != nil:
		return found, nil
	case outOfTime != nil:
		return nil, validityError(cert, outOfValidity(outOfTime, now), now)
	case lastErr != nil:
		return nil, newErr(CodeUntrusted, "no chain to a configured trust anchor: "+lastErr.Error())
	}
	return nil, newErr(CodeUntrusted, "no chain to a configured trust anchor")
}

// A GOST signature check costs milliseconds (two of them per sign-in) and a
// server sees the same certificates every day: remember the (certificate,
// issuer) pairs whose signature was good, bounded like crlCache.
var (
	gostCertCacheMu sync.Mutex
	gostCertCache   = map[[2][32]byte]bool{}
)

func gostCertSignatureOK(cert, issuer *x509.Certificate) error {
	key := [2][32]byte{sha256.Sum256(cert.Raw), sha256.Sum256(issuer.Raw)}
	gostCertCacheMu.Lock()
	ok := gostCertCache[key]
	gostCertCacheMu.Unlock()
	if ok {
		return nil
	}
	if err := gost.CheckCertSignature(cert, issuer); err != nil {
		return err
	}
	gostCertCacheMu.Lock()
	if len(gostCertCache) >= crlCacheMax {
		clear(gostCertCache)
	}
	gostCertCache[key] = true
	gostCertCacheMu.Unlock()
	return nil
}

func isAnchor(anchors []*x509.Certificate, c *x509.Certificate) bool {
	for _, a := range anchors {
		if bytes.Equal(a.Raw, c.Raw) {
			return true
		}
	}
	return false
}

func onPath(path []*x509.Certificate, c *x509.Certificate) bool {
	for _, p := range path {
		if bytes.Equal(p.Raw, c.Raw) {
			return true
		}
	}
	return false
}

// canIssue says whether c may sign certificates with below CAs under it,
// as crypto/x509 checks it for RSA chains.
func canIssue(c *x509.Certificate, below int) error {
	switch {
	case !c.BasicConstraintsValid || !c.IsCA:
		return fmt.Errorf("%s is not a CA", c.Subject.CommonName)
	case c.KeyUsage != 0 && c.KeyUsage&x509.KeyUsageCertSign == 0:
		return fmt.Errorf("%s may not sign certificates", c.Subject.CommonName)
	case (c.MaxPathLen > 0 || c.MaxPathLenZero) && below > c.MaxPathLen:
		return fmt.Errorf("%s: path length constraint exceeded", c.Subject.CommonName)
	case len(c.UnhandledCriticalExtensions) > 0:
		return fmt.Errorf("%s has an unhandled critical extension", c.Subject.CommonName)
	}
	return nil
}

// outOfValidity returns the first certificate of ch not valid at now.
func outOfValidity(ch []*x509.Certificate, now time.Time) *x509.Certificate {
	for _, c := range ch {
		if now.Before(c.NotBefore) || now.After(c.NotAfter) {
			return c
		}
	}
	return nil
}

// validityError words a time failure as chain() does for RSA chains.
func validityError(leaf, bad *x509.Certificate, now time.Time) error {
	who := "the certificate"
	if !bytes.Equal(bad.Raw, leaf.Raw) {
		who = "issuing CA " + bad.Subject.CommonName
	}
	switch {
	case now.Before(leaf.NotBefore):
		return newErr(CodeNotYetValid, fmt.Sprintf("valid from %s", leaf.NotBefore.UTC().Format(time.RFC3339)))
	case now.Before(bad.NotBefore):
		return newErr(CodeNotYetValid, who+" is not valid yet")
	}
	return newErr(CodeExpired, fmt.Sprintf("%s expired %s", who, bad.NotAfter.UTC().Format(time.RFC3339)))
}

// checkCRLSignature checks that issuer signed the CRL: GOST issuers through
// eds/gost with the checks CheckSignatureFrom makes, others through
// crypto/x509.
func checkCRLSignature(l *x509.RevocationList, issuer *x509.Certificate) error {
	if !isGOSTCert(issuer) {
		return l.CheckSignatureFrom(issuer)
	}
	if issuer.Version == 3 && !issuer.BasicConstraintsValid || issuer.BasicConstraintsValid && !issuer.IsCA {
		return errors.New("the CRL's issuer is not a CA")
	}
	if issuer.KeyUsage != 0 && issuer.KeyUsage&x509.KeyUsageCRLSign == 0 {
		return errors.New("the CRL's issuer may not sign CRLs")
	}
	return gost.CheckCRLSignature(l.Raw, issuer)
}
