package gost

import (
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"hash"
	"io"
	"math/big"
	"slices"
)

// Object identifiers of NCA RK (Kazakhstan, arc 1.2.398.3.10) and of TC26
// (Russia) for the algorithms this package handles.
var (
	// GOST 34.10-2015 (GOST R 34.10-2012 math), 512 bits, as NCA issues it.
	OIDNCAKey2015       = asn1.ObjectIdentifier{1, 2, 398, 3, 10, 1, 1, 2, 2}
	OIDNCAParams2015A   = asn1.ObjectIdentifier{1, 2, 398, 3, 10, 1, 1, 2, 2, 1}
	OIDNCASignature2015 = asn1.ObjectIdentifier{1, 2, 398, 3, 10, 1, 1, 2, 3, 2}
	OIDNCADigest2015    = asn1.ObjectIdentifier{1, 2, 398, 3, 10, 1, 3, 3}

	// GOST 34.310-2004 (GOST R 34.10-2001 math with GOST 34.311-95 hash).
	OIDNCAKey2004       = asn1.ObjectIdentifier{1, 2, 398, 3, 10, 1, 1, 1, 1}
	OIDNCAParams2004    = asn1.ObjectIdentifier{1, 2, 398, 3, 10, 1, 1, 1, 1, 1}
	OIDNCASignature2004 = asn1.ObjectIdentifier{1, 2, 398, 3, 10, 1, 1, 1, 2}
	OIDNCADigest2004    = asn1.ObjectIdentifier{1, 2, 398, 3, 10, 1, 3, 1, 1, 0}

	// TC26 (RFC 9215): keys, signatures and digests with Streebog.
	OIDTC26Key512       = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 1, 2}
	OIDTC26Signature512 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 3, 3}
	OIDTC26Digest256    = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 2, 2}
	OIDTC26Digest512    = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 2, 3}
)

var algorithmNames = []struct {
	oid  asn1.ObjectIdentifier
	name string
}{
	{OIDNCAKey2015, "GOST 34.10-2015 (512)"},
	{OIDNCASignature2015, "GOST 34.10-2015 (512) with GOST 34.11-2015 (512)"},
	{OIDNCADigest2015, "GOST 34.11-2015 (512)"},
	{OIDNCAParams2015A, "GOST 34.10-2015 (512) parameter set A"},
	{OIDNCAKey2004, "GOST 34.310-2004"},
	{OIDNCASignature2004, "GOST 34.310-2004 with GOST 34.311-95"},
	{OIDNCADigest2004, "GOST 34.311-95"},
	{OIDNCAParams2004, "GOST 34.310-2004 parameter set"},
	{OIDTC26Key512, "GOST R 34.10-2012 (512)"},
	{OIDTC26Signature512, "GOST R 34.10-2012 (512) with GOST R 34.11-2012 (512)"},
	{OIDTC26Digest256, "GOST R 34.11-2012 (256)"},
	{OIDTC26Digest512, "GOST R 34.11-2012 (512)"},
}

// AlgorithmName names a GOST key, signature, digest or parameter OID; it
// returns "" for an OID that is not a GOST one this package knows.
func AlgorithmName(oid asn1.ObjectIdentifier) string {
	for _, a := range algorithmNames {
		if a.oid.Equal(oid) {
			return a.name
		}
	}
	for _, c := range Curves {
		if c.OID.Equal(oid) {
			return c.Name
		}
	}
	return ""
}

// IsGOST2004 reports whether oid is one of NCA's GOST 34.310-2004 OIDs.
func IsGOST2004(oid asn1.ObjectIdentifier) bool {
	for _, o := range []asn1.ObjectIdentifier{OIDNCAKey2004, OIDNCASignature2004, OIDNCADigest2004, OIDNCAParams2004} {
		if o.Equal(oid) {
			return true
		}
	}
	return false
}

