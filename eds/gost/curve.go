package gost

import (
	"encoding/asn1"
	"math/big"
)

// Curve is a short Weierstrass curve y² = x³ + ax + b over GF(p) with a
// base point (X, Y) of prime order Q, as GOST R 34.10 uses them.
type Curve struct {
	Name     string
	OID      asn1.ObjectIdentifier // the TC26/CryptoPro parameter set OID
	P, A, B  *big.Int
	Q        *big.Int // order of the base point
	X, Y     *big.Int // base point
	Cofactor int64
	size     int // bytes in a coordinate and in a scalar

	fp, fq *montField // arithmetic mod p and mod q
	a, b3  fe         // a and 3b in Montgomery form (complete formulas)
	gx, gy fe         // base point in Montgomery form
}

// Size is the length in bytes of a coordinate, a scalar and each half of a
// signature (32 or 64).
func (c *Curve) Size() int { return c.size }

func hexInt(s string) *big.Int {
	n, ok := new(big.Int).SetString(s, 16)
	if !ok {
		panic("gost: bad curve constant " + s) // a typo in the tables below
	}
	return n
}

func newCurve(name string, oid asn1.ObjectIdentifier, p, a, b, q, x, y string, cofactor int64, size int) *Curve {
	c := &Curve{Name: name, OID: oid, P: hexInt(p), A: hexInt(a), B: hexInt(b),
		Q: hexInt(q), X: hexInt(x), Y: hexInt(y), Cofactor: cofactor, size: size}
	c.fp = newMontField(c.P, size/8)
	c.fq = newMontField(c.Q, size/8)
	c.a = c.fp.fromBig(c.A)
	c.b3 = c.fp.fromBig(new(big.Int).Mod(new(big.Int).Mul(c.B, big.NewInt(3)), c.P))
	c.gx, c.gy = c.fp.fromBig(c.X), c.fp.fromBig(c.Y)
	if !c.IsOnCurve(c.X, c.Y) {
		panic("gost: base point of " + name + " is not on the curve")
	}
	return c
}

