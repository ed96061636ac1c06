package api

import "time"

// Password rules of RER SDB accounts (access rules 12.3, 14–18; issue 8).
const (
	// CodePasswordChangeRequired: the session may do nothing but change
	// the password (403). PasswordChangeReason says why.
	CodePasswordChangeRequired = "password_change_required"
	// CodePasswordPolicy: the new password breaks rule 18 (422); the body
	// is a PasswordPolicyError listing the broken rules.
	CodePasswordPolicy = "password_policy"
	// CodePasswordReused: the only broken rule is 18.7, the password was
	// used before by this account (422, a PasswordPolicyError too).
	CodePasswordReused = "password_reused"

	// WarnPasswordChangeDue: the password turns MaxAge days old in DaysLeft
	// days (from day 25 on, rule 15); then only the change form works.
	WarnPasswordChangeDue = "password_change_due"
)

// Why a session is restricted to the password change (SignInResponse.
// PasswordChangeReason and the 403's message suffix).
const (
	// PasswordPrimary: the password was set by the administrator (rule 14).
	PasswordPrimary = "primary"
	// PasswordExpired: more than 30 calendar days old (rule 17).
	PasswordExpired = "expired"
	// PasswordCompromised: the user reported it compromised (rule 16).
	PasswordCompromised = "compromised"
)

// Endpoint paths of the password rules.
const (
	PathPassword            = "/v1/auth/password"             // POST, Bearer (restricted sessions too)
	PathPasswordCompromised = "/v1/auth/password/compromised" // POST, Bearer (restricted sessions too)
	PathNotifications       = "/v1/notifications"             // GET, Bearer
)

// PasswordChangeRequest is the body of POST /v1/auth/password. Both are
// Secrets: the server wipes them once checked.
type PasswordChangeRequest struct {
	Old Secret `json:"old"`
	New Secret `json:"new"`
}

// Wipe overwrites both passwords.
func (r *PasswordChangeRequest) Wipe() { r.Old.Wipe(); r.New.Wipe() }

// BrokenRule is one rule of rule 18 that the new password breaks: Rule is
// a password.Rule value, Key and Args the password package's i18n message
// (Args as name → value). Nothing in it quotes the password.
type BrokenRule struct {
	Rule string            `json:"rule"`
	Key  string            `json:"key"`
	Args map[string]string `json:"args,omitempty"`
}

// PasswordPolicyError is the 422 body of POST /v1/auth/password: the Error
// fields plus the broken rules in display order.
type PasswordPolicyError struct {
	Code    string       `json:"code"`
	Message string       `json:"message"`
	Rules   []BrokenRule `json:"rules"`
}

// CompromisedResponse answers POST /v1/auth/password/compromised.
type CompromisedResponse struct {
	// HeadNotified: the account's head (Account.HeadIIN on the server) got
	// a notification; false when the account has no head recorded.
	HeadNotified bool `json:"headNotified"`
}

// Notification kinds.
const (
	// NotePasswordCompromised: a subordinate reported their password
	// compromised (rule 16).
	NotePasswordCompromised = "password_compromised"
)

// Notification is one message to a head (GET /v1/notifications).
type Notification struct {
	ID          string    `json:"id"`
	Kind        string    `json:"kind"`
	SubjectIIN  string    `json:"subjectIin"`
	SubjectName string    `json:"subjectName"`
	SubjectUser string    `json:"subjectLogin,omitempty"`
	CreatedAt   time.Time `json:"createdAt"`
}

// Notifications is the answer to GET /v1/notifications, newest first.
type Notifications struct {
	Notifications []Notification `json:"notifications"`
}
