package server

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"kense/api"
	"kense/iin"
)

// Almaty is Kazakhstan's single time zone (UTC+5 since March 2024). A fixed
// zone needs no tz database, which Windows lacks.
var Almaty = time.FixedZone("Asia/Almaty", 5*60*60)

// EDSYearEnd is when the account's newest registered EDS (latest NotBefore,
// the day it was received) turns a calendar year old (UNIS rule 12; the
// server applies it to UNIS accounts only).
func EDSYearEnd(a *Account) (time.Time, bool) {
	var latest time.Time
	for _, c := range a.Certificates {
		if c.NotBefore.After(latest) {
			latest = c.NotBefore
		}
	}
	if latest.IsZero() {
		return time.Time{}, false
	}
	return latest.In(Almaty).AddDate(1, 0, 0), true
}

// DaysLeft counts calendar days (in Almaty) from now to end; expired is true
// once end has come.
func DaysLeft(now, end time.Time) (days int, expired bool) {
	if !now.Before(end) {
		return 0, true
	}
	n, e := now.In(Almaty), end.In(Almaty)
	d0 := time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
	d1 := time.Date(e.Year(), e.Month(), e.Day(), 0, 0, 0, 0, time.UTC)
	return int(d1.Sub(d0).Hours() / 24), false
}

// warnThreshold is the smallest warning step (30, 14, 7, 1) that days has
// reached, or 0 when it is more than 30 days away.
func warnThreshold(days int) int {
	th := 0
	for _, t := range EDSWarningDays {
		if days <= t {
			th = t
		}
	}
	return th
}

// CertIIN takes the IIN from a certificate subject's SERIALNUMBER=IIN….
func CertIIN(c *x509.Certificate) string {
	sn := c.Subject.SerialNumber
	if v, ok := strings.CutPrefix(sn, "IIN"); ok {
		return v
	}
	return ""
}

func serialHex(c *x509.Certificate) string { return strings.ToUpper(c.SerialNumber.Text(16)) }

func certRecord(c *x509.Certificate, now time.Time) RegisteredCert {
	return RegisteredCert{
		Serial: serialHex(c), Subject: c.Subject.String(), Issuer: c.Issuer.String(),
		NotBefore: c.NotBefore.UTC(), NotAfter: c.NotAfter.UTC(), RegisteredAt: now.UTC(), DER: c.Raw,
	}
}

// AccountView is the account as the API shows it (no hash, no DER).
func AccountView(a *Account) api.Account {
	v := api.Account{
		IIN: a.IIN, FullName: a.FullName, Kind: a.Kind, Status: a.Status,
		Login: a.Login, BoundIP: a.BoundIP, Certificates: []api.Certificate{},
		Position: a.Position, UserType: a.UserType, AccessLevels: a.AccessLevels,
		Roles: slices.Clone(a.Roles),
	}
	for _, c := range a.Certificates {
		v.Certificates = append(v.Certificates, api.Certificate{
			Serial: c.Serial, Subject: c.Subject, Issuer: c.Issuer,
			NotBefore: c.NotBefore, NotAfter: c.NotAfter, RegisteredAt: c.RegisteredAt,
		})
	}
	if end, ok := EDSYearEnd(a); ok && a.Kind == api.KindUNIS {
		end = end.UTC()
		v.EDSYearEndsAt = &end
	}
	return v
}

// NewAccount are the operator's inputs for creating an account.
type NewAccount struct {
	IIN      string
	FullName string
	Kind     string
	Login    string // RER SDB
	Password []byte // RER SDB: the primary password; wiped by CreateAccount
	BoundIP  string // RER SDB
	Cert     *x509.Certificate
}

