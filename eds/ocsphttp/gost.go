package ocsphttp

import (
	"bytes"
	"crypto"
	"crypto/sha1"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"slices"
	"time"

	"golang.org/x/crypto/ocsp"

	"kense/eds/gost"
)

// GOST-signed OCSP responses (NCA's GOST responder signs with GOST
// 34.10-2015) are checked here, because x/crypto/ocsp knows only RSA and
// ECDSA. The checks are those x/crypto/ocsp makes, plus the CertID's issuer
// hashes and the delegated responder's validity:
//   - the responder is the issuer itself, or a certificate in the response
//     that the issuer signed (GOST), with the OCSPSigning extended key
//     usage, valid now;
//   - the responder's GOST key signed the response;
//   - the answer used is the one whose serial is cert's and whose issuer
//     name and key hashes are issuer's.

// gostSigned says whether der is an OCSP response with a GOST signature.
func gostSigned(der []byte) bool {
	b, _, err := basic(der)
	return err == nil && gost.IsSignatureAlgorithm(b.Algorithm.Algorithm)
}

// basic reads a successful OCSP response's BasicOCSPResponse and its DER.
func basic(der []byte) (*basicResponse, []byte, error) {
	var r ocspResponse
	if rest, err := asn1.Unmarshal(der, &r); err != nil || len(rest) > 0 {
		return nil, nil, fmt.Errorf("not an OCSP response: %v", err)
	}
	if r.Status != 0 {
		return nil, nil, fmt.Errorf("OCSP responder: %s", ocsp.ResponseStatus(r.Status).String())
	}
	if !r.Response.Type.Equal(oidBasic) {
		return nil, nil, errors.New("not a basic OCSP response")
	}
	var b basicResponse
	if rest, err := asn1.Unmarshal(r.Response.Bytes, &b); err != nil || len(rest) > 0 {
		return nil, nil, fmt.Errorf("basic OCSP response: %v", err)
	}
	return &b, r.Response.Bytes, nil
}

// parseGOST is ocsp.ParseResponseForCert for a GOST-signed response, at
// time now (for the delegated responder's validity).
func parseGOST(der []byte, cert, issuer *x509.Certificate, now time.Time) (r *ocsp.Response, err error) {
	defer func() {
		if p := recover(); p != nil { // outside data: never a crash
			r, err = nil, fmt.Errorf("OCSP response: %v", p)
		}
	}()
	if cert == nil || issuer == nil {
		return nil, errors.New("OCSP: the certificate and its issuer are needed")
	}
	b, basicDER, err := basic(der)
	if err != nil {
		return nil, err
	}
	var certs []*x509.Certificate
	if len(b.Certs.Bytes) > 0 {
		var raws []asn1.RawValue
		if _, err := asn1.Unmarshal(b.Certs.Bytes, &raws); err != nil {
			return nil, fmt.Errorf("OCSP responder certificates: %v", err)
		}
		for _, raw := range raws {
			c, err := x509.ParseCertificate(raw.FullBytes)
			if err != nil {
				return nil, fmt.Errorf("OCSP responder certificate: %v", err)
			}
			certs = append(certs, c)
		}
	}
	signer, err := responder(b.TBS.Responder, issuer, certs, now)
	if err != nil {
		return nil, err
	}
	pub, err := gost.PublicKeyOf(signer)
	if err != nil {
		return nil, fmt.Errorf("OCSP responder's key: %v", err)
	}
	if err := gost.CheckSignedDER(basicDER, pub); err != nil {
		return nil, fmt.Errorf("OCSP response signature: %v", err)
	}
	for _, s := range b.TBS.Responses {
		if s.CertID.Serial == nil || s.CertID.Serial.Cmp(cert.SerialNumber) != 0 || !aboutIssuer(s, issuer) {
			continue
		}
		return single(s, signer, b.TBS.ProducedAt)
	}
	return nil, ocsp.ParseError("no response matching the supplied certificate")
}

