package client

import (
	"context"
	"net/url"
	"strconv"

	"kense/api"
)

// Executing applications (issue 8): the RER SDB administrator's queue and
// rows, the territorial notarial chamber's UNIS accounts, the audit log,
// and the applicant's upload of the scanned orders.

func adminAppPath(sha string) string { return api.PathAdminApplication + url.PathEscape(sha) }

func rowPath(sha string, n int) string { return adminAppPath(sha) + "/rows/" + strconv.Itoa(n) }

// AdminApplications lists the queue: the applications with rows still to
// decide, or with all every submitted application.
func (c *Client) AdminApplications(ctx context.Context, all bool) (*api.AdminApplicationList, error) {
	var l api.AdminApplicationList
	r := c.R(ctx).SetResult(&l)
	if all {
		r.SetQueryParam("all", "1")
	}
	if _, err := r.Get(api.PathAdminApplications); err != nil {
		return nil, err
	}
	return &l, nil
}

// AdminApplication reads one application with its form and rows.
func (c *Client) AdminApplication(ctx context.Context, sha string) (*api.AdminApplication, error) {
	var a api.AdminApplication
	if _, err := c.R(ctx).SetResult(&a).Get(adminAppPath(sha)); err != nil {
		return nil, err
	}
	return &a, nil
}

// ExecuteRow executes row n (1-based). Never retried: a second execution
// is refused (row_decided), and the answer carries the primary password of
// a registration or reset only once. The caller prints the slip from it
// and wipes it (resp.PrimaryPassword.Wipe()).
func (c *Client) ExecuteRow(ctx context.Context, sha string, n int, req api.ExecuteRequest) (*api.ExecuteResponse, error) {
	var resp api.ExecuteResponse
	if _, err := c.R(ctx).SetBody(req).SetResult(&resp).Post(rowPath(sha, n) + "/execute"); err != nil {
		return nil, err
	}
	return &resp, nil
}

// RejectRow rejects row n with a reason.
func (c *Client) RejectRow(ctx context.Context, sha string, n int, reason string) (*api.RowOutcome, error) {
	var oc api.RowOutcome
	if _, err := c.R(ctx).SetBody(api.RejectRequest{Reason: reason}).SetResult(&oc).Post(rowPath(sha, n) + "/reject"); err != nil {
		return nil, err
	}
	return &oc, nil
}

// RowOrder downloads row n's scanned order and its content type.
func (c *Client) RowOrder(ctx context.Context, sha string, n int) ([]byte, string, error) {
	resp, err := c.R(ctx).SetHeader("Accept", "*/*").Get(rowPath(sha, n) + "/order")
	if err != nil {
		return nil, "", err
	}
	return resp.Body(), resp.Header().Get("Content-Type"), nil
}

// UploadOrder sends the scanned order of row n of the caller's submitted
// application. Idempotent (PUT), so retried.
func (c *Client) UploadOrder(ctx context.Context, sha string, n int, data []byte) (*api.OrderInfo, error) {
	var oi api.OrderInfo
	_, err := c.R(ctx).SetHeader("Content-Type", "application/octet-stream").SetBody(data).SetResult(&oi).
		Put(api.PathApplications + url.PathEscape(sha) + "/rows/" + strconv.Itoa(n) + "/order")
	if err != nil {
		return nil, err
	}
	return &oi, nil
}

// AdminAccount reads an account as administrators see it.
func (c *Client) AdminAccount(ctx context.Context, iin string) (*api.AdminAccount, error) {
	var a api.AdminAccount
	if _, err := c.R(ctx).SetResult(&a).Get(api.PathAdminAccount + url.PathEscape(iin)); err != nil {
		return nil, err
	}
	return &a, nil
}

// AccountHistory reads an account's full audit history.
func (c *Client) AccountHistory(ctx context.Context, iin string) (*api.AuditHistory, error) {
	var h api.AuditHistory
	if _, err := c.R(ctx).SetResult(&h).Get(api.PathAdminAccount + url.PathEscape(iin) + "/history"); err != nil {
		return nil, err
	}
	return &h, nil
}

// CreateUNISAccount creates a UNIS account on the user's application
// (chamber role). Not retried: a repeat is refused as account_exists.
func (c *Client) CreateUNISAccount(ctx context.Context, req api.UNISCreateRequest) (*api.AdminAccount, error) {
	var a api.AdminAccount
	if _, err := c.R(ctx).SetBody(req).SetResult(&a).Post(api.PathAdminUNISAccounts); err != nil {
		return nil, err
	}
	return &a, nil
}

// BlockUNISAccount blocks a UNIS account on a ground of UNIS rule 5.
func (c *Client) BlockUNISAccount(ctx context.Context, iin string, req api.UNISBlockRequest) (*api.AdminAccount, error) {
	var a api.AdminAccount
	if _, err := c.R(ctx).SetBody(req).SetResult(&a).Post(api.PathAdminUNISAccount + url.PathEscape(iin) + "/block"); err != nil {
		return nil, err
	}
	return &a, nil
}

// UNISGrounds lists the grounds of UNIS rule 5.
func (c *Client) UNISGrounds(ctx context.Context) ([]api.UNISGround, error) {
	var gs []api.UNISGround
	if _, err := c.R(ctx).SetResult(&gs).Get(api.PathAdminUNISGrounds); err != nil {
		return nil, err
	}
	return gs, nil
}
