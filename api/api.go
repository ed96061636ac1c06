// Package api holds the wire types of Kense's HTTP JSON API (/v1), shared by
// the client and kense-server. api/openapi.yaml documents every endpoint.
package api

import "time"

// Error codes: every refusal carries exactly one, so that the client can
// explain it in the user's language (the English message is for logs and
// curl users only).
const (
	CodeBadRequest        = "bad_request"
	CodeUnauthorized      = "unauthorized"
	CodeNotFound          = "not_found"
	CodeInternal          = "internal"
	CodeBadSignature      = "bad_signature"
	CodeUntrusted         = "untrusted"
	CodeExpired           = "expired"
	CodeNotYetValid       = "not_yet_valid"
	CodeWrongKeyUsage     = "wrong_key_usage"
	CodeRevoked           = "revoked"
	CodeRevocationUnknown = "revocation_unknown"
	CodeUnsupportedAlg    = "unsupported_algorithm"
	CodeBadCMS            = "bad_cms"
	CodeNonceUnknown      = "nonce_unknown"
	CodeNonceExpired      = "nonce_expired"
	CodeNonceUsed         = "nonce_used"
	CodeAccountNotFound   = "account_not_found"
	CodeAccountBlocked    = "account_blocked"
	CodePasswordRequired  = "password_required"
	CodeWrongPassword     = "wrong_password"
	CodeWrongIP           = "wrong_ip"
	CodeEDSYearExpired    = "eds_year_expired"
	CodeRateLimited       = "rate_limited"
)

// Warning codes.
const (
	// WarnEDSYearEnding: the account's registered EDS turns a calendar year
	// old in DaysLeft days; after that the account is blocked (UNIS rule 12).
	WarnEDSYearEnding = "eds_year_ending"
)

// Account kinds.
const (
	KindUNIS = "unis" // notarial system: EDS only
	KindRER  = "rer"  // legal cadastre: login + password + EDS from a bound IP
)

// Account statuses.
const (
	StatusActive  = "active"
	StatusBlocked = "blocked"
)

// Error is the body of every non-2xx answer.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// RetryAfterSeconds is set with rate_limited.
	RetryAfterSeconds int `json:"retryAfterSeconds,omitempty"`
}

// ChallengeRequest is the (optional, may be empty) body of POST /v1/auth/challenge.
type ChallengeRequest struct {
	// ClientNonce is an optional client-chosen value (at most 64 characters)
	// that the server echoes back in the challenge, so the client can tie the
	// answer to its own request.
	ClientNonce string `json:"clientNonce,omitempty"`
}

// Challenge is the answer to POST /v1/auth/challenge. The client signs the
// 32 bytes that Nonce encodes (NCALayer: data=Nonce with decode=true), as
// CMS, attached or detached, with its AUTH key.
type Challenge struct {
	ChallengeID string    `json:"challengeId"`
	Nonce       string    `json:"nonce"` // standard base64 of 32 random bytes
	ExpiresAt   time.Time `json:"expiresAt"`
	ClientNonce string    `json:"clientNonce,omitempty"`
}

// SignInRequest is the body of POST /v1/auth/signin.
type SignInRequest struct {
	ChallengeID string `json:"challengeId"`
	CMS         string `json:"cms"` // standard base64 of the DER (or BER) CMS SignedData
	// Login and Password: RER SDB accounts only.
	Login    string `json:"login,omitempty"`
	Password Secret `json:"password,omitempty"`
}

// SignInResponse is the answer to a successful sign-in.
type SignInResponse struct {
	Token     string    `json:"token"` // opaque; send as "Authorization: Bearer <token>"
	ExpiresAt time.Time `json:"expiresAt"`
	// IdleTimeoutSeconds: the session ends after this long without a request.
	IdleTimeoutSeconds int       `json:"idleTimeoutSeconds"`
	Account            Account   `json:"account"`
	Warnings           []Warning `json:"warnings"`
	// PasswordChangeRequired (RER SDB): the session can do nothing but
	// change the password (POST /v1/auth/password); PasswordChangeReason
	// is api.PasswordPrimary, PasswordExpired or PasswordCompromised.
	PasswordChangeRequired bool   `json:"passwordChangeRequired,omitempty"`
	PasswordChangeReason   string `json:"passwordChangeReason,omitempty"`
}

