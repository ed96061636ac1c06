package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"

	"kense/api"
	"kense/eds"
	"kense/i18n"
)

// Client-side codes for answers that carry no API code of their own.
const (
	// CodeBadResponse: the server's answer could not be understood.
	CodeBadResponse = "bad_response"
	// CodeUnavailable: 502/503/504 without a code (a proxy, a restart).
	CodeUnavailable = "unavailable"
	// CodeForbidden: 403 without a code.
	CodeForbidden = "forbidden"
	// CodeHTTP: any other status without a code.
	CodeHTTP = "http_error"
)

// APIError is a refusal from kense-server: the HTTP status and the body's
// {"code","message"}. Message is the server's English text, for logs;
// UserMessage is what a user reads.
type APIError struct {
	Status  int
	Code    string
	Message string
	// RetryAfter: how long the server asks to wait (rate_limited).
	RetryAfter time.Duration
}

func (e *APIError) Error() string {
	if e.Message != "" {
		return fmt.Sprintf("kense-server: %s (%d %s)", e.Message, e.Status, e.Code)
	}
	return fmt.Sprintf("kense-server: %d %s", e.Status, e.Code)
}

// Is matches another *APIError by Code, so errors.Is(err,
// &APIError{Code: api.CodeRevoked}) works whatever the message.
func (e *APIError) Is(target error) bool {
	t, ok := target.(*APIError)
	return ok && t.Code == e.Code && t.Message == "" && t.Status == 0
}

const blockedPrefix = "the account is blocked: "

// BlockedReason is the operator's reason for account_blocked, if the server
// gave one.
func (e *APIError) BlockedReason() string {
	if e.Code != api.CodeAccountBlocked {
		return ""
	}
	r, ok := strings.CutPrefix(e.Message, blockedPrefix)
	if !ok {
		return ""
	}
	return strings.TrimSpace(r)
}

// UserMessage says in lang what happened and what to do.
func (e *APIError) UserMessage(lang i18n.Lang) string {
	switch e.Code {
	case api.CodeRateLimited:
		if e.RetryAfter > 0 {
			return i18n.TL(lang, "client.err.rate_limited", "wait", FormatWait(lang, e.RetryAfter))
		}
		return i18n.TL(lang, "client.err.rate_limited_later")
	case api.CodeAccountBlocked:
		switch r := e.BlockedReason(); r {
		case "":
		case api.CodeEDSYearExpired:
			return i18n.TL(lang, "client.err."+api.CodeEDSYearExpired)
		default:
			return i18n.TL(lang, "client.err.account_blocked_reason", "reason", r)
		}
	}
	if m := passwordMessage(e, lang); m != "" { // password.go
		return m
	}
	key := "client.err." + e.Code
	if e.Code != "" && i18n.Has(i18n.EN, key) {
		return i18n.TL(lang, key, "status", e.Status)
	}
	return i18n.TL(lang, "client.err.unknown", "status", e.Status, "code", e.Code, "message", e.Message)
}

// FormatWait renders a wait as "N s" or "N min" in lang, rounding up.
func FormatWait(lang i18n.Lang, d time.Duration) string {
	secs := int((d + time.Second - 1) / time.Second)
	if secs < 1 {
		secs = 1
	}
	if secs < 90 {
		return i18n.TL(lang, "client.wait.seconds", "n", secs)
	}
	return i18n.TL(lang, "client.wait.minutes", "n", (secs+59)/60)
}

// ErrOffline: the server could not be reached (no network, refused, DNS,
// timeout). The app keeps working offline and syncs later.
var ErrOffline = errors.New("kense-server cannot be reached")

// ErrServerCertificate: the server's TLS certificate is not trusted (wrong
// address, a private CA not configured, or an interception).
var ErrServerCertificate = errors.New("kense-server's TLS certificate is not trusted")

// netError is a transport failure classified as ErrOffline or
// ErrServerCertificate; it keeps the cause for logs.
type netError struct {
	kind  error
	cause error
}

func (e *netError) Error() string { return e.kind.Error() + ": " + e.cause.Error() }

func (e *netError) Unwrap() []error { return []error{e.kind, e.cause} }

// classify wraps a transport error; a cancel by the caller stays a cancel.
func classify(ctx context.Context, err error) error {
	if err == nil || errors.Is(err, context.Canceled) && ctx.Err() == context.Canceled {
		return err
	}
	var ne *netError
	if errors.As(err, &ne) {
		return err
	}
	var (
		ua  x509.UnknownAuthorityError
		ci  x509.CertificateInvalidError
		he  x509.HostnameError
		cve *tls.CertificateVerificationError
	)
	if errors.As(err, &ua) || errors.As(err, &ci) || errors.As(err, &he) || errors.As(err, &cve) {
		return &netError{kind: ErrServerCertificate, cause: err}
	}
	return &netError{kind: ErrOffline, cause: err}
}

// offlineTransport bounds each attempt by timeout (headers and body) and
// classifies every transport failure, including one while the body is
// read, so that callers can test errors.Is(err, ErrOffline).
type offlineTransport struct {
	rt      http.RoundTripper
	timeout time.Duration
}

func (t offlineTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(req.Context(), t.timeout)
	resp, err := t.rt.RoundTrip(req.WithContext(ctx))
	if err != nil {
		err = classify(ctx, err)
		cancel()
		return nil, err
	}
	resp.Body = &classifiedBody{ReadCloser: resp.Body, ctx: ctx, cancel: cancel}
	return resp, nil
}