// IsSignatureAlgorithm reports whether oid is a GOST signature algorithm this
// package verifies: GOST 34.10-2015 / R 34.10-2012 512 with Streebog-512, or
// GOST 34.310-2004 with GOST 34.311-95.
func IsSignatureAlgorithm(oid asn1.ObjectIdentifier) bool {
	return oid.Equal(OIDNCASignature2015) || oid.Equal(OIDTC26Signature512) || oid.Equal(OIDNCASignature2004)
}

// NewHash returns the hash named by a GOST digest algorithm OID: Streebog-512
// (NCA's or TC26's OID), Streebog-256, or GOST 34.311-95 (NCA 2004).
func NewHash(digestOID asn1.ObjectIdentifier) (hash.Hash, error) {
	switch {
	case digestOID.Equal(OIDNCADigest2015), digestOID.Equal(OIDTC26Digest512):
		return New512(), nil
	case digestOID.Equal(OIDTC26Digest256):
		return New256(), nil
	case digestOID.Equal(OIDNCADigest2004):
		return New94(), nil
	}
	return nil, fmt.Errorf("%w: digest %v", ErrUnsupported, digestOID)
}

// AlgorithmOIDs returns the digest and signature algorithm OIDs that NCA
// uses with pub's kind of key, for CMS SignerInfo and certificates.
func AlgorithmOIDs(pub *PublicKey) (digest, signature asn1.ObjectIdentifier, err error) {
	switch {
	case pub == nil || !pub.Curve.usable():
		return nil, nil, ErrInvalidKey
	case pub.Curve.size == Size512:
		return OIDNCADigest2015, OIDNCASignature2015, nil
	case pub.Curve == CurveCryptoProA:
		return OIDNCADigest2004, OIDNCASignature2004, nil
	}
	return nil, nil, ErrUnsupported
}

// CurveFor returns the curve of a key with algorithm keyOID and parameter
// set paramOID (nil: the algorithm's default). NCA's parameter set
// 1.2.398.3.10.1.1.2.2.1 is TC26 512 set A and 1.2.398.3.10.1.1.1.1.1 is
// CryptoPro A: the NCA test CAs' keys lie on those curves and their CRLs
// verify with them.
func CurveFor(keyOID, paramOID asn1.ObjectIdentifier) (*Curve, error) {
	switch {
	case keyOID.Equal(OIDNCAKey2015):
		if paramOID == nil || paramOID.Equal(OIDNCAParams2015A) || paramOID.Equal(CurveTC26512A.OID) {
			return CurveTC26512A, nil
		}
	case keyOID.Equal(OIDTC26Key512):
		for _, c := range []*Curve{CurveTC26512A, CurveTC26512B, CurveTC26512C, CurveTest512} {
			if c.OID.Equal(paramOID) {
				return c, nil
			}
		}
	case keyOID.Equal(OIDNCAKey2004):
		// The NCA 2004 test CA's key lies on CryptoPro A and its CRL
		// verifies there (with GOST 34.311-95, test S-boxes).
		if paramOID == nil || paramOID.Equal(OIDNCAParams2004) || paramOID.Equal(CurveCryptoProA.OID) {
			return CurveCryptoProA, nil
		}
	}
	return nil, fmt.Errorf("%w: key %v, parameters %v", ErrUnsupported, keyOID, paramOID)
}

type algorithmIdentifier struct {
	Algorithm  asn1.ObjectIdentifier
	Parameters asn1.RawValue `asn1:"optional"`
}

type subjectPublicKeyInfo struct {
	Algorithm algorithmIdentifier
	PublicKey asn1.BitString
}

// keyParameters is GostR3410-2012-PublicKeyParameters (RFC 9215): the curve
// and, optionally, the digest.
type keyParameters struct {
	PublicKeyParamSet asn1.ObjectIdentifier
	DigestParamSet    asn1.ObjectIdentifier `asn1:"optional"`
}

