package client

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"kense/api"
	"kense/eds"
	"kense/i18n"
)

// nonceLen is the size of the server's challenge (api.Challenge.Nonce).
const nonceLen = 32

// Policy fetches the server's public settings (idle lock, session limits,
// demo flag). No sign-in needed.
func (c *Client) Policy(ctx context.Context) (api.Policy, error) {
	var p api.Policy
	_, err := c.R(ctx).SetResult(&p).Get(api.PathPolicy)
	return p, err
}

// Challenge asks for a sign-in challenge. It sends a random client nonce
// and checks the echo, so an answer meant for another request is refused.
func (c *Client) Challenge(ctx context.Context) (api.Challenge, error) {
	var b [16]byte
	rand.Read(b[:])
	req := api.ChallengeRequest{ClientNonce: hex.EncodeToString(b[:])}
	var ch api.Challenge
	// Repeating a challenge request is harmless: an unused challenge just
	// expires. So it is retried like a GET.
	_, err := c.request(ctx, true).SetBody(req).SetResult(&ch).Post(api.PathChallenge)
	if err != nil {
		return api.Challenge{}, err
	}
	if ch.ClientNonce != req.ClientNonce {
		return api.Challenge{}, &APIError{Status: 200, Code: CodeBadResponse, Message: "challenge: clientNonce not echoed"}
	}
	if ch.ChallengeID == "" {
		return api.Challenge{}, &APIError{Status: 200, Code: CodeBadResponse, Message: "challenge: no challengeId"}
	}
	if n, err := base64.StdEncoding.DecodeString(ch.Nonce); err != nil || len(n) != nonceLen {
		return api.Challenge{}, &APIError{Status: 200, Code: CodeBadResponse, Message: "challenge: nonce is not 32 bytes in base64"}
	}
	return ch, nil
}

// ContextSigner is a Signer that can be cancelled (NCALayer waits for the
// user; the UI cancels when they leave the screen).
type ContextSigner interface {
	SignCMSContext(ctx context.Context, data []byte, detached bool) ([]byte, error)
}

// SignIn signs in: challenge → CMS over the challenge's nonce bytes with the
// AUTH key → POST /signin; on success the client keeps the session token.
// login and password are for RER SDB accounts ("" and nil for UNIS);
// password is wiped before SignIn returns, whatever the outcome.
//
// The POST is never retried: the server consumes the challenge on the first
// attempt, so a repeat could only fail. A user pressing Cancel in NCALayer
// gives an error that errors.Is eds.ErrCanceled (IsCanceled): not a failure
// to show.
func (c *Client) SignIn(ctx context.Context, s eds.Signer, login string, password []byte) (*api.SignInResponse, error) {
	defer clear(password)
	if s == nil {
		return nil, errNoSigner
	}
	ch, err := c.Challenge(ctx)
	if err != nil {
		return nil, err
	}
	nonce, _ := base64.StdEncoding.DecodeString(ch.Nonce) // checked by Challenge
	var cms []byte
	// Attached CMS: NCALayer's usual form; the server takes either.
	if cs, ok := s.(ContextSigner); ok {
		cms, err = cs.SignCMSContext(ctx, nonce, false)
	} else {
		cms, err = s.SignCMS(nonce, false, time.Now())
	}
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	req := api.SignInRequest{ChallengeID: ch.ChallengeID, CMS: base64.StdEncoding.EncodeToString(cms), Login: login}
	if len(password) > 0 {
		req.Password = api.Secret(password)
	}
	var res api.SignInResponse
	body, err := marshalSignIn(&req)
	if err != nil {
		return nil, err
	}
	defer clear(body)
	// A reader, not bytes: resty would copy bytes into its pooled buffers,
	// where the password would outlive this call.
	_, err = c.request(ctx, false).SetBody(bytes.NewReader(body)).SetResult(&res).Post(api.PathSignIn)
	if err != nil {
		return nil, err
	}
	if res.Token == "" {
		return nil, &APIError{Status: 200, Code: CodeBadResponse, Message: "signin: no token"}
	}
	c.SetToken(res.Token)
	return &res, nil
}

// errNoSigner: SignIn was called before a key was chosen.
var errNoSigner = &localError{key: "client.err.no_signer", msg: "client: no signer"}

// localError is a failure found here, before any server is asked.
type localError struct {
	key  string
	args []any // name/value pairs for the message
	msg  string
}

func (e *localError) Error() string                     { return e.msg }
func (e *localError) UserMessage(lang i18n.Lang) string { return i18n.TL(lang, e.key, e.args...) }

// marshalSignIn encodes req with its password spliced in by hand:
// encoding/json would leave copies of the password in its pooled buffers.
func marshalSignIn(req *api.SignInRequest) ([]byte, error) {
	pw := req.Password
	rest := *req
	rest.Password = nil
	b, err := json.Marshal(&rest)
	if err != nil || len(pw) == 0 {
		return b, err
	}
	enc, _ := pw.MarshalJSON() // never fails
	defer clear(enc)
	const field = `,"password":`
	out := make([]byte, 0, len(b)+len(field)+len(enc))
	out = append(out, b[:len(b)-1]...) // b is an object: drop its '}'
	out = append(out, field...)
	out = append(out, enc...)
	return append(out, '}'), nil
}

// SignOut ends the session on the server and forgets the token here. The
// token is forgotten even when the server cannot be reached (its session
// then ends by the idle timeout); an already ended session is no error.
func (c *Client) SignOut(ctx context.Context) error {
	if c.Token() == "" {
		return nil
	}
	// Sign-out is safe to repeat: a second one finds no session.
	_, err := c.request(ctx, true).Post(api.PathSignOut)
	c.SetToken("")
	var ae *APIError
	if errors.As(err, &ae) && ae.Code == api.CodeUnauthorized {
		return nil
	}
	return err
}

// Me fetches the signed-in account and the session's limits. An ended
// session gives an *APIError with Code api.CodeUnauthorized.
func (c *Client) Me(ctx context.Context) (*api.Me, error) {
	var me api.Me
	if _, err := c.R(ctx).SetResult(&me).Get(api.PathMe); err != nil {
		return nil, err
	}
	return &me, nil
}

// IsCanceled reports whether err is the user's own cancel (NCALayer's
// Cancel button, or a cancelled context): nothing to explain.
func IsCanceled(err error) bool {
	return errors.Is(err, eds.ErrCanceled) || errors.Is(err, context.Canceled)
}

// WarningMessage translates a sign-in warning.
func WarningMessage(w api.Warning, lang i18n.Lang) string {
	switch w.Code {
	case api.WarnPasswordChangeDue: // password.go
		return passwordDueMessage(w, lang)
	case api.WarnEDSYearEnding:
		switch {
		case w.DaysLeft <= 0:
			return i18n.TL(lang, "client.warn.eds_year_ending.today")
		case w.DaysLeft == 1:
			return i18n.TL(lang, "client.warn.eds_year_ending.tomorrow")
		}
		return i18n.TL(lang, "client.warn.eds_year_ending", "days", strconv.Itoa(w.DaysLeft))
	}
	return i18n.TL(lang, "client.warn.unknown", "code", w.Code, "message", cleanText(w.Message))
}
