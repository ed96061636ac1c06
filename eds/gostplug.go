package eds

import (
	"crypto/x509"
	"time"
)

// The plug points for eds/gost (issue 7). Until they are filled, GOST keys
// are read and named but signing, verifying and GOST chains answer
// ErrAlgorithmNotSupported ("not supported yet"), never a crash.
//
// Wiring them: gostSigner parses k.gostPKCS8 with gost.ParseNCAPrivateKey
// and returns a Signer building CMS like signCMSWith with the GOST digest and
// signature OIDs; gostVerify checks si.MessageDigest and the signature over
// si.SignedAttrs (or data) with gost.PublicKeyOf(cert); gostChain walks
// v.Intermediates/extra/v.Anchors by RawIssuer with gost.CheckCertSignature
// and validity at now, mapping failures to the same codes as chain();
// checkCRLSignature calls gost.CheckCRLSignature(l.Raw, issuer) for GOST
// issuers.

func gostSigner(k *Key) (Signer, error) {
	return nil, &Error{Code: CodeUnsupportedAlgorithm, Detail: k.Info.Algorithm}
}

func gostVerify(si *SignerInfo, cert *x509.Certificate, data []byte) error {
	alg := certAlgorithm(cert)
	if alg == "" {
		alg = si.SignatureAlgorithm.String()
	}
	return &Error{Code: CodeUnsupportedAlgorithm, Detail: alg}
}

func gostChain(v *Verifier, cert *x509.Certificate, extra []*x509.Certificate, now time.Time) ([]*x509.Certificate, error) {
	return nil, &Error{Code: CodeUnsupportedAlgorithm, Detail: certAlgorithm(cert)}
}

// checkCRLSignature checks that issuer signed the CRL.
func checkCRLSignature(l *x509.RevocationList, issuer *x509.Certificate) error {
	return l.CheckSignatureFrom(issuer)
}
