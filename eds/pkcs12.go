package eds

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
)

// Key is one private key of a container with its certificate.
type Key struct {
	Info  KeyInfo
	Cert  *x509.Certificate
	Chain []*x509.Certificate // other certificates of the container that issued Cert

	signer    crypto.Signer // RSA (and other keys Go knows)
	gostOID   asn1.ObjectIdentifier
	gostPKCS8 []byte // the decrypted PKCS#8 DER of a GOST key (gost.ParseNCAPrivateKey reads it)
}

// Container is a read key file.
type Container struct {
	Keys []*Key
}

// Wipe clears the private key bytes that Go lets us reach. RSA keys live in
// big.Ints, which cannot be wiped reliably; dropping the Container is the rest.
func (c *Container) Wipe() {
	for _, k := range c.Keys {
		wipe(k.gostPKCS8)
		k.gostPKCS8 = nil
		k.signer = nil
	}
}

type contentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue `asn1:"explicit,tag:0,optional"`
}

type macData struct {
	Mac struct {
		Algorithm pkix.AlgorithmIdentifier
		Digest    []byte
	}
	Salt       []byte
	Iterations int `asn1:"optional,default:1"`
}

type safeBag struct {
	ID         asn1.ObjectIdentifier
	Value      asn1.RawValue     `asn1:"explicit,tag:0"`
	Attributes []pkcs12Attribute `asn1:"set,optional"`
}

type pkcs12Attribute struct {
	ID    asn1.ObjectIdentifier
	Value asn1.RawValue `asn1:"set"`
}

type keyEntry struct {
	id  []byte
	key *Key
}

type certEntry struct {
	id   []byte
	cert *x509.Certificate
}

type pbeParams struct {
	Salt       []byte
	Iterations int
}

type encryptedPrivateKeyInfo struct {
	Algorithm pkix.AlgorithmIdentifier
	Data      []byte
}

type certBag struct {
	ID   asn1.ObjectIdentifier
	Data []byte `asn1:"explicit,tag:0"`
}

type pkcs8 struct {
	Version    int
	Algorithm  pkix.AlgorithmIdentifier
	PrivateKey []byte
	Attributes asn1.RawValue `asn1:"optional,tag:0"`
}

func badContainer(format string, a ...any) error {
	return newErr(CodeBadContainer, fmt.Sprintf(format, a...))
}

