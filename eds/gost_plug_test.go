package eds

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kense/eds/gost"
)

// The NCA test GOST-2015 key (SIGN, valid 2022-07-28..2023-07-28) and its CA.
const (
	gostKeyFile = "individual_gost2015_sign_valid.p12"
	gostKeyPass = "Aa123456"
	gostCAFile  = "nca_gost2015_test.cer"
	gostCRLFile = "nca_gost2022_test.crl"
)

func gostNCASigner(t testing.TB) (Signer, *Key) {
	t.Helper()
	k := readNCAKey(t, gostKeyFile, gostKeyPass).Keys[0]
	s, err := k.Signer()
	if err != nil {
		t.Fatal(err)
	}
	return s, k
}

func gostVerifier(t testing.TB, at string) *Verifier {
	return &Verifier{Anchors: []*x509.Certificate{ncaCert(t, gostCAFile)}, CRLs: []*x509.RevocationList{ncaCRL(t, gostCRLFile)},
		Policy: RevocationRequire, Now: func() time.Time { return date(at) }}
}

// TestGOSTSignVerifyNCA: the NCA test GOST-2015 key signs, and the verifier
// checks the signature, the chain to NCA's GOST-2015 test CA and NCA's GOST
// CRL, as of a time inside the certificate's validity.
func TestGOSTSignVerifyNCA(t *testing.T) {
	s, k := gostNCASigner(t)
	if k.Info.Algorithm != "GOST2015-512" || s.Certificate() != k.Cert {
		t.Fatalf("%+v", k.Info)
	}
	data := []byte("Kense challenge: Қазақстан ✓")
	signedAt := date("2022-12-31T10:00:00Z")
	attached, err := s.SignCMS(data, false, signedAt)
	if err != nil {
		t.Fatal(err)
	}
	detached, err := s.SignCMS(data, true, signedAt)
	if err != nil {
		t.Fatal(err)
	}

	// The shape Kalkan makes: NCA OIDs with NULL parameters, Streebog-512
	// messageDigest as the hash outputs it, a 128-byte signature.
	sd, err := ParseCMS(attached)
	if err != nil {
		t.Fatal(err)
	}
	si := sd.Signers[0]
	sum := gost.Sum512(data)
	if !si.DigestAlgorithm.Equal(gost.OIDNCADigest2015) || !si.SignatureAlgorithm.Equal(gost.OIDNCASignature2015) ||
		len(si.Signature) != 128 || !bytes.Equal(si.MessageDigest, sum[:]) || si.Cert == nil || !bytes.Equal(si.Cert.Raw, k.Cert.Raw) || !bytes.Equal(sd.Content, data) {
		t.Fatalf("signer info %+v", si)
	}
	if !bytes.Contains(attached, []byte{0x06, 0x08, 0x2a, 0x83, 0x0e, 0x03, 0x0a, 0x01, 0x03, 0x03, 0x05, 0x00}) {
		t.Error("digest algorithm without NULL parameters")
	}
	pub, err := gost.PublicKeyOf(k.Cert)
	if err != nil {
		t.Fatal(err)
	}
	if err := gost.VerifyNCA(pub, si.SignedAttrs, si.Signature); err != nil {
		t.Errorf("gost.VerifyNCA over the signed attributes: %v", err)
	}

	inValidity := "2023-01-01T00:00:00Z"
	for _, tc := range []struct {
		name string
		cms  []byte
		data []byte
	}{{"attached", attached, nil}, {"attached with data", attached, data}, {"detached", detached, data}, {"BER", toIndefinite(t, attached), nil}} {
		r, err := gostVerifier(t, inValidity).VerifyCMS(tc.cms, tc.data, EKUSign)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if r.Signer.IIN != "123456789012" || r.Signer.Algorithm != "GOST2015-512" || len(r.Chain) != 2 || r.Chain[1].Subject.CommonName != "ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (GOST) TEST 2022" ||
			r.Revocation != StatusGood || r.Source != "crl" || !r.SigningTime.Equal(signedAt) {
			t.Errorf("%s: %+v", tc.name, r)
		}
	}

	flip := func(b []byte, at int) []byte {
		c := bytes.Clone(b)
		c[at] ^= 0x01
		return c
	}
	sigAt := bytes.Index(attached, si.Signature)
	mdAt := bytes.Index(attached, si.MessageDigest)
	stAt := bytes.Index(attached, []byte("221231100000Z"))
	if sigAt < 0 || mdAt < 0 || stAt < 0 {
		t.Fatal("fields not found in the CMS")
	}
	rsaCA, gost2004CA := ncaCert(t, "nca_rsa_test.crt"), ncaCert(t, "nca_gost_test.crt")
	for _, tc := range []struct {
		name   string
		cms    []byte
		data   []byte
		at     string
		eku    string
		tune   func(*Verifier)
		want   string
		detail string
	}{
		{"tampered data", detached, []byte("Kense challenge: Қазақстан ✗"), inValidity, "", nil, CodeBadSignature, ""},
		{"tampered content", flip(attached, bytes.Index(attached, data)), nil, inValidity, "", nil, CodeBadSignature, ""},
		{"tampered signature", flip(attached, sigAt+17), nil, inValidity, "", nil, CodeBadSignature, ""},
		{"tampered signature s half", flip(attached, sigAt+100), nil, inValidity, "", nil, CodeBadSignature, ""},
		{"tampered message digest", flip(attached, mdAt+3), nil, inValidity, "", nil, CodeBadSignature, ""},
		{"tampered signing time", flip(attached, stAt+5), nil, inValidity, "", nil, CodeBadSignature, ""},
		{"expired", attached, nil, "2024-01-01T00:00:00Z", "", nil, CodeExpired, ""},
		{"not yet valid", attached, nil, "2022-07-01T00:00:00Z", "", nil, CodeNotYetValid, ""},
		{"SIGN key for sign-in", attached, nil, inValidity, EKUAuth, nil, CodeWrongKeyUsage, ""},
		{"RSA CA as anchor", attached, nil, inValidity, "", func(v *Verifier) { v.Anchors = []*x509.Certificate{rsaCA} }, CodeUntrusted, ""},
		{"GOST 2004 CA as anchor", attached, nil, inValidity, "", func(v *Verifier) { v.Anchors = []*x509.Certificate{gost2004CA} }, CodeUntrusted, ""},
		{"CA only as intermediate", attached, nil, inValidity, "", func(v *Verifier) { v.Intermediates, v.Anchors = v.Anchors, nil }, CodeUntrusted, ""},
		{"no CRL, require", attached, nil, inValidity, "", func(v *Verifier) { v.CRLs = nil }, CodeRevocationUnknown, ""},
		{"CRL past its next update", attached, nil, "2023-07-01T00:00:00Z", "", nil, CodeRevocationUnknown, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := gostVerifier(t, tc.at)
			if tc.tune != nil {
				tc.tune(v)
			}
			_, err := v.VerifyCMS(tc.cms, tc.data, tc.eku)
			if code(err) != tc.want {
				t.Fatalf("got %v, want %s", err, tc.want)
			}
		})
	}
}

