package wire

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync/atomic"

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

// Orders sends the scanned orders of account's submitted applications.
// Once a pass finds nothing left to send it stays idle — no cache scan
// every sync round — until Submitted says there is new work.
type Orders struct {
	S       *cache.Store
	C       *client.Client
	Account string
	idle    atomic.Bool
}

// Submitted: an application was just submitted; its orders are due.
func (o *Orders) Submitted() {
	if o != nil {
		o.idle.Store(false)
	}
}

// Send uploads the orders of every submitted application whose orders are
// not yet on the server (a setting per application remembers it). Missing
// files are left for the Operator to ask about (the row can be rejected
// with that reason).
func (o *Orders) Send(ctx context.Context) error {
	if o == nil || o.Account == "" || o.C == nil || o.idle.Load() {
		return nil
	}
	states, err := o.S.SyncStates(o.Account)
	if err != nil {
		return err
	}
	var errs []error
	for id, ds := range states {
		if ds.AppStatus == "" || ds.SHA256 == "" {
			continue
		}
		if _, done, err := o.S.Setting(ordersSentPrefix + ds.SHA256); err != nil || done {
			continue
		}
		d, err := o.S.GetDraft(id)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if err := sendOrdersOf(ctx, o.C, ds.SHA256, d.Form); err != nil {
			errs = append(errs, err)
			continue
		}
		if err := o.S.SetSetting(ordersSentPrefix+ds.SHA256, "1"); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) == 0 {
		o.idle.Store(true)
	}
	return errors.Join(errs...)
}

// sendOrdersOf uploads each row's order of the application sha (rows are
// numbered from 1, as on the form). A file gone or no longer a scan is
// skipped: the Operator sees the order missing and rejects or asks.
func sendOrdersOf(ctx context.Context, c *client.Client, sha string, f form.Form) error {
	for i, r := range f.Rows {
		if r.OrderFile == "" {
			continue
		}
		data, err := os.ReadFile(r.OrderFile)
		if err != nil || form.ScanKind(data) == "" {
			continue
		}
		if _, err := c.UploadOrder(ctx, sha, i+1, data); err != nil {
			return fmt.Errorf("order of row %d: %w", i+1, err)
		}
	}
	return nil
}
