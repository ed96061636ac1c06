package api

import (
	"time"

	"kense/form"
)

// Executing applications (issue 8). An RER SDB administrator (the
// Operator's employee, access rules 2.5 and 4–6) works the queue of
// submitted applications and executes or rejects each row; a territorial
// notarial chamber employee creates and blocks UNIS accounts (UNIS rules
// 4–7). Every change to an account is in the audit log.

// Administrator roles. They are held like the Operator's line roles
// (Account.Roles on the server, `kense-server accounts roles`), but they
// are not ServiceDesk lines: Roles and ValidRole stay the lines only.
const (
	// RoleRERAdmin: the RER SDB administrator; executes applications on
	// RER SDB accounts.
	RoleRERAdmin = "rer_admin"
	// RoleChamber: an employee of a territorial notarial chamber; creates
	// and blocks UNIS accounts.
	RoleChamber = "chamber"
)

// AdminRoles lists the administrator roles.
var AdminRoles = []string{RoleRERAdmin, RoleChamber}

// ValidAccountRole reports whether r is a role an account may hold: a
// ServiceDesk line or an administrator role.
func ValidAccountRole(r string) bool {
	if ValidRole(r) {
		return true
	}
	for _, x := range AdminRoles {
		if x == r {
			return true
		}
	}
	return false
}

// StatusDismissed: the account was closed by a dismissal (operation 8).
// It never signs in again and no operation changes it; its history stays.
const StatusDismissed = "dismissed"

// Error codes of executing applications.
const (
	// CodeAccountDismissed: the account was closed for good by a dismissal
	// (sign-in 403; an operation on it 409).
	CodeAccountDismissed = "account_dismissed"
	// CodeNoAccount: no account has the IIN the row (or request) names (404).
	CodeNoAccount = "no_account"
	// CodeAccountExists: registering an IIN or a login that is taken, or
	// changing an IIN to one that is (409).
	CodeAccountExists = "account_exists"
	// CodeAccountKind: the operation is for the other kind of account (an
	// RER SDB row on a UNIS account, or the reverse) (409).
	CodeAccountKind = "account_kind"
	// CodeAccountState: the account is not in the state the operation
	// needs (unblocking an active account, blocking a blocked one) (409).
	CodeAccountState = "account_state"
	// CodeOrderMissing: registration (2) and dismissal (8) need the scanned
	// order uploaded to the server (409).
	CodeOrderMissing = "order_missing"
	// CodeRowDecided: the row was executed or rejected already (409).
	CodeRowDecided = "row_decided"
	// CodeApplicationClosed: the application was rejected as a whole or is
	// done; its rows can no longer be worked (409).
	CodeApplicationClosed = "application_closed"
)

// Endpoint paths of administration (Bearer; the role each needs).
const (
	// GET: the queue (rer_admin).
	PathAdminApplications = "/v1/admin/applications"
	// GET /v1/admin/applications/{sha256}; POST …/{sha256}/rows/{n}/execute
	// and …/rows/{n}/reject; GET …/rows/{n}/order (rer_admin).
	PathAdminApplication = "/v1/admin/applications/"
	// GET /v1/admin/accounts/{iin} and /v1/admin/accounts/{iin}/history
	// (rer_admin for RER SDB accounts, chamber for UNIS accounts).
	PathAdminAccount = "/v1/admin/accounts/"
	// POST: create a UNIS account (chamber).
	PathAdminUNISAccounts = "/v1/admin/unis/accounts"
	// POST /v1/admin/unis/accounts/{iin}/block (chamber).
	PathAdminUNISAccount = "/v1/admin/unis/accounts/"
	// GET: the grounds of UNIS rule 5 (chamber).
	PathAdminUNISGrounds = "/v1/admin/unis/grounds"
)

// Row outcomes.
const (
	RowExecuted = "executed"
	RowRejected = "rejected"
)

// RowOutcome is the administrator's decision on one row of a submitted
// application. The applicant sees it on the draft (DraftRecord.RowOutcomes,
// by sync) and the administrator in the queue.
type RowOutcome struct {
	Row    int       `json:"row"` // 1-based, as the printed table numbers rows
	Status string    `json:"status"`
	Reason string    `json:"reason,omitempty"` // rejected: why (required); executed: the administrator's note
	At     time.Time `json:"at"`
	// By is the administrator's full name.
	By string `json:"by"`
}