// ReadPKCS12 reads a key file as NCA issues it (BER, MAC over the BER bytes,
// 3DES key bags, RC2-40 certificate bags) and returns its keys with their
// certificates. A wrong password gives ErrWrongPassword; anything malformed
// gives an *Error with Code bad_container. The caller owns password and may
// wipe it afterwards.
func ReadPKCS12(data, password []byte) (c *Container, err error) {
	defer func() {
		// A parser of outside data must never crash the app.
		if r := recover(); r != nil {
			c, err = nil, badContainer("internal error: %v", r)
		}
	}()
	pass := bmpPassword(password)
	defer wipe(pass)

	root, _, err := parseBER(data)
	if err != nil {
		return nil, badContainer("%v", err)
	}
	if !root.constructed || root.class != 0 || root.tag != 16 || len(root.children) < 2 {
		return nil, badContainer("not a PKCS#12 file")
	}
	if v := root.children[0]; v.constructed || v.tag != 2 || !bytes.Equal(v.content, []byte{3}) {
		return nil, badContainer("unsupported PKCS#12 version")
	}
	auth := root.children[1]
	if len(auth.children) != 2 || auth.children[0].tag != 6 || auth.children[1].class != 2 || len(auth.children[1].children) != 1 {
		return nil, badContainer("bad authSafe")
	}
	var ct asn1.ObjectIdentifier
	if _, err := asn1.Unmarshal(auth.children[0].der(), &ct); err != nil || !ct.Equal(oidData) {
		return nil, badContainer("authSafe is not data (public-key integrity mode is not supported)")
	}
	authBytes, err := auth.children[1].children[0].octets()
	if err != nil {
		return nil, badContainer("%v", err)
	}
	macChecked := false
	if len(root.children) > 2 {
		var md macData
		if _, err := asn1.Unmarshal(root.children[2].der(), &md); err != nil {
			return nil, badContainer("bad MAC data: %v", err)
		}
		if !md.Mac.Algorithm.Algorithm.Equal(oidSHA1) {
			return nil, newErr(CodeUnsupportedAlgorithm, "MAC algorithm "+md.Mac.Algorithm.Algorithm.String())
		}
		if md.Iterations < 1 || md.Iterations > 1<<20 {
			return nil, badContainer("bad MAC iteration count %d", md.Iterations)
		}
		if !macEqual(pkcs12MAC(pass, md.Salt, md.Iterations, authBytes), md.Mac.Digest) {
			return nil, ErrWrongPassword
		}
		macChecked = true
	}

	der, err := berToDER(authBytes)
	if err != nil {
		return nil, badContainer("authenticated safe: %v", err)
	}
	var safes []contentInfo
	if rest, err := asn1.Unmarshal(der, &safes); err != nil || len(rest) > 0 {
		return nil, badContainer("authenticated safe: %v", err)
	}
	var keys []keyEntry
	var certs []certEntry
	for _, ci := range safes {
		var plain []byte
		switch {
		case ci.ContentType.Equal(oidData):
			if _, err := asn1.Unmarshal(ci.Content.Bytes, &plain); err != nil {
				return nil, badContainer("safe contents: %v", err)
			}
		case ci.ContentType.Equal(oidEncryptedData):
			plain, err = decryptEncryptedData(ci.Content.Bytes, pass)
			if err != nil {
				if errors.Is(err, errPadding) {
					if macChecked {
						return nil, badContainer("encrypted safe: %v", err)
					}
					return nil, ErrWrongPassword
				}
				return nil, err
			}
		default:
			continue // enveloped data etc.: nothing NCA issues
		}
		bagsDER, err := berToDER(plain)
		if err != nil {
			return nil, badContainer("safe contents: %v", err)
		}
		var bags []safeBag
		if rest, err := asn1.Unmarshal(bagsDER, &bags); err != nil || len(rest) > 0 {
			return nil, badContainer("safe bags: %v", err)
		}
		for _, b := range bags {
			id := localKeyID(b.Attributes)
			switch {
			case b.ID.Equal(oidShroudedKeyBag), b.ID.Equal(oidKeyBag):
				raw := b.Value.Bytes
				if b.ID.Equal(oidShroudedKeyBag) {
					raw, err = decryptShrouded(raw, pass)
					if err != nil {
						if errors.Is(err, errPadding) && !macChecked {
							return nil, ErrWrongPassword
						}
						return nil, err
					}
				}
				k, err := parsePrivateKey(raw)
				wipe(raw)
				if err != nil {
					return nil, err
				}
				keys = append(keys, keyEntry{id, k})
			case b.ID.Equal(oidCertBag):
				var cb certBag
				if _, err := asn1.Unmarshal(b.Value.Bytes, &cb); err != nil {
					return nil, badContainer("certificate bag: %v", err)
				}
				if !cb.ID.Equal(oidCertTypeX509) {
					continue
				}
				cert, err := x509.ParseCertificate(cb.Data)
				if err != nil {
					return nil, badContainer("certificate: %v", err)
				}
				certs = append(certs, certEntry{id, cert})
			}
		}
	}
	if len(keys) == 0 {
		return nil, badContainer("no private key in the file")
	}
	used := map[*x509.Certificate]bool{}
	c = &Container{}
	for _, ke := range keys {
		cert := matchCert(ke, certs, len(keys))
		if cert == nil {
			return nil, badContainer("no certificate for a private key")
		}
		used[cert] = true
		ke.key.Cert = cert
		ke.key.Info = Facts(cert)
		if ke.key.gostOID != nil {
			ke.key.Info.Algorithm = gostAlgorithm(ke.key.gostOID)
		}
		c.Keys = append(c.Keys, ke.key)
	}
	for _, k := range c.Keys {
		k.Chain = buildChain(k.Cert, certs2list(certs, used))
	}
	return c, nil
}

// matchCert finds a key's certificate: by localKeyId as NCA pairs them, else
// by public key, else the only end-entity certificate of a one-key file.
func matchCert(ke keyEntry, certs []certEntry, nkeys int) *x509.Certificate {
	for _, ce := range certs {
		if len(ke.id) > 0 && bytes.Equal(ke.id, ce.id) {
			return ce.cert
		}
	}
	if ke.key.signer != nil {
		if pub, ok := ke.key.signer.Public().(interface{ Equal(crypto.PublicKey) bool }); ok {
			for _, ce := range certs {
				if pub.Equal(ce.cert.PublicKey) {
					return ce.cert
				}
			}
		}
	}
	if nkeys == 1 {
		for _, ce := range certs {
			if !ce.cert.IsCA {
				return ce.cert
			}
		}
	}
	return nil
}

func certs2list(in []certEntry, used map[*x509.Certificate]bool) []*x509.Certificate {
	var out []*x509.Certificate
	for _, e := range in {
		if !used[e.cert] {
			out = append(out, e.cert)
		}
	}
	return out
}

