package eds

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"strings"
	"time"
)

// EKU OIDs that tell NCA's authentication keys from signing keys.
const (
	EKUAuth = "1.3.6.1.5.5.7.3.2"
	EKUSign = "1.3.6.1.5.5.7.3.4"
)

// KeyInfo is what a user (and the server) needs to know about a certificate.
type KeyInfo struct {
	IIN          string    `json:"iin"`
	BIN          string    `json:"bin"`
	CommonName   string    `json:"commonName"`
	Surname      string    `json:"surname,omitempty"`
	GivenName    string    `json:"givenName,omitempty"`
	Patronymic   string    `json:"patronymic,omitempty"`
	Organization string    `json:"organization,omitempty"`
	Email        string    `json:"email,omitempty"`
	KeyUsage     string    `json:"keyUsage"`  // "AUTH", "SIGN", "AUTH,SIGN" or ""
	Algorithm    string    `json:"algorithm"` // "RSA-2048", "GOST2015-512", "GOST2004"
	NotBefore    time.Time `json:"notBefore"`
	NotAfter     time.Time `json:"notAfter"`
	Serial       string    `json:"serial"` // upper-case hex of the serial's bytes
	Issuer       string    `json:"issuer"`
	// Policies holds the certificate policy OIDs and the NCA subject-type OIDs
	// (1.2.398.3.3.4.1.*), which NCA puts among the extended key usages.
	Policies []string `json:"policies,omitempty"`
}

// Facts reads the NCA subject fields and key facts of a certificate. NCA puts
// the patronymic in givenName (G) and "SURNAME NAME" in CN, so GivenName is
// CN without the surname.
func Facts(cert *x509.Certificate) KeyInfo {
	var k KeyInfo
	if cert == nil {
		return k
	}
	for _, a := range cert.Subject.Names {
		v, ok := a.Value.(string)
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch {
		case a.Type.Equal(oidSerialNumber):
			if strings.HasPrefix(strings.ToUpper(v), "IIN") {
				k.IIN = v[3:]
			}
		case a.Type.Equal(oidOrgUnit):
			if strings.HasPrefix(strings.ToUpper(v), "BIN") {
				k.BIN = v[3:]
			}
		case a.Type.Equal(oidCN):
			k.CommonName = v
		case a.Type.Equal(oidSurname):
			k.Surname = v
		case a.Type.Equal(oidGivenName):
			k.Patronymic = v
		case a.Type.Equal(oidOrg):
			k.Organization = v
		case a.Type.Equal(oidEmail):
			k.Email = v
		}
	}
	if k.Email == "" && len(cert.EmailAddresses) > 0 {
		k.Email = cert.EmailAddresses[0]
	}
	if k.Surname != "" && strings.HasPrefix(k.CommonName, k.Surname+" ") {
		k.GivenName = strings.TrimSpace(k.CommonName[len(k.Surname)+1:])
	}
	var auth, sign bool
	for _, u := range cert.ExtKeyUsage {
		switch u {
		case x509.ExtKeyUsageClientAuth:
			auth = true
		case x509.ExtKeyUsageEmailProtection:
			sign = true
		}
	}
	for _, p := range cert.PolicyIdentifiers {
		k.Policies = append(k.Policies, p.String())
	}
	for _, u := range cert.UnknownExtKeyUsage {
		k.Policies = append(k.Policies, u.String())
	}
	switch {
	case auth && sign:
		k.KeyUsage = "AUTH,SIGN"
	case auth:
		k.KeyUsage = "AUTH"
	case sign:
		k.KeyUsage = "SIGN"
	}
	k.Algorithm = certAlgorithm(cert)
	k.NotBefore, k.NotAfter = cert.NotBefore.UTC(), cert.NotAfter.UTC()
	if cert.SerialNumber != nil {
		k.Serial = fmt.Sprintf("%X", cert.SerialNumber.Bytes())
	}
	k.Issuer = cert.Issuer.CommonName
	if k.Issuer == "" {
		k.Issuer = cert.Issuer.String()
	}
	return k
}

// hasEKU reports whether cert carries the extended key usage oid.
func hasEKU(cert *x509.Certificate, oid string) bool {
	for _, u := range cert.ExtKeyUsage {
		if (u == x509.ExtKeyUsageClientAuth && oid == EKUAuth) || (u == x509.ExtKeyUsageEmailProtection && oid == EKUSign) {
			return true
		}
	}
	for _, u := range cert.UnknownExtKeyUsage {
		if u.String() == oid {
			return true
		}
	}
	return false
}

func certAlgorithm(cert *x509.Certificate) string {
	switch pub := cert.PublicKey.(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA-%d", pub.N.BitLen())
	case *ecdsa.PublicKey:
		return "ECDSA-" + pub.Curve.Params().Name
	case ed25519.PublicKey:
		return "Ed25519"
	}
	if oid, ok := spkiAlgorithm(cert.RawSubjectPublicKeyInfo); ok {
		if g := gostAlgorithm(oid); g != "" {
			return g
		}
		return oid.String()
	}
	return ""
}

func spkiAlgorithm(spki []byte) (asn1.ObjectIdentifier, bool) {
	var s struct {
		Algorithm pkix.AlgorithmIdentifier
		Key       asn1.BitString
	}
	if _, err := asn1.Unmarshal(spki, &s); err != nil {
		return nil, false
	}
	return s.Algorithm.Algorithm, true
}
