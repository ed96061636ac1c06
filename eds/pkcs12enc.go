package eds

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"

	"kense/eds/gost"
)

// EncodePKCS12 writes a key file shaped like NCA's: BER with indefinite
// lengths, the private key in a pbeWithSHA1And3-KeyTripleDES-CBC shrouded key
// bag, the certificates in a pbeWithSHA1And40BitRC2-CBC encrypted bag and an
// HMAC-SHA1 over the BER bytes. Only RSA keys are written here
// (EncodeGOSTPKCS12 writes GOST ones). The demo PKI and tests use it for fresh keys; ReadPKCS12 and openssl read it back.
func EncodePKCS12(key crypto.Signer, cert *x509.Certificate, chain []*x509.Certificate, password []byte) ([]byte, error) {
	rk, ok := key.(*rsa.PrivateKey)
	if !ok {
		return nil, newErr(CodeUnsupportedAlgorithm, "only RSA keys can be written")
	}
	if cert == nil {
		return nil, errors.New("eds: EncodePKCS12 needs the key's certificate")
	}
	if !rk.PublicKey.Equal(cert.PublicKey) {
		return nil, errors.New("eds: the certificate is not the key's")
	}
	p8, err := x509.MarshalPKCS8PrivateKey(rk)
	if err != nil {
		return nil, err
	}
	defer wipe(p8)
	return encodePKCS12(p8, cert, chain, password)
}

// EncodeGOSTPKCS12 is EncodePKCS12 for a GOST key (GOST 34.10-2015 512 or
// 34.310-2004): the key bag holds NCA's PKCS#8 form of it (see
// gost.MarshalNCAPrivateKey), so ReadPKCS12 gives a Key that signs as one
// from an NCA key file does.
func EncodeGOSTPKCS12(key *gost.PrivateKey, cert *x509.Certificate, chain []*x509.Certificate, password []byte) ([]byte, error) {
	if key == nil || cert == nil {
		return nil, errors.New("eds: EncodeGOSTPKCS12 needs a key and its certificate")
	}
	pub, err := gost.PublicKeyOf(cert)
	if err != nil || pub.Curve != key.Curve || pub.X.Cmp(key.X) != 0 || pub.Y.Cmp(key.Y) != 0 {
		return nil, errors.New("eds: the certificate is not the key's")
	}
	p8, err := gost.MarshalNCAPrivateKey(key)
	if err != nil {
		return nil, err
	}
	defer wipe(p8)
	return encodePKCS12(p8, cert, chain, password)
}

// encodePKCS12 writes the key file around the PKCS#8 DER p8.
func encodePKCS12(p8 []byte, cert *x509.Certificate, chain []*x509.Certificate, password []byte) ([]byte, error) {
	pass := bmpPassword(password)
	defer wipe(pass)
	const iter = 1024 // what NCA uses
	keyID := sha1.Sum(cert.RawSubjectPublicKeyInfo)
	if cert.SubjectKeyId != nil {
		copy(keyID[:], cert.SubjectKeyId) // NCA's localKeyId is the SKI
	}
	attrs := localKeyIDAttr(keyID[:])

	// Key bag: PKCS#8 under 3DES.
	keySalt := randBytes(20)
	encKey, err := pbeEncrypt(oidPBE3DES, pass, keySalt, iter, p8)
	if err != nil {
		return nil, err
	}
	epki := mustMarshal(encryptedPrivateKeyInfo{Algorithm: pbeAlg(oidPBE3DESObj, keySalt, iter), Data: encKey})
	keyBags := berSeq(berSeq(
		mustMarshal(oidShroudedKeyBag),
		berExplicit0(epki),
		attrs,
	))

	// Certificate bags: under RC2-40, the leaf with the key's localKeyId.
	var certBags [][]byte
	for i, c := range append([]*x509.Certificate{cert}, chain...) {
		cb := mustMarshal(certBag{ID: oidCertTypeX509, Data: c.Raw})
		bag := [][]byte{mustMarshal(oidCertBag), berExplicit0(cb)}
		if i == 0 {
			bag = append(bag, attrs)
		}
		certBags = append(certBags, berSeq(bag...))
	}
	certSalt := randBytes(20)
	encCerts, err := pbeEncrypt(oidPBERC240, pass, certSalt, iter, berSeq(certBags...))
	if err != nil {
		return nil, err
	}
	encData := berSeq(
		mustMarshal(0),
		berSeq(
			mustMarshal(oidData),
			mustMarshal(pbeAlg(oidPBERC240Obj, certSalt, iter)),
			berTag(0xa0, octetChunks(encCerts)...), // [0] IMPLICIT OCTET STRING, chunked
		),
	)
	authSafe := berSeq(
		berSeq(mustMarshal(oidData), berExplicit0(berOctets(keyBags))),
		berSeq(mustMarshal(oidEncryptedData), berExplicit0(encData)),
	)

	macSalt := randBytes(20)
	mac := pkcs12MAC(pass, macSalt, iter, authSafe)
	var md macData
	md.Mac.Algorithm = pkix.AlgorithmIdentifier{Algorithm: oidSHA1, Parameters: asn1.NullRawValue}
	md.Mac.Digest, md.Salt, md.Iterations = mac, macSalt, iter
	return berSeq(
		mustMarshal(3),
		berSeq(mustMarshal(oidData), berExplicit0(appendTLV(nil, 0, false, asn1.TagOctetString, authSafe))),
		mustMarshal(md),
	), nil
}

func pbeAlg(oid asn1.ObjectIdentifier, salt []byte, iter int) pkix.AlgorithmIdentifier {
	return pkix.AlgorithmIdentifier{Algorithm: oid, Parameters: asn1.RawValue{FullBytes: mustMarshal(pbeParams{Salt: salt, Iterations: iter})}}
}

func localKeyIDAttr(id []byte) []byte {
	a := mustMarshal(pkcs12Attribute{ID: oidLocalKeyID, Value: asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSet, IsCompound: true, Bytes: mustMarshal(id)}})
	return appendTLV(nil, 0, true, asn1.TagSet, a)
}

func randBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return b
}

// BER writers with indefinite lengths, as NCA's files have them.
func berTag(first byte, children ...[]byte) []byte {
	out := []byte{first, 0x80}
	for _, c := range children {
		out = append(out, c...)
	}
	return append(out, 0, 0)
}

func berSeq(children ...[]byte) []byte { return berTag(0x30, children...) }

func berExplicit0(child []byte) []byte { return berTag(0xa0, child) }

// berOctets writes a constructed OCTET STRING in 1000-byte chunks.
func berOctets(b []byte) []byte { return berTag(0x24, octetChunks(b)...) }

func octetChunks(b []byte) [][]byte {
	var chunks [][]byte
	for len(b) > 1000 {
		chunks = append(chunks, appendTLV(nil, 0, false, asn1.TagOctetString, b[:1000]))
		b = b[1000:]
	}
	return append(chunks, appendTLV(nil, 0, false, asn1.TagOctetString, b))
}
