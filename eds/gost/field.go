package gost

import (
	"math/big"
	"math/bits"
)

// Fixed-size Montgomery arithmetic modulo an odd prime of at most 512 bits.
// Every operation runs the same instructions whatever the values (no
// branches or table look-ups on data; conditional steps use masks), which
// is what makes the signing path constant time, unlike math/big.

const maxLimbs = 8

// fe is a field element in Montgomery form, little-endian 64-bit limbs; only
// the first n limbs of its modulus's size are used.
type fe [maxLimbs]uint64

type montField struct {
	n    int // limbs in use: 4 or 8
	p    fe  // the modulus
	pInv uint64
	r2   fe // R² mod p, R = 2^(64n)
	one  fe // R mod p: 1 in Montgomery form
	pm2  fe // p-2, the exponent of Fermat inversion (plain form)
}

func newMontField(p *big.Int, n int) *montField {
	f := &montField{n: n}
	f.p = limbsOf(p, n)
	// -p⁻¹ mod 2^64 by Newton iteration: each step doubles the correct bits.
	inv := uint64(1)
	for range 6 {
		inv *= 2 - f.p[0]*inv
	}
	f.pInv = -inv
	r := new(big.Int).Lsh(big.NewInt(1), uint(64*n))
	f.one = limbsOf(new(big.Int).Mod(r, p), n)
	f.r2 = limbsOf(new(big.Int).Mod(new(big.Int).Mul(r, r), p), n)
	f.pm2 = limbsOf(new(big.Int).Sub(p, big.NewInt(2)), n)
	return f
}

// limbsOf converts 0 <= x < 2^(64n) to limbs (plain form).
func limbsOf(x *big.Int, n int) (z fe) {
	var buf [8 * maxLimbs]byte
	x.FillBytes(buf[:8*n])
	for i := 0; i < n; i++ {
		for j := 0; j < 8; j++ {
			z[i] |= uint64(buf[8*n-1-8*i-j]) << (8 * j)
		}
	}
	clear(buf[:])
	return z
}

func (f *montField) toBig(z *fe) *big.Int {
	buf := make([]byte, 8*f.n)
	for i := 0; i < f.n; i++ {
		for j := 0; j < 8; j++ {
			buf[8*f.n-1-8*i-j] = byte(z[i] >> (8 * j))
		}
	}
	return new(big.Int).SetBytes(buf)
}

// fromBig returns x (0 <= x < p) in Montgomery form.
func (f *montField) fromBig(x *big.Int) (z fe) {
	l := limbsOf(x, f.n)
	f.mul(&z, &l, &f.r2)
	return z
}

// toBigPlain leaves Montgomery form and converts to big.Int.
func (f *montField) toBigPlain(x *fe) *big.Int {
	var one, z fe
	one[0] = 1
	f.mul(&z, x, &one)
	return f.toBig(&z)
}

// mul sets z = x·y·R⁻¹ mod p (CIOS Montgomery multiplication).
func (f *montField) mul(z, x, y *fe) {
	n := f.n
	var t [maxLimbs + 2]uint64
	for i := 0; i < n; i++ {
		var c uint64
		yi := y[i]
		for j := 0; j < n; j++ {
			hi, lo := bits.Mul64(x[j], yi)
			var cc uint64
			lo, cc = bits.Add64(lo, t[j], 0)
			hi += cc
			lo, cc = bits.Add64(lo, c, 0)
			hi += cc
			t[j], c = lo, hi
		}
		var cc uint64
		t[n], cc = bits.Add64(t[n], c, 0)
		t[n+1] = cc

		m := t[0] * f.pInv
		hi, lo := bits.Mul64(m, f.p[0])
		_, cc = bits.Add64(lo, t[0], 0)
		c = hi + cc
		for j := 1; j < n; j++ {
			hi, lo := bits.Mul64(m, f.p[j])
			lo, cc = bits.Add64(lo, t[j], 0)
			hi += cc
			lo, cc = bits.Add64(lo, c, 0)
			hi += cc
			t[j-1], c = lo, hi
		}
		t[n-1], cc = bits.Add64(t[n], c, 0)
		t[n] = t[n+1] + cc
	}
	// t < 2p: subtract p unless that borrows (with t[n] as the top word).
	var u fe
	var b uint64
	for j := 0; j < n; j++ {
		u[j], b = bits.Sub64(t[j], f.p[j], b)
	}
	_, b = bits.Sub64(t[n], 0, b)
	keep := -b // all ones: t < p, keep t
	for j := 0; j < n; j++ {
		z[j] = t[j]&keep | u[j]&^keep
	}
}

func (f *montField) add(z, x, y *fe) {
	n := f.n
	var s, u fe
	var c, b uint64
	for j := 0; j < n; j++ {
		s[j], c = bits.Add64(x[j], y[j], c)
	}
	for j := 0; j < n; j++ {
		u[j], b = bits.Sub64(s[j], f.p[j], b)
	}
	// Use s - p when the sum carried out or did not borrow.
	useU := -(c | (b ^ 1))
	for j := 0; j < n; j++ {
		z[j] = u[j]&useU | s[j]&^useU
	}
}

func (f *montField) sub(z, x, y *fe) {
	n := f.n
	var d fe
	var b, c uint64
	for j := 0; j < n; j++ {
		d[j], b = bits.Sub64(x[j], y[j], b)
	}
	mask := -b
	for j := 0; j < n; j++ {
		z[j], c = bits.Add64(d[j], f.p[j]&mask, c)
	}
}

// inv sets z = x⁻¹ (x ≠ 0) by Fermat, x^(p-2): the exponent is public, so
// the sequence of operations is fixed.
func (f *montField) inv(z, x *fe) {
	r := f.one
	for i := 64*f.n - 1; i >= 0; i-- {
		f.mul(&r, &r, &r)
		if f.pm2[i/64]>>(i%64)&1 == 1 {
			f.mul(&r, &r, x)
		}
	}
	*z = r
}

func (f *montField) isZero(x *fe) bool {
	var acc uint64
	for j := 0; j < f.n; j++ {
		acc |= x[j]
	}
	return acc == 0
}

// cswap swaps a and b when bit is 1, without branching.
func cswap(a, b *fe, bit uint64) {
	mask := -bit
	for j := range a {
		t := (a[j] ^ b[j]) & mask
		a[j] ^= t
		b[j] ^= t
	}
}