// TestGOSTCRL: NCA's GOST CRLs (2015 and 2004) verify with their CAs' keys
// through checkCRLSignature; a changed CRL, or the wrong CA, does not.
func TestGOSTCRL(t *testing.T) {
	for _, tc := range []struct{ crl, ca, other string }{
		{gostCRLFile, gostCAFile, "nca_gost_test.crt"},
		{"nca_gost_test.crl", "nca_gost_test.crt", gostCAFile},
	} {
		l, ca, other := ncaCRL(t, tc.crl), ncaCert(t, tc.ca), ncaCert(t, tc.other)
		if err := checkCRLSignature(l, ca); err != nil {
			t.Errorf("%s by %s: %v", tc.crl, tc.ca, err)
		}
		if err := checkCRLSignature(l, other); err == nil {
			t.Errorf("%s verified with %s", tc.crl, tc.other)
		}
		raw := bytes.Clone(l.Raw)
		raw[len(raw)-20] ^= 0x40 // inside the signature
		bad, err := x509.ParseRevocationList(raw)
		if err != nil {
			t.Fatal(err)
		}
		if err := checkCRLSignature(bad, ca); err == nil {
			t.Errorf("%s: tampered CRL verified", tc.crl)
		}
	}
	// A forged CRL refuses a good certificate's revocation check under "require".
	l := ncaCRL(t, gostCRLFile)
	raw := bytes.Clone(l.Raw)
	raw[len(raw)-9] ^= 0x02
	forged, err := x509.ParseRevocationList(raw)
	if err != nil {
		t.Fatal(err)
	}
	_, k := gostNCASigner(t)
	v := gostVerifier(t, "2023-01-01T00:00:00Z")
	v.CRLs = []*x509.RevocationList{forged}
	if _, err := v.VerifyCert(k.Cert, ""); code(err) != CodeRevocationUnknown {
		t.Errorf("forged CRL: %v", err)
	}
}

