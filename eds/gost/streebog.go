package gost

import (
	"encoding/binary"
	"encoding/hex"
	"hash"
	"math/bits"
)

// Streebog (GOST R 34.11-2012, RFC 6986). The state is held as eight
// little-endian 64-bit lanes: byte i of a 64-byte block is the standard's
// a_i (a_0 least significant), which is also the order in which message bytes
// arrive, so blocks load with plain little-endian reads.

// Size512 and Size256 are the digest sizes in bytes; BlockSize is the block size.
const (
	Size512   = 64
	Size256   = 32
	BlockSize = 64
)

// pi is the nonlinear bijection of RFC 6986 §6.2.
var pi = [256]byte{
	252, 238, 221, 17, 207, 110, 49, 22, 251, 196, 250, 218, 35, 197, 4, 77,
	233, 119, 240, 219, 147, 46, 153, 186, 23, 54, 241, 187, 20, 205, 95, 193,
	249, 24, 101, 90, 226, 92, 239, 33, 129, 28, 60, 66, 139, 1, 142, 79,
	5, 132, 2, 174, 227, 106, 143, 160, 6, 11, 237, 152, 127, 212, 211, 31,
	235, 52, 44, 81, 234, 200, 72, 171, 242, 42, 104, 162, 253, 58, 206, 204,
	181, 112, 14, 86, 8, 12, 118, 18, 191, 114, 19, 71, 156, 183, 93, 135,
	21, 161, 150, 41, 16, 123, 154, 199, 243, 145, 120, 111, 157, 158, 178, 177,
	50, 117, 25, 61, 255, 53, 138, 126, 109, 84, 198, 128, 195, 189, 13, 87,
	223, 245, 36, 169, 62, 168, 67, 201, 215, 121, 214, 246, 124, 34, 185, 3,
	224, 15, 236, 222, 122, 148, 176, 188, 220, 232, 40, 80, 78, 51, 10, 74,
	167, 151, 96, 115, 30, 0, 98, 68, 26, 184, 56, 130, 100, 159, 38, 65,
	173, 69, 70, 146, 39, 94, 85, 47, 140, 163, 165, 125, 105, 213, 149, 59,
	7, 88, 179, 64, 134, 172, 29, 247, 48, 55, 107, 228, 136, 217, 231, 137,
	225, 27, 131, 73, 76, 63, 248, 254, 141, 83, 170, 144, 202, 216, 133, 97,
	32, 113, 103, 164, 45, 43, 9, 91, 203, 155, 37, 208, 190, 229, 108, 82,
	89, 166, 116, 210, 230, 244, 180, 192, 209, 102, 175, 194, 57, 75, 99, 182,
}

// matrixA is the 64×64 bit matrix of the linear transform l (RFC 6986 §6.4):
// matrixA[k] is the row added for bit 63-k of the input word.
var matrixA = [64]uint64{
	0x8e20faa72ba0b470, 0x47107ddd9b505a38, 0xad08b0e0c3282d1c, 0xd8045870ef14980e,
	0x6c022c38f90a4c07, 0x3601161cf205268d, 0x1b8e0b0e798c13c8, 0x83478b07b2468764,
	0xa011d380818e8f40, 0x5086e740ce47c920, 0x2843fd2067adea10, 0x14aff010bdd87508,
	0x0ad97808d06cb404, 0x05e23c0468365a02, 0x8c711e02341b2d01, 0x46b60f011a83988e,
	0x90dab52a387ae76f, 0x486dd4151c3dfdb9, 0x24b86a840e90f0d2, 0x125c354207487869,
	0x092e94218d243cba, 0x8a174a9ec8121e5d, 0x4585254f64090fa0, 0xaccc9ca9328a8950,
	0x9d4df05d5f661451, 0xc0a878a0a1330aa6, 0x60543c50de970553, 0x302a1e286fc58ca7,
	0x18150f14b9ec46dd, 0x0c84890ad27623e0, 0x0642ca05693b9f70, 0x0321658cba93c138,
	0x86275df09ce8aaa8, 0x439da0784e745554, 0xafc0503c273aa42a, 0xd960281e9d1d5215,
	0xe230140fc0802984, 0x71180a8960409a42, 0xb60c05ca30204d21, 0x5b068c651810a89e,
	0x456c34887a3805b9, 0xac361a443d1c8cd2, 0x561b0d22900e4669, 0x2b838811480723ba,
	0x9bcf4486248d9f5d, 0xc3e9224312c8c1a0, 0xeffa11af0964ee50, 0xf97d86d98a327728,
	0xe4fa2054a80b329c, 0x727d102a548b194e, 0x39b008152acb8227, 0x9258048415eb419d,
	0x492c024284fbaec0, 0xaa16012142f35760, 0x550b8e9e21f7a530, 0xa48b474f9ef5dc18,
	0x70a6a56e2440598e, 0x3853dc371220a247, 0x1ca76e95091051ad, 0x0edd37c48a08a6d8,
	0x07e095624504536c, 0x8d70c431ac02a736, 0xc83862965601dd1b, 0x641c314b2b8ee083,
}

