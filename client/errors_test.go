package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"kense/api"
	"kense/i18n"
)

// serverCodes are the codes kense-server answers with (package api).
var serverCodes = []string{
	api.CodeBadRequest, api.CodeUnauthorized, api.CodeNotFound, api.CodeInternal,
	api.CodeBadSignature, api.CodeUntrusted, api.CodeExpired, api.CodeNotYetValid,
	api.CodeWrongKeyUsage, api.CodeRevoked, api.CodeRevocationUnknown, api.CodeUnsupportedAlg,
	api.CodeBadCMS, api.CodeNonceUnknown, api.CodeNonceExpired, api.CodeNonceUsed,
	api.CodeAccountNotFound, api.CodeAccountBlocked, api.CodePasswordRequired,
	api.CodeWrongPassword, api.CodeWrongIP, api.CodeEDSYearExpired, api.CodeRateLimited,
}

// TestEveryCodeExplained: each code has its own text in every language,
// distinct from the others, never the generic fallback.
func TestEveryCodeExplained(t *testing.T) {
	codes := append(serverCodes, CodeBadResponse, CodeUnavailable, CodeForbidden, CodeHTTP)
	for _, l := range i18n.Langs {
		seen := map[string]string{}
		for _, code := range codes {
			e := &APIError{Status: 400, Code: code, Message: "x", RetryAfter: 90 * time.Second}
			m := e.UserMessage(l)
			if !i18n.Has(l, "client.err."+code) {
				t.Errorf("%s: no client.err.%s", l, code)
			}
			if m == "" || strings.Contains(m, "{") || strings.Contains(m, "client.err") {
				t.Errorf("%s %s: %q", l, code, m)
			}
			if other, dup := seen[m]; dup {
				t.Errorf("%s: %s and %s share %q", l, code, other, m)
			}
			seen[m] = code
		}
	}
	// The key-usage refusal names the key to pick.
	for _, l := range i18n.Langs {
		if m := (&APIError{Code: api.CodeWrongKeyUsage}).UserMessage(l); !strings.Contains(m, "AUTH_") {
			t.Errorf("%s: %q", l, m)
		}
	}
}

func TestBlockedAndRateLimitedMessages(t *testing.T) {
	e := &APIError{Status: 403, Code: api.CodeAccountBlocked, Message: "the account is blocked: " + api.CodeEDSYearExpired}
	if m := e.UserMessage(i18n.EN); m != i18n.TL(i18n.EN, "client.err.eds_year_expired") {
		t.Errorf("blocked for the EDS year: %q", m)
	}
	e.Message = "the account is blocked"
	if m := e.UserMessage(i18n.RU); m != i18n.TL(i18n.RU, "client.err.account_blocked") {
		t.Errorf("blocked without reason: %q", m)
	}
	e.Message = "the account is blocked: приказ №5"
	if m := e.UserMessage(i18n.KK); !strings.Contains(m, "приказ №5") {
		t.Errorf("blocked with reason: %q", m)
	}
	r := &APIError{Status: 429, Code: api.CodeRateLimited}
	if m := r.UserMessage(i18n.EN); m != i18n.TL(i18n.EN, "client.err.rate_limited_later") {
		t.Errorf("no wait: %q", m)
	}
	for d, want := range map[time.Duration]string{
		time.Millisecond: "1 s", 45 * time.Second: "45 s", 89 * time.Second: "89 s",
		90 * time.Second: "2 min", 15 * time.Minute: "15 min", 15*time.Minute + time.Second: "16 min",
	} {
		if got := FormatWait(i18n.EN, d); got != want {
			t.Errorf("FormatWait(%v) = %q, want %q", d, got, want)
		}
		r.RetryAfter = d
		if m := r.UserMessage(i18n.EN); !strings.Contains(m, want) {
			t.Errorf("%v: %q", d, m)
		}
	}
	if got := FormatWait(i18n.KK, 15*time.Minute); got != "15 мин" {
		t.Errorf("kk: %q", got)
	}
}