func keyCurve(alg algorithmIdentifier) (*Curve, error) {
	var params keyParameters
	if len(alg.Parameters.FullBytes) > 0 && alg.Parameters.Tag != asn1.TagNull {
		rest, err := asn1.Unmarshal(alg.Parameters.FullBytes, &params)
		if err != nil || len(rest) > 0 {
			return nil, fmt.Errorf("%w: key parameters", ErrMalformed)
		}
	}
	return CurveFor(alg.Algorithm, params.PublicKeyParamSet)
}

func reverse(b []byte) []byte {
	r := slices.Clone(b)
	slices.Reverse(r)
	return r
}

// ParseNCAPublicKey reads a GOST SubjectPublicKeyInfo (DER) as NCA and RFC
// 9215 write it: the BIT STRING holds an OCTET STRING of X‖Y, each
// little-endian.
func ParseNCAPublicKey(spkiDER []byte) (*PublicKey, error) {
	var spki subjectPublicKeyInfo
	rest, err := asn1.Unmarshal(spkiDER, &spki)
	if err != nil || len(rest) > 0 {
		return nil, fmt.Errorf("%w: public key info", ErrMalformed)
	}
	c, err := keyCurve(spki.Algorithm)
	if err != nil {
		return nil, err
	}
	raw := spki.PublicKey.RightAlign()
	var oct []byte
	if rest, err := asn1.Unmarshal(raw, &oct); err == nil && len(rest) == 0 {
		raw = oct
	}
	if len(raw) != 2*c.size {
		return nil, fmt.Errorf("%w: public key is %d bytes, want %d", ErrMalformed, len(raw), 2*c.size)
	}
	pub := &PublicKey{Curve: c,
		X: new(big.Int).SetBytes(reverse(raw[:c.size])),
		Y: new(big.Int).SetBytes(reverse(raw[c.size:]))}
	if err := pub.Validate(); err != nil {
		return nil, err
	}
	return pub, nil
}

// MarshalNCAPublicKey is the inverse of ParseNCAPublicKey for NCA keys.
func MarshalNCAPublicKey(pub *PublicKey) ([]byte, error) {
	keyOID, params := OIDNCAKey2015, keyParameters{OIDNCAParams2015A, OIDNCADigest2015}
	switch {
	case pub == nil || pub.X == nil || pub.Y == nil:
		return nil, ErrInvalidKey
	case pub.Curve == CurveCryptoProA:
		keyOID, params = OIDNCAKey2004, keyParameters{OIDNCAParams2004, OIDNCADigest2004}
	case pub.Curve != CurveTC26512A:
		return nil, ErrUnsupported
	}
	if err := pub.Validate(); err != nil {
		return nil, err
	}
	raw := make([]byte, 2*pub.Curve.size)
	pub.X.FillBytes(raw[:pub.Curve.size])
	pub.Y.FillBytes(raw[pub.Curve.size:])
	slices.Reverse(raw[:pub.Curve.size])
	slices.Reverse(raw[pub.Curve.size:])
	oct, err := asn1.Marshal(raw)
	if err != nil {
		return nil, err
	}
	paramsDER, err := asn1.Marshal(params)
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(subjectPublicKeyInfo{
		Algorithm: algorithmIdentifier{keyOID, asn1.RawValue{FullBytes: paramsDER}},
		PublicKey: asn1.BitString{Bytes: oct, BitLength: 8 * len(oct)},
	})
}

// NewPrivateKeyLE makes the key whose scalar is scalarLE read little-endian,
// as NCA's PKCS#8 stores it. The caller may wipe scalarLE afterwards.
func NewPrivateKeyLE(c *Curve, scalarLE []byte) (*PrivateKey, error) {
	if c == nil || len(scalarLE) == 0 || len(scalarLE) > c.size {
		return nil, ErrInvalidKey
	}
	be := reverse(scalarLE)
	d := new(big.Int).SetBytes(be)
	clear(be)
	return NewPrivateKey(c, d)
}

type privateKeyInfo struct {
	Version    int
	Algorithm  algorithmIdentifier
	PrivateKey []byte
	Attributes asn1.RawValue `asn1:"optional,tag:0"`
}

