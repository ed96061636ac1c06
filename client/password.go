package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"kense/api"
	"kense/i18n"
	"kense/password"
)

// ChangePassword changes the RER SDB account's password (POST
// /v1/auth/password): old is the current one, new the user's own (rule 15:
// Kense never makes one up). Both are wiped before it returns, whatever the
// outcome. It works in a restricted session (SignInResponse.
// PasswordChangeRequired); afterwards the same session works in full.
//
// A refusal of the passwords is a *PasswordError (errors.Is matches
// &APIError{Code: …} too): api.CodeWrongPassword for a wrong old password,
// api.CodePasswordPolicy or api.CodePasswordReused with the broken rules.
// Anything else (rate_limited, unauthorized, offline) comes as from any call.
// The POST is never retried: a repeat after a success could only fail.
func (c *Client) ChangePassword(ctx context.Context, old, new []byte) error {
	defer clear(old)
	defer clear(new)
	if len(old) == 0 || len(new) == 0 {
		return errPasswordsRequired
	}
	body := marshalPasswordChange(old, new)
	defer clear(body)
	// A reader, not bytes: resty would copy bytes into its pooled buffers.
	resp, err := c.request(ctx, false).SetBody(bytes.NewReader(body)).Post(api.PathPassword)
	var ae *APIError
	if !errors.As(err, &ae) {
		return err
	}
	switch ae.Code {
	case api.CodeWrongPassword:
		return &PasswordError{Code: ae.Code, Status: ae.Status}
	case api.CodePasswordPolicy, api.CodePasswordReused:
		pe := &PasswordError{Code: ae.Code, Status: ae.Status}
		if resp != nil {
			pe.Rules = parseBrokenRules(resp.Body())
		}
		return pe
	}
	return err
}

var errPasswordsRequired = &localError{key: "pwc.err.passwords_required", msg: "client: old and new passwords are required"}

// marshalPasswordChange builds {"old":…,"new":…} by hand: encoding/json
// would leave copies of the passwords in its pooled buffers.
func marshalPasswordChange(old, new []byte) []byte {
	o, _ := api.Secret(old).MarshalJSON() // never fails
	n, _ := api.Secret(new).MarshalJSON()
	defer clear(o)
	defer clear(n)
	out := make([]byte, 0, len(o)+len(n)+16)
	out = append(out, `{"old":`...)
	out = append(out, o...)
	out = append(out, `,"new":`...)
	out = append(out, n...)
	return append(out, '}')
}

// ReportCompromised tells the server that the password is known to someone
// else (rules 12.3, 16): from now on the account may only change it, and
// the user's head is notified. headNotified is false when the account has
// no head recorded (the user should then tell the head in person).
func (c *Client) ReportCompromised(ctx context.Context) (headNotified bool, err error) {
	var res api.CompromisedResponse
	// Safe to repeat: a second report changes nothing and notifies no one.
	if _, err := c.request(ctx, true).SetResult(&res).Post(api.PathPasswordCompromised); err != nil {
		return false, err
	}
	return res.HeadNotified, nil
}

// Notifications fetches the signed-in head's notifications, newest first.
func (c *Client) Notifications(ctx context.Context) ([]api.Notification, error) {
	var res api.Notifications
	if _, err := c.R(ctx).SetResult(&res).Get(api.PathNotifications); err != nil {
		return nil, err
	}
	return res.Notifications, nil
}

// BrokenRule is one rule of rule 18 that the new password breaks, as the
// server named it; Message words it with the password package's texts.
type BrokenRule struct {
	Rule password.Rule
	Key  string
	Args []any // name/value pairs
}

// Message is the rule's text in lang. A key the catalogue lacks (a newer
// server) falls back to the rule's own label, then to a generic text: a
// server's answer never chooses a key outside pw.broken.*.
func (r BrokenRule) Message(lang i18n.Lang) string {
	if strings.HasPrefix(r.Key, "pw.broken.") && i18n.Has(i18n.EN, r.Key) {
		return i18n.TL(lang, r.Key, r.Args...)
	}
	if k := "pw.rule." + string(r.Rule); validCode(string(r.Rule)) && i18n.Has(i18n.EN, k) {
		return r.Rule.Label(lang)
	}
	return i18n.TL(lang, "pwc.err.rule_unknown", "rule", cleanText(string(r.Rule)))
}