// roundConstHex are the iteration constants C1..C12 of RFC 6986 §6.5, written
// as the RFC prints them (most significant byte first).
var roundConstHex = [12]string{
	"b1085bda1ecadae9ebcb2f81c0657c1f2f6a76432e45d016714eb88d7585c4fc4b7ce09192676901a2422a08a460d31505767436cc744d23dd806559f2a64507",
	"6fa3b58aa99d2f1a4fe39d460f70b5d7f3feea720a232b9861d55e0f16b501319ab5176b12d699585cb561c2db0aa7ca55dda21bd7cbcd56e679047021b19bb7",
	"f574dcac2bce2fc70a39fc286a3d843506f15e5f529c1f8bf2ea7514b1297b7bd3e20fe490359eb1c1c93a376062db09c2b6f443867adb31991e96f50aba0ab2",
	"ef1fdfb3e81566d2f948e1a05d71e4dd488e857e335c3c7d9d721cad685e353fa9d72c82ed03d675d8b71333935203be3453eaa193e837f1220cbebc84e3d12e",
	"4bea6bacad4747999a3f410c6ca923637f151c1f1686104a359e35d7800fffbdbfcd1747253af5a3dfff00b723271a167a56a27ea9ea63f5601758fd7c6cfe57",
	"ae4faeae1d3ad3d96fa4c33b7a3039c02d66c4f95142a46c187f9ab49af08ec6cffaa6b71c9ab7b40af21f66c2bec6b6bf71c57236904f35fa68407a46647d6e",
	"f4c70e16eeaac5ec51ac86febf240954399ec6c7e6bf87c9d3473e33197a93c90992abc52d822c3706476983284a05043517454ca23c4af38886564d3a14d493",
	"9b1f5b424d93c9a703e7aa020c6e41414eb7f8719c36de1e89b4443b4ddbc49af4892bcb929b069069d18d2bd1a5c42f36acc2355951a8d9a47f0dd4bf02e71e",
	"378f5a541631229b944c9ad8ec165fde3a7d3a1b258942243cd955b7e00d0984800a440bdbb2ceb17b2b8a9aa6079c540e38dc92cb1f2a607261445183235adb",
	"abbedea680056f52382ae548b2e4f3f38941e71cff8a78db1fffe18a1b3361039fe76702af69334b7a1e6c303b7652f43698fad1153bb6c374b4c7fb98459ced",
	"7bcd9ed0efc889fb3002c6cd635afe94d8fa6bbbebab076120018021148466798a1d71efea48b9caefbacd1d7d476e98dea2594ac06fd85d6bcaa4cd81f32d1b",
	"378ee767f11631bad21380b00449b17acda43c32bcdf1d77f82012d430219f9b5d80ef9d1891cc86e71da4aa88e12852faf417d5d9b21b9948bc924af11bd720",
}

type block [8]uint64

var (
	roundConst [12]block
	// lpsTable[c][b] is L(P(S(x))) restricted to byte value b sitting in
	// lane c: after P, byte i of lane c moves to byte c of lane i, so lane i
	// of the output is the XOR over c of lpsTable[c][byte i of lane c].
	lpsTable [8][256]uint64
)

func init() {
	for c := 0; c < 8; c++ {
		for b := 0; b < 256; b++ {
			x := pi[b]
			var acc uint64
			for t := 0; t < 8; t++ {
				if x&(1<<t) != 0 {
					// bit t of byte c is bit 8c+t of the lane; row 63-(8c+t).
					acc ^= matrixA[63-8*c-t]
				}
			}
			lpsTable[c][b] = acc
		}
	}
	for i, s := range roundConstHex {
		be, err := hex.DecodeString(s)
		if err != nil || len(be) != 64 {
			panic("gost: bad Streebog constant") // a typo in the table above
		}
		var le [64]byte
		for j := range le {
			le[j] = be[63-j]
		}
		roundConst[i] = loadBlock(le[:])
	}
}

func loadBlock(b []byte) (out block) {
	for i := range out {
		out[i] = binary.LittleEndian.Uint64(b[8*i:])
	}
	return out
}

