package eds

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	_ "crypto/sha1" // SHA-1 CMS digests from older NCALayer versions
	_ "crypto/sha256"
	_ "crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"hash"
	"math/big"
	"sort"
	"time"
)

// Signer makes CMS SignedData with one key: a key file (Key.Signer) or
// NCALayer.
type Signer interface {
	Certificate() *x509.Certificate
	// SignCMS signs data. detached leaves the data out of the CMS;
	// signingTime goes into the signed attributes (signers that set their
	// own time, like NCALayer, ignore it).
	SignCMS(data []byte, detached bool, signingTime time.Time) ([]byte, error)
}

// SignedData is a parsed CMS SignedData.
type SignedData struct {
	Content      []byte // nil when detached
	ContentType  asn1.ObjectIdentifier
	Signers      []SignerInfo
	Certificates []*x509.Certificate
}

// SignerInfo is one signature of a SignedData.
type SignerInfo struct {
	Issuer             []byte   // raw issuer name (issuerAndSerialNumber)
	Serial             *big.Int // nil when the signer is named by key id
	SubjectKeyID       []byte
	DigestAlgorithm    asn1.ObjectIdentifier
	SignatureAlgorithm asn1.ObjectIdentifier
	Signature          []byte
	SignedAttrs        []byte // DER SET that the signature covers; nil when absent
	ContentType        asn1.ObjectIdentifier
	MessageDigest      []byte
	SigningTime        time.Time // zero when absent
	Cert               *x509.Certificate
}

type cmsContentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue `asn1:"explicit,tag:0"`
}

type cmsSignedData struct {
	Version          int
	DigestAlgorithms []pkix.AlgorithmIdentifier `asn1:"set"`
	Encap            cmsEncap
	Certificates     asn1.RawValue   `asn1:"optional,tag:0"`
	CRLs             asn1.RawValue   `asn1:"optional,tag:1"`
	SignerInfos      []cmsSignerInfo `asn1:"set"`
}

type cmsEncap struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue `asn1:"explicit,optional,tag:0"`
}

type cmsSignerInfo struct {
	Version            int
	SID                asn1.RawValue
	DigestAlgorithm    pkix.AlgorithmIdentifier
	SignedAttrs        asn1.RawValue `asn1:"optional,tag:0"`
	SignatureAlgorithm pkix.AlgorithmIdentifier
	Signature          []byte
	UnsignedAttrs      asn1.RawValue `asn1:"optional,tag:1"`
}

type issuerAndSerial struct {
	Issuer asn1.RawValue
	Serial *big.Int
}

type cmsAttribute struct {
	Type   asn1.ObjectIdentifier
	Values asn1.RawValue `asn1:"set"`
}

func badCMS(format string, a ...any) error { return newErr(CodeBadCMS, fmt.Sprintf(format, a...)) }

// ParseCMS reads a CMS SignedData in DER or BER (NCALayer's output, possibly
// with indefinite lengths).
func ParseCMS(der []byte) (sd *SignedData, err error) {
	defer func() {
		if r := recover(); r != nil {
			sd, err = nil, badCMS("internal error: %v", r)
		}
	}()
	norm, err := berToDER(der)
	if err != nil {
		return nil, badCMS("%v", err)
	}
	var ci cmsContentInfo
	if rest, err := asn1.Unmarshal(norm, &ci); err != nil || len(rest) > 0 {
		return nil, badCMS("not a CMS content info: %v", err)
	}
	if !ci.ContentType.Equal(oidSignedData) {
		return nil, badCMS("content type %v is not signedData", ci.ContentType)
	}
	var s cmsSignedData
	if rest, err := asn1.Unmarshal(ci.Content.Bytes, &s); err != nil || len(rest) > 0 {
		return nil, badCMS("signed data: %v", err)
	}
	sd = &SignedData{ContentType: s.Encap.ContentType}
	if len(s.Encap.Content.FullBytes) > 0 {
		var content []byte
		if _, err := asn1.Unmarshal(s.Encap.Content.Bytes, &content); err != nil {
			return nil, badCMS("content: %v", err)
		}
		if content == nil {
			content = []byte{}
		}
		sd.Content = content
	}
	for rest := s.Certificates.Bytes; len(rest) > 0; {
		var raw asn1.RawValue
		rest, err = asn1.Unmarshal(rest, &raw)
		if err != nil {
			return nil, badCMS("certificates: %v", err)
		}
		if raw.Class != asn1.ClassUniversal || raw.Tag != asn1.TagSequence {
			continue // attribute certificates and others: not used
		}
		cert, err := x509.ParseCertificate(raw.FullBytes)
		if err != nil {
			return nil, badCMS("certificate: %v", err)
		}
		sd.Certificates = append(sd.Certificates, cert)
	}
	if len(s.SignerInfos) == 0 {
		return nil, badCMS("no signer")
	}
	for _, raw := range s.SignerInfos {
		si := SignerInfo{
			DigestAlgorithm:    raw.DigestAlgorithm.Algorithm,
			SignatureAlgorithm: raw.SignatureAlgorithm.Algorithm,
			Signature:          raw.Signature,
		}
		switch {
		case raw.SID.Class == asn1.ClassUniversal && raw.SID.Tag == asn1.TagSequence:
			var ias issuerAndSerial
			if _, err := asn1.Unmarshal(raw.SID.FullBytes, &ias); err != nil {
				return nil, badCMS("signer id: %v", err)
			}
			si.Issuer, si.Serial = ias.Issuer.FullBytes, ias.Serial
		case raw.SID.Class == asn1.ClassContextSpecific && raw.SID.Tag == 0:
			si.SubjectKeyID = raw.SID.Bytes
		default:
			return nil, badCMS("unknown signer id")
		}
		if len(raw.SignedAttrs.FullBytes) > 0 {
			attrs := append([]byte(nil), raw.SignedAttrs.FullBytes...)
			attrs[0] = 0x31 // the signature covers the attributes as a SET
			si.SignedAttrs = attrs
			if err := si.readAttrs(raw.SignedAttrs.Bytes); err != nil {
				return nil, err
			}
		}
		for _, c := range sd.Certificates {
			if si.matches(c) {
				si.Cert = c
				break
			}
		}
		sd.Signers = append(sd.Signers, si)
	}
	return sd, nil
}

