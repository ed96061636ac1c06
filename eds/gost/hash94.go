package gost

import (
	"encoding/binary"
	"encoding/hex"
	"hash"
	"math/bits"
)

// GOST R 34.11-94 (RFC 5831), which Kazakhstan adopted as GOST 34.311-95,
// with the "test" S-boxes of its appendix (id-GostR3411-94-TestParamSet):
// the hash of NCA's GOST 34.310-2004 signatures. Which S-boxes NCA uses was
// established by the NCA GOST test CA's CRL, which verifies with this hash
// and the CryptoPro A curve. As with Streebog, byte i of a block is the
// standard's y_i counted from the least significant end.

// Size94 is the GOST R 34.11-94 digest size in bytes; BlockSize94 its block.
const (
	Size94      = 32
	BlockSize94 = 32
)

// sbox94 are the GOST 28147-89 substitution boxes of the GOST R 34.11-94
// test parameter set; sbox94[i] acts on bits 4i..4i+3.
var sbox94 = [8][16]byte{
	{4, 10, 9, 2, 13, 8, 0, 14, 6, 11, 1, 12, 7, 15, 5, 3},
	{14, 11, 4, 12, 6, 13, 15, 10, 2, 3, 8, 1, 0, 7, 5, 9},
	{5, 8, 1, 13, 10, 3, 4, 2, 14, 15, 12, 7, 6, 0, 9, 11},
	{7, 13, 10, 1, 0, 8, 9, 15, 14, 4, 6, 12, 11, 2, 5, 3},
	{6, 12, 7, 1, 5, 15, 13, 8, 4, 10, 9, 14, 0, 3, 11, 2},
	{4, 11, 10, 0, 7, 2, 1, 13, 3, 6, 8, 5, 9, 12, 15, 14},
	{13, 11, 4, 1, 3, 15, 5, 9, 0, 10, 14, 7, 6, 8, 2, 12},
	{1, 15, 13, 0, 5, 7, 10, 4, 9, 2, 3, 14, 6, 11, 8, 12},
}

// c3 is the constant C3 of the key generation, in stream byte order.
var c3 [32]byte

func init() {
	be, err := hex.DecodeString("ff00ffff000000ffff0000ff00ffff0000ff00ff00ff00ffff00ff00ff00ff00")
	if err != nil {
		panic("gost: bad C3")
	}
	for i := range c3 {
		c3[i] = be[31-i]
	}
}

func gostF(x uint32) uint32 {
	var y uint32
	for i := 0; i < 8; i++ {
		y |= uint32(sbox94[i][(x>>(4*i))&15]) << (4 * i)
	}
	return bits.RotateLeft32(y, 11)
}

// encrypt28147 encrypts the 8-byte block in (GOST 28147-89 simple
// substitution mode) under the 32-byte key.
func encrypt28147(key *[32]byte, in []byte, out []byte) {
	var k [8]uint32
	for i := range k {
		k[i] = binary.LittleEndian.Uint32(key[4*i:])
	}
	n1 := binary.LittleEndian.Uint32(in)
	n2 := binary.LittleEndian.Uint32(in[4:])
	for r := 0; r < 32; r++ {
		ki := r % 8
		if r >= 24 {
			ki = 7 - r%8
		}
		n1, n2 = n2^gostF(n1+k[ki]), n1
	}
	binary.LittleEndian.PutUint32(out, n2)
	binary.LittleEndian.PutUint32(out[4:], n1)
}

func transformP(w *[32]byte) (k [32]byte) {
	for i := 0; i < 4; i++ {
		for j := 0; j < 8; j++ {
			k[i+4*j] = w[8*i+j]
		}
	}
	return k
}

func transformA(y *[32]byte) (out [32]byte) {
	copy(out[:24], y[8:])
	for i := 0; i < 8; i++ {
		out[24+i] = y[i] ^ y[8+i]
	}
	return out
}