// ParseNCAPrivateKey reads a decrypted PKCS#8 PrivateKeyInfo holding a GOST
// key. The privateKey OCTET STRING holds the little-endian scalar, either
// directly or wrapped once more in an OCTET STRING (RFC 9215 form) or an
// INTEGER (big-endian).
func ParseNCAPrivateKey(pkcs8DER []byte) (*PrivateKey, error) {
	var info privateKeyInfo
	rest, err := asn1.Unmarshal(pkcs8DER, &info)
	if err != nil || len(rest) > 0 {
		return nil, fmt.Errorf("%w: private key info", ErrMalformed)
	}
	defer clear(info.PrivateKey)
	c, err := keyCurve(info.Algorithm)
	if err != nil {
		return nil, err
	}
	return PrivateKeyFromPKCS8Field(c, info.PrivateKey)
}

// PrivateKeyFromPKCS8Field makes a key on c from the contents of a PKCS#8
// privateKey OCTET STRING (see ParseNCAPrivateKey for the accepted forms).
func PrivateKeyFromPKCS8Field(c *Curve, field []byte) (*PrivateKey, error) {
	if !c.usable() {
		return nil, ErrUnsupported
	}
	if len(field) == c.size {
		return NewPrivateKeyLE(c, field)
	}
	var inner asn1.RawValue
	if rest, err := asn1.Unmarshal(field, &inner); err == nil && len(rest) == 0 && inner.Class == asn1.ClassUniversal {
		switch inner.Tag {
		case asn1.TagOctetString:
			return NewPrivateKeyLE(c, inner.Bytes)
		case asn1.TagInteger:
			var d *big.Int
			if _, err := asn1.Unmarshal(field, &d); err == nil {
				return NewPrivateKey(c, d)
			}
		}
	}
	return nil, fmt.Errorf("%w: private key field of %d bytes", ErrMalformed, len(field))
}

// hashFor returns the digest of message that NCA keys on c sign:
// Streebog-512 for 512-bit keys, GOST 34.311-95 for 2004 keys.
func hashFor(c *Curve, message []byte) ([]byte, error) {
	switch {
	case c.size == Size512:
		h := Sum512(message)
		return h[:], nil
	case c == CurveCryptoProA:
		h := Sum94(message)
		return h[:], nil
	}
	return nil, ErrUnsupported
}

// SignDigestNCA signs a digest (Streebog-512, or GOST 34.311-95 for 2004
// keys; in the hash's output byte order)
// and returns the 2·Size-byte signature in NCA's order: r then s, each
// little-endian — the bytes of a certificate's signature BIT STRING and of a
// CMS SignerInfo signature.
func SignDigestNCA(rnd io.Reader, priv *PrivateKey, digest []byte) ([]byte, error) {
	if priv == nil || !priv.Curve.usable() {
		return nil, ErrInvalidKey
	}
	// The standard reads the digest as a little-endian number.
	sig, err := Sign(rnd, priv, reverse(digest))
	if err != nil {
		return nil, err
	}
	n := priv.Curve.size
	slices.Reverse(sig[:n])
	slices.Reverse(sig[n:])
	return sig, nil
}

// SignNCA hashes message with the key's hash (Streebog-512, or GOST
// 34.311-95 for 2004 keys) and signs it; see SignDigestNCA.
func SignNCA(rnd io.Reader, priv *PrivateKey, message []byte) ([]byte, error) {
	if priv == nil || !priv.Curve.usable() {
		return nil, ErrInvalidKey
	}
	h, err := hashFor(priv.Curve, message)
	if err != nil {
		return nil, err
	}
	return SignDigestNCA(rnd, priv, h)
}

// rawSignature accepts the bare 2·Size bytes or the same wrapped in an
// OCTET STRING.
func rawSignature(c *Curve, sig []byte) ([]byte, bool) {
	if len(sig) == 2*c.size {
		return sig, true
	}
	var oct []byte
	if rest, err := asn1.Unmarshal(sig, &oct); err == nil && len(rest) == 0 && len(oct) == 2*c.size {
		return oct, true
	}
	return nil, false
}

