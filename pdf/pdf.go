// Package pdf prints the application for RER SDB account operations as the
// bilingual (Kazakh/English) PDF of the official form: title, subunit, date,
// the operations table (its header repeated on every page it spans), the
// legends, the attachment line, the head's signature block, and on every
// page a QR code with the document ID and the SHA-256 of the form's
// canonical content (see QRPayload), plus "N / M" page numbers.
package pdf

import (
	"errors"
	"fmt"
	"time"

	"kense/form"
	"kense/i18n"
)

// Options choose how a form is printed.
type Options struct {
	// Final prints the form as filed. A non-final render (a preview of a
	// form that may still have problems) carries a "ЖОБА / DRAFT" banner
	// on every page and ";draft=1" in its QR payload.
	Final bool
	// Now gives the document's creation date; nil means time.Now.
	Now func() time.Time
	// Signature, when set, is printed beside the QR code on every page.
	Signature *SignatureBlock
}

// SignatureBlock is what an electronic signature of the application shows
// on paper: who signed, with which certificate, when.
type SignatureBlock struct {
	SignerName string
	IIN        string
	CertSerial string
	SignedAt   time.Time
}

func (o Options) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

// Error is why a form could not be printed. Key and Args are an i18n
// message, so the UI and the CLI show it in the user's language; Error()
// is the English text.
type Error struct {
	Key  string
	Args []any
	Err  error // the underlying cause, if any
}

func (e *Error) Error() string { return e.Message(i18n.EN) }

// Message is the error in language l.
func (e *Error) Message(l i18n.Lang) string { return i18n.TL(l, e.Key, e.Args...) }

func (e *Error) Unwrap() error { return e.Err }

// ProblemsError is RenderFinal's refusal: the form has problems to fix.
type ProblemsError struct {
	Problems []form.Problem
}

func (e *ProblemsError) Error() string { return e.Message(i18n.EN) }

// Message is the refusal in language l, without the problems themselves
// (each has its own Line).
func (e *ProblemsError) Message(l i18n.Lang) string {
	return i18n.TL(l, "pdf.err.problems", "n", len(e.Problems))
}

// Render prints f. It checks nothing about the form's content: the caller
// has validated it (or asks for a draft); RenderFinal does both. Text the
// embedded fonts cannot draw is printed as "?".
func Render(f form.Form, opt Options) ([]byte, error) {
	fs, err := loadFonts()
	if err != nil {
		return nil, &Error{Key: "pdf.err.fonts", Args: []any{"err", err.Error()}, Err: err}
	}
	b, _, err := render(fs, f, opt)
	return b, err
}

// RenderFinal validates f with vopt and prints it as the final document
// (opt.Final is forced on). A form with problems is refused with a
// *ProblemsError that lists them.
func RenderFinal(f form.Form, opt Options, vopt form.Options) ([]byte, error) {
	if ps := form.Validate(f, vopt); len(ps) > 0 {
		return nil, &ProblemsError{Problems: ps}
	}
	opt.Final = true
	return Render(f, opt)
}

// IsProblems reports whether err is RenderFinal's refusal and returns it.
func IsProblems(err error) (*ProblemsError, bool) {
	var pe *ProblemsError
	ok := errors.As(err, &pe)
	return pe, ok
}

func generateErr(err error) error {
	return &Error{Key: "pdf.err.generate", Args: []any{"err", fmt.Sprint(err)}, Err: err}
}
