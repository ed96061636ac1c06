package eds

import (
	"crypto/cipher"
	"crypto/des"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"math/big"
	"math/bits"
	"unicode/utf16"
)

// PKCS#12 password-based encryption as NCA uses it: the key derivation of
// RFC 7292 appendix B with SHA-1, 3DES for key bags, 40-bit RC2 for
// certificate bags and HMAC-SHA1 for the integrity MAC.

const (
	kdfKey = 1
	kdfIV  = 2
	kdfMAC = 3
)

// bmpPassword encodes a password as PKCS#12 wants it: UTF-16BE plus two zero
// bytes. The caller wipes the result.
func bmpPassword(p []byte) []byte {
	rs := []rune(string(p))
	u := utf16.Encode(rs)
	out := make([]byte, 0, 2*len(u)+2)
	for _, c := range u {
		out = append(out, byte(c>>8), byte(c))
	}
	for i := range rs {
		rs[i] = 0
	}
	for i := range u {
		u[i] = 0
	}
	return append(out, 0, 0)
}

// pkcs12KDF derives size bytes for purpose id from a BMP password and salt.
func pkcs12KDF(id byte, bmpPass, salt []byte, iter, size int) []byte {
	const u, v = sha1.Size, 64
	d := make([]byte, v)
	for i := range d {
		d[i] = id
	}
	fill := func(src []byte) []byte {
		if len(src) == 0 {
			return nil
		}
		out := make([]byte, v*((len(src)+v-1)/v))
		for i := range out {
			out[i] = src[i%len(src)]
		}
		return out
	}
	I := append(fill(salt), fill(bmpPass)...)
	defer wipe(I)
	var out []byte
	one := big.NewInt(1)
	for len(out) < size {
		h := sha1.New()
		h.Write(d)
		h.Write(I)
		a := h.Sum(nil)
		for r := 1; r < iter; r++ {
			s := sha1.Sum(a)
			a = s[:]
		}
		out = append(out, a...)
		if len(out) >= size {
			break
		}
		// I_j = (I_j + B + 1) mod 2^(8v), B = A repeated to v bytes.
		b := make([]byte, v)
		for i := range b {
			b[i] = a[i%u]
		}
		bn := new(big.Int).SetBytes(b)
		bn.Add(bn, one)
		for j := 0; j < len(I); j += v {
			ij := new(big.Int).SetBytes(I[j : j+v])
			ij.Add(ij, bn)
			r := ij.Bytes()
			if len(r) > v {
				r = r[len(r)-v:]
			}
			blk := I[j : j+v]
			for k := range blk {
				blk[k] = 0
			}
			copy(blk[v-len(r):], r)
		}
	}
	return out[:size]
}

func wipe(b []byte) {
	for i := range b {
		b[i] = 0
	}
}

var errPadding = errors.New("bad padding")

// pbeCipher builds the block cipher and IV for a PBE algorithm.
func pbeCipher(alg string, bmpPass, salt []byte, iter int) (cipher.Block, []byte, error) {
	switch alg {
	case oidPBE3DES:
		key := pkcs12KDF(kdfKey, bmpPass, salt, iter, 24)
		defer wipe(key)
		c, err := des.NewTripleDESCipher(key)
		return c, pkcs12KDF(kdfIV, bmpPass, salt, iter, 8), err
	case oidPBERC240:
		key := pkcs12KDF(kdfKey, bmpPass, salt, iter, 5)
		defer wipe(key)
		return newRC2(key, 40), pkcs12KDF(kdfIV, bmpPass, salt, iter, 8), nil
	}
	return nil, nil, errors.New("unsupported PBE algorithm " + alg)
}

func pbeDecrypt(alg string, bmpPass, salt []byte, iter int, data []byte) ([]byte, error) {
	c, iv, err := pbeCipher(alg, bmpPass, salt, iter)
	if err != nil {
		return nil, err
	}
	bs := c.BlockSize()
	if len(data) == 0 || len(data)%bs != 0 {
		return nil, errPadding
	}
	out := make([]byte, len(data))
	cipher.NewCBCDecrypter(c, iv).CryptBlocks(out, data)
	p := int(out[len(out)-1])
	if p == 0 || p > bs {
		return nil, errPadding
	}
	for _, x := range out[len(out)-p:] {
		if int(x) != p {
			return nil, errPadding
		}
	}
	return out[:len(out)-p], nil
}