// OrderInfo says that a row's scanned order (its orderFile) is on the
// server: the bytes are uploaded by the applicant after submitting
// (PUT /v1/applications/{sha256}/rows/{n}/order).
type OrderInfo struct {
	SHA256      string    `json:"sha256"`
	Size        int       `json:"size"`
	ContentType string    `json:"contentType"`
	UploadedAt  time.Time `json:"uploadedAt"`
}

// AdminApplicationSummary is one application in the queue.
type AdminApplicationSummary struct {
	Application Application `json:"application"`
	Subunit     string      `json:"subunit"`
	HeadName    string      `json:"headName"`
	Date        string      `json:"date"`
	Rows        int         `json:"rows"`
	Decided     int         `json:"decided"`
}

// AdminApplicationList answers GET /v1/admin/applications, oldest first.
// Without ?all=1 it lists only applications with rows still to decide
// (status submitted or accepted).
type AdminApplicationList struct {
	Applications []AdminApplicationSummary `json:"applications"`
}

// AdminRow is one row of an application as the administrator works it.
type AdminRow struct {
	N             int         `json:"n"`
	Row           form.Row    `json:"row"`
	OrderRequired bool        `json:"orderRequired"`
	Order         *OrderInfo  `json:"order,omitempty"`
	Outcome       *RowOutcome `json:"outcome,omitempty"`
	// Account is the account with the row's IIN now, when there is one.
	Account *AdminAccount `json:"account,omitempty"`
}

// AdminApplication answers GET /v1/admin/applications/{sha256}: the
// application, its form (for the PDF) and its rows.
type AdminApplication struct {
	Application Application `json:"application"`
	Form        form.Form   `json:"form"`
	Rows        []AdminRow  `json:"rows"`
}

// AdminAccount is an account as administrators see it.
type AdminAccount struct {
	Account
	BlockedReason string    `json:"blockedReason,omitempty"`
	BlockedAt     time.Time `json:"blockedAt,omitzero"`
	DismissedAt   time.Time `json:"dismissedAt,omitzero"`
	CreatedAt     time.Time `json:"createdAt"`
	Subunit       string    `json:"subunit,omitempty"`
	PreviousIINs  []string  `json:"previousIins,omitempty"`
	Roles         []string  `json:"roles,omitempty"`
	// PasswordPrimary: the password is the administrator's primary one
	// and the first sign-in must change it (rule 14).
	PasswordPrimary bool `json:"passwordPrimary,omitempty"`
}

// ExecuteRequest is the (optional) body of POST
// /v1/admin/applications/{sha256}/rows/{n}/execute.
type ExecuteRequest struct {
	// Login: the new account's login (registration, 2; required) or the
	// account's new login (change account, 11; optional).
	Login string `json:"login,omitempty"`
	// AccountIIN: the account's current IIN (change IIN, 13; required):
	// the row names the person and the new IIN.
	AccountIIN string `json:"accountIin,omitempty"`
	// Note: the administrator's remark, kept in the outcome and the log.
	Note string `json:"note,omitempty"`
}

// RejectRequest is the body of POST …/rows/{n}/reject.
type RejectRequest struct {
	Reason string `json:"reason"`
}

// ExecuteResponse answers an executed row.
type ExecuteResponse struct {
	Outcome RowOutcome   `json:"outcome"`
	Account AdminAccount `json:"account"`
	// PrimaryPassword is set by registration (2) and password reset (7):
	// the administrator's primary password, shown this once for the slip
	// handed to the user in person (access rules 7, 8). The server keeps
	// only its argon2id hash; the first sign-in must change it (rule 14).
	PrimaryPassword Secret `json:"primaryPassword,omitempty"`
}

// UNISGround is a ground of UNIS rule 5 for terminating access.
type UNISGround struct {
	Code string `json:"code"` // "5.1", "5.2"
	KK   string `json:"kk"`
	EN   string `json:"en"`
}

// UNISGrounds are UNIS rule 5's grounds, in the seed's words.
var UNISGrounds = []UNISGround{
	{"5.1", "нотариус аумақтық нотариаттық палатаның мүшелігінен шықса немесе шығарылса не оның лицензиясының күші тоқтатылса",
		"withdrawal or excluding a notary from membership of a territorial notarial chamber or termination of his license"},
	{"5.2", "аумақтық әділет органы мен нотариаттық палатаның және Республикалық нотариаттық палатаның қызметкерін жұмыстан босату",
		"dismissal of an employee of the territorial body of justice and the notary chamber and the Republican notary chamber"},
}

// FindUNISGround looks a ground up by its code.
func FindUNISGround(code string) (UNISGround, bool) {
	for _, g := range UNISGrounds {
		if g.Code == code {
			return g, true
		}
	}
	return UNISGround{}, false
}