// The curves. Parameters as published in RFC 7091 (the 512-bit example),
// RFC 7836 / TC26 (the 512-bit sets A, B, C; set C is a twisted Edwards
// curve given here in its Weierstrass form) and RFC 4357 (CryptoPro 256-bit).
var (
	// CurveTest512 is the example curve of GOST R 34.10-2012 / RFC 7091 A.2.
	CurveTest512 = newCurve("id-tc26-gost-3410-12-512-paramSetTest",
		asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 2, 0},
		"4531acd1fe0023c7550d267b6b2fee80922b14b2ffb90f04d4eb7c09b5d2d15df1d852741af4704a0458047e80e4546d35b8336fac224dd81664bbf528be6373",
		"7",
		"1cff0806a31116da29d8cfa54e57eb748bc5f377e49400fdd788b649eca1ac4361834013b2ad7322480a89ca58e0cf74bc9e540c2add6897fad0a3084f302adc",
		"4531acd1fe0023c7550d267b6b2fee80922b14b2ffb90f04d4eb7c09b5d2d15da82f2d7ecb1dbac719905c5eecc423f1d86e25edbe23c595d644aaf187e6e6df",
		"24d19cc64572ee30f396bf6ebbfd7a6c5213b3b3d7057cc825f91093a68cd762fd60611262cd838dc6b60aa7eee804e28bc849977fac33b4b530f1b120248a9a",
		"2bb312a43bd2ce6e0d020613c857acddcfbf061e91e5f2c3f32447c259f39b2c83ab156d77f1496bf7eb3351e1ee4e43dc1a18b91b24640b6dbb92cb1add371e",
		1, 64)

	// CurveTC26512A is id-tc26-gost-3410-12-512-paramSetA.
	CurveTC26512A = newCurve("id-tc26-gost-3410-12-512-paramSetA",
		asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 2, 1},
		"fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffdc7",
		"fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffdc4",
		"e8c2505dedfc86ddc1bd0b2b6667f1da34b82574761cb0e879bd081cfd0b6265ee3cb090f30d27614cb4574010da90dd862ef9d4ebee4761503190785a71c760",
		"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff27e69532f48d89116ff22b8d4e0560609b4b38abfad2b85dcacdb1411f10b275",
		"3",
		"7503cfe87a836ae3a61b8816e25450e6ce5e1c93acf1abc1778064fdcbefa921df1626be4fd036e93d75e6a50e3a41e98028fe5fc235f5b889a589cb5215f2a4",
		1, 64)

	// CurveTC26512B is id-tc26-gost-3410-12-512-paramSetB.
	CurveTC26512B = newCurve("id-tc26-gost-3410-12-512-paramSetB",
		asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 2, 2},
		"8000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000006f",
		"8000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000006c",
		"687d1b459dc841457e3e06cf6f5e2517b97c7d614af138bcbf85dc806c4b289f3e965d2db1416d217f8b276fad1ab69c50f78bee1fa3106efb8ccbc7c5140116",
		"800000000000000000000000000000000000000000000000000000000000000149a1ec142565a545acfdb77bd9d40cfa8b996712101bea0ec6346c54374f25bd",
		"2",
		"1a8f7eda389b094c2c071e3647a8940f3c123b697578c213be6dd9e6c8ec7335dcb228fd1edf4a39152cbcaaf8c0398828041055f94ceeec7e21340780fe41bd",
		1, 64)

	// CurveTC26512C is id-tc26-gost-3410-12-512-paramSetC (Weierstrass form).
	CurveTC26512C = newCurve("id-tc26-gost-3410-12-512-paramSetC",
		asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 2, 3},
		"fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffdc7",
		"dc9203e514a721875485a529d2c722fb187bc8980eb866644de41c68e143064546e861c0e2c9edd92ade71f46fcf50ff2ad97f951fda9f2a2eb6546f39689bd3",
		"b4c4ee28cebc6c2c8ac12952cf37f16ac7efb6a9f69f4b57ffda2e4f0de5ade038cbc2fff719d2c18de0284b8bfef3b52b8cc7a5f5bf0a3c8d2319a5312557e1",
		"3fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffc98cdba46506ab004c33a9ff5147502cc8eda9e7a769a12694623cef47f023ed",
		"e2e31edfc23de7bdebe241ce593ef5de2295b7a9cbaef021d385f7074cea043aa27272a7ae602bf2a7b9033db9ed3610c6fb85487eae97aac5bc7928c1950148",
		"f5ce40d95b5eb899abbccff5911cb8577939804d6527378b8c108c3d2090ff9be18e2d33e3021ed2ef32d85822423b6304f726aa854bae07d0396e9a9addc40f",
		4, 64)

	// CurveCryptoProA .. C and CurveTest256 are the GOST R 34.10-2001 curves
	// of RFC 4357 (256-bit), which GOST 34.310-2004 keys may use.
	CurveCryptoProA = newCurve("id-GostR3410-2001-CryptoPro-A-ParamSet",
		asn1.ObjectIdentifier{1, 2, 643, 2, 2, 35, 1},
		"fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffd97",
		"fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffd94",
		"a6",
		"ffffffffffffffffffffffffffffffff6c611070995ad10045841b09b761b893",
		"1",
		"8d91e471e0989cda27df505a453f2b7635294f2ddf23e3b122acc99c9e9f1e14",
		1, 32)
	CurveCryptoProB = newCurve("id-GostR3410-2001-CryptoPro-B-ParamSet",
		asn1.ObjectIdentifier{1, 2, 643, 2, 2, 35, 2},
		"8000000000000000000000000000000000000000000000000000000000000c99",
		"8000000000000000000000000000000000000000000000000000000000000c96",
		"3e1af419a269a5f866a7d3c25c3df80ae979259373ff2b182f49d4ce7e1bbc8b",
		"800000000000000000000000000000015f700cfff1a624e5e497161bcc8a198f",
		"1",
		"3fa8124359f96680b83d1c3eb2c070e5c545c9858d03ecfb744bf8d717717efc",
		1, 32)
	CurveCryptoProC = newCurve("id-GostR3410-2001-CryptoPro-C-ParamSet",
		asn1.ObjectIdentifier{1, 2, 643, 2, 2, 35, 3},
		"9b9f605f5a858107ab1ec85e6b41c8aacf846e86789051d37998f7b9022d759b",
		"9b9f605f5a858107ab1ec85e6b41c8aacf846e86789051d37998f7b9022d7598",
		"805a",
		"9b9f605f5a858107ab1ec85e6b41c8aa582ca3511eddfb74f02f3a6598980bb9",
		"0",
		"41ece55743711a8c3cbf3783cd08c0ee4d4dc440d4641a8f366e550dfdb3bb67",
		1, 32)
	CurveTest256 = newCurve("id-GostR3410-2001-TestParamSet",
		asn1.ObjectIdentifier{1, 2, 643, 2, 2, 35, 0},
		"8000000000000000000000000000000000000000000000000000000000000431",
		"7",
		"5fbff498aa938ce739b8e022fbafef40563f6e6a3472fc2a514c0ce9dae23b7e",
		"8000000000000000000000000000000150fe8a1892976154c59cfc193accf5b3",
		"2",
		"08e2a8a0e65147d4bd6316030e16d19c85c97f0a9ca267122b96abbcea7e8fc8",
		1, 32)
)

