// Package client talks to kense-server's /v1 HTTP JSON API: sign-in with an
// EDS, the session, and (in other files) synchronisation. Every call has a
// timeout; idempotent calls are retried with jittered backoff; every refusal
// becomes an *APIError whose UserMessage explains it in the user's language.
package client

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-resty/resty/v2"
)

// Options tunes a Client; zero values take the defaults.
type Options struct {
	// Timeout bounds each HTTP attempt (default 15 s).
	Timeout time.Duration
	// Retries: extra attempts for idempotent calls (default 3; negative: none).
	Retries int
	// RetryWait and RetryMaxWait bound the jittered exponential backoff
	// between attempts (defaults 300 ms and 5 s).
	RetryWait, RetryMaxWait time.Duration
	// TLSConfig: for a server with a private CA; nil uses the system roots.
	TLSConfig *tls.Config
	// UserAgent defaults to "kense".
	UserAgent string
}

// Default option values.
const (
	DefaultTimeout      = 15 * time.Second
	DefaultRetries      = 3
	DefaultRetryWait    = 300 * time.Millisecond
	DefaultRetryMaxWait = 5 * time.Second
	// maxResponseBytes bounds what a (possibly hostile) server can make the
	// client buffer.
	maxResponseBytes = 64 << 20
)

// IdempotencyKeyHeader marks a POST as safe to repeat: the server applies a
// request with the same key once. Requests carrying it are retried like GETs.
const IdempotencyKeyHeader = "Idempotency-Key"

// Client is a connection to one kense-server. It is safe for concurrent use.
type Client struct {
	base string
	rc   *resty.Client

	mu    sync.RWMutex
	token string
}

// New makes a Client for baseURL (such as "https://kense.example.kz" or
// "http://127.0.0.1:8443"; paths from package api are appended).
func New(baseURL string, opt Options) *Client {
	if opt.Timeout <= 0 {
		opt.Timeout = DefaultTimeout
	}
	if opt.Retries == 0 {
		opt.Retries = DefaultRetries
	} else if opt.Retries < 0 {
		opt.Retries = 0
	}
	if opt.RetryWait <= 0 {
		opt.RetryWait = DefaultRetryWait
	}
	if opt.RetryMaxWait <= 0 {
		opt.RetryMaxWait = DefaultRetryMaxWait
	}
	if opt.RetryMaxWait < opt.RetryWait {
		opt.RetryMaxWait = opt.RetryWait
	}
	if opt.UserAgent == "" {
		opt.UserAgent = "kense"
	}
	base := strings.TrimRight(strings.TrimSpace(baseURL), "/")
	tr := http.DefaultTransport.(*http.Transport).Clone()
	// The cloned transport keeps ProxyFromEnvironment: offices reach the
	// server through their HTTPS_PROXY.
	if opt.TLSConfig != nil {
		tr.TLSClientConfig = opt.TLSConfig.Clone()
	}
	// The timeout lives in the transport, not in http.Client.Timeout: the
	// client turns its own timeouts into plain strings, which would hide
	// ErrOffline from errors.Is.
	rc := resty.NewWithClient(&http.Client{Transport: offlineTransport{rt: tr, timeout: opt.Timeout}})
	rc.SetBaseURL(base).
		SetLogger(quietLogger{}).
		SetHeader("User-Agent", opt.UserAgent).
		SetHeader("Accept", "application/json").
		SetResponseBodyLimit(maxResponseBytes).
		SetRetryCount(opt.Retries).
		SetRetryWaitTime(opt.RetryWait).
		SetRetryMaxWaitTime(opt.RetryMaxWait).
		SetRetryAfter(retryAfter).
		OnAfterResponse(checkResponse)
	return &Client{base: base, rc: rc}
}