// buildChain follows issuers among pool, leaf excluded, by name and signature.
func buildChain(leaf *x509.Certificate, pool []*x509.Certificate) []*x509.Certificate {
	var chain []*x509.Certificate
	cur := leaf
	for len(chain) < len(pool) {
		var next *x509.Certificate
		for _, p := range pool {
			if bytes.Equal(p.RawSubject, cur.RawIssuer) && !bytes.Equal(p.Raw, cur.Raw) {
				next = p
				break
			}
		}
		if next == nil {
			break
		}
		chain = append(chain, next)
		if bytes.Equal(next.RawSubject, next.RawIssuer) {
			break
		}
		cur = next
	}
	return chain
}

func localKeyID(attrs []pkcs12Attribute) []byte {
	for _, a := range attrs {
		if a.ID.Equal(oidLocalKeyID) {
			var id []byte
			if _, err := asn1.Unmarshal(a.Value.Bytes, &id); err == nil {
				return id
			}
		}
	}
	return nil
}

func decryptEncryptedData(der, pass []byte) ([]byte, error) {
	var ed struct {
		Version int
		Info    struct {
			ContentType asn1.ObjectIdentifier
			Algorithm   pkix.AlgorithmIdentifier
			Content     asn1.RawValue `asn1:"optional"`
		}
	}
	if _, err := asn1.Unmarshal(der, &ed); err != nil {
		return nil, badContainer("encrypted data: %v", err)
	}
	if ed.Info.Content.Class != asn1.ClassContextSpecific || ed.Info.Content.Tag != 0 {
		return nil, badContainer("encrypted data without content")
	}
	n, _, err := parseBER(ed.Info.Content.FullBytes)
	if err != nil {
		return nil, badContainer("encrypted data: %v", err)
	}
	ct, err := n.octets()
	if err != nil {
		return nil, badContainer("encrypted data: %v", err)
	}
	return pbeDecryptAlg(ed.Info.Algorithm, pass, ct)
}

func decryptShrouded(der, pass []byte) ([]byte, error) {
	var epki encryptedPrivateKeyInfo
	if _, err := asn1.Unmarshal(der, &epki); err != nil {
		return nil, badContainer("shrouded key bag: %v", err)
	}
	return pbeDecryptAlg(epki.Algorithm, pass, epki.Data)
}

func pbeDecryptAlg(alg pkix.AlgorithmIdentifier, pass, data []byte) ([]byte, error) {
	name := alg.Algorithm.String()
	if name != oidPBE3DES && name != oidPBERC240 {
		return nil, newErr(CodeUnsupportedAlgorithm, "encryption "+name)
	}
	var p pbeParams
	if _, err := asn1.Unmarshal(alg.Parameters.FullBytes, &p); err != nil {
		return nil, badContainer("PBE parameters: %v", err)
	}
	if p.Iterations < 1 || p.Iterations > 1<<20 {
		return nil, badContainer("bad PBE iteration count %d", p.Iterations)
	}
	return pbeDecrypt(name, pass, p.Salt, p.Iterations, data)
}

func parsePrivateKey(raw []byte) (*Key, error) {
	der, err := berToDER(raw)
	if err != nil {
		return nil, badContainer("private key: %v", err)
	}
	defer wipe(der)
	var p pkcs8
	if _, err := asn1.Unmarshal(der, &p); err != nil {
		return nil, badContainer("private key: %v", err)
	}
	if g := gostAlgorithm(p.Algorithm.Algorithm); g != "" {
		wipe(p.PrivateKey)
		return &Key{gostOID: p.Algorithm.Algorithm, gostPKCS8: append([]byte(nil), der...)}, nil
	}
	key, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, newErr(CodeUnsupportedAlgorithm, "private key "+p.Algorithm.Algorithm.String()+": "+err.Error())
	}
	s, ok := key.(crypto.Signer)
	if !ok {
		return nil, newErr(CodeUnsupportedAlgorithm, "private key "+p.Algorithm.Algorithm.String())
	}
	return &Key{signer: s}, nil
}

// Signer signs with the key: RSA keys with crypto/rsa, GOST keys
// (GOST 34.10-2015 512, GOST 34.310-2004) with eds/gost.
func (k *Key) Signer() (Signer, error) {
	if k.gostOID != nil {
		return gostSigner(k)
	}
	if k.signer == nil || k.Cert == nil {
		return nil, newErr(CodeBadContainer, "key has been wiped")
	}
	return &keySigner{key: k.signer, cert: k.Cert, chain: k.Chain}, nil
}