// UNISCreateRequest is the body of POST /v1/admin/unis/accounts.
type UNISCreateRequest struct {
	IIN      string `json:"iin"`
	FullName string `json:"fullName"`
	// Application: the user's application to the chamber (UNIS rule 4),
	// e.g. its registration number and date; required.
	Application string `json:"application"`
}

// UNISBlockRequest is the body of POST /v1/admin/unis/accounts/{iin}/block.
type UNISBlockRequest struct {
	Grounds string `json:"grounds"` // a UNISGround code
	// Application: the user's application with its supporting documents
	// (UNIS rule 6); required.
	Application string `json:"application"`
	Note        string `json:"note,omitempty"`
}

// Audit actions: the operation types of the form (named after
// form.Operations), the UNIS chamber's, and a rejected row.
const (
	AuditBlock                        = "block"
	AuditRegister                     = "register"
	AuditChangeIP                     = "change_ip"
	AuditChangeAuthority              = "change_authority"
	AuditChangeAuthorityAndName       = "change_authority_and_name"
	AuditChangeAuthorityNameAndAccess = "change_authority_name_and_access"
	AuditResetPassword                = "reset_password"
	AuditDismissal                    = "dismissal"
	AuditUnblock                      = "unblock"
	AuditChangeName                   = "change_name"
	AuditChangeAccount                = "change_account"
	AuditChangeAccessRights           = "change_access_rights"
	AuditChangeIIN                    = "change_iin"
	AuditUNISCreate                   = "unis_create"
	AuditUNISBlock                    = "unis_block"
	AuditRowRejected                  = "row_rejected"

	// Changes made outside the administrators' requests: by the server's
	// console commands (kense-server accounts …; ActorIIN empty), by the
	// user (their password), or by the server itself (UNIS rule 12).
	AuditAccountCreated      = "account_created"
	AuditBlocked             = "blocked"
	AuditUnblocked           = "unblocked"
	AuditCertRegistered      = "cert_registered"
	AuditPasswordReset       = "password_reset"
	AuditPasswordChanged     = "password_changed"
	AuditPasswordCompromised = "password_compromised"
	AuditEDSYearBlock        = "eds_year_block"
)

// AuditOperations maps form operation codes (form.OpBlock …) to actions.
var AuditOperations = map[int]string{
	form.OpBlock: AuditBlock, form.OpRegister: AuditRegister, form.OpChangeIP: AuditChangeIP,
	form.OpChangeAuthority: AuditChangeAuthority, form.OpChangeAuthorityAndName: AuditChangeAuthorityAndName,
	form.OpChangeAuthorityNameAndAccess: AuditChangeAuthorityNameAndAccess, form.OpResetPassword: AuditResetPassword,
	form.OpDismissal: AuditDismissal, form.OpUnblock: AuditUnblock, form.OpChangeName: AuditChangeName,
	form.OpChangeAccount: AuditChangeAccount, form.OpChangeAccessRights: AuditChangeAccessRights,
	form.OpChangeIIN: AuditChangeIIN,
}

// FieldChange is one field an audited change altered. Passwords are never
// in it: a password change says only "password" with no values.
type FieldChange struct {
	Field string `json:"field"`
	Old   string `json:"old,omitempty"`
	New   string `json:"new,omitempty"`
}

// AuditEntry is one change to an account.
type AuditEntry struct {
	Seq        uint64    `json:"seq"`
	At         time.Time `json:"at"`
	ActorIIN   string    `json:"actorIin"`
	ActorName  string    `json:"actorName"`
	AccountIIN string    `json:"accountIin"`
	// PreviousIIN: change IIN (13) records the IIN it replaced.
	PreviousIIN string `json:"previousIin,omitempty"`
	Action      string `json:"action"`
	Operation   int    `json:"operation,omitempty"`   // the form's operation code
	Application string `json:"application,omitempty"` // sha256 of the submitted application
	Row         int    `json:"row,omitempty"`
	// Grounds: the UNIS rule 5 ground (unis_block).
	Grounds string `json:"grounds,omitempty"`
	// Reason: a rejection's reason, a note, or the UNIS application.
	Reason  string        `json:"reason,omitempty"`
	Changes []FieldChange `json:"changes,omitempty"`
}

// AuditHistory answers GET /v1/admin/accounts/{iin}/history: every entry
// for the account, under its IIN and the IINs it had before, oldest first.
type AuditHistory struct {
	IIN     string       `json:"iin"`
	Entries []AuditEntry `json:"entries"`
}