// Warning accompanies a successful sign-in.
type Warning struct {
	Code string `json:"code"`
	// DaysLeft: calendar days (Asia/Almaty) until the account is blocked.
	DaysLeft int `json:"daysLeft"`
	// Threshold is the warning step reached: 30, 14, 7 or 1.
	Threshold int    `json:"threshold"`
	Message   string `json:"message"`
}

// Account is what the server tells a signed-in user about their account.
type Account struct {
	IIN          string        `json:"iin"`
	FullName     string        `json:"fullName"`
	Kind         string        `json:"kind"`
	Status       string        `json:"status"`
	Login        string        `json:"login,omitempty"`
	BoundIP      string        `json:"boundIp,omitempty"`
	Certificates []Certificate `json:"certificates"`
	// EDSYearEndsAt: when the newest registered EDS turns a calendar year old
	// (UNIS rule 12); absent when none is registered.
	EDSYearEndsAt *time.Time `json:"edsYearEndsAt,omitempty"`
	// RER SDB accounts, as the executed applications set them (issue 8):
	// the position, the user type (1 or 2) and its access-level letters.
	Position     string   `json:"position,omitempty"`
	UserType     int      `json:"userType,omitempty"`
	AccessLevels []string `json:"accessLevels,omitempty"`
	// Roles are the account's roles (issue 6 lines, issue 8 rer_admin and
	// chamber), so the app shows the screens the account may use; the
	// server checks them on every request.
	Roles []string `json:"roles,omitempty"`
}

// Certificate is an EDS certificate registered to an account.
type Certificate struct {
	Serial       string    `json:"serial"` // hex, upper case
	Subject      string    `json:"subject"`
	Issuer       string    `json:"issuer"`
	NotBefore    time.Time `json:"notBefore"`
	NotAfter     time.Time `json:"notAfter"`
	RegisteredAt time.Time `json:"registeredAt"`
}

// Me is the answer to GET /v1/me.
type Me struct {
	Account          Account   `json:"account"`
	SessionExpiresAt time.Time `json:"sessionExpiresAt"`
	// SessionIdleUntil: the session ends then unless another request comes.
	SessionIdleUntil time.Time `json:"sessionIdleUntil"`
}

// Policy is the answer to GET /v1/policy (no sign-in needed).
type Policy struct {
	// IdleLockMinutes: the app locks its window after this long without input
	// (UNIS rule 10.4, access rule 13.5).
	IdleLockMinutes           int `json:"idleLockMinutes"`
	SessionIdleTimeoutMinutes int `json:"sessionIdleTimeoutMinutes"`
	SessionMaxHours           int `json:"sessionMaxHours"`
	ChallengeLifetimeSeconds  int `json:"challengeLifetimeSeconds"`
	// EDSWarningDays: the days before the EDS-year block at which the app warns.
	EDSWarningDays []int `json:"edsWarningDays"`
	// Demo is true on a demo server: its keys and accounts are not real.
	Demo bool `json:"demo"`
	// AuthEKU is the extended key usage that a sign-in key must carry.
	AuthEKU string `json:"authEku"`
	// LatestVersion is the newest Kense release IT offers (Semantic
	// Versioning, e.g. "0.2.0"); empty: none announced. The app only tells
	// the user; it never updates itself.
	LatestVersion string `json:"latestVersion,omitempty"`
	// DownloadURL is where that release is (an https URL); optional.
	DownloadURL string `json:"downloadUrl,omitempty"`
}

// Endpoint paths (all under /v1).
const (
	PathChallenge = "/v1/auth/challenge" // POST
	PathSignIn    = "/v1/auth/signin"    // POST
	PathSignOut   = "/v1/auth/signout"   // POST, Bearer
	PathMe        = "/v1/me"             // GET, Bearer
	PathPolicy    = "/v1/policy"         // GET
)
