// Package applog is the desktop app's log: JSON lines in the user's local
// application-data folder (os.UserCacheDir()/<app>/logs, on Windows
// %LocalAppData%\<app>\logs: never roamed, removed by the MSI on
// uninstall), rotated by size.
//
// No personal data: the log is for support staff, who must not learn from
// it who used the app or for which subunit. The handler drops every
// attribute whose key is on a deny list (IIN, names, passwords, tokens,
// subunits, …, in any group and any letter case) and masks any run of 12
// digits (the shape of an IIN/BIN) in the message and in string values.
// Callers still log facts (durations, error kinds, counts, versions), not
// form contents.
package applog

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
)

// Defaults: 5 files of at most 5 MiB, so at most 30 MiB on disk.
const (
	DefaultMaxBytes = 5 << 20
	DefaultKeep     = 5
)

// Options tune OpenDir; zero values take the defaults.
type Options struct {
	MaxBytes int64      // rotate when the current file would pass this size
	Keep     int        // rotated files kept besides the current one
	Level    slog.Level // the lowest level written (default Info)
}

// Open opens the log of appName in os.UserCacheDir()/appName/logs with the
// defaults. Close the io.Closer when the app ends.
func Open(appName string) (*slog.Logger, io.Closer, error) {
	dir, err := Dir(appName)
	if err != nil {
		return nil, nil, err
	}
	return OpenDir(dir, appName, Options{})
}

// Dir is the folder Open writes to.
func Dir(appName string) (string, error) {
	if appName == "" || strings.ContainsAny(appName, `/\:`) || appName == "." || appName == ".." {
		return "", fmt.Errorf("applog: bad app name %q", appName)
	}
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("applog: %w", err)
	}
	return filepath.Join(base, appName, "logs"), nil
}

// OpenDir opens dir/<name>.log (creating dir 0700) and returns a logger
// writing redacted JSON lines to it.
func OpenDir(dir, name string, opt Options) (*slog.Logger, io.Closer, error) {
	if opt.MaxBytes <= 0 {
		opt.MaxBytes = DefaultMaxBytes
	}
	if opt.Keep <= 0 {
		opt.Keep = DefaultKeep
	}
	w, err := openRotating(dir, name, opt.MaxBytes, opt.Keep)
	if err != nil {
		return nil, nil, err
	}
	h := NewRedactor(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: opt.Level}))
	return slog.New(h), w, nil
}

// DenyKeys are the attribute keys never written (compared in lower case,
// with "_" and "-" removed, so "full_name" and "fullName" both match).
var DenyKeys = []string{
	"iin", "bin", "name", "fullname", "firstname", "lastname", "surname", "patronymic",
	"password", "passwd", "pass", "pin", "secret", "token", "accesstoken", "refreshtoken",
	"session", "sessionid", "cookie", "authorization", "key", "privatekey",
	"subunit", "subunitname", "position", "email", "phone", "address", "ip", "login",
	"certificate", "cert", "subject", "signature", "content", "form", "draft",
}

var denySet = func() map[string]bool {
	m := make(map[string]bool, len(DenyKeys))
	for _, k := range DenyKeys {
		m[k] = true
	}
	return m
}()

func denied(key string) bool {
	k := strings.ToLower(strings.NewReplacer("_", "", "-", "", " ", "").Replace(key))
	return denySet[k]
}

// twelveDigits is an IIN or BIN, not part of a longer number.
var twelveDigits = regexp.MustCompile(`(^|[^0-9])[0-9]{12}([^0-9]|$)`)

// Mask replaces every standalone run of exactly 12 digits in s.
func Mask(s string) string {
	if len(s) < 12 {
		return s
	}
	// ReplaceAll cannot reuse the separator matched by the previous hit, so
	// loop until no 12-digit run is left (each pass removes at least one).
	for twelveDigits.MatchString(s) {
		s = twelveDigits.ReplaceAllString(s, "${1}[12 digits]${2}")
	}
	return s
}

// Redactor is a slog.Handler that drops denied attributes and masks
// 12-digit runs before passing records on.
type Redactor struct {
	next slog.Handler
}

// NewRedactor wraps next.
func NewRedactor(next slog.Handler) *Redactor { return &Redactor{next: next} }

// Enabled implements slog.Handler.
func (r *Redactor) Enabled(ctx context.Context, l slog.Level) bool { return r.next.Enabled(ctx, l) }