// Curves lists every curve this package knows.
var Curves = []*Curve{CurveTC26512A, CurveTC26512B, CurveTC26512C, CurveTest512,
	CurveCryptoProA, CurveCryptoProB, CurveCryptoProC, CurveTest256}

// usable reports whether c is one of this package's curves (built by
// newCurve), as opposed to a zero or hand-made Curve value.
func (c *Curve) usable() bool { return c != nil && c.fp != nil && c.fq != nil }

// IsOnCurve reports whether (x, y) is a point of the curve with coordinates
// in [0, p).
func (c *Curve) IsOnCurve(x, y *big.Int) bool {
	if !c.usable() || x == nil || y == nil || x.Sign() < 0 || y.Sign() < 0 || x.Cmp(c.P) >= 0 || y.Cmp(c.P) >= 0 {
		return false
	}
	lhs := new(big.Int).Mul(y, y)
	lhs.Mod(lhs, c.P)
	rhs := new(big.Int).Mul(x, x)
	rhs.Add(rhs, c.A)
	rhs.Mul(rhs, x)
	rhs.Add(rhs, c.B)
	rhs.Mod(rhs, c.P)
	return lhs.Cmp(rhs) == 0
}

// point is a projective point (X:Y:Z) in Montgomery form, x = X/Z,
// y = Y/Z; (0:1:0) is the point at infinity.
type point struct{ x, y, z fe }

func (c *Curve) infinity() point {
	return point{y: c.fp.one}
}

// affine returns (x, y) as a point; x and y must be below p.
func (c *Curve) affine(x, y *big.Int) point {
	return point{x: c.fp.fromBig(x), y: c.fp.fromBig(y), z: c.fp.one}
}

// add is the complete addition of Renes, Costello and Batina (2016,
// Algorithm 1, any a). It is correct for all inputs, doubling and infinity
// included, when no point of order 2 is involved — always the case here,
// since every point handled lies in the subgroup of prime order Q. Having no
// special cases keeps the sequence of operations fixed.
func (c *Curve) add(p1, p2 *point) (r point) {
	f := c.fp
	var t0, t1, t2, t3, t4, t5, x3, y3, z3 fe
	f.mul(&t0, &p1.x, &p2.x)
	f.mul(&t1, &p1.y, &p2.y)
	f.mul(&t2, &p1.z, &p2.z)
	f.add(&t3, &p1.x, &p1.y)
	f.add(&t4, &p2.x, &p2.y)
	f.mul(&t3, &t3, &t4)
	f.add(&t4, &t0, &t1)
	f.sub(&t3, &t3, &t4)
	f.add(&t4, &p1.x, &p1.z)
	f.add(&t5, &p2.x, &p2.z)
	f.mul(&t4, &t4, &t5)
	f.add(&t5, &t0, &t2)
	f.sub(&t4, &t4, &t5)
	f.add(&t5, &p1.y, &p1.z)
	f.add(&x3, &p2.y, &p2.z)
	f.mul(&t5, &t5, &x3)
	f.add(&x3, &t1, &t2)
	f.sub(&t5, &t5, &x3)
	f.mul(&z3, &c.a, &t4)
	f.mul(&x3, &c.b3, &t2)
	f.add(&z3, &x3, &z3)
	f.sub(&x3, &t1, &z3)
	f.add(&z3, &t1, &z3)
	f.mul(&y3, &x3, &z3)
	f.add(&t1, &t0, &t0)
	f.add(&t1, &t1, &t0)
	f.mul(&t2, &c.a, &t2)
	f.mul(&t4, &c.b3, &t4)
	f.add(&t1, &t1, &t2)
	f.sub(&t2, &t0, &t2)
	f.mul(&t2, &c.a, &t2)
	f.add(&t4, &t4, &t2)
	f.mul(&t0, &t1, &t4)
	f.add(&y3, &y3, &t0)
	f.mul(&t0, &t5, &t4)
	f.mul(&x3, &t3, &x3)
	f.sub(&x3, &x3, &t0)
	f.mul(&t0, &t3, &t1)
	f.mul(&z3, &t5, &z3)
	f.add(&z3, &z3, &t0)
	return point{x3, y3, z3}
}