func pbeEncrypt(alg string, bmpPass, salt []byte, iter int, data []byte) ([]byte, error) {
	c, iv, err := pbeCipher(alg, bmpPass, salt, iter)
	if err != nil {
		return nil, err
	}
	bs := c.BlockSize()
	p := bs - len(data)%bs
	buf := make([]byte, len(data)+p)
	copy(buf, data)
	for i := len(data); i < len(buf); i++ {
		buf[i] = byte(p)
	}
	cipher.NewCBCEncrypter(c, iv).CryptBlocks(buf, buf)
	return buf, nil
}

func pkcs12MAC(bmpPass, salt []byte, iter int, data []byte) []byte {
	key := pkcs12KDF(kdfMAC, bmpPass, salt, iter, 20)
	defer wipe(key)
	m := hmac.New(sha1.New, key)
	m.Write(data)
	return m.Sum(nil)
}

func macEqual(a, b []byte) bool { return subtle.ConstantTimeCompare(a, b) == 1 }

// RC2 (RFC 2268), only what 40-bit PKCS#12 certificate bags need.
type rc2Cipher struct{ k [64]uint16 }

var rc2Pi = [256]byte{
	0xd9, 0x78, 0xf9, 0xc4, 0x19, 0xdd, 0xb5, 0xed, 0x28, 0xe9, 0xfd, 0x79, 0x4a, 0xa0, 0xd8, 0x9d,
	0xc6, 0x7e, 0x37, 0x83, 0x2b, 0x76, 0x53, 0x8e, 0x62, 0x4c, 0x64, 0x88, 0x44, 0x8b, 0xfb, 0xa2,
	0x17, 0x9a, 0x59, 0xf5, 0x87, 0xb3, 0x4f, 0x13, 0x61, 0x45, 0x6d, 0x8d, 0x09, 0x81, 0x7d, 0x32,
	0xbd, 0x8f, 0x40, 0xeb, 0x86, 0xb7, 0x7b, 0x0b, 0xf0, 0x95, 0x21, 0x22, 0x5c, 0x6b, 0x4e, 0x82,
	0x54, 0xd6, 0x65, 0x93, 0xce, 0x60, 0xb2, 0x1c, 0x73, 0x56, 0xc0, 0x14, 0xa7, 0x8c, 0xf1, 0xdc,
	0x12, 0x75, 0xca, 0x1f, 0x3b, 0xbe, 0xe4, 0xd1, 0x42, 0x3d, 0xd4, 0x30, 0xa3, 0x3c, 0xb6, 0x26,
	0x6f, 0xbf, 0x0e, 0xda, 0x46, 0x69, 0x07, 0x57, 0x27, 0xf2, 0x1d, 0x9b, 0xbc, 0x94, 0x43, 0x03,
	0xf8, 0x11, 0xc7, 0xf6, 0x90, 0xef, 0x3e, 0xe7, 0x06, 0xc3, 0xd5, 0x2f, 0xc8, 0x66, 0x1e, 0xd7,
	0x08, 0xe8, 0xea, 0xde, 0x80, 0x52, 0xee, 0xf7, 0x84, 0xaa, 0x72, 0xac, 0x35, 0x4d, 0x6a, 0x2a,
	0x96, 0x1a, 0xd2, 0x71, 0x5a, 0x15, 0x49, 0x74, 0x4b, 0x9f, 0xd0, 0x5e, 0x04, 0x18, 0xa4, 0xec,
	0xc2, 0xe0, 0x41, 0x6e, 0x0f, 0x51, 0xcb, 0xcc, 0x24, 0x91, 0xaf, 0x50, 0xa1, 0xf4, 0x70, 0x39,
	0x99, 0x7c, 0x3a, 0x85, 0x23, 0xb8, 0xb4, 0x7a, 0xfc, 0x02, 0x36, 0x5b, 0x25, 0x55, 0x97, 0x31,
	0x2d, 0x5d, 0xfa, 0x98, 0xe3, 0x8a, 0x92, 0xae, 0x05, 0xdf, 0x29, 0x10, 0x67, 0x6c, 0xba, 0xc9,
	0xd3, 0x00, 0xe6, 0xcf, 0xe1, 0x9e, 0xa8, 0x2c, 0x63, 0x16, 0x01, 0x3f, 0x58, 0xe2, 0x89, 0xa9,
	0x0d, 0x38, 0x34, 0x1b, 0xab, 0x33, 0xff, 0xb0, 0xbb, 0x48, 0x0c, 0x5f, 0xb9, 0xb1, 0xcd, 0x2e,
	0xc5, 0xf3, 0xdb, 0x47, 0xe5, 0xa5, 0x9c, 0x77, 0x0a, 0xa6, 0x20, 0x68, 0xfe, 0x7f, 0xc1, 0xad,
}