// maxRules bounds what a (hostile) answer can make the client keep.
const maxRules = 32

// parseBrokenRules reads the rules of a 422 api.PasswordPolicyError; what
// cannot be read is left out (the error still says the password was refused).
func parseBrokenRules(body []byte) []BrokenRule {
	var pe api.PasswordPolicyError
	if json.Unmarshal(body, &pe) != nil {
		return nil
	}
	var out []BrokenRule
	for _, r := range pe.Rules {
		if len(out) == maxRules {
			break
		}
		if !validCode(r.Rule) {
			continue
		}
		br := BrokenRule{Rule: password.Rule(r.Rule), Key: r.Key}
		if !strings.HasPrefix(br.Key, "pw.") || len(br.Key) > 64 {
			br.Key = ""
		}
		for k, v := range r.Args {
			if validCode(k) && len(br.Args) < 16 {
				br.Args = append(br.Args, k, cleanText(v))
			}
		}
		out = append(out, br)
	}
	return out
}

// PasswordError is ChangePassword's refusal of the passwords themselves.
type PasswordError struct {
	// Code: api.CodeWrongPassword, CodePasswordPolicy or CodePasswordReused.
	Code   string
	Status int
	// Rules: the broken rules, in display order (policy and reuse).
	Rules []BrokenRule
}

func (e *PasswordError) Error() string {
	if len(e.Rules) == 0 {
		return fmt.Sprintf("kense-server: password refused (%d %s)", e.Status, e.Code)
	}
	names := make([]string, len(e.Rules))
	for i, r := range e.Rules {
		names[i] = string(r.Rule)
	}
	return fmt.Sprintf("kense-server: password refused (%d %s): %s", e.Status, e.Code, strings.Join(names, ", "))
}

// Is matches &APIError{Code: …} by code, as an *APIError would.
func (e *PasswordError) Is(target error) bool {
	t, ok := target.(*APIError)
	return ok && t.Code == e.Code && t.Message == "" && t.Status == 0
}

// UserMessage says in lang what is wrong: a heading and each broken rule
// on its own line.
func (e *PasswordError) UserMessage(lang i18n.Lang) string {
	switch e.Code {
	case api.CodeWrongPassword:
		return i18n.TL(lang, "pwc.err.wrong_old")
	case api.CodePasswordReused:
		if len(e.Rules) <= 1 {
			return i18n.TL(lang, "pwc.err.reused")
		}
	}
	lines := []string{i18n.TL(lang, "pwc.err.policy")}
	for _, r := range e.Rules {
		lines = append(lines, "• "+r.Message(lang))
	}
	return strings.Join(lines, "\n")
}

// passwordMessage words the password rules' API codes (errors.go asks it
// before its own table); "" for other codes.
func passwordMessage(e *APIError, lang i18n.Lang) string {
	switch e.Code {
	case api.CodePasswordChangeRequired:
		// The server ends its message with the reason.
		for _, r := range []string{api.PasswordPrimary, api.PasswordExpired, api.PasswordCompromised} {
			if strings.HasSuffix(e.Message, ": "+r) {
				return PasswordChangeRequiredMessage(r, lang)
			}
		}
		return i18n.TL(lang, "pwc.required")
	case api.CodePasswordPolicy:
		return i18n.TL(lang, "pwc.err.policy")
	case api.CodePasswordReused:
		return i18n.TL(lang, "pwc.err.reused")
	}
	return ""
}

// PasswordChangeRequiredMessage explains a restricted sign-in
// (SignInResponse.PasswordChangeReason) in lang.
func PasswordChangeRequiredMessage(reason string, lang i18n.Lang) string {
	switch reason {
	case api.PasswordPrimary, api.PasswordExpired, api.PasswordCompromised:
		return i18n.TL(lang, "pwc.required."+reason, "days", password.MaxAgeDays)
	}
	return i18n.TL(lang, "pwc.required")
}

// passwordDueMessage words a password_change_due sign-in warning.
func passwordDueMessage(w api.Warning, lang i18n.Lang) string {
	if w.DaysLeft <= 0 {
		return i18n.TL(lang, "pwc.warn.due_today")
	}
	return i18n.TL(lang, "pwc.warn.due", "days", w.DaysLeft)
}