// gostPKI is a GOST-2015 PKI made here: NCA issues no test certificates to
// order, and chains longer than leaf→CA, non-CA issuers and expired
// intermediates need some.
type gostIssuer struct {
	cert *x509.Certificate
	key  *gost.PrivateKey
}

type gostCertSpec struct {
	cn           string
	ca           bool
	maxPathLen   int // -1: none
	keyUsage     x509.KeyUsage
	eku          []asn1.ObjectIdentifier
	notBefore    time.Time
	notAfter     time.Time
	iin          string
	corruptSig   bool
	criticalJunk bool
	gost2004     bool // GOST 34.310-2004 (CryptoPro A) instead of GOST-2015 512
}

var serialCounter int64 = 100

func newGOSTCert(t testing.TB, spec gostCertSpec, issuer *gostIssuer) *gostIssuer {
	t.Helper()
	curve, sigOID := gost.CurveTC26512A, gost.OIDNCASignature2015
	if spec.gost2004 {
		curve = gost.CurveCryptoProA
	}
	key, err := gost.GenerateKey(curve, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	spki, err := gost.MarshalNCAPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	subj := pkix.Name{CommonName: spec.cn, Country: []string{"KZ"}}
	if spec.iin != "" {
		subj.SerialNumber = "IIN" + spec.iin
	}
	subjDER, _ := asn1.Marshal(subj.ToRDNSequence())
	issuerDER, signer := subjDER, key
	if issuer != nil {
		issuerDER, signer = issuer.cert.RawSubject, issuer.key
	}
	var exts []pkix.Extension
	if spec.ca {
		bc := struct {
			CA      bool `asn1:"optional"`
			PathLen int  `asn1:"optional,default:-1"`
		}{true, spec.maxPathLen}
		v, _ := asn1.Marshal(bc)
		exts = append(exts, pkix.Extension{Id: asn1.ObjectIdentifier{2, 5, 29, 19}, Critical: true, Value: v})
	}
	if spec.keyUsage != 0 {
		var bits asn1.BitString
		for i := 0; i < 9; i++ {
			if spec.keyUsage&(1<<i) != 0 {
				if len(bits.Bytes) <= i/8 {
					bits.Bytes = append(bits.Bytes, make([]byte, i/8+1-len(bits.Bytes))...)
				}
				bits.Bytes[i/8] |= 0x80 >> (i % 8)
				bits.BitLength = i + 1
			}
		}
		v, _ := asn1.Marshal(bits)
		exts = append(exts, pkix.Extension{Id: asn1.ObjectIdentifier{2, 5, 29, 15}, Critical: true, Value: v})
	}
	if len(spec.eku) > 0 {
		v, _ := asn1.Marshal(spec.eku)
		exts = append(exts, pkix.Extension{Id: asn1.ObjectIdentifier{2, 5, 29, 37}, Value: v})
	}
	if spec.criticalJunk {
		exts = append(exts, pkix.Extension{Id: asn1.ObjectIdentifier{1, 2, 3, 4}, Critical: true, Value: []byte{5, 0}})
	}
	if signer.Curve == gost.CurveCryptoProA {
		sigOID = gost.OIDNCASignature2004
	}
	sigAlg := pkix.AlgorithmIdentifier{Algorithm: sigOID, Parameters: asn1.NullRawValue}
	serialCounter++
	tbs, err := asn1.Marshal(struct {
		Version  int `asn1:"explicit,tag:0"`
		Serial   *big.Int
		SigAlg   pkix.AlgorithmIdentifier
		Issuer   asn1.RawValue
		Validity struct{ NotBefore, NotAfter time.Time }
		Subject  asn1.RawValue
		SPKI     asn1.RawValue
		Exts     []pkix.Extension `asn1:"explicit,tag:3"`
	}{2, big.NewInt(serialCounter), sigAlg, asn1.RawValue{FullBytes: issuerDER},
		struct{ NotBefore, NotAfter time.Time }{spec.notBefore.UTC(), spec.notAfter.UTC()},
		asn1.RawValue{FullBytes: subjDER}, asn1.RawValue{FullBytes: spki}, exts})
	if err != nil {
		t.Fatal(err)
	}
	sig, err := gost.SignNCA(rand.Reader, signer, tbs)
	if err != nil {
		t.Fatal(err)
	}
	if spec.corruptSig {
		sig[3] ^= 1
	}
	der, err := asn1.Marshal(struct {
		TBS    asn1.RawValue
		SigAlg pkix.AlgorithmIdentifier
		Sig    asn1.BitString
	}{asn1.RawValue{FullBytes: tbs}, sigAlg, asn1.BitString{Bytes: sig, BitLength: 8 * len(sig)}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &gostIssuer{cert: c, key: key}
}

// gostKeyOf makes the Key a container would give for a generated key:
// PKCS#8 with the little-endian scalar in an inner OCTET STRING, as NCA's.
func gostKeyOf(t testing.TB, g *gostIssuer) *Key {
	t.Helper()
	keyOID, curveOID, digOID := gost.OIDNCAKey2015, gost.OIDNCAParams2015A, gost.OIDNCADigest2015
	if g.key.Curve == gost.CurveCryptoProA {
		keyOID, curveOID, digOID = gost.OIDNCAKey2004, gost.OIDNCAParams2004, gost.OIDNCADigest2004
	}
	le := g.key.D.FillBytes(make([]byte, g.key.Curve.Size()))
	for i, j := 0, len(le)-1; i < j; i, j = i+1, j-1 {
		le[i], le[j] = le[j], le[i]
	}
	inner, _ := asn1.Marshal(le)
	params, _ := asn1.Marshal(struct{ Curve, Digest asn1.ObjectIdentifier }{curveOID, digOID})
	p8, err := asn1.Marshal(struct {
		Version int
		Alg     struct {
			OID    asn1.ObjectIdentifier
			Params asn1.RawValue
		}
		Key []byte
	}{0, struct {
		OID    asn1.ObjectIdentifier
		Params asn1.RawValue
	}{keyOID, asn1.RawValue{FullBytes: params}}, inner})
	if err != nil {
		t.Fatal(err)
	}
	return &Key{Cert: g.cert, Info: Facts(g.cert), gostOID: keyOID, gostPKCS8: p8}
}

var oidEKUEmail = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 4}

// TestGOSTChainBuilt: the hand-made GOST chain code on a three-level PKI.
func TestGOSTChainBuilt(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	year := func(n int) time.Time { return now.AddDate(n, 0, 0) }
	caUse := x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	root := newGOSTCert(t, gostCertSpec{cn: "GOST ROOT", ca: true, maxPathLen: -1, keyUsage: caUse, notBefore: year(-5), notAfter: year(5)}, nil)
	inter := newGOSTCert(t, gostCertSpec{cn: "GOST SUB CA", ca: true, maxPathLen: 0, keyUsage: caUse, notBefore: year(-2), notAfter: year(3)}, root)
	leafSpec := gostCertSpec{cn: "ТЕСТОВ ТЕСТ", iin: "123456789099", keyUsage: x509.KeyUsageDigitalSignature, eku: []asn1.ObjectIdentifier{oidEKUEmail}, notBefore: year(-1), notAfter: year(1)}
	leaf := newGOSTCert(t, leafSpec, inter)
	oldInter := newGOSTCert(t, gostCertSpec{cn: "GOST SUB CA", ca: true, maxPathLen: -1, keyUsage: caUse, notBefore: year(-4), notAfter: year(-1)}, root)
	leafUnderOld := newGOSTCert(t, leafSpec, oldInter)
	notCA := newGOSTCert(t, gostCertSpec{cn: "GOST SUB CA", keyUsage: caUse, notBefore: year(-2), notAfter: year(3)}, root)
	leafUnderNotCA := newGOSTCert(t, leafSpec, notCA)
	noCertSign := newGOSTCert(t, gostCertSpec{cn: "GOST SUB CA", ca: true, maxPathLen: -1, keyUsage: x509.KeyUsageCRLSign, notBefore: year(-2), notAfter: year(3)}, root)
	leafUnderNoCertSign := newGOSTCert(t, leafSpec, noCertSign)
	forged := newGOSTCert(t, gostCertSpec{cn: "ТЕСТОВ ТЕСТ", iin: "123456789099", corruptSig: true, notBefore: year(-1), notAfter: year(1)}, inter)
	critical := newGOSTCert(t, gostCertSpec{cn: "ТЕСТОВ ТЕСТ", criticalJunk: true, notBefore: year(-1), notAfter: year(1)}, inter)
	// pathLen 0 on inter: a CA under it may not issue.
	subSub := newGOSTCert(t, gostCertSpec{cn: "GOST SUB SUB CA", ca: true, maxPathLen: -1, keyUsage: caUse, notBefore: year(-1), notAfter: year(2)}, inter)
	leafTooDeep := newGOSTCert(t, leafSpec, subSub)

	anchors := []*x509.Certificate{root.cert}
	for _, tc := range []struct {
		name    string
		cert    *x509.Certificate
		inter   []*x509.Certificate
		anchors []*x509.Certificate
		at      time.Time
		want    string
		length  int
	}{
		{"leaf, sub CA, root", leaf.cert, []*x509.Certificate{inter.cert}, anchors, now, "", 3},
		{"sub CA as anchor", leaf.cert, nil, []*x509.Certificate{inter.cert}, now, "", 2},
		{"leaf itself an anchor", leaf.cert, nil, []*x509.Certificate{leaf.cert}, now, "", 1},
		{"missing intermediate", leaf.cert, nil, anchors, now, CodeUntrusted, 0},
		{"valid and expired sub CA with one name: the valid one", leaf.cert, []*x509.Certificate{oldInter.cert, inter.cert}, anchors, now, "", 3},
		{"only an expired sub CA", leafUnderOld.cert, []*x509.Certificate{oldInter.cert}, anchors, now, CodeExpired, 0},
		{"expired leaf", leaf.cert, []*x509.Certificate{inter.cert}, anchors, year(2), CodeExpired, 0},
		{"before the leaf", leaf.cert, []*x509.Certificate{inter.cert}, anchors, year(-2), CodeNotYetValid, 0},
		{"issuer not a CA", leafUnderNotCA.cert, []*x509.Certificate{notCA.cert}, anchors, now, CodeUntrusted, 0},
		{"issuer without certSign", leafUnderNoCertSign.cert, []*x509.Certificate{noCertSign.cert}, anchors, now, CodeUntrusted, 0},
		{"path length exceeded", leafTooDeep.cert, []*x509.Certificate{inter.cert, subSub.cert}, anchors, now, CodeUntrusted, 0},
		{"bad signature on the leaf", forged.cert, []*x509.Certificate{inter.cert}, anchors, now, CodeUntrusted, 0},
		{"unhandled critical extension", critical.cert, []*x509.Certificate{inter.cert}, anchors, now, CodeUntrusted, 0},
		{"no anchors", leaf.cert, []*x509.Certificate{inter.cert, root.cert}, nil, now, CodeUntrusted, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := &Verifier{Anchors: tc.anchors, Intermediates: tc.inter, Policy: RevocationOff, Now: func() time.Time { return tc.at }}
			r, err := v.VerifyCert(tc.cert, "")
			if code(err) != tc.want {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
			if err == nil && (len(r.Chain) != tc.length || r.Chain[0] != tc.cert || !isAnchor(tc.anchors, r.Chain[len(r.Chain)-1])) {
				t.Errorf("chain of %d", len(r.Chain))
			}
			if err == nil && len(r.Chain) == 3 && r.Chain[1] != inter.cert {
				t.Error("the chain does not go through the valid sub CA")
			}
		})
	}

	// Certificates that carry the issuer's name but not its key cost a
	// GOST check each: the search gives up after a few.
	decoy := newGOSTCert(t, gostCertSpec{cn: "GOST SUB CA", ca: true, maxPathLen: -1, keyUsage: caUse, notBefore: year(-2), notAfter: year(3)}, root)
	few := []*x509.Certificate{decoy.cert, decoy.cert, decoy.cert, decoy.cert, inter.cert}
	v := &Verifier{Anchors: anchors, Intermediates: few, Policy: RevocationOff, Now: func() time.Time { return now }}
	if _, err := v.VerifyCert(leaf.cert, ""); err != nil {
		t.Errorf("four decoys: %v", err)
	}
	var many []*x509.Certificate
	for range maxChainSignatureChecks + 4 {
		many = append(many, decoy.cert)
	}
	v.Intermediates = append(many, inter.cert)
	if _, err := v.VerifyCert(leaf.cert, ""); code(err) != CodeUntrusted || !strings.Contains(err.Error(), "too many candidate issuers") {
		t.Errorf("%d decoys: %v", len(many), err)
	}

	// A generated key signs through the same code; the chain comes from the CMS.
	k := gostKeyOf(t, leaf)
	k.Chain = []*x509.Certificate{inter.cert}
	s, err := k.Signer()
	if err != nil {
		t.Fatal(err)
	}
	cms, err := s.SignCMS([]byte("n"), true, now)
	if err != nil {
		t.Fatal(err)
	}
	v = &Verifier{Anchors: anchors, Policy: RevocationOff, Now: func() time.Time { return now }}
	if r, err := v.VerifyCMS(cms, []byte("n"), EKUSign); err != nil || len(r.Chain) != 3 || r.Signer.IIN != "123456789099" {
		t.Fatalf("generated key: %v", err)
	}
	// A private key that is not the certificate's is refused before signing.
	other := gostKeyOf(t, inter)
	other.Cert = leaf.cert
	if _, err := other.Signer(); code(err) != CodeBadContainer {
		t.Errorf("mismatched key: %v", err)
	}
	// After Wipe the signer made before it cannot sign any more.
	(&Container{Keys: []*Key{k}}).Wipe()
	if _, err := s.SignCMS([]byte("n"), true, now); code(err) != CodeBadContainer {
		t.Errorf("signing after Wipe: %v", err)
	}
	if _, err := k.Signer(); code(err) != CodeBadContainer {
		t.Errorf("Signer after Wipe: %v", err)
	}
}

// TestGOST2004Generated: GOST 34.310-2004 keys (CryptoPro A, GOST
// 34.311-95) sign and verify through eds, chains included; NCA's 2004 CRL
// is checked in TestGOSTCRL, a real NCA 2004 key in TestGOSTOutsideSamples.
func TestGOST2004Generated(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	caUse := x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	root := newGOSTCert(t, gostCertSpec{cn: "GOST 2004 CA", gost2004: true, ca: true, maxPathLen: -1, keyUsage: caUse, notBefore: now.AddDate(-3, 0, 0), notAfter: now.AddDate(3, 0, 0)}, nil)
	leaf := newGOSTCert(t, gostCertSpec{cn: "ЕСКІ КІЛТ", iin: "123456789097", gost2004: true, eku: []asn1.ObjectIdentifier{oidEKUEmail},
		notBefore: now.AddDate(-1, 0, 0), notAfter: now.AddDate(1, 0, 0)}, root)
	k := gostKeyOf(t, leaf)
	if k.Info.Algorithm != "GOST2004" {
		t.Fatalf("algorithm %q", k.Info.Algorithm)
	}
	s, err := k.Signer()
	if err != nil {
		t.Fatal(err)
	}
	data := []byte("2004")
	cms, err := s.SignCMS(data, false, now)
	if err != nil {
		t.Fatal(err)
	}
	sd, err := ParseCMS(cms)
	if err != nil {
		t.Fatal(err)
	}
	si := sd.Signers[0]
	sum := gost.Sum94(data)
	if !si.DigestAlgorithm.Equal(gost.OIDNCADigest2004) || !si.SignatureAlgorithm.Equal(gost.OIDNCASignature2004) || len(si.Signature) != 64 || !bytes.Equal(si.MessageDigest, sum[:]) {
		t.Fatalf("signer info %v %v %d", si.DigestAlgorithm, si.SignatureAlgorithm, len(si.Signature))
	}
	v := &Verifier{Anchors: []*x509.Certificate{root.cert}, Policy: RevocationOff, Now: func() time.Time { return now }}
	if r, err := v.VerifyCMS(cms, nil, EKUSign); err != nil || r.Signer.Algorithm != "GOST2004" || len(r.Chain) != 2 {
		t.Fatalf("verify: %v", err)
	}
	bad := bytes.Clone(cms)
	bad[bytes.Index(cms, si.Signature)+10] ^= 0x80
	if _, err := v.VerifyCMS(bad, nil, ""); code(err) != CodeBadSignature {
		t.Errorf("tampered 2004 signature: %v", err)
	}
	// A GOST-2015 CA of the same name (another key, another algorithm)
	// does not vouch for the 2004 certificate.
	root2015 := newGOSTCert(t, gostCertSpec{cn: "GOST 2004 CA", ca: true, maxPathLen: -1, keyUsage: caUse, notBefore: now.AddDate(-3, 0, 0), notAfter: now.AddDate(3, 0, 0)}, nil)
	v.Anchors = []*x509.Certificate{root2015.cert}
	if _, err := v.VerifyCMS(cms, nil, ""); code(err) != CodeUntrusted {
		t.Errorf("2004 leaf, 2015 anchor: %v", err)
	}
}

// TestGOSTAlgorithmMismatch: a GOST signer info whose algorithms do not fit
// the key is unsupported, not accepted; an RSA key with a GOST digest too.
func TestGOSTAlgorithmMismatch(t *testing.T) {
	s, k := gostNCASigner(t)
	cms, err := s.SignCMS([]byte("d"), false, date("2023-01-01T00:00:00Z"))
	if err != nil {
		t.Fatal(err)
	}
	sd, err := ParseCMS(cms)
	if err != nil {
		t.Fatal(err)
	}
	si := sd.Signers[0]
	for name, f := range map[string]func(*SignerInfo){
		"SHA-256 digest": func(si *SignerInfo) {
			sum := sha256.Sum256([]byte("d"))
			si.DigestAlgorithm, si.MessageDigest = oidSHA256, sum[:]
		},
		"GOST 2004 digest":   func(si *SignerInfo) { si.DigestAlgorithm = gost.OIDNCADigest2004 },
		"Streebog-256":       func(si *SignerInfo) { si.DigestAlgorithm = gost.OIDTC26Digest256 },
		"RSA signature":      func(si *SignerInfo) { si.SignatureAlgorithm = oidSHA256WithRSA },
		"2004 signature OID": func(si *SignerInfo) { si.SignatureAlgorithm = gost.OIDNCASignature2004 },
	} {
		c := si
		f(&c)
		if err := c.checkSignature(k.Cert, []byte("d")); code(err) != CodeUnsupportedAlgorithm {
			t.Errorf("%s: %v", name, err)
		}
	}
	for name, f := range map[string]func(*SignerInfo){
		"TC26 digest OID":    func(si *SignerInfo) { si.DigestAlgorithm = gost.OIDTC26Digest512 },
		"key OID as sig alg": func(si *SignerInfo) { si.SignatureAlgorithm = gost.OIDNCAKey2015 },
	} {
		c := si
		f(&c)
		if err := c.checkSignature(k.Cert, []byte("d")); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	c := si
	c.Signature = c.Signature[:100]
	if err := c.checkSignature(k.Cert, []byte("d")); code(err) != CodeBadSignature {
		t.Errorf("short signature: %v", err)
	}
	c = si
	c.SignedAttrs = nil
	if err := c.checkSignature(k.Cert, []byte("d")); code(err) != CodeBadSignature {
		t.Errorf("attributes dropped: %v", err)
	}
	// An RSA certificate with a GOST digest: unsupported, as before.
	rsaKey := readNCAKey(t, "individual_rsa_sign_valid.p12", "Qwerty12").Keys[0]
	if err := si.checkSignature(rsaKey.Cert, []byte("d")); code(err) != CodeUnsupportedAlgorithm {
		t.Errorf("RSA cert, GOST signer info: %v", err)
	}
}

// TestGOSTOutsideSamples checks GOST material that may not be kept in the
// repository: set KENSE_GOST_SAMPLES to a folder with cms.der (a CMS made
// by Kalkan with the NCA test GOST-2015 key and co-signed with the RSA test
// key, from NCANode's tests) and ceo2004.p12 (an NCA GOST 34.310-2004 test
// key, password Qwerty12).
func TestGOSTOutsideSamples(t *testing.T) {
	dir := os.Getenv("KENSE_GOST_SAMPLES")
	if dir == "" {
		t.Skip("KENSE_GOST_SAMPLES not set")
	}
	if b, err := os.ReadFile(filepath.Join(dir, "cms.der")); err == nil {
		sd, err := ParseCMS(b)
		if err != nil {
			t.Fatal(err)
		}
		if len(sd.Signers) != 2 || !sd.Signers[0].SignatureAlgorithm.Equal(gost.OIDNCASignature2015) {
			t.Fatalf("%d signers", len(sd.Signers))
		}
		for i, si := range sd.Signers {
			if err := si.checkSignature(si.Cert, sd.Content); err != nil {
				t.Errorf("Kalkan signer %d (%s): %v", i, certAlgorithm(si.Cert), err)
			}
			if err := si.checkSignature(si.Cert, append(bytes.Clone(sd.Content), '!')); code(err) != CodeBadSignature {
				t.Errorf("Kalkan signer %d over other data: %v", i, err)
			}
		}
		r, err := gostVerifier(t, "2023-01-01T00:00:00Z").VerifyCert(sd.Signers[0].Cert, EKUSign)
		if err != nil || r.Revocation != StatusGood || r.Signer.IIN != "123456789012" {
			t.Errorf("Kalkan's GOST signer certificate: %v", err)
		}
		// The RSA co-signer's certificate had expired (2022-01-18) before
		// the GOST one began (2022-07-28): the whole CMS is valid at no time.
		v := gostVerifier(t, "2023-01-01T00:00:00Z")
		v.Anchors = append(v.Anchors, ncaCert(t, "nca_rsa_test.crt"))
		if _, err := v.VerifyCMS(b, nil, ""); code(err) != CodeExpired {
			t.Errorf("Kalkan CMS as a whole: %v", err)
		}
	}
	if b, err := os.ReadFile(filepath.Join(dir, "ceo2004.p12")); err == nil {
		c, err := ReadPKCS12(b, []byte("Qwerty12"))
		if err != nil {
			t.Fatal(err)
		}
		k := c.Keys[0]
		s, err := k.Signer()
		if err != nil || k.Info.Algorithm != "GOST2004" {
			t.Fatalf("%s: %v", k.Info.Algorithm, err)
		}
		at := k.Cert.NotBefore.Add(24 * time.Hour)
		cms, err := s.SignCMS([]byte("2004"), true, at)
		if err != nil {
			t.Fatal(err)
		}
		v := &Verifier{Anchors: []*x509.Certificate{ncaCert(t, "nca_gost_test.crt")}, Policy: RevocationOff, Now: func() time.Time { return at }}
		if r, err := v.VerifyCMS(cms, []byte("2004"), EKUSign); err != nil || len(r.Chain) != 2 {
			t.Errorf("2004 key: %v", err)
		}
		if _, err := v.VerifyCMS(cms, []byte("2005"), ""); code(err) != CodeBadSignature {
			t.Errorf("2004 key over other data: %v", err)
		}
		// NCA revoked this certificate (GOST 2004 CRL, signed with GOST
		// 34.310-2004) 83 s after issuing it.
		v.CRLs, v.Policy = []*x509.RevocationList{ncaCRL(t, "nca_gost_test.crl")}, RevocationRequire
		if _, err := v.VerifyCMS(cms, []byte("2004"), ""); code(err) != CodeRevoked {
			t.Errorf("2004 key a day after its revocation: %v", err)
		}
		v.Now = func() time.Time { return k.Cert.NotBefore.Add(30 * time.Second) }
		if r, err := v.VerifyCMS(cms, []byte("2004"), ""); err != nil || r.Revocation != StatusGood {
			t.Errorf("2004 key before its revocation: %v", err)
		}
	}
}
