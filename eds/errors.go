package eds

import (
	"kense/i18n"
)

// Error is an EDS failure that a user sees: Code is stable (the server puts it
// in its JSON answers), Detail is technical context in English.
type Error struct {
	Code   string
	Detail string
	// Want is the key purpose that was required ("AUTH" or "SIGN") for
	// wrong_key_usage, so the message can say which key to pick.
	Want string
}

// Error codes.
const (
	CodeBadSignature         = "bad_signature"
	CodeUntrusted            = "untrusted"
	CodeExpired              = "expired"
	CodeNotYetValid          = "not_yet_valid"
	CodeWrongKeyUsage        = "wrong_key_usage"
	CodeRevoked              = "revoked"
	CodeRevocationUnknown    = "revocation_unknown"
	CodeUnsupportedAlgorithm = "unsupported_algorithm"
	CodeWrongPassword        = "wrong_password"
	CodeBadContainer         = "bad_container"
	CodeBadCMS               = "bad_cms"
	CodeCanceled             = "canceled"
	CodeNCALayerNotRunning   = "ncalayer_not_running"
	CodeNCALayerFailed       = "ncalayer_failed"
)

// Sentinels for errors.Is: any *Error with the same Code matches them.
var (
	ErrWrongPassword         = &Error{Code: CodeWrongPassword}
	ErrAlgorithmNotSupported = &Error{Code: CodeUnsupportedAlgorithm}
	// ErrCanceled: the user pressed Cancel in NCALayer. Not a failure to show.
	ErrCanceled           = &Error{Code: CodeCanceled}
	ErrNCALayerNotRunning = &Error{Code: CodeNCALayerNotRunning}
)

func (e *Error) key() string {
	if e.Code == CodeWrongKeyUsage && e.Want != "" {
		return "eds.err." + e.Code + "." + e.Want
	}
	return "eds.err." + e.Code
}

// Message says, in lang, what happened and what to do.
func (e *Error) Message(lang i18n.Lang) string {
	if !i18n.Has(lang, e.key()) && !i18n.Has(i18n.EN, e.key()) {
		return i18n.TL(lang, "eds.err.unknown", "code", e.Code, "detail", e.Detail)
	}
	return i18n.TL(lang, e.key(), "detail", e.Detail)
}

func (e *Error) Error() string {
	m := e.Message(i18n.EN)
	if e.Detail != "" && e.Code != CodeNCALayerFailed {
		m += " (" + e.Detail + ")"
	}
	return m
}

// Is makes errors.Is(err, ErrWrongPassword) true for every wrong-password
// error, whatever its detail.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && t.Detail == "" && t.Want == ""
}

func newErr(code, detail string) *Error { return &Error{Code: code, Detail: detail} }