func (si *SignerInfo) readAttrs(b []byte) error {
	for len(b) > 0 {
		var a cmsAttribute
		var err error
		b, err = asn1.Unmarshal(b, &a)
		if err != nil {
			return badCMS("signed attributes: %v", err)
		}
		switch {
		case a.Type.Equal(oidAttrContentType):
			if _, err := asn1.Unmarshal(a.Values.Bytes, &si.ContentType); err != nil {
				return badCMS("content type attribute: %v", err)
			}
		case a.Type.Equal(oidAttrDigest):
			if _, err := asn1.Unmarshal(a.Values.Bytes, &si.MessageDigest); err != nil {
				return badCMS("message digest attribute: %v", err)
			}
		case a.Type.Equal(oidAttrSigningTime):
			if _, err := asn1.Unmarshal(a.Values.Bytes, &si.SigningTime); err != nil {
				return badCMS("signing time attribute: %v", err)
			}
		}
	}
	return nil
}

func (si *SignerInfo) matches(c *x509.Certificate) bool {
	if si.Serial != nil {
		return c.SerialNumber != nil && c.SerialNumber.Cmp(si.Serial) == 0 && bytes.Equal(c.RawIssuer, si.Issuer)
	}
	return len(si.SubjectKeyID) > 0 && bytes.Equal(c.SubjectKeyId, si.SubjectKeyID)
}

func hashFor(oid asn1.ObjectIdentifier) (crypto.Hash, bool) {
	switch {
	case oid.Equal(oidSHA256):
		return crypto.SHA256, true
	case oid.Equal(oidSHA384):
		return crypto.SHA384, true
	case oid.Equal(oidSHA512):
		return crypto.SHA512, true
	case oid.Equal(oidSHA224):
		return crypto.SHA224, true
	case oid.Equal(oidSHA1):
		return crypto.SHA1, true
	}
	return 0, false
}

// checkSignature verifies si over data with cert's public key.
func (si *SignerInfo) checkSignature(cert *x509.Certificate, data []byte) error {
	h, ok := hashFor(si.DigestAlgorithm)
	if !ok {
		return gostVerify(si, cert, data)
	}
	d := h.New()
	d.Write(data)
	sum := d.Sum(nil)
	signed := data
	if si.SignedAttrs != nil {
		if !bytes.Equal(si.MessageDigest, sum) {
			return newErr(CodeBadSignature, "message digest does not match the data")
		}
		if si.ContentType == nil {
			return newErr(CodeBadSignature, "signed attributes without content type")
		}
		signed = si.SignedAttrs
		d = h.New()
		d.Write(signed)
		sum = d.Sum(nil)
	}
	switch pub := cert.PublicKey.(type) {
	case *rsa.PublicKey:
		if err := rsa.VerifyPKCS1v15(pub, h, sum, si.Signature); err != nil {
			return newErr(CodeBadSignature, "RSA signature does not verify")
		}
		return nil
	case *ecdsa.PublicKey:
		if !ecdsa.VerifyASN1(pub, sum, si.Signature) {
			return newErr(CodeBadSignature, "ECDSA signature does not verify")
		}
		return nil
	}
	return gostVerify(si, cert, data)
}