// VerifyDigestNCA checks an NCA-order signature (see SignDigestNCA) of a
// digest made with the key's hash.
func VerifyDigestNCA(pub *PublicKey, digest, sig []byte) error {
	if pub == nil || !pub.Curve.usable() {
		return ErrInvalidKey
	}
	raw, ok := rawSignature(pub.Curve, sig)
	if !ok {
		return fmt.Errorf("%w: signature is %d bytes", ErrMalformed, len(sig))
	}
	n := pub.Curve.size
	be := make([]byte, 2*n)
	copy(be, raw)
	slices.Reverse(be[:n])
	slices.Reverse(be[n:])
	if !Verify(pub, reverse(digest), be) {
		return ErrInvalidSignature
	}
	return nil
}

// VerifyNCA checks sig over message: the key's hash, then VerifyDigestNCA.
func VerifyNCA(pub *PublicKey, message, sig []byte) error {
	if pub == nil || !pub.Curve.usable() {
		return ErrInvalidKey
	}
	h, err := hashFor(pub.Curve, message)
	if err != nil {
		return err
	}
	return VerifyDigestNCA(pub, h, sig)
}

// signedObject is the common shape of a certificate, a CRL and an OCSP
// BasicOCSPResponse: the signed part, the algorithm, the signature.
type signedObject struct {
	TBS       asn1.RawValue
	Algorithm algorithmIdentifier
	Signature asn1.BitString
	Certs     asn1.RawValue `asn1:"optional,explicit,tag:0"` // OCSP only
}

// CheckSignedDER verifies a certificate, CRL or BasicOCSPResponse (DER)
// signed with GOST by pub.
func CheckSignedDER(der []byte, pub *PublicKey) (err error) {
	defer func() {
		// Outside data: never let a surprise become a crash.
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v", ErrMalformed, r)
		}
	}()
	var obj signedObject
	rest, err := asn1.Unmarshal(der, &obj)
	if err != nil || len(rest) > 0 {
		return fmt.Errorf("%w: signed object", ErrMalformed)
	}
	if !IsSignatureAlgorithm(obj.Algorithm.Algorithm) {
		return fmt.Errorf("%w: signature algorithm %v", ErrUnsupported, obj.Algorithm.Algorithm)
	}
	if pub == nil || !pub.Curve.usable() {
		return ErrInvalidKey
	}
	// The algorithm must be the one of the signer's kind of key.
	if _, sigOID, err := AlgorithmOIDs(pub); err != nil || !(sigOID.Equal(obj.Algorithm.Algorithm) ||
		obj.Algorithm.Algorithm.Equal(OIDTC26Signature512) && pub.Curve.size == Size512) {
		return fmt.Errorf("%w: %s signature by a %s key", ErrUnsupported, AlgorithmName(obj.Algorithm.Algorithm), pub.Curve.Name)
	}
	return VerifyNCA(pub, obj.TBS.FullBytes, obj.Signature.RightAlign())
}

// PublicKeyOf returns the GOST public key of cert.
func PublicKeyOf(cert *x509.Certificate) (*PublicKey, error) {
	if cert == nil {
		return nil, ErrInvalidKey
	}
	return ParseNCAPublicKey(cert.RawSubjectPublicKeyInfo)
}

// CheckCertSignature verifies that issuer's GOST key signed cert. It checks
// the signature only; names, validity and extensions are the caller's job.
func CheckCertSignature(cert, issuer *x509.Certificate) error {
	if cert == nil {
		return ErrMalformed
	}
	pub, err := PublicKeyOf(issuer)
	if err != nil {
		return err
	}
	return CheckSignedDER(cert.Raw, pub)
}

// CheckCRLSignature verifies that issuer's GOST key signed the CRL crlDER.
func CheckCRLSignature(crlDER []byte, issuer *x509.Certificate) error {
	pub, err := PublicKeyOf(issuer)
	if err != nil {
		return err
	}
	return CheckSignedDER(crlDER, pub)
}