func psi(y *[32]byte) {
	x := binary.LittleEndian.Uint16(y[0:]) ^ binary.LittleEndian.Uint16(y[2:]) ^
		binary.LittleEndian.Uint16(y[4:]) ^ binary.LittleEndian.Uint16(y[6:]) ^
		binary.LittleEndian.Uint16(y[24:]) ^ binary.LittleEndian.Uint16(y[30:])
	copy(y[:30], y[2:])
	binary.LittleEndian.PutUint16(y[30:], x)
}

func xor32(a, b *[32]byte) (out [32]byte) {
	for i := range out {
		out[i] = a[i] ^ b[i]
	}
	return out
}

// step94 is the step function f(H, M) of GOST R 34.11-94.
func step94(h *[32]byte, m *[32]byte) {
	var keys [4][32]byte
	u, v := *h, *m
	w := xor32(&u, &v)
	keys[0] = transformP(&w)
	for j := 1; j < 4; j++ {
		u = transformA(&u)
		if j == 2 {
			u = xor32(&u, &c3)
		}
		v = transformA(&v)
		v = transformA(&v)
		w = xor32(&u, &v)
		keys[j] = transformP(&w)
	}
	var s [32]byte
	for i := 0; i < 4; i++ {
		encrypt28147(&keys[i], h[8*i:8*i+8], s[8*i:8*i+8])
	}
	for range 12 {
		psi(&s)
	}
	s = xor32(&s, m)
	psi(&s)
	s = xor32(&s, h)
	for range 61 {
		psi(&s)
	}
	*h = s
	clear(keys[:])
}

func add256(a *[32]byte, b *[32]byte) {
	var carry uint64
	for i := 0; i < 32; i += 8 {
		var x uint64
		x, carry = bits.Add64(binary.LittleEndian.Uint64(a[i:]), binary.LittleEndian.Uint64(b[i:]), carry)
		binary.LittleEndian.PutUint64(a[i:], x)
	}
}

// Digest94 is a GOST R 34.11-94 hash state; it implements hash.Hash.
type Digest94 struct {
	h, sum [32]byte
	length uint64 // bytes
	buf    [BlockSize94]byte
	nbuf   int
}

var _ hash.Hash = (*Digest94)(nil)

// New94 returns a GOST R 34.11-94 (GOST 34.311-95) hash with the test
// parameter set, zero initial vector.
func New94() *Digest94 { return &Digest94{} }

// Sum94 returns the GOST R 34.11-94 digest of data in stream byte order.
func Sum94(data []byte) (out [Size94]byte) {
	d := New94()
	d.Write(data)
	d.Sum(out[:0])
	return out
}

// Reset restores the initial state.
func (d *Digest94) Reset() { *d = Digest94{} }

// Size returns 32.
func (d *Digest94) Size() int { return Size94 }

// BlockSize returns 32.
func (d *Digest94) BlockSize() int { return BlockSize94 }

func (d *Digest94) block(b []byte) {
	var m [32]byte
	copy(m[:], b)
	step94(&d.h, &m)
	add256(&d.sum, &m)
}

// Write absorbs p; it never fails.
func (d *Digest94) Write(p []byte) (int, error) {
	n := len(p)
	d.length += uint64(n)
	if d.nbuf > 0 {
		c := copy(d.buf[d.nbuf:], p)
		d.nbuf += c
		p = p[c:]
		if d.nbuf < BlockSize94 {
			return n, nil
		}
		d.block(d.buf[:])
		d.nbuf = 0
	}
	for len(p) >= BlockSize94 {
		d.block(p[:BlockSize94])
		p = p[BlockSize94:]
	}
	d.nbuf = copy(d.buf[:], p)
	return n, nil
}

// Sum appends the digest to b without changing the state.
func (d *Digest94) Sum(b []byte) []byte {
	c := *d
	if c.nbuf > 0 {
		clear(c.buf[c.nbuf:])
		c.block(c.buf[:])
	}
	var l [32]byte
	bitsLo, bitsHi := c.length<<3, c.length>>61
	binary.LittleEndian.PutUint64(l[0:], bitsLo)
	binary.LittleEndian.PutUint64(l[8:], bitsHi)
	step94(&c.h, &l)
	step94(&c.h, &c.sum)
	return append(b, c.h[:]...)
}
