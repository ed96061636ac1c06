package gost

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"math/big"
	"testing"
)

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// RFC 7091 appendix A.2 (GOST R 34.10-2012 example 2, 512 bits).
const (
	a2d  = "0ba6048aadae241ba40936d47756d7c93091a0e8514669700ee7508e508b102072e8123b2200a0563322dad2827e2714a2636b7bfd18aadfc62967821fa18dd4"
	a2xq = "115dc5bc96760c7b48598d8ab9e740d4c4a85a65be33c1815b5c320c854621dd5a515856d13314af69bc5b924c8b4ddff75c45415c1d9dd9dd33612cd530efe1"
	a2yq = "37c7c90cd40b0f5621dc3ac1b751cfa0e2634fa0503b3d52639f5d7fb72afd61ea199441d943ffe7f0c70a2759a3cdb84c114e1f9339fdf27f35eca93677beec"
	a2e  = "3754f3cfacc9e0615c4f4a7c4d8dab531b09b6f9c170c533a71d147035b0c5917184ee536593f4414339976c647c5d5a407adedb1d560c4fc6777d2972075b8c"
	a2k  = "0359e7f4b1410feacc570456c6801496946312120b39d019d455986e364f365886748ed7a44b3e794434006011842286212273a6d14cf70ea3af71bb1ae679f1"
	a2r  = "2f86fa60a081091a23dd795e1e3c689ee512a3c82ee0dcc2643c78eea8fcacd35492558486b20f1c9ec197c90699850260c93bcbcd9c5c3317e19344e173ae36"
	a2s  = "1081b394696ffe8e6585e7a9362d26b6325f56778aadbc081c0bfbe933d52ff5823ce288e8c4f362526080df7f70ce406a6eeb1f56919cb92a9853bde73e5b4a"
)