func TestDecodeError(t *testing.T) {
	long := strings.Repeat("ә", 1000)
	date := time.Now().Add(2 * time.Minute).UTC().Format(http.TimeFormat)
	for _, tc := range []struct {
		name    string
		status  int
		retry   string
		body    string
		code    string
		message string
		wait    time.Duration
	}{
		{"server", 401, "", `{"code":"revoked","message":"the certificate has been revoked"}`, api.CodeRevoked, "the certificate has been revoked", 0},
		{"rate body", 429, "7", `{"code":"rate_limited","message":"m","retryAfterSeconds":120}`, api.CodeRateLimited, "m", 2 * time.Minute},
		{"rate header", 429, "7", `{"code":"rate_limited","message":"m"}`, api.CodeRateLimited, "m", 7 * time.Second},
		{"rate date", 429, date, ``, api.CodeRateLimited, "Too Many Requests", 2 * time.Minute},
		{"huge wait", 429, "999999999", ``, api.CodeRateLimited, "Too Many Requests", 24 * time.Hour},
		{"proxy html", 502, "", `<html><body>Bad Gateway</body></html>`, CodeUnavailable, "Bad Gateway", 0},
		{"text", 500, "", "oops\n\tbroken", api.CodeInternal, "oops broken", 0},
		{"empty", 404, "", ``, api.CodeNotFound, "Not Found", 0},
		{"hostile code", 403, "", `{"code":"../ui.title","message":"x"}`, CodeForbidden, "x", 0},
		{"code not string", 400, "", `{"code":5}`, api.CodeBadRequest, "Bad Request", 0},
		{"control chars", 418, "", `{"code":"teapot","message":"a\u0000b\u001b[31m"}`, "teapot", "a b [31m", 0},
		{"long", 400, "", `{"code":"bad_request","message":"` + long + `"}`, api.CodeBadRequest, strings.Repeat("ә", maxMessage) + "…", 0},
		{"negative wait", 429, "-5", `{"code":"rate_limited","retryAfterSeconds":-3}`, api.CodeRateLimited, "Too Many Requests", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			if tc.retry != "" {
				h.Set("Retry-After", tc.retry)
			}
			e := decodeError(tc.status, h, []byte(tc.body))
			if e.Status != tc.status || e.Code != tc.code || e.Message != tc.message {
				t.Fatalf("got %+v", e)
			}
			if d := e.RetryAfter - tc.wait; d < -2*time.Second || d > 2*time.Second {
				t.Fatalf("wait %v, want %v", e.RetryAfter, tc.wait)
			}
		})
	}
	// An unknown code falls back to the generic text that names it.
	e := decodeError(418, nil, []byte(`{"code":"teapot","message":"short and stout"}`))
	if m := UserMessage(e, i18n.EN); !strings.Contains(m, "teapot") || !strings.Contains(m, "418") || !strings.Contains(m, "short and stout") {
		t.Fatalf("unknown code: %q", m)
	}
}

func FuzzDecodeError(f *testing.F) {
	f.Add(401, "", []byte(`{"code":"revoked","message":"the certificate has been revoked"}`))
	f.Add(429, "30", []byte(`{"code":"rate_limited","message":"wait","retryAfterSeconds":900}`))
	f.Add(429, "Wed, 21 Oct 2015 07:28:00 GMT", []byte(``))
	f.Add(502, "", []byte(`<html>bad gateway</html>`))
	f.Add(500, "x", []byte("\xff\xfe\x00binary"))
	f.Add(403, "-1", []byte(`{"code":"account_blocked","message":"the account is blocked: eds_year_expired"}`))
	f.Add(400, "", []byte(`{"code":null,"message":{"a":1},"retryAfterSeconds":"x"}`))
	f.Add(0, "99999999999999999999", []byte(`[1,2,3]`))
	f.Fuzz(func(t *testing.T, status int, retry string, body []byte) {
		h := http.Header{}
		h.Set("Retry-After", retry)
		e := decodeError(status, h, body)
		if e == nil || e.Status != status {
			t.Fatalf("got %+v", e)
		}
		if !validCode(e.Code) {
			t.Fatalf("code %q", e.Code)
		}
		if !utf8.ValidString(e.Message) || utf8.RuneCountInString(e.Message) > maxMessage+1 {
			t.Fatalf("message %q", e.Message)
		}
		for _, r := range e.Message {
			if r != ' ' && (unicode.IsSpace(r) || !unicode.IsPrint(r)) {
				t.Fatalf("message %q has %U", e.Message, r)
			}
		}
		if e.RetryAfter < 0 || e.RetryAfter > maxWaitSeconds*time.Second {
			t.Fatalf("wait %v", e.RetryAfter)
		}
		for _, l := range i18n.Langs {
			if m := e.UserMessage(l); m == "" || strings.Contains(m, "client.err.") {
				t.Fatalf("%s: %q", l, m)
			}
		}
		_ = e.Error()
	})
}

