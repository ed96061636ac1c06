package gost

import (
	"crypto/rand"
	"errors"
	"io"
	"math/big"
)

// PublicKey is a GOST R 34.10 public key: the point (X, Y) on Curve.
type PublicKey struct {
	Curve *Curve
	X, Y  *big.Int
}

// PrivateKey is a GOST R 34.10 private key: the scalar D with
// (X, Y) = D·G.
type PrivateKey struct {
	PublicKey
	D *big.Int
}

// Errors of this package; package eds maps them to translated messages.
var (
	ErrInvalidKey       = errors.New("gost: invalid key")
	ErrInvalidSignature = errors.New("gost: signature does not verify")
	ErrMalformed        = errors.New("gost: malformed data")
	ErrUnsupported      = errors.New("gost: unsupported algorithm or parameters")
)

// NewPrivateKey returns the key for scalar d (a big-endian number of any
// length below the curve order), computing its public point.
func NewPrivateKey(c *Curve, d *big.Int) (*PrivateKey, error) {
	if !c.usable() || d == nil || d.Sign() <= 0 || d.Cmp(c.Q) >= 0 {
		return nil, ErrInvalidKey
	}
	x, y, ok := c.toAffine(c.scalarMultFixed(c.X, c.Y, d))
	if !ok {
		return nil, ErrInvalidKey
	}
	return &PrivateKey{PublicKey: PublicKey{Curve: c, X: x, Y: y}, D: new(big.Int).Set(d)}, nil
}

// GenerateKey makes a new key pair on c.
func GenerateKey(c *Curve, rnd io.Reader) (*PrivateKey, error) {
	d, err := randScalar(c, rnd)
	if err != nil {
		return nil, err
	}
	return NewPrivateKey(c, d)
}

// Validate checks that the public point is a point of the curve's prime
// order subgroup other than the identity.
func (pub *PublicKey) Validate() error {
	if pub == nil || !pub.Curve.usable() || !pub.Curve.IsOnCurve(pub.X, pub.Y) {
		return ErrInvalidKey
	}
	if pub.Curve.Cofactor != 1 {
		// q·P must be the identity (0:Y:0), Y ≠ 0. The complete formulas
		// give (0:0:0) on the exceptional inputs that points outside the
		// subgroup can cause; that is rejected too.
		c := pub.Curve
		r := c.doubleScalarMult(new(big.Int), c.Q, pub.X, pub.Y)
		if !c.fp.isZero(&r.z) || c.fp.isZero(&r.y) {
			return ErrInvalidKey
		}
	}
	return nil
}

// randScalar returns a uniform-enough scalar in [1, Q-1]: 64 bits more than
// needed, reduced, so the bias is below 2^-64.
func randScalar(c *Curve, rnd io.Reader) (*big.Int, error) {
	if rnd == nil {
		rnd = rand.Reader
	}
	buf := make([]byte, c.size+8)
	if _, err := io.ReadFull(rnd, buf); err != nil {
		return nil, err
	}
	k := new(big.Int).SetBytes(buf)
	clear(buf)
	qm1 := new(big.Int).Sub(c.Q, big.NewInt(1))
	k.Mod(k, qm1)
	return k.Add(k, big.NewInt(1)), nil
}

// digestScalar is e = α mod q (e = 1 if that is 0), α being digest read as a
// big-endian number, as RFC 7091 §6.1 steps 2-3 write it.
func digestScalar(c *Curve, digest []byte) *big.Int {
	e := new(big.Int).SetBytes(digest)
	e.Mod(e, c.Q)
	if e.Sign() == 0 {
		e.SetInt64(1)
	}
	return e
}

// Sign signs digest (α as a big-endian number, see RFC 7091 §6.1) and
// returns r‖s, each Curve.Size() bytes big-endian.
func Sign(rnd io.Reader, priv *PrivateKey, digest []byte) ([]byte, error) {
	if priv == nil || !priv.Curve.usable() {
		return nil, ErrInvalidKey
	}
	for range 100 {
		k, err := randScalar(priv.Curve, rnd)
		if err != nil {
			return nil, err
		}
		sig, err := signWithK(priv, digest, k)
		if err == nil {
			return sig, nil
		}
	}
	return nil, errors.New("gost: no valid signature after 100 attempts; broken random source?")
}

var errRetry = errors.New("gost: r or s is zero")

// signWithK is RFC 7091 §6.1 steps 4-7 for a given k.
func signWithK(priv *PrivateKey, digest []byte, k *big.Int) ([]byte, error) {
	c := priv.Curve
	if priv.D == nil || priv.D.Sign() <= 0 || priv.D.Cmp(c.Q) >= 0 {
		return nil, ErrInvalidKey
	}
	e := digestScalar(c, digest)
	x, _, ok := c.toAffine(c.scalarMultFixed(c.X, c.Y, k))
	if !ok {
		return nil, errRetry
	}
	r := x.Mod(x, c.Q)
	if r.Sign() == 0 {
		return nil, errRetry
	}
	// s = r·d + k·e mod q in fixed-size Montgomery arithmetic: d and k are
	// secret.
	fq := c.fq
	rm, dm, km, em := fq.fromBig(r), fq.fromBig(priv.D), fq.fromBig(k), fq.fromBig(e)
	var rd, ke, sm fe
	fq.mul(&rd, &rm, &dm)
	fq.mul(&ke, &km, &em)
	fq.add(&sm, &rd, &ke)
	s := fq.toBigPlain(&sm)
	clear(dm[:])
	clear(km[:])
	clear(rd[:])
	clear(ke[:])
	if s.Sign() == 0 {
		return nil, errRetry
	}
	sig := make([]byte, 2*c.size)
	r.FillBytes(sig[:c.size])
	s.FillBytes(sig[c.size:])
	return sig, nil
}

// Verify reports whether sig (r‖s, big-endian, as Sign returns it) is a
// valid signature of digest by pub. It never panics on malformed input.
func Verify(pub *PublicKey, digest, sig []byte) bool {
	if pub == nil || !pub.Curve.usable() || len(sig) != 2*pub.Curve.size || !pub.Curve.IsOnCurve(pub.X, pub.Y) {
		return false
	}
	c := pub.Curve
	r := new(big.Int).SetBytes(sig[:c.size])
	s := new(big.Int).SetBytes(sig[c.size:])
	if r.Sign() <= 0 || r.Cmp(c.Q) >= 0 || s.Sign() <= 0 || s.Cmp(c.Q) >= 0 {
		return false
	}
	e := digestScalar(c, digest)
	v := new(big.Int).ModInverse(e, c.Q)
	if v == nil {
		return false
	}
	z1 := new(big.Int).Mul(s, v)
	z1.Mod(z1, c.Q)
	z2 := new(big.Int).Mul(r, v)
	z2.Mod(z2, c.Q)
	z2.Sub(c.Q, z2)
	x, _, ok := c.toAffine(c.doubleScalarMult(z1, z2, pub.X, pub.Y))
	if !ok {
		return false
	}
	return x.Mod(x, c.Q).Cmp(r) == 0
}
