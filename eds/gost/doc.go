// Package gost implements, in pure Go, the GOST algorithms that NCA RK
// (Kazakhstan's National Certification Authority) uses: for its
// "GOST 34.10-2015" keys the Streebog hash (GOST R 34.11-2012, RFC 6986)
// and GOST R 34.10-2012 signatures (RFC 7091) on the 512-bit TC26 curve
// id-tc26-gost-3410-12-512-paramSetA; for its older "GOST 34.310-2004" keys
// GOST R 34.11-94 and GOST R 34.10-2001 on the CryptoPro A curve; both with
// NCA's byte order. Package eds builds PKCS#12, CMS and chains on it.
//
// # Curve
//
// NCA names the curve with its own OID 1.2.398.3.10.1.1.2.2.1. It is TC26
// 512 set A: the public key of the NCA GOST-2015 test CA lies on that curve
// (and on none of the others), the CA's CRL verifies with it, and so do the
// OCSP responder's certificate the CA issued and the response it signed. The other TC26 512-bit sets, the RFC 7091 example curve and
// the CryptoPro 256-bit curves are included for tests and for TC26 keys.
//
// # Byte order
//
// NCA, like RFC 9215 (the CryptoPro convention), writes numbers
// little-endian: the public key is the OCTET STRING X‖Y with each coordinate
// little-endian; the private scalar in PKCS#8 is 64 little-endian bytes
// (wrapped in an inner OCTET STRING); the Streebog digest, read as a number,
// is little-endian; the signature is r‖s, each little-endian. Sign and
// Verify take the RFC 7091 view (big-endian numbers, r‖s big-endian);
// SignNCA, VerifyNCA, ParseNCAPublicKey and ParseNCAPrivateKey do the
// reversals.
//
// # GOST 34.310-2004
//
// The older NCA keys (OID family 1.2.398.3.10.1.1.1) are GOST R 34.10-2001
// math on the CryptoPro A curve (NCA parameter set 1.2.398.3.10.1.1.1.1.1)
// with GOST 34.311-95 = GOST R 34.11-94 with the "test" S-boxes of its
// appendix (NCA digest 1.2.398.3.10.1.3.1.1.0), in the same little-endian
// conventions. That was established, not assumed: the key of the NCA GOST
// 2004 test CA lies on CryptoPro A (on no other known curve), and the CA's
// CRL verifies with that hash and that byte order; the CryptoPro S-boxes and
// the other orders fail. New94 implements the hash, checked against RFC 5831
// and Nettle's gosthash94. A real NCA 2004 key container (NCANode's public
// test data, not kept here) confirmed the rest: its PKCS#8 holds the 32-byte
// little-endian scalar in an inner OCTET STRING, that scalar gives its
// certificate's public key, and the certificate verifies against the CA.
//
// # CMS
//
// In CMS SignedData as Kalkan/NCALayer make it with a GOST-2015 key
// (checked on a Kalkan-made CMS from NCANode's public tests, not kept
// here): digestAlgorithm 1.2.398.3.10.1.3.3, signatureAlgorithm
// 1.2.398.3.10.1.1.2.3.2; the messageDigest attribute is the Streebog-512
// output as Sum512 returns it (no reversal); the SignerInfo signature is the
// 128 bytes of SignNCA over the DER of the signed attributes (SET OF, tag
// 0x31), which VerifyNCA checks.
//
// # Constant time
//
// The signing path does not branch on, or index memory by, secret values:
//   - field arithmetic mod p and mod q is fixed-size Montgomery arithmetic
//     on 64-bit limbs (field.go): the same instructions whatever the values,
//     conditional subtractions done with masks;
//   - k·G and d·G run a Montgomery ladder over all 64·limbs bits of the
//     scalar, one complete addition and one doubling per bit
//     (Renes–Costello–Batina formulas: no special cases for doubling or the
//     point at infinity), operands exchanged by masked swaps;
//   - 1/Z is z^(p-2) with the public exponent, and s = r·d + k·e mod q is
//     computed in the same Montgomery arithmetic.
//
// What is not constant time:
//   - conversions between big.Int and limbs at the edges (loading d and k,
//     returning r and s): math/big's byte conversions take time that depends
//     on the length of the number, i.e. on a few leading zero bits;
//   - choosing k reduces random bytes with math/big (the value is uniform and
//     used once; the reduction's timing depends on it slightly);
//   - verification, key parsing and both hashes handle public data and are
//     variable time (Streebog and GOST R 34.11-94 use table look-ups indexed
//     by data, as software implementations of them do);
//   - Go itself gives no guarantee: the compiler may in principle introduce
//     branches, and the garbage collector may copy secrets.
//
// Private scalars pass through big.Int values, which Go cannot wipe
// reliably; limb arrays and byte slices holding them are cleared after use.
package gost