// Handle implements slog.Handler.
func (r *Redactor) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, Mask(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		if a, ok := clean(a); ok {
			out.AddAttrs(a)
		}
		return true
	})
	return r.next.Handle(ctx, out)
}

// WithAttrs implements slog.Handler.
func (r *Redactor) WithAttrs(attrs []slog.Attr) slog.Handler {
	var kept []slog.Attr
	for _, a := range attrs {
		if a, ok := clean(a); ok {
			kept = append(kept, a)
		}
	}
	return &Redactor{next: r.next.WithAttrs(kept)}
}

// WithGroup implements slog.Handler. A denied group name hides nothing by
// itself: its attributes are checked one by one.
func (r *Redactor) WithGroup(name string) slog.Handler {
	return &Redactor{next: r.next.WithGroup(name)}
}

// clean drops denied keys, recurses into groups and masks strings. A
// LogValuer is resolved first, so that it cannot smuggle a value past.
func clean(a slog.Attr) (slog.Attr, bool) {
	if denied(a.Key) {
		return a, false
	}
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindGroup:
		var kept []slog.Attr
		for _, g := range v.Group() {
			if g, ok := clean(g); ok {
				kept = append(kept, g)
			}
		}
		if len(kept) == 0 {
			return a, false
		}
		return slog.Attr{Key: a.Key, Value: slog.GroupValue(kept...)}, true
	case slog.KindString:
		return slog.String(a.Key, Mask(v.String())), true
	case slog.KindAny:
		// errors and Stringers end up as text in JSON: mask that text.
		switch x := v.Any().(type) {
		case error:
			return slog.String(a.Key, Mask(x.Error())), true
		case fmt.Stringer:
			return slog.String(a.Key, Mask(x.String())), true
		case []byte:
			return slog.Int(a.Key+"Len", len(x)), true
		}
		return slog.String(a.Key, Mask(fmt.Sprint(v.Any()))), true
	}
	return slog.Attr{Key: a.Key, Value: v}, true
}

// rotating is an io.WriteCloser over dir/name.log that, before a write
// would pass max bytes, renames name.log → name.1.log → … → name.<keep>.log
// (dropping the oldest) and starts a new file. slog handlers write one
// record per Write, so a record is never split across files.
type rotating struct {
	mu        sync.Mutex
	dir, name string
	max       int64
	keep      int
	f         *os.File
	size      int64
}

func openRotating(dir, name string, max int64, keep int) (*rotating, error) {
	if name == "" || strings.ContainsAny(name, `/\:`) {
		return nil, fmt.Errorf("applog: bad log name %q", name)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("applog: %w", err)
	}
	r := &rotating{dir: dir, name: name, max: max, keep: keep}
	if err := r.open(); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *rotating) path(i int) string {
	if i == 0 {
		return filepath.Join(r.dir, r.name+".log")
	}
	return filepath.Join(r.dir, fmt.Sprintf("%s.%d.log", r.name, i))
}

func (r *rotating) open() error {
	f, err := os.OpenFile(r.path(0), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("applog: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("applog: %w", err)
	}
	r.f, r.size = f, st.Size()
	return nil
}

var errClosed = errors.New("applog: log is closed")

func (r *rotating) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.f == nil {
		return 0, errClosed
	}
	if r.size > 0 && r.size+int64(len(p)) > r.max {
		if err := r.rotate(); err != nil {
			return 0, err
		}
	}
	n, err := r.f.Write(p)
	r.size += int64(n)
	return n, err
}

// rotate closes the current file before renaming: Windows cannot rename
// an open file. When a rename fails (a virus scanner holding the file),
// logging goes on in the current file and rotation is tried again on the
// next write.
func (r *rotating) rotate() error {
	if err := r.f.Close(); err != nil {
		r.f = nil
		return fmt.Errorf("applog: %w", err)
	}
	r.f = nil
	shift := func() error {
		if err := os.Remove(r.path(r.keep)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		for i := r.keep - 1; i >= 0; i-- {
			if err := os.Rename(r.path(i), r.path(i+1)); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
		}
		return nil
	}
	_ = shift() // on failure: keep appending to the current file
	return r.open()
}

// Close closes the current file; later writes fail.
func (r *rotating) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.f == nil {
		return nil
	}
	err := r.f.Close()
	r.f = nil
	return err
}