func TestUserMessageOtherErrors(t *testing.T) {
	if UserMessage(nil, i18n.EN) != "" {
		t.Error("nil error has a message")
	}
	var se *json.SyntaxError
	err := json.Unmarshal([]byte("{"), &struct{}{})
	if !errors.As(err, &se) && err == nil {
		t.Fatal("no syntax error")
	}
	if m := UserMessage(fmt.Errorf("policy: %w", err), i18n.RU); m != i18n.TL(i18n.RU, "client.err.bad_response") {
		t.Errorf("json: %q", m)
	}
	if m := UserMessage(errors.New("disk\nfull"), i18n.EN); m != "Error: disk full" {
		t.Errorf("other: %q", m)
	}
	if m := UserMessage(&netError{kind: ErrServerCertificate, cause: errors.New("x509")}, i18n.KK); m != i18n.TL(i18n.KK, "client.err.server_certificate") {
		t.Errorf("tls: %q", m)
	}
}

func TestWarningMessage(t *testing.T) {
	for _, l := range i18n.Langs {
		seen := map[string]bool{}
		for _, d := range []int{30, 14, 7, 1, 0} {
			m := WarningMessage(api.Warning{Code: api.WarnEDSYearEnding, DaysLeft: d}, l)
			if m == "" || strings.Contains(m, "{") || seen[m] {
				t.Errorf("%s %d: %q", l, d, m)
			}
			if d > 1 && !strings.Contains(m, fmt.Sprint(d)) {
				t.Errorf("%s %d: %q", l, d, m)
			}
			seen[m] = true
		}
		if m := WarningMessage(api.Warning{Code: "new_thing", Message: "be careful\n"}, l); !strings.Contains(m, "new_thing") || !strings.Contains(m, "be careful") {
			t.Errorf("%s: unknown warning %q", l, m)
		}
	}
}

func TestMarshalSignIn(t *testing.T) {
	for _, pw := range []string{"", "plain", `q"uo\te`, "Сенім-2026!\n<&>", "\x00\x1f"} {
		req := api.SignInRequest{ChallengeID: "c1", CMS: "AAAA", Login: "dana", Password: api.Secret(pw)}
		b, err := marshalSignIn(&req)
		if err != nil {
			t.Fatal(err)
		}
		var back api.SignInRequest
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&back); err != nil {
			t.Fatalf("%q: %s: %v", pw, b, err)
		}
		if back.ChallengeID != "c1" || back.CMS != "AAAA" || back.Login != "dana" || string(back.Password) != pw {
			t.Fatalf("%q: %s", pw, b)
		}
		if pw == "" && strings.Contains(string(b), "password") {
			t.Fatalf("empty password sent: %s", b)
		}
	}
}

func TestParseServerURL(t *testing.T) {
	for in, want := range map[string]string{
		"kense.example.kz":                "https://kense.example.kz",
		" https://kense.example.kz:8443/": "https://kense.example.kz:8443",
		"https://host/base/":              "https://host/base",
		"http://127.0.0.1:8080":           "http://127.0.0.1:8080",
		"http://localhost:8080":           "http://localhost:8080",
		"http://[::1]:8080":               "http://[::1]:8080",
	} {
		got, err := ParseServerURL(in)
		if err != nil || got != want {
			t.Errorf("%q: %q %v, want %q", in, got, err, want)
		}
	}
	for in, key := range map[string]string{
		"":                        "client.err.bad_server_url",
		"ftp://host":              "client.err.bad_server_url",
		"https://":                "client.err.bad_server_url",
		"https://u:p@host":        "client.err.bad_server_url",
		"https://host/?q=1":       "client.err.bad_server_url",
		"http://kense.example.kz": "client.err.insecure_server_url",
		"http://10.0.0.5:8080":    "client.err.insecure_server_url",
	} {
		_, err := ParseServerURL(in)
		if err == nil {
			t.Errorf("%q accepted", in)
			continue
		}
		var le *localError
		if !errors.As(err, &le) || le.key != key {
			t.Errorf("%q: %v, want %s", in, err, key)
		}
		if m := UserMessage(err, i18n.EN); strings.Contains(m, "{") || !strings.Contains(m, strings.TrimSpace(in)) {
			t.Errorf("%q: %q", in, m)
		}
	}
}