// keySigner signs CMS with a key from a key file.
type keySigner struct {
	key   crypto.Signer
	cert  *x509.Certificate
	chain []*x509.Certificate
}

func (s *keySigner) Certificate() *x509.Certificate { return s.cert }

func (s *keySigner) SignCMS(data []byte, detached bool, signingTime time.Time) ([]byte, error) {
	if _, ok := s.key.(*rsa.PrivateKey); !ok {
		return nil, newErr(CodeUnsupportedAlgorithm, fmt.Sprintf("%T", s.key))
	}
	return signCMSWith(s.key, s.cert, s.chain, data, detached, signingTime)
}

// signCMSWith builds SignedData with SHA-256 and signed attributes
// (contentType, signingTime, messageDigest), the form NCALayer produces.
func signCMSWith(key crypto.Signer, cert *x509.Certificate, chain []*x509.Certificate, data []byte, detached bool, signingTime time.Time) ([]byte, error) {
	sha256Alg := pkix.AlgorithmIdentifier{Algorithm: oidSHA256, Parameters: asn1.NullRawValue}
	rsaAlg := pkix.AlgorithmIdentifier{Algorithm: oidRSAEncryption, Parameters: asn1.NullRawValue}
	return buildSignedData(cert, chain, data, detached, signingTime, sha256Alg, rsaAlg, crypto.SHA256.New, func(set []byte) ([]byte, error) {
		h := crypto.SHA256.New()
		h.Write(set)
		return key.Sign(rand.Reader, h.Sum(nil), crypto.SHA256)
	})
}

// buildSignedData makes the SignedData that signCMSWith and the GOST signer
// share: newHash makes the messageDigest attribute, sign signs the DER SET
// of the signed attributes.
func buildSignedData(cert *x509.Certificate, chain []*x509.Certificate, data []byte, detached bool, signingTime time.Time,
	digestAlg, sigAlg pkix.AlgorithmIdentifier, newHash func() hash.Hash, sign func(set []byte) ([]byte, error)) ([]byte, error) {
	digest := newHash()
	digest.Write(data)
	md := digest.Sum(nil)
	attr := func(oid asn1.ObjectIdentifier, v any) ([]byte, error) {
		val, err := asn1.Marshal(v)
		if err != nil {
			return nil, err
		}
		return asn1.Marshal(cmsAttribute{Type: oid, Values: asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSet, IsCompound: true, Bytes: val}})
	}
	var attrs [][]byte
	for _, a := range []struct {
		oid asn1.ObjectIdentifier
		v   any
	}{{oidAttrContentType, oidData}, {oidAttrSigningTime, signingTime.UTC().Truncate(time.Second)}, {oidAttrDigest, md}} {
		b, err := attr(a.oid, a.v)
		if err != nil {
			return nil, err
		}
		attrs = append(attrs, b)
	}
	sort.Slice(attrs, func(i, j int) bool { return bytes.Compare(attrs[i], attrs[j]) < 0 }) // DER SET OF order
	body := bytes.Join(attrs, nil)
	sig, err := sign(appendTLV(nil, 0, true, asn1.TagSet, body))
	if err != nil {
		return nil, err
	}
	si := cmsSignerInfo{
		Version:            1,
		SID:                asn1.RawValue{FullBytes: mustMarshal(issuerAndSerial{Issuer: asn1.RawValue{FullBytes: cert.RawIssuer}, Serial: cert.SerialNumber})},
		DigestAlgorithm:    digestAlg,
		SignedAttrs:        asn1.RawValue{FullBytes: appendTLV(nil, 2, true, 0, body)},
		SignatureAlgorithm: sigAlg,
		Signature:          sig,
	}
	var certs []byte
	certs = append(certs, cert.Raw...)
	for _, c := range chain {
		certs = append(certs, c.Raw...)
	}
	sd := cmsSignedData{
		Version:          1,
		DigestAlgorithms: []pkix.AlgorithmIdentifier{digestAlg},
		Encap:            cmsEncap{ContentType: oidData},
		Certificates:     asn1.RawValue{FullBytes: appendTLV(nil, 2, true, 0, certs)},
		SignerInfos:      []cmsSignerInfo{si},
	}
	if !detached {
		sd.Encap.Content = asn1.RawValue{FullBytes: appendTLV(nil, 2, true, 0, appendTLV(nil, 0, false, asn1.TagOctetString, data))}
	}
	inner, err := asn1.Marshal(sd)
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(cmsContentInfo{ContentType: oidSignedData, Content: asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: inner}})
}

func mustMarshal(v any) []byte {
	b, err := asn1.Marshal(v)
	if err != nil {
		panic(err) // only called on values built here
	}
	return b
}
