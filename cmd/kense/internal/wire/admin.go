package wire

import (
	"context"
	"slices"
	"time"

	"kense/api"
	"kense/client"
	"kense/form"
	"kense/i18n"
	"kense/pdf"
	"kense/ui"
)

// Admin is ui.AdminService over the signed-in client (issue 8): the RER
// SDB administrator's queue and rows, the chamber's UNIS accounts, the
// audit log, and the two prints (the application as filed, the primary
// password slip). Nothing here is kept or logged: the primary password
// passes through to the screen's slip, which wipes it.
type Admin struct {
	// Client is the signed-in client (nil: signed out).
	Client func() *client.Client
	// RoleList is the account's roles as the sign-in answered them.
	RoleList []string
	// Now is the print's clock; nil: time.Now.
	Now func() time.Time
}

var _ ui.AdminService = (*Admin)(nil)

// AdminFor is the admin service of an account holding an administrator
// role, nil for anyone else (the screens stay hidden).
func AdminFor(roles []string, c func() *client.Client) ui.AdminService {
	if !slices.ContainsFunc(roles, func(r string) bool { return slices.Contains(api.AdminRoles, r) }) {
		return nil
	}
	return &Admin{Client: c, RoleList: slices.Clone(roles)}
}

func (a *Admin) c() (*client.Client, error) {
	if a.Client == nil {
		return nil, client.ErrSignedOut
	}
	c := a.Client()
	if c == nil {
		return nil, client.ErrSignedOut
	}
	return c, nil
}

func (a *Admin) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

func (a *Admin) Roles() []string { return slices.Clone(a.RoleList) }

func (a *Admin) Queue(ctx context.Context, all bool) ([]api.AdminApplicationSummary, error) {
	c, err := a.c()
	if err != nil {
		return nil, err
	}
	l, err := c.AdminApplications(ctx, all)
	if err != nil {
		return nil, adminErr(err)
	}
	return l.Applications, nil
}

func (a *Admin) Application(ctx context.Context, sha string) (*api.AdminApplication, error) {
	c, err := a.c()
	if err != nil {
		return nil, err
	}
	return adminResult(c.AdminApplication(ctx, sha))
}

func (a *Admin) Execute(ctx context.Context, sha string, n int, req api.ExecuteRequest) (*api.ExecuteResponse, error) {
	c, err := a.c()
	if err != nil {
		return nil, err
	}
	return adminResult(c.ExecuteRow(ctx, sha, n, req))
}

func (a *Admin) Reject(ctx context.Context, sha string, n int, reason string) (*api.RowOutcome, error) {
	c, err := a.c()
	if err != nil {
		return nil, err
	}
	return adminResult(c.RejectRow(ctx, sha, n, reason))
}

func (a *Admin) Order(ctx context.Context, sha string, n int) ([]byte, string, error) {
	c, err := a.c()
	if err != nil {
		return nil, "", err
	}
	b, ct, err := c.RowOrder(ctx, sha, n)
	return b, ct, adminErr(err)
}

func (a *Admin) Account(ctx context.Context, iin string) (*api.AdminAccount, error) {
	c, err := a.c()
	if err != nil {
		return nil, err
	}
	return adminResult(c.AdminAccount(ctx, iin))
}

func (a *Admin) History(ctx context.Context, iin string) (*api.AuditHistory, error) {
	c, err := a.c()
	if err != nil {
		return nil, err
	}
	return adminResult(c.AccountHistory(ctx, iin))
}

// ApplicationPDF prints the form the server holds, as filed: final, with
// the signer beside the QR code. The order files it names are the
// applicant's paths, not files here, so it is not validated again (the
// server validated it when it was submitted).
func (a *Admin) ApplicationPDF(app *api.AdminApplication) ([]byte, error) {
	opt := pdf.Options{Final: true, Now: a.now}
	if app.Application.SignerName != "" {
		opt.Signature = &pdf.SignatureBlock{SignerName: app.Application.SignerName, IIN: app.Application.SignerIIN,
			CertSerial: app.Application.CertSerial, SignedAt: app.Application.SignedAt}
	}
	f := app.Form
	if f.ID == "" {
		f.ID = app.Application.DraftID
	}
	if form.HashHex(f) != app.Application.SHA256 {
		// The QR code would then name content that was not signed:
		// print without the signature block (the hash shows which).
		opt.Signature = nil
	}
	return pdf.Render(f, opt)
}

func (a *Admin) Slip(s ui.PasswordSlip) ([]byte, error) {
	return pdf.RenderSlip(pdf.Slip{FullName: s.FullName, IIN: s.IIN, Login: s.Login, Password: s.Password,
		IssuedBy: s.IssuedBy, Date: s.Date})
}

func (a *Admin) Grounds(ctx context.Context) ([]api.UNISGround, error) {
	c, err := a.c()
	if err != nil {
		return nil, err
	}
	return adminResult(c.UNISGrounds(ctx))
}

func (a *Admin) CreateUNIS(ctx context.Context, req api.UNISCreateRequest) (*api.AdminAccount, error) {
	c, err := a.c()
	if err != nil {
		return nil, err
	}
	return adminResult(c.CreateUNISAccount(ctx, req))
}

func (a *Admin) BlockUNIS(ctx context.Context, iin string, req api.UNISBlockRequest) (*api.AdminAccount, error) {
	c, err := a.c()
	if err != nil {
		return nil, err
	}
	return adminResult(c.BlockUNISAccount(ctx, iin, req))
}

// adminError is a client error that the screens show in the user's
// language (wire.Message reads Message): the server's refusals of issue 8
// (order_missing, row_decided, …) have their own texts.
type adminError struct{ err error }

func (e *adminError) Error() string              { return e.err.Error() }
func (e *adminError) Unwrap() error              { return e.err }
func (e *adminError) Message(l i18n.Lang) string { return client.UserMessage(e.err, l) }

func adminErr(err error) error {
	if err == nil {
		return nil
	}
	return &adminError{err}
}

func adminResult[T any](v T, err error) (T, error) { return v, adminErr(err) }
