package server

import "kense/eds/ocsphttp"

// OCSPClient asks an OCSP responder (RFC 6960, HTTP POST) about a
// certificate; it implements eds.OCSPChecker. It is eds/ocsphttp's
// Checker, so that kense-server and kensectl apply one OCSP rule: a
// response must be signed by the issuer or a responder it delegated (RSA,
// ECDSA or NCA's GOST), be about the certificate, and be current at Now.
type OCSPClient = ocsphttp.Checker