// responder finds who signed the response: issuer, or a certificate in it
// that issuer delegated OCSP to.
func responder(id asn1.RawValue, issuer *x509.Certificate, certs []*x509.Certificate, now time.Time) (*x509.Certificate, error) {
	if id.Class != asn1.ClassContextSpecific || (id.Tag != 1 && id.Tag != 2) {
		return nil, errors.New("OCSP response: unknown responder ID")
	}
	var keyHash []byte
	if id.Tag == 2 {
		if _, err := asn1.Unmarshal(id.Bytes, &keyHash); err != nil {
			return nil, errors.New("OCSP response: bad responder key hash")
		}
	}
	is := func(c *x509.Certificate) bool {
		if id.Tag == 1 {
			return bytes.Equal(c.RawSubject, id.Bytes)
		}
		h, err := keyHashOf(c, crypto.SHA1)
		return err == nil && bytes.Equal(h, keyHash)
	}
	if is(issuer) {
		return issuer, nil
	}
	for _, c := range certs {
		if !is(c) {
			continue
		}
		switch {
		case !bytes.Equal(c.RawIssuer, issuer.RawSubject):
			return nil, errors.New("OCSP responder certificate is not from the certificate's issuer")
		case !slices.Contains(c.ExtKeyUsage, x509.ExtKeyUsageOCSPSigning):
			return nil, errors.New("OCSP responder certificate lacks the OCSPSigning usage")
		case c.KeyUsage != 0 && c.KeyUsage&x509.KeyUsageDigitalSignature == 0:
			return nil, errors.New("OCSP responder certificate may not sign")
		case now.Before(c.NotBefore) || now.After(c.NotAfter):
			return nil, fmt.Errorf("OCSP responder certificate is not valid at %s", now.UTC().Format(time.RFC3339))
		}
		if err := gost.CheckCertSignature(c, issuer); err != nil {
			return nil, fmt.Errorf("OCSP responder certificate: bad issuer signature: %v", err)
		}
		return c, nil
	}
	return nil, errors.New("OCSP response: signed by neither the issuer nor a responder it delegated")
}

var hashOIDs = map[string]crypto.Hash{
	"1.3.14.3.2.26":          crypto.SHA1,
	"2.16.840.1.101.3.4.2.1": crypto.SHA256,
	"2.16.840.1.101.3.4.2.2": crypto.SHA384,
	"2.16.840.1.101.3.4.2.3": crypto.SHA512,
}

// aboutIssuer says whether a CertID names issuer (by name and key hash).
func aboutIssuer(s singleResponse, issuer *x509.Certificate) bool {
	h, ok := hashOIDs[s.CertID.Hash.Algorithm.String()]
	if !ok {
		return false
	}
	kh, err := keyHashOf(issuer, h)
	if err != nil {
		return false
	}
	nh := h.New()
	nh.Write(issuer.RawSubject)
	return bytes.Equal(nh.Sum(nil), s.CertID.NameHash) && bytes.Equal(kh, s.CertID.KeyHash)
}

// keyHashOf hashes c's subjectPublicKey BIT STRING (RFC 6960 4.1.1).
func keyHashOf(c *x509.Certificate, h crypto.Hash) ([]byte, error) {
	var spki struct {
		Algorithm asn1.RawValue
		Key       asn1.BitString
	}
	if _, err := asn1.Unmarshal(c.RawSubjectPublicKeyInfo, &spki); err != nil {
		return nil, err
	}
	if h == crypto.SHA1 {
		s := sha1.Sum(spki.Key.RightAlign())
		return s[:], nil
	}
	hh := h.New()
	hh.Write(spki.Key.RightAlign())
	return hh.Sum(nil), nil
}

// single turns a verified SingleResponse into x/crypto/ocsp's form.
func single(s singleResponse, signer *x509.Certificate, producedAt time.Time) (*ocsp.Response, error) {
	r := &ocsp.Response{SerialNumber: s.CertID.Serial, ProducedAt: producedAt, ThisUpdate: s.ThisUpdate,
		NextUpdate: s.NextUpdate, Certificate: signer}
	switch {
	case s.Status.Class == asn1.ClassContextSpecific && s.Status.Tag == 0:
		r.Status = ocsp.Good
	case s.Status.Class == asn1.ClassContextSpecific && s.Status.Tag == 1:
		var ri struct {
			Time   time.Time       `asn1:"generalized"`
			Reason asn1.Enumerated `asn1:"explicit,tag:0,optional"`
		}
		if _, err := asn1.UnmarshalWithParams(s.Status.FullBytes, &ri, "tag:1"); err != nil {
			return nil, fmt.Errorf("OCSP revoked status: %v", err)
		}
		r.Status, r.RevokedAt, r.RevocationReason = ocsp.Revoked, ri.Time, int(ri.Reason)
	case s.Status.Class == asn1.ClassContextSpecific && s.Status.Tag == 2:
		r.Status = ocsp.Unknown
	default:
		return nil, errors.New("OCSP response: bad certificate status")
	}
	return r, nil
}
