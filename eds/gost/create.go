package gost

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
)

// Issuing GOST certificates, CRLs and OCSP responses (for the demo PKI and
// tests; NCA issues the real ones).
//
// crypto/x509 and x/crypto/ocsp encode these objects but sign only with the
// algorithms Go knows. So they encode with a throwaway ECDSA P-256 stand-in
// key; then, in the signed part, the stand-in's signature algorithm (and,
// in a certificate, its public key) is replaced by NCA's GOST one, and the
// signed part is signed again with the GOST key in NCA's byte order. The
// stand-in's signature is dropped and its key never leaves the function.

// MarshalNCAPrivateKey writes priv as NCA's PKCS#8 holds it: the key and
// parameter OIDs of MarshalNCAPublicKey, the scalar little-endian in an
// inner OCTET STRING. The caller should wipe the result after use.
func MarshalNCAPrivateKey(priv *PrivateKey) ([]byte, error) {
	if priv == nil || priv.D == nil {
		return nil, ErrInvalidKey
	}
	keyOID, params := OIDNCAKey2015, keyParameters{OIDNCAParams2015A, OIDNCADigest2015}
	switch priv.Curve {
	case CurveTC26512A:
	case CurveCryptoProA:
		keyOID, params = OIDNCAKey2004, keyParameters{OIDNCAParams2004, OIDNCADigest2004}
	default:
		return nil, ErrUnsupported
	}
	paramsDER, err := asn1.Marshal(params)
	if err != nil {
		return nil, err
	}
	le := priv.D.FillBytes(make([]byte, priv.Curve.size))
	defer clear(le)
	reverseInPlace(le)
	inner, err := asn1.Marshal(le)
	if err != nil {
		return nil, err
	}
	defer clear(inner)
	return asn1.Marshal(privateKeyInfo{
		Algorithm:  algorithmIdentifier{keyOID, asn1.RawValue{FullBytes: paramsDER}},
		PrivateKey: inner,
	})
}

func reverseInPlace(b []byte) {
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
}

// CreateCertificate is x509.CreateCertificate for a GOST key pub, signed by
// priv: the key of parent, or of the new certificate itself when parent is
// template (self-signed). Everything else (names, validity, extensions,
// authority key identifier from parent) comes from template as crypto/x509
// writes it. Without template.SubjectKeyId, the subject key identifier is
// the SHA-1 of the public key, as NCA's.
func CreateCertificate(template, parent *x509.Certificate, pub *PublicKey, priv *PrivateKey) ([]byte, error) {
	if template == nil || parent == nil || priv == nil {
		return nil, errors.New("gost: CreateCertificate needs a template, a parent and a key")
	}
	spki, err := MarshalNCAPublicKey(pub)
	if err != nil {
		return nil, err
	}
	selfSigned := parent == template
	if selfSigned {
		if !samePublic(pub, &priv.PublicKey) {
			return nil, errors.New("gost: a self-signed certificate's key must be the signing key")
		}
	} else if pk, err := PublicKeyOf(parent); err != nil || !samePublic(pk, &priv.PublicKey) {
		return nil, errors.New("gost: the signing key is not the parent certificate's GOST key")
	}
	keyBits, err := spkiKeyBits(spki)
	if err != nil {
		return nil, err
	}
	tpl := *template
	tpl.SignatureAlgorithm = x509.UnknownSignatureAlgorithm
	tpl.PublicKey = nil
	if len(tpl.SubjectKeyId) == 0 {
		h := sha1.Sum(keyBits)
		tpl.SubjectKeyId = h[:]
	}
	par := parent
	if selfSigned {
		par = &tpl
	}
	standIn, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	standInSPKI, err := x509.MarshalPKIXPublicKey(&standIn.PublicKey)
	if err != nil {
		return nil, err
	}
	der, err := x509.CreateCertificate(rand.Reader, &tpl, par, &standIn.PublicKey, standIn)
	if err != nil {
		return nil, err
	}
	out, err := resign(der, priv, map[string][]byte{string(standInSPKI): spki})
	if err != nil {
		return nil, err
	}
	// Check the result as a verifier will (a fault must not go out).
	if err := CheckSignedDER(out, &priv.PublicKey); err != nil {
		return nil, err
	}
	return out, nil
}

// CreateRevocationList is x509.CreateRevocationList for a GOST issuer:
// priv must be issuer's key.
func CreateRevocationList(template *x509.RevocationList, issuer *x509.Certificate, priv *PrivateKey) ([]byte, error) {
	if template == nil || issuer == nil || priv == nil {
		return nil, errors.New("gost: CreateRevocationList needs a template, an issuer and a key")
	}
	if pk, err := PublicKeyOf(issuer); err != nil || !samePublic(pk, &priv.PublicKey) {
		return nil, errors.New("gost: the signing key is not the issuer's GOST key")
	}
	tpl := *template
	tpl.SignatureAlgorithm = x509.UnknownSignatureAlgorithm
	standIn, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	der, err := x509.CreateRevocationList(rand.Reader, &tpl, issuer, standIn)
	if err != nil {
		return nil, err
	}
	out, err := resign(der, priv, nil)
	if err != nil {
		return nil, err
	}
	if err := CheckCRLSignature(out, issuer); err != nil {
		return nil, err
	}
	return out, nil
}

