package ui

import (
	"context"
	"slices"
	"time"

	"kense/api"
)

// Executing applications (issue 8) as the app sees them. AdminService is
// what cmd/kense/internal/wire implements over the signed-in client; the
// screens are admin.go (the RER SDB administrator's queue), admin_rows.go
// (one application's rows), admin_history.go and admin_unis.go (the
// territorial notarial chamber). The api types are plain data: ui still
// imports neither HTTP nor bbolt.

// AdminService is the administrator's side of the server. Every method
// but Roles and the two renders talks to the server and blocks: the
// screens call them off the UI goroutine.
type AdminService interface {
	// Roles are the signed-in account's roles (api.RoleRERAdmin,
	// api.RoleChamber, and ServiceDesk lines), as of the sign-in.
	Roles() []string
	// Queue lists the applications with rows still to decide (all: every
	// submitted application), oldest first.
	Queue(ctx context.Context, all bool) ([]api.AdminApplicationSummary, error)
	Application(ctx context.Context, sha string) (*api.AdminApplication, error)
	// Execute executes row n (1-based); never retried. The answer's
	// PrimaryPassword (registration, password reset) comes this once:
	// the caller prints the slip and wipes it.
	Execute(ctx context.Context, sha string, n int, req api.ExecuteRequest) (*api.ExecuteResponse, error)
	Reject(ctx context.Context, sha string, n int, reason string) (*api.RowOutcome, error)
	// Order downloads row n's scanned order and its content type.
	Order(ctx context.Context, sha string, n int) ([]byte, string, error)
	Account(ctx context.Context, iin string) (*api.AdminAccount, error)
	History(ctx context.Context, iin string) (*api.AuditHistory, error)
	// ApplicationPDF prints the submitted application as filed, with its
	// signer (the order scans named in it are on the server, not here, so
	// the editor's Render, which checks them, does not serve).
	ApplicationPDF(app *api.AdminApplication) ([]byte, error)
	// Slip prints the primary password slip (access rules 7 and 8).
	Slip(s PasswordSlip) ([]byte, error)

	// The territorial notarial chamber (UNIS rules 4–6).
	Grounds(ctx context.Context) ([]api.UNISGround, error)
	CreateUNIS(ctx context.Context, req api.UNISCreateRequest) (*api.AdminAccount, error)
	BlockUNIS(ctx context.Context, iin string, req api.UNISBlockRequest) (*api.AdminAccount, error)
}

// PasswordSlip is what the slip prints. Password is wiped by the screen
// right after Slip returns.
type PasswordSlip struct {
	FullName, IIN, Login string
	Password             []byte
	IssuedBy             string
	Date                 time.Time
}

// adminTimeout bounds one call to the server from the admin screens.
const adminTimeout = 30 * time.Second

// hasRole reports whether the admin service's account holds role.
func hasRole(s AdminService, role string) bool {
	return s != nil && slices.Contains(s.Roles(), role)
}