// lps returns L(P(S(x))).
func lps(x *block) (out block) {
	for i := 0; i < 8; i++ {
		sh := uint(8 * i)
		out[i] = lpsTable[0][byte(x[0]>>sh)] ^ lpsTable[1][byte(x[1]>>sh)] ^
			lpsTable[2][byte(x[2]>>sh)] ^ lpsTable[3][byte(x[3]>>sh)] ^
			lpsTable[4][byte(x[4]>>sh)] ^ lpsTable[5][byte(x[5]>>sh)] ^
			lpsTable[6][byte(x[6]>>sh)] ^ lpsTable[7][byte(x[7]>>sh)]
	}
	return out
}

func xorBlock(a, b *block) (out block) {
	for i := range out {
		out[i] = a[i] ^ b[i]
	}
	return out
}

// compress is g_N(h, m) = E(LPS(h ⊕ N), m) ⊕ h ⊕ m.
func compress(h, n, m *block) {
	t := xorBlock(h, n)
	k := lps(&t)
	s := *m
	for i := 0; i < 12; i++ {
		t = xorBlock(&s, &k)
		s = lps(&t)
		t = xorBlock(&k, &roundConst[i])
		k = lps(&t)
	}
	for i := range h {
		h[i] ^= s[i] ^ k[i] ^ m[i]
	}
}

// add512 sets a = a + b mod 2^512.
func add512(a, b *block) {
	var carry uint64
	for i := range a {
		a[i], carry = bits.Add64(a[i], b[i], carry)
	}
}

// addBits adds a bit count below 2^64 to the 512-bit counter n.
func addBits(n *block, bits uint64) {
	b := block{bits}
	add512(n, &b)
}

// Digest is a Streebog hash state; it implements hash.Hash.
type Digest struct {
	size  int
	h     block
	n     block
	sigma block
	buf   [BlockSize]byte
	nbuf  int
}

var _ hash.Hash = (*Digest)(nil)

// New512 returns a Streebog-512 hash.
func New512() *Digest { d := &Digest{size: Size512}; d.Reset(); return d }

// New256 returns a Streebog-256 hash.
func New256() *Digest { d := &Digest{size: Size256}; d.Reset(); return d }

// Sum512 returns the Streebog-512 digest of data, in the byte order of the
// hash's output stream (RFC 6986 prints digests reversed, as numbers).
func Sum512(data []byte) (out [Size512]byte) {
	d := New512()
	d.Write(data)
	d.Sum(out[:0])
	return out
}

// Sum256 returns the Streebog-256 digest of data.
func Sum256(data []byte) (out [Size256]byte) {
	d := New256()
	d.Write(data)
	d.Sum(out[:0])
	return out
}

// Reset restores the initial state.
func (d *Digest) Reset() {
	iv := uint64(0)
	if d.size == Size256 {
		iv = 0x0101010101010101
	}
	for i := range d.h {
		d.h[i] = iv
	}
	d.n, d.sigma = block{}, block{}
	d.buf = [BlockSize]byte{}
	d.nbuf = 0
}

// Size returns the digest size in bytes.
func (d *Digest) Size() int { return d.size }

// BlockSize returns 64.
func (d *Digest) BlockSize() int { return BlockSize }

func (d *Digest) processBlock(b []byte) {
	m := loadBlock(b)
	compress(&d.h, &d.n, &m)
	addBits(&d.n, 512)
	add512(&d.sigma, &m)
}

// Write absorbs p; it never fails.
func (d *Digest) Write(p []byte) (int, error) {
	n := len(p)
	if d.nbuf > 0 {
		c := copy(d.buf[d.nbuf:], p)
		d.nbuf += c
		p = p[c:]
		if d.nbuf < BlockSize {
			return n, nil
		}
		d.processBlock(d.buf[:])
		d.nbuf = 0
	}
	for len(p) >= BlockSize {
		d.processBlock(p[:BlockSize])
		p = p[BlockSize:]
	}
	d.nbuf = copy(d.buf[:], p)
	return n, nil
}

// Sum appends the digest to b without changing the state.
func (d *Digest) Sum(b []byte) []byte {
	c := *d // finalise a copy so that writing may continue
	var last [BlockSize]byte
	copy(last[:], c.buf[:c.nbuf])
	last[c.nbuf] = 1
	m := loadBlock(last[:])
	compress(&c.h, &c.n, &m)
	addBits(&c.n, uint64(8*c.nbuf))
	add512(&c.sigma, &m)
	var zero block
	compress(&c.h, &zero, &c.n)
	compress(&c.h, &zero, &c.sigma)
	var out [Size512]byte
	for i := range c.h {
		binary.LittleEndian.PutUint64(out[8*i:], c.h[i])
	}
	if d.size == Size256 {
		// MSB_256: the high half, which is the second half of the stream.
		return append(b, out[32:]...)
	}
	return append(b, out[:]...)
}