// double is the exception-free doubling of Renes, Costello and Batina
// (2016, Algorithm 3, any a): cheaper than add(p, p), same result.
func (c *Curve) double(p *point) point {
	f := c.fp
	var t0, t1, t2, t3, x3, y3, z3 fe
	f.mul(&t0, &p.x, &p.x)
	f.mul(&t1, &p.y, &p.y)
	f.mul(&t2, &p.z, &p.z)
	f.mul(&t3, &p.x, &p.y)
	f.add(&t3, &t3, &t3)
	f.mul(&z3, &p.x, &p.z)
	f.add(&z3, &z3, &z3)
	f.mul(&x3, &c.a, &z3)
	f.mul(&y3, &c.b3, &t2)
	f.add(&y3, &x3, &y3)
	f.sub(&x3, &t1, &y3)
	f.add(&y3, &t1, &y3)
	f.mul(&y3, &x3, &y3)
	f.mul(&x3, &t3, &x3)
	f.mul(&z3, &c.b3, &z3)
	f.mul(&t2, &c.a, &t2)
	f.sub(&t3, &t0, &t2)
	f.mul(&t3, &c.a, &t3)
	f.add(&t3, &t3, &z3)
	f.add(&z3, &t0, &t0)
	f.add(&t0, &z3, &t0)
	f.add(&t0, &t0, &t2)
	f.mul(&t0, &t0, &t3)
	f.add(&y3, &y3, &t0)
	f.mul(&t2, &p.y, &p.z)
	f.add(&t2, &t2, &t2)
	f.mul(&t0, &t2, &t3)
	f.sub(&x3, &x3, &t0)
	f.mul(&z3, &t2, &t1)
	f.add(&z3, &z3, &z3)
	f.add(&z3, &z3, &z3)
	return point{x3, y3, z3}
}

// toAffine returns x, y of p; ok is false for the point at infinity.
func (c *Curve) toAffine(p point) (x, y *big.Int, ok bool) {
	if c.fp.isZero(&p.z) {
		return nil, nil, false
	}
	var inv, ax, ay fe
	c.fp.inv(&inv, &p.z)
	c.fp.mul(&ax, &p.x, &inv)
	c.fp.mul(&ay, &p.y, &inv)
	return c.fp.toBigPlain(&ax), c.fp.toBigPlain(&ay), true
}

// scalarMultFixed computes k·(x, y) with a Montgomery ladder over exactly
// 64·limbs bits, one addition and one doubling per bit, operands exchanged
// by masked swaps: neither the sequence of operations nor the memory
// accessed depends on k. k must be in [0, 2^(64·limbs)).
func (c *Curve) scalarMultFixed(x, y, k *big.Int) point {
	kl := limbsOf(k, c.fp.n)
	defer clear(kl[:])
	r0, r1 := c.infinity(), c.affine(x, y)
	var swap uint64
	for i := 64*c.fp.n - 1; i >= 0; i-- {
		bit := kl[i/64] >> (i % 64) & 1
		swap ^= bit
		cswapPoint(&r0, &r1, swap)
		swap = bit
		r1 = c.add(&r0, &r1)
		r0 = c.double(&r0)
	}
	cswapPoint(&r0, &r1, swap)
	return r0
}

func cswapPoint(a, b *point, bit uint64) {
	cswap(&a.x, &b.x, bit)
	cswap(&a.y, &b.y, bit)
	cswap(&a.z, &b.z, bit)
}

// doubleScalarMult computes u1·G + u2·(x, y) in variable time (public data
// only: verification).
func (c *Curve) doubleScalarMult(u1, u2, x, y *big.Int) point {
	g := point{c.gx, c.gy, c.fp.one}
	q := c.affine(x, y)
	gq := c.add(&g, &q)
	acc := c.infinity()
	n := max(u1.BitLen(), u2.BitLen())
	for i := n - 1; i >= 0; i-- {
		acc = c.double(&acc)
		switch u1.Bit(i)<<1 | u2.Bit(i) {
		case 1:
			acc = c.add(&acc, &q)
		case 2:
			acc = c.add(&acc, &g)
		case 3:
			acc = c.add(&acc, &gq)
		}
	}
	return acc
}