// CreateAccount validates n and stores the account (active).
func CreateAccount(st Store, n NewAccount, now time.Time) (*Account, error) {
	defer clear(n.Password)
	if _, err := iin.Parse(n.IIN); err != nil {
		return nil, fmt.Errorf("IIN %q: %w", n.IIN, err)
	}
	name := strings.Join(strings.Fields(n.FullName), " ")
	if name == "" {
		return nil, errors.New("full name is required")
	}
	a := &Account{IIN: n.IIN, FullName: name, Kind: n.Kind, Status: api.StatusActive, CreatedAt: now.UTC()}
	switch n.Kind {
	case api.KindUNIS:
		if n.Login != "" || n.BoundIP != "" || len(n.Password) > 0 {
			return nil, errors.New("a UNIS account signs in by EDS only: no login, password or IP")
		}
	case api.KindRER:
		if n.Login == "" || strings.ContainsAny(n.Login, " \t\r\n") {
			return nil, errors.New("an RER SDB account needs a login without spaces")
		}
		ip, err := netip.ParseAddr(n.BoundIP)
		if err != nil || !ip.Unmap().Is4() {
			return nil, fmt.Errorf("an RER SDB account needs its workstation's IPv4 address (A.B.C.D), got %q", n.BoundIP)
		}
		if len(n.Password) == 0 {
			return nil, errors.New("an RER SDB account needs a primary password")
		}
		h, err := HashPassword(n.Password)
		if err != nil {
			return nil, err
		}
		a.Login, a.BoundIP, a.PasswordHash = n.Login, ip.Unmap().String(), h
		// The administrator's password: the first sign-in must change it (rule 14).
		a.PasswordPrimary, a.PasswordChangedAt = true, now.UTC()
	default:
		return nil, fmt.Errorf("kind %q: want %s or %s", n.Kind, api.KindUNIS, api.KindRER)
	}
	if n.Cert != nil {
		if got := CertIIN(n.Cert); got != n.IIN {
			return nil, fmt.Errorf("the certificate is for IIN %q, not %s", got, n.IIN)
		}
		a.Certificates = []RegisteredCert{certRecord(n.Cert, now)}
	}
	if err := st.CreateAccount(a); err != nil {
		return nil, err
	}
	if err := auditAfter(st, api.AuditEntry{At: now, AccountIIN: a.IIN, Action: api.AuditAccountCreated,
		Changes: []api.FieldChange{{Field: "kind", New: a.Kind}, {Field: "fullName", New: a.FullName}, {Field: "login", New: a.Login}, {Field: "boundIp", New: a.BoundIP}}}); err != nil {
		return a, fmt.Errorf("account created, audit entry lost: %w", err)
	}
	return a, nil
}

// BlockAccount blocks an account with a reason.
func BlockAccount(st Store, iin, reason string, now time.Time) error {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return errors.New("a reason is required to block an account")
	}
	err := st.UpdateAccount(iin, func(a *Account) error {
		if a.Status == api.StatusDismissed {
			return ErrDismissed
		}
		a.Status, a.BlockedReason, a.BlockedAt = api.StatusBlocked, reason, now.UTC()
		return nil
	})
	if err != nil {
		return err
	}
	return auditAfter(st, api.AuditEntry{At: now, AccountIIN: iin, Action: api.AuditBlocked, Reason: reason})
}

// UnblockAccount makes an account active again. An account blocked by the
// EDS-year rule stays blocked until a newer EDS is registered.
func UnblockAccount(st Store, iin string, now time.Time) error {
	err := st.UpdateAccount(iin, func(a *Account) error {
		if a.Status == api.StatusDismissed {
			return ErrDismissed
		}
		if a.BlockedReason == api.CodeEDSYearExpired {
			if end, ok := EDSYearEnd(a); ok && !now.Before(end) {
				return errors.New("the registered EDS is more than a calendar year old: register the new EDS (accounts register-cert), which unblocks the account")
			}
		}
		a.Status, a.BlockedReason, a.BlockedAt = api.StatusActive, "", time.Time{}
		return nil
	})
	if err != nil {
		return err
	}
	return auditAfter(st, api.AuditEntry{At: now, AccountIIN: iin, Action: api.AuditUnblocked})
}

// RegisterCert registers an EDS certificate to the account whose IIN it
// names. An account blocked by the EDS-year rule is unblocked when the new
// EDS starts a fresh year.
func RegisterCert(st Store, iin string, c *x509.Certificate, now time.Time) error {
	if got := CertIIN(c); got != iin {
		return fmt.Errorf("the certificate is for IIN %q, not %s", got, iin)
	}
	rec := certRecord(c, now)
	err := st.UpdateAccount(iin, func(a *Account) error {
		for _, old := range a.Certificates {
			if old.Serial == rec.Serial && old.Issuer == rec.Issuer {
				return fmt.Errorf("certificate %s is already registered", rec.Serial)
			}
		}
		a.Certificates = append(a.Certificates, rec)
		if a.Status == api.StatusBlocked && a.BlockedReason == api.CodeEDSYearExpired {
			if end, ok := EDSYearEnd(a); ok && now.Before(end) {
				a.Status, a.BlockedReason, a.BlockedAt = api.StatusActive, "", time.Time{}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return auditAfter(st, api.AuditEntry{At: now, AccountIIN: iin, Action: api.AuditCertRegistered,
		Changes: []api.FieldChange{{Field: "certificate", New: rec.Serial}}})
}