func TestRFC7091Example512(t *testing.T) {
	priv, err := NewPrivateKey(CurveTest512, hexInt(a2d))
	if err != nil {
		t.Fatal(err)
	}
	if priv.X.Cmp(hexInt(a2xq)) != 0 || priv.Y.Cmp(hexInt(a2yq)) != 0 {
		t.Fatalf("Q = d·P = (%x, %x), want the RFC's point", priv.X, priv.Y)
	}
	digest := mustHex(t, a2e)
	sig, err := signWithK(priv, digest, hexInt(a2k))
	if err != nil {
		t.Fatal(err)
	}
	want := mustHex(t, a2r+a2s)
	if !bytes.Equal(sig, want) {
		t.Fatalf("signature\n got %x\nwant %x", sig, want)
	}
	pub := &PublicKey{Curve: CurveTest512, X: hexInt(a2xq), Y: hexInt(a2yq)}
	if !Verify(pub, digest, want) {
		t.Fatal("the RFC's signature does not verify")
	}
	if err := pub.Validate(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(want); i += 9 {
		bad := bytes.Clone(want)
		bad[i] ^= 0x10
		if Verify(pub, digest, bad) {
			t.Fatalf("signature with byte %d flipped verifies", i)
		}
	}
	badDigest := bytes.Clone(digest)
	badDigest[5] ^= 1
	if Verify(pub, badDigest, want) {
		t.Fatal("signature verifies for another digest")
	}
}

// refMul is a textbook affine double-and-add, independent of the complete
// formulas, to check them.
func refMul(c *Curve, k, x, y *big.Int) (rx, ry *big.Int) {
	addAff := func(x1, y1, x2, y2 *big.Int) (*big.Int, *big.Int) {
		if x1 == nil {
			return x2, y2
		}
		if x2 == nil {
			return x1, y1
		}
		p := c.P
		var l *big.Int
		if x1.Cmp(x2) == 0 {
			if new(big.Int).Mod(new(big.Int).Add(y1, y2), p).Sign() == 0 {
				return nil, nil
			}
			num := new(big.Int).Mul(x1, x1)
			num.Mul(num, big.NewInt(3)).Add(num, c.A)
			den := new(big.Int).Lsh(y1, 1)
			l = num.Mul(num, den.ModInverse(den, p))
		} else {
			num := new(big.Int).Sub(y2, y1)
			den := new(big.Int).Sub(x2, x1)
			den.Mod(den, p)
			l = num.Mul(num, den.ModInverse(den, p))
		}
		l.Mod(l, p)
		x3 := new(big.Int).Mul(l, l)
		x3.Sub(x3, x1).Sub(x3, x2).Mod(x3, p)
		y3 := new(big.Int).Sub(x1, x3)
		y3.Mul(y3, l).Sub(y3, y1).Mod(y3, p)
		return x3, y3
	}
	for i := k.BitLen() - 1; i >= 0; i-- {
		rx, ry = addAff(rx, ry, rx, ry)
		if k.Bit(i) == 1 {
			rx, ry = addAff(rx, ry, x, y)
		}
	}
	return rx, ry
}

func TestCurves(t *testing.T) {
	for _, c := range Curves {
		// The base point has order Q.
		if _, _, ok := c.toAffine(c.scalarMultFixed(c.X, c.Y, new(big.Int).Sub(c.Q, big.NewInt(0)))); ok {
			t.Errorf("%s: Q·G is not the identity", c.Name)
		}
		if !c.Q.ProbablyPrime(10) || !c.P.ProbablyPrime(10) || len(c.P.Bytes()) > c.Size() {
			t.Errorf("%s: p or q is not prime, or p too large", c.Name)
		}
		// The ladder with complete formulas agrees with affine arithmetic.
		k, _ := randScalar(c, rand.Reader)
		x1, y1, _ := c.toAffine(c.scalarMultFixed(c.X, c.Y, k))
		x2, y2 := refMul(c, k, c.X, c.Y)
		if x1.Cmp(x2) != 0 || y1.Cmp(y2) != 0 {
			t.Errorf("%s: ladder differs from the affine reference", c.Name)
		}
		// Small scalars, where doubling and infinity cases bite.
		for _, n := range []int64{1, 2, 3, 4} {
			x1, y1, _ := c.toAffine(c.scalarMultFixed(c.X, c.Y, big.NewInt(n)))
			x2, y2 := refMul(c, big.NewInt(n), c.X, c.Y)
			if x1.Cmp(x2) != 0 || y1.Cmp(y2) != 0 {
				t.Errorf("%s: %d·G differs", c.Name, n)
			}
		}
		qm1 := new(big.Int).Sub(c.Q, big.NewInt(1))
		x1, y1, _ = c.toAffine(c.scalarMultFixed(c.X, c.Y, qm1))
		if x1.Cmp(c.X) != 0 || new(big.Int).Add(y1, c.Y).Cmp(c.P) != 0 {
			t.Errorf("%s: (q-1)·G is not -G", c.Name)
		}
	}
}

func TestSignVerifyRoundTrip(t *testing.T) {
	for _, c := range []*Curve{CurveTC26512A, CurveTC26512C, CurveCryptoProA} {
		priv, err := GenerateKey(c, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if err := priv.Validate(); err != nil {
			t.Fatalf("%s: generated key invalid: %v", c.Name, err)
		}
		digest := make([]byte, c.Size())
		rand.Read(digest)
		sig, err := Sign(rand.Reader, priv, digest)
		if err != nil {
			t.Fatal(err)
		}
		if !Verify(&priv.PublicKey, digest, sig) {
			t.Fatalf("%s: own signature does not verify", c.Name)
		}
		sig[len(sig)-1] ^= 1
		if Verify(&priv.PublicKey, digest, sig) {
			t.Fatalf("%s: tampered signature verifies", c.Name)
		}
	}
	if _, err := NewPrivateKey(CurveTC26512A, CurveTC26512A.Q); err == nil {
		t.Error("d = q accepted")
	}
	if _, err := NewPrivateKey(CurveTC26512A, big.NewInt(0)); err == nil {
		t.Error("d = 0 accepted")
	}
	bad := &PublicKey{Curve: CurveTC26512A, X: big.NewInt(1), Y: big.NewInt(1)}
	if bad.Validate() == nil || Verify(bad, []byte{1}, make([]byte, 128)) {
		t.Error("point off the curve accepted")
	}
}

// double agrees with add(p, p), the point at infinity included.
func TestDouble(t *testing.T) {
	for _, c := range Curves {
		p := c.affine(c.X, c.Y)
		for range 5 {
			d1, d2 := c.double(&p), c.add(&p, &p)
			x1, y1, ok1 := c.toAffine(d1)
			x2, y2, ok2 := c.toAffine(d2)
			if !ok1 || !ok2 || x1.Cmp(x2) != 0 || y1.Cmp(y2) != 0 {
				t.Fatalf("%s: double differs from add", c.Name)
			}
			p = d1
		}
		inf := c.infinity()
		if _, _, ok := c.toAffine(c.double(&inf)); ok {
			t.Fatalf("%s: 2·O is not O", c.Name)
		}
	}
}

// Zero values, nil parts and hand-made curves give errors, not panics.
func TestNoPanicOnBadKeys(t *testing.T) {
	homemade := &Curve{Name: "x", P: big.NewInt(23), Q: big.NewInt(7), X: big.NewInt(1), Y: big.NewInt(1)}
	pubs := []*PublicKey{nil, {}, {Curve: homemade, X: big.NewInt(1), Y: big.NewInt(1)},
		{Curve: CurveTC26512A}, {Curve: CurveTC26512A, X: new(big.Int).Lsh(big.NewInt(1), 600), Y: big.NewInt(1)}}
	for i, pub := range pubs {
		if Verify(pub, []byte{1}, make([]byte, 128)) {
			t.Errorf("key %d verifies", i)
		}
		if VerifyNCA(pub, []byte{1}, make([]byte, 128)) == nil {
			t.Errorf("key %d verifies (NCA)", i)
		}
		if pub != nil {
			if pub.Validate() == nil {
				t.Errorf("key %d validates", i)
			}
			if _, err := MarshalNCAPublicKey(pub); err == nil {
				t.Errorf("key %d marshals", i)
			}
		}
	}
	for i, priv := range []*PrivateKey{nil, {}, {PublicKey: PublicKey{Curve: homemade}, D: big.NewInt(3)}, {PublicKey: PublicKey{Curve: CurveTC26512A}}} {
		if _, err := Sign(rand.Reader, priv, []byte{1}); err == nil {
			t.Errorf("private key %d signs", i)
		}
		if _, err := SignNCA(rand.Reader, priv, []byte{1}); err == nil {
			t.Errorf("private key %d signs (NCA)", i)
		}
	}
	if _, err := NewPrivateKey(homemade, big.NewInt(2)); err == nil {
		t.Error("hand-made curve accepted")
	}
	if _, err := PrivateKeyFromPKCS8Field(nil, make([]byte, 64)); err == nil {
		t.Error("nil curve accepted")
	}
	if _, err := NewPrivateKeyLE(CurveTC26512A, make([]byte, 65)); err == nil {
		t.Error("65-byte scalar accepted")
	}
	// On paramSetC (cofactor 4) a random curve point is usually outside the
	// prime-order subgroup and must be refused; 4 times it is inside.
	c := CurveTC26512C
	refused, accepted := 0, 0
	for x := int64(1); x < 40 && (refused < 2 || accepted < 2); x++ {
		xx := big.NewInt(x)
		rhs := new(big.Int).Mul(xx, xx)
		rhs.Add(rhs, c.A).Mul(rhs, xx).Add(rhs, c.B).Mod(rhs, c.P)
		y := new(big.Int).ModSqrt(rhs, c.P)
		if y == nil {
			continue
		}
		if qx, _ := refMul(c, c.Q, xx, y); qx != nil {
			if (&PublicKey{Curve: c, X: xx, Y: y}).Validate() == nil {
				t.Fatalf("point outside the subgroup accepted (x = %d)", x)
			}
			refused++
		}
		x4, y4 := refMul(c, big.NewInt(4), xx, y)
		if err := (&PublicKey{Curve: c, X: x4, Y: y4}).Validate(); err != nil {
			t.Fatalf("point inside the subgroup refused (x = %d)", x)
		}
		accepted++
	}
	if refused == 0 || accepted == 0 {
		t.Fatalf("test points: %d refused, %d accepted", refused, accepted)
	}
}
