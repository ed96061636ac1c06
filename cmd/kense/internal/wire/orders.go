package wire

import (
	"context"
	"errors"
	"fmt"
	"os"

	"kense/cache"
	"kense/client"
	"kense/form"
)

// The scanned orders of a submitted application travel after it: the
// server names the application by its SHA-256 only once it is submitted.
// The Operator cannot execute a registration (2) or dismissal (8) row
// without its order, so they are sent right after submitting and again
// after every sync round until the server has them all; a setting per
// application remembers that it is done. PUT is idempotent, so a repeat
// after a lost answer costs one upload, never a duplicate.

const ordersSentPrefix = "orders.sent."

// sendOrders uploads the orders of every submitted application of account
// whose orders are not yet on the server. Missing files are left for the
// Operator to ask about (the row can be rejected with that reason).
func sendOrders(ctx context.Context, st *cache.Store, c *client.Client, account string) error {
	if account == "" || c == nil {
		return nil
	}
	states, err := st.SyncStates(account)
	if err != nil {
		return err
	}
	var errs []error
	for id, ds := range states {
		if ds.AppStatus == "" || ds.SHA256 == "" {
			continue
		}
		if _, done, err := st.Setting(ordersSentPrefix + ds.SHA256); err != nil || done {
			continue
		}
		d, err := st.GetDraft(id)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if err := sendOrdersOf(ctx, c, ds.SHA256, d.Form); err != nil {
			errs = append(errs, err)
			continue
		}
		if err := st.SetSetting(ordersSentPrefix+ds.SHA256, "1"); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// sendOrdersOf uploads each row's order of the application sha (rows are
// numbered from 1, as on the form).
func sendOrdersOf(ctx context.Context, c *client.Client, sha string, f form.Form) error {
	for i, r := range f.Rows {
		if r.OrderFile == "" {
			continue
		}
		if err := form.CheckScan(r.OrderFile); err != nil {
			// Gone or not a scan any more: nothing to send; the Operator
			// sees the order missing and rejects or asks.
			continue
		}
		data, err := os.ReadFile(r.OrderFile)
		if err != nil {
			continue
		}
		if _, err := c.UploadOrder(ctx, sha, i+1, data); err != nil {
			return fmt.Errorf("order of row %d: %w", i+1, err)
		}
	}
	return nil
}
