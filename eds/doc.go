// Package eds reads NCA RK key containers, tells what a certificate says
// (IIN, BIN, names, AUTH or SIGN), signs CMS with RSA keys and verifies CMS
// signatures: signature, chain to configured anchors, validity at a given
// time, extended key usage and revocation (OCSP through an OCSPChecker, CRLs
// as fallback, per RevocationPolicy).
//
// Everything read from outside (key files, CMS from NCALayer) may be BER with
// indefinite lengths; a small normaliser turns it into DER first. Errors a
// user sees are *Error values with a stable Code and a Message in kk, ru or
// en (assets/i18n/*/eds.json).
//
// GOST keys (GOST 34.10-2015 512-bit, GOST 34.310-2004) sign, verify and
// chain through the pure-Go eds/gost, plugged in at gostplug.go; other GOST
// parameter sets are recognised and refused as unsupported_algorithm.
//
// Networking lives in sub-packages so that this one stays a domain package:
// eds/ocsphttp (OCSP over HTTP) and eds/ncalayer (the NCALayer signer).
// eds/edstest makes NCA-shaped test PKI for tests.
package eds