// ParseServerURL checks a server address as a user types it and returns
// the base URL for New: "kense.example.kz" becomes
// "https://kense.example.kz". Plain http is accepted only for this machine
// (a local demo server): elsewhere it would send passwords and tokens in
// clear.
func ParseServerURL(s string) (string, error) {
	s = strings.TrimSpace(s)
	bad := &localError{key: "client.err.bad_server_url", args: []any{"url", s}, msg: "bad server address " + strconv.Quote(s)}
	if s == "" {
		return "", bad
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", bad
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !isLoopback(u.Hostname()) {
			return "", &localError{key: "client.err.insecure_server_url", args: []any{"url", s}, msg: "plain http to " + u.Host}
		}
	default:
		return "", bad
	}
	return strings.TrimRight(u.Scheme+"://"+u.Host+u.EscapedPath(), "/"), nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// BaseURL is the server address the client was made for.
func (c *Client) BaseURL() string { return c.base }

// SetToken sets the session token sent as "Authorization: Bearer"; "" drops it.
func (c *Client) SetToken(token string) {
	c.mu.Lock()
	c.token = token
	c.mu.Unlock()
}

// Token is the current session token ("" when signed out).
func (c *Client) Token() string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.token
}

// R starts a request bound to ctx: JSON, the bearer token when signed in,
// retries only when the request is idempotent (GET, HEAD, PUT, DELETE,
// OPTIONS, or any method with an Idempotency-Key header), and every non-2xx
// answer returned as an *APIError, every network failure as an error that
// errors.Is ErrOffline. Use SetResult for the 2xx body:
//
//	var p api.Policy
//	_, err := c.R(ctx).SetResult(&p).Get(api.PathPolicy)
func (c *Client) R(ctx context.Context) *resty.Request { return c.request(ctx, false) }

// request is R; retry also repeats a POST that is safe to repeat. Other
// POSTs are never repeated: a POST /signin that reached the server consumed
// its challenge, and a repeat could only fail (or double an effect).
func (c *Client) request(ctx context.Context, retry bool) *resty.Request {
	if ctx == nil {
		ctx = context.Background()
	}
	r := c.rc.R().SetContext(ctx).SetHeader("Content-Type", "application/json")
	if t := c.Token(); t != "" {
		r.SetAuthToken(t)
	}
	r.AddRetryCondition(func(resp *resty.Response, err error) bool {
		return (retry || idempotent(r)) && shouldRetry(r, err)
	})
	return r
}

// shouldRetry decides whether a repeatable request is worth repeating: the
// server was unreachable, or a proxy/restart answered 502/503/504.
func shouldRetry(r *resty.Request, err error) bool {
	if r.Context().Err() != nil {
		return false
	}
	var ae *APIError
	if errors.As(err, &ae) {
		switch ae.Status {
		case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
			return true
		case http.StatusTooManyRequests:
			// Worth waiting only when the server says it is short.
			return ae.RetryAfter > 0 && ae.RetryAfter <= 5*time.Second
		}
		return false
	}
	if err != nil {
		return errors.Is(err, ErrOffline)
	}
	return false
}

func idempotent(r *resty.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodOptions:
		return true
	}
	return r.Header.Get(IdempotencyKeyHeader) != ""
}

// retryAfter honours the server's wait for 429/503; zero falls back to the
// jittered backoff.
func retryAfter(_ *resty.Client, resp *resty.Response) (time.Duration, error) {
	if resp == nil || resp.RawResponse == nil {
		return 0, nil
	}
	return parseRetryAfter(resp.Header().Get("Retry-After")), nil
}

// checkResponse turns every non-2xx answer into an *APIError, and a 2xx
// answer that is not the JSON the caller expects into an error rather than a
// silently empty result.
func checkResponse(_ *resty.Client, resp *resty.Response) error {
	if resp.IsError() || resp.StatusCode() < 200 || resp.StatusCode() > 299 {
		return decodeError(resp.StatusCode(), resp.Header(), resp.Body())
	}
	if resp.Request.Result != nil && resp.StatusCode() != http.StatusNoContent &&
		!resty.IsJSONType(resp.Header().Get("Content-Type")) {
		return &APIError{Status: resp.StatusCode(), Code: CodeBadResponse, Message: "the answer is not JSON"}
	}
	return nil
}

// quietLogger keeps resty from writing to stderr: the GUI has none, and
// the errors reach the caller anyway.
type quietLogger struct{}

func (quietLogger) Errorf(string, ...any) {}
func (quietLogger) Warnf(string, ...any)  {}
func (quietLogger) Debugf(string, ...any) {}