var oidOCSPBasic = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 1}

// ResignOCSPResponse takes a DER OCSPResponse that x/crypto/ocsp made (with
// any key; its signature is dropped) and signs its BasicOCSPResponse again
// with priv, under NCA's GOST signature algorithm. The responder's
// certificate, when the response carries one, is kept.
func ResignOCSPResponse(resp []byte, priv *PrivateKey) ([]byte, error) {
	var r struct {
		Status asn1.Enumerated
		Bytes  struct {
			Type     asn1.ObjectIdentifier
			Response []byte
		} `asn1:"explicit,tag:0"`
	}
	if rest, err := asn1.Unmarshal(resp, &r); err != nil || len(rest) > 0 || r.Status != 0 || !r.Bytes.Type.Equal(oidOCSPBasic) {
		return nil, fmt.Errorf("%w: not a successful basic OCSP response", ErrMalformed)
	}
	basic, err := resign(r.Bytes.Response, priv, nil)
	if err != nil {
		return nil, err
	}
	if err := CheckSignedDER(basic, &priv.PublicKey); err != nil {
		return nil, err
	}
	r.Bytes.Response = basic
	return asn1.Marshal(r)
}

// resign re-signs a signed object (SEQUENCE { tbs, algorithm, signature,
// [extra…] }) with priv: in tbs, the element equal to the outer algorithm
// (the stand-in's) becomes NCA's GOST algorithm, and each element equal to a
// key of swap becomes its value (each must occur once).
func resign(der []byte, priv *PrivateKey, swap map[string][]byte) ([]byte, error) {
	if priv == nil || !priv.Curve.usable() {
		return nil, ErrInvalidKey
	}
	_, sigOID, err := AlgorithmOIDs(&priv.PublicKey)
	if err != nil {
		return nil, err
	}
	gostAlg, err := asn1.Marshal(pkix.AlgorithmIdentifier{Algorithm: sigOID, Parameters: asn1.NullRawValue})
	if err != nil {
		return nil, err
	}
	outer, err := children(der)
	if err != nil || len(outer) < 3 {
		return nil, fmt.Errorf("%w: signed object", ErrMalformed)
	}
	standInAlg := outer[1]
	tbs, err := children(outer[0])
	if err != nil {
		return nil, fmt.Errorf("%w: signed part", ErrMalformed)
	}
	algDone, swapped := false, 0
	for i, el := range tbs {
		switch {
		case !algDone && bytes.Equal(el, standInAlg):
			tbs[i], algDone = gostAlg, true
		case swap[string(el)] != nil:
			tbs[i] = swap[string(el)]
			swapped++
		}
	}
	if swapped != len(swap) {
		return nil, errors.New("gost: the stand-in key was not found in the signed part")
	}
	tbsDER, err := sequence(tbs)
	if err != nil {
		return nil, err
	}
	sig, err := SignNCA(rand.Reader, priv, tbsDER)
	if err != nil {
		return nil, err
	}
	bits, err := asn1.Marshal(asn1.BitString{Bytes: sig, BitLength: 8 * len(sig)})
	if err != nil {
		return nil, err
	}
	return sequence(append([][]byte{tbsDER, gostAlg, bits}, outer[3:]...))
}

// children splits a DER SEQUENCE into its elements (each whole, DER).
func children(der []byte) ([][]byte, error) {
	var seq asn1.RawValue
	if rest, err := asn1.Unmarshal(der, &seq); err != nil || len(rest) > 0 || seq.Tag != asn1.TagSequence || !seq.IsCompound {
		return nil, ErrMalformed
	}
	var out [][]byte
	for rest := seq.Bytes; len(rest) > 0; {
		var el asn1.RawValue
		var err error
		if rest, err = asn1.Unmarshal(rest, &el); err != nil {
			return nil, ErrMalformed
		}
		out = append(out, el.FullBytes)
	}
	return out, nil
}

func sequence(els [][]byte) ([]byte, error) {
	return asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: bytes.Join(els, nil)})
}

// spkiKeyBits returns the subjectPublicKey BIT STRING's bytes of an SPKI:
// what key identifiers and OCSP key hashes are computed over.
func spkiKeyBits(spki []byte) ([]byte, error) {
	var s struct {
		Algorithm asn1.RawValue
		Key       asn1.BitString
	}
	if rest, err := asn1.Unmarshal(spki, &s); err != nil || len(rest) > 0 {
		return nil, ErrMalformed
	}
	return s.Key.RightAlign(), nil
}

func samePublic(a, b *PublicKey) bool {
	return a != nil && b != nil && a.Curve == b.Curve && a.X != nil && b.X != nil &&
		a.X.Cmp(b.X) == 0 && a.Y.Cmp(b.Y) == 0
}