func newRC2(key []byte, effectiveBits int) *rc2Cipher {
	var l [128]byte
	t := copy(l[:], key)
	for i := t; i < 128; i++ {
		l[i] = rc2Pi[l[i-1]+l[i-t]]
	}
	t8 := (effectiveBits + 7) / 8
	tm := byte(0xff >> uint(8*t8-effectiveBits))
	l[128-t8] = rc2Pi[l[128-t8]&tm]
	for i := 127 - t8; i >= 0; i-- {
		l[i] = rc2Pi[l[i+1]^l[i+t8]]
	}
	c := &rc2Cipher{}
	for i := range c.k {
		c.k[i] = uint16(l[2*i]) | uint16(l[2*i+1])<<8
	}
	wipe(l[:])
	return c
}

var rc2Rot = [4]int{1, 2, 3, 5}

func (*rc2Cipher) BlockSize() int { return 8 }

func (c *rc2Cipher) Encrypt(dst, src []byte) {
	r := [4]uint16{binary.LittleEndian.Uint16(src), binary.LittleEndian.Uint16(src[2:]), binary.LittleEndian.Uint16(src[4:]), binary.LittleEndian.Uint16(src[6:])}
	j := 0
	mix := func() {
		for i := 0; i < 4; i++ {
			r[i] += c.k[j] + (r[(i+3)%4] & r[(i+2)%4]) + (^r[(i+3)%4] & r[(i+1)%4])
			j++
			r[i] = bits.RotateLeft16(r[i], rc2Rot[i])
		}
	}
	mash := func() {
		for i := 0; i < 4; i++ {
			r[i] += c.k[r[(i+3)%4]&63]
		}
	}
	for round := 0; round < 16; round++ {
		mix()
		if round == 4 || round == 10 {
			mash()
		}
	}
	for i := 0; i < 4; i++ {
		binary.LittleEndian.PutUint16(dst[2*i:], r[i])
	}
}

func (c *rc2Cipher) Decrypt(dst, src []byte) {
	r := [4]uint16{binary.LittleEndian.Uint16(src), binary.LittleEndian.Uint16(src[2:]), binary.LittleEndian.Uint16(src[4:]), binary.LittleEndian.Uint16(src[6:])}
	j := 63
	rmix := func() {
		for i := 3; i >= 0; i-- {
			r[i] = bits.RotateLeft16(r[i], -rc2Rot[i])
			r[i] -= c.k[j] + (r[(i+3)%4] & r[(i+2)%4]) + (^r[(i+3)%4] & r[(i+1)%4])
			j--
		}
	}
	rmash := func() {
		for i := 3; i >= 0; i-- {
			r[i] -= c.k[r[(i+3)%4]&63]
		}
	}
	for round := 15; round >= 0; round-- {
		rmix()
		if round == 5 || round == 11 {
			rmash()
		}
	}
	for i := 0; i < 4; i++ {
		binary.LittleEndian.PutUint16(dst[2*i:], r[i])
	}
}