type classifiedBody struct {
	io.ReadCloser
	ctx    context.Context
	cancel context.CancelFunc
}

func (b *classifiedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		err = classify(b.ctx, err)
	}
	return n, err
}

func (b *classifiedBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// maxMessage bounds the server text kept in an APIError.
const maxMessage = 300

// decodeError reads a non-2xx answer. Any body is accepted: a JSON
// {"code","message"} as the server sends, or a proxy's HTML/text page.
func decodeError(status int, h http.Header, body []byte) *APIError {
	e := &APIError{Status: status}
	trimmed := strings.TrimSpace(string(body))
	switch {
	case strings.HasPrefix(trimmed, "{"):
		w := lenientError(body)
		if validCode(w.Code) {
			e.Code = w.Code
		}
		e.Message = cleanText(w.Message)
		if w.RetryAfterSeconds > 0 {
			e.RetryAfter = time.Duration(min(w.RetryAfterSeconds, maxWaitSeconds)) * time.Second
		}
	case !strings.HasPrefix(trimmed, "<"): // a proxy's HTML page says nothing useful
		e.Message = cleanText(trimmed)
	}
	if e.Code == "" {
		e.Code = codeForStatus(status)
	}
	if e.Message == "" {
		e.Message = http.StatusText(status)
	}
	if e.RetryAfter == 0 && h != nil {
		e.RetryAfter = parseRetryAfter(h.Get("Retry-After"))
	}
	return e
}

// lenientError reads each field of {"code","message","retryAfterSeconds"}
// on its own, so one field of the wrong type does not lose the others.
func lenientError(body []byte) api.Error {
	var w api.Error
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil {
		return w
	}
	json.Unmarshal(m["code"], &w.Code)
	json.Unmarshal(m["message"], &w.Message)
	json.Unmarshal(m["retryAfterSeconds"], &w.RetryAfterSeconds)
	return w
}

// validCode accepts the shape of the server's codes only, so that a hostile
// body cannot choose a catalogue key outside client.err.*.
func validCode(c string) bool {
	if c == "" || len(c) > 64 {
		return false
	}
	for _, r := range c {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '_' {
			return false
		}
	}
	return true
}

func codeForStatus(status int) string {
	switch status {
	case http.StatusBadRequest:
		return api.CodeBadRequest
	case http.StatusUnauthorized:
		return api.CodeUnauthorized
	case http.StatusForbidden:
		return CodeForbidden
	case http.StatusNotFound:
		return api.CodeNotFound
	case http.StatusTooManyRequests:
		return api.CodeRateLimited
	case http.StatusInternalServerError:
		return api.CodeInternal
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return CodeUnavailable
	}
	return CodeHTTP
}

// cleanText keeps printable text only, at most maxMessage runes.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	n := 0
	space := false
	for _, r := range s {
		if n >= maxMessage {
			b.WriteString("…")
			break
		}
		if unicode.IsSpace(r) || !unicode.IsPrint(r) {
			if !space && b.Len() > 0 {
				b.WriteByte(' ')
				n++
			}
			space = true
			continue
		}
		space = false
		b.WriteRune(r)
		n++
	}
	return strings.TrimRightFunc(b.String(), unicode.IsSpace)
}

// maxWaitSeconds caps a server-requested wait (a day).
const maxWaitSeconds = 24 * 3600

// parseRetryAfter reads a Retry-After header: delay-seconds or an HTTP date.
func parseRetryAfter(v string) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil {
		if n <= 0 {
			return 0
		}
		return time.Duration(min(n, maxWaitSeconds)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		d := time.Until(t).Round(time.Second)
		if d <= 0 {
			return 0
		}
		return min(d, maxWaitSeconds*time.Second)
	}
	return 0
}

// UserMessage explains any error from this package (and the eds errors it
// passes through) in lang: what happened and what to do. nil gives "".
func UserMessage(err error, lang i18n.Lang) string {
	if err == nil {
		return ""
	}
	var ae *APIError
	var ee *eds.Error
	var ue userError
	switch {
	case errors.As(err, &ae):
		return ae.UserMessage(lang)
	case errors.As(err, &ue):
		return ue.UserMessage(lang)
	case errors.As(err, &ee):
		return ee.Message(lang)
	case errors.Is(err, ErrServerCertificate):
		return i18n.TL(lang, "client.err.server_certificate")
	case errors.Is(err, ErrOffline):
		return i18n.TL(lang, "client.err.offline")
	case errors.Is(err, context.Canceled):
		return i18n.TL(lang, "client.err.canceled")
	case errors.Is(err, context.DeadlineExceeded):
		return i18n.TL(lang, "client.err.offline")
	}
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	if errors.As(err, &se) || errors.As(err, &te) {
		return i18n.TL(lang, "client.err.bad_response")
	}
	return i18n.TL(lang, "client.err.other", "detail", cleanText(err.Error()))
}

// userError is implemented by this package's own local errors (a bad server
// address, a key file with no AUTH key) that explain themselves.
type userError interface {
	error
	UserMessage(lang i18n.Lang) string
}

// IsOffline reports whether err means the server could not be reached.
func IsOffline(err error) bool { return errors.Is(err, ErrOffline) }
