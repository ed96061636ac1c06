package sessionui

import (
	"context"

	"kense/password"
	"kense/session"
	"kense/ui"
)

// Check applies rule 18 (package password) to candidate for the signed-in
// account, as the change form's checklist shows it. The reuse rule is the
// server's (it holds the history); the 5-position rule waits for old.
func (a *Adapter) Check(candidate, old []byte) []ui.PasswordRule {
	acct := a.S.Account()
	u := password.User{Login: acct.Login, FullName: acct.FullName, IIN: acct.IIN}
	var prev []byte
	if len(old) > 0 {
		prev = old
	}
	lang := a.lang()
	res := password.Check(candidate, u, prev, nil)
	out := make([]ui.PasswordRule, len(res))
	for i, r := range res {
		out[i] = ui.PasswordRule{Label: r.Rule.Label(lang), OK: r.OK, Skipped: r.Skipped}
		if !r.OK {
			out[i].Problem = r.Message(lang)
		}
	}
	return out
}

// Change changes the password on the server (both wiped).
func (a *Adapter) Change(ctx context.Context, old, new []byte) error {
	return a.S.ChangePassword(ctx, old, new)
}

// ReportCompromised reports the password compromised (rules 12.3, 16).
func (a *Adapter) ReportCompromised(ctx context.Context) (bool, error) {
	return a.S.ReportCompromised(ctx)
}

// Message words a failure of Change or ReportCompromised: a refusal of the
// new password lists each broken rule.
func (a *Adapter) Message(err error) string { return session.UserMessage(err, a.lang()) }
