package ocsphttp

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"time"

	"kense/eds"
)

// Info is what an OCSP response says, read without checking its signature.
type Info struct {
	Status             string // eds.StatusGood, StatusRevoked, StatusUnknown
	Serial             *big.Int
	ProducedAt         time.Time
	ThisUpdate         time.Time
	NextUpdate         time.Time // zero when absent
	SignatureAlgorithm string    // OID, e.g. NCA's GOST 1.2.398.3.10.1.1.2.3.2
}

type ocspResponse struct {
	Status   asn1.Enumerated
	Response struct {
		Type  asn1.ObjectIdentifier
		Bytes []byte
	} `asn1:"explicit,tag:0,optional"`
}

type basicResponse struct {
	TBS       responseData
	Algorithm pkix.AlgorithmIdentifier
	Signature asn1.BitString
	Certs     asn1.RawValue `asn1:"explicit,tag:0,optional"`
}

type responseData struct {
	Raw        asn1.RawContent
	Version    int `asn1:"optional,explicit,default:0,tag:0"`
	Responder  asn1.RawValue
	ProducedAt time.Time `asn1:"generalized"`
	Responses  []singleResponse
	Extensions asn1.RawValue `asn1:"optional,explicit,tag:1"`
}

type singleResponse struct {
	CertID struct {
		Hash     pkix.AlgorithmIdentifier
		NameHash []byte
		KeyHash  []byte
		Serial   *big.Int
	}
	Status     asn1.RawValue
	ThisUpdate time.Time     `asn1:"generalized"`
	NextUpdate time.Time     `asn1:"generalized,explicit,tag:0,optional"`
	Extensions asn1.RawValue `asn1:"optional,explicit,tag:1"`
}

var oidBasic = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 1}

// ParseUnverified reads an OCSP response's first answer without checking
// its signature: for looking at a response (tests, diagnostics). Never base
// a trust decision on it; Checker.Status does the verified reading, GOST
// signatures included.
func ParseUnverified(der []byte) (*Info, error) {
	var r ocspResponse
	if rest, err := asn1.Unmarshal(der, &r); err != nil || len(rest) > 0 {
		return nil, fmt.Errorf("not an OCSP response: %v", err)
	}
	if r.Status != 0 {
		return nil, fmt.Errorf("OCSP responder status %d", r.Status)
	}
	if !r.Response.Type.Equal(oidBasic) {
		return nil, errors.New("not a basic OCSP response")
	}
	var b basicResponse
	if _, err := asn1.Unmarshal(r.Response.Bytes, &b); err != nil {
		return nil, fmt.Errorf("basic OCSP response: %v", err)
	}
	if len(b.TBS.Responses) == 0 {
		return nil, errors.New("OCSP response without answers")
	}
	s := b.TBS.Responses[0]
	info := &Info{Serial: s.CertID.Serial, ProducedAt: b.TBS.ProducedAt, ThisUpdate: s.ThisUpdate, NextUpdate: s.NextUpdate, SignatureAlgorithm: b.Algorithm.Algorithm.String()}
	switch {
	case s.Status.Class == asn1.ClassContextSpecific && s.Status.Tag == 0:
		info.Status = eds.StatusGood
	case s.Status.Class == asn1.ClassContextSpecific && s.Status.Tag == 1:
		info.Status = eds.StatusRevoked
	default:
		info.Status = eds.StatusUnknown
	}
	return info, nil
}
