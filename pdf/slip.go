package pdf

import (
	"time"
	"unicode"

	"github.com/johnfercher/maroto/v2"
	"github.com/johnfercher/maroto/v2/pkg/config"
	"github.com/johnfercher/maroto/v2/pkg/consts/align"
	"github.com/johnfercher/maroto/v2/pkg/consts/border"
	"github.com/johnfercher/maroto/v2/pkg/consts/orientation"
	"github.com/johnfercher/maroto/v2/pkg/consts/pagesize"
	"github.com/johnfercher/maroto/v2/pkg/props"

	"kense/version"
)

// Slip is the primary password slip (issue 8; access rules 7 and 8): the
// login and the primary password of an RER SDB account, printed for the
// regional administrator to hand to the user in person, never sent by
// e-mail or messenger. The first sign-in must change the password (rule 14).
type Slip struct {
	FullName string
	IIN      string
	Login    string
	// Password is the primary password. RenderSlip neither keeps nor
	// wipes it: the caller wipes it once the slip is rendered.
	Password []byte
	// IssuedBy is the administrator who executed the row.
	IssuedBy string
	// Date is the day the password was created.
	Date time.Time
}

// Slip page: A4 portrait.
const (
	slipMarginX = 20.0
	slipMarginY = 15.0
)

// RenderSlip prints the one-page slip. The password goes nowhere but the
// page's text: not in the title, the keywords or any other metadata.
func RenderSlip(s Slip) ([]byte, error) {
	fs, err := loadFonts()
	if err != nil {
		return nil, &Error{Key: "pdf.err.fonts", Args: []any{"err", err.Error()}, Err: err}
	}
	// A character the fonts cannot draw would print as "?" and hand over
	// a wrong password: refuse instead (the server's alphabet is ASCII).
	pw := string(s.Password)
	if pw == "" {
		return nil, &Error{Key: "slip.err.password"}
	}
	for _, r := range pw {
		if !fs.covered(r) || unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return nil, &Error{Key: "slip.err.password"}
		}
	}
	clean := sanitizer(fs)
	cfg := config.NewBuilder().
		WithPageSize(pagesize.A4).
		WithOrientation(orientation.Vertical).
		WithLeftMargin(slipMarginX).WithRightMargin(slipMarginX).
		WithTopMargin(slipMarginY).WithBottomMargin(slipMarginY).
		WithMaxGridSize(grid).
		WithCustomFonts(fs.custom).
		WithDefaultFont(&props.Font{Family: family, Size: sizeBody, Color: black}).
		WithTitle(bi("slip.title"), true).
		WithCreator("Kense "+version.Version, true).
		WithCreationDate(s.Date.UTC()).
		WithCompression(true).
		Build()
	m := maroto.New(cfg)
	l := &layout{fs: fs, pages: 1,
		width: cfg.Dimensions.Width - 2*slipMarginX,
		pageH: cfg.Dimensions.Height - 2*slipMarginY}

	text := func(t string, size float64, bold bool, a align.Type) para {
		return para{text: t, size: size, bold: bold, align: a}
	}
	full := func(h float64, ps ...para) built { return l.row(h, cell{span: grid, paras: ps}) }
	// field is a labelled line of the table: the bilingual label, the value.
	field := func(key, value string, size float64) built {
		return l.row(11,
			cell{span: 38, border: border.Full, fill: headFill, paras: []para{text(bi(key), sizeBody, false, align.Left)}},
			cell{span: 62, border: border.Full, paras: []para{text(value, size, true, align.Left)}},
		)
	}
	date := s.Date.Format("02.01.2006")
	rows := []built{
		full(10, text(bi("slip.title"), sizeTitle, true, align.Center)),
		full(6, text(bi("slip.subtitle"), sizeBody, false, align.Center)),
		space(3),
		l.row(9, cell{span: grid, border: border.Full, fill: redFill, paras: []para{
			{text: bi("slip.confidential"), size: sizeBody, bold: true, color: red, align: align.Center}}}),
		space(6),
		field("slip.name", clean(s.FullName), sizeValue),
		field("slip.iin", clean(s.IIN), sizeValue),
		field("slip.login", clean(s.Login), 14),
		field("slip.password", pw, 16),
		field("slip.date", date, sizeValue),
		space(6),
		full(0, text(bi("slip.change"), sizeBody, true, align.Left)),
		space(2),
		full(0, text(bi("slip.rules"), sizeBody, false, align.Left)),
		space(14),
		// The administrator who hands it over, and the user who receives it.
		l.row(8,
			cell{span: 45, border: border.Bottom, paras: []para{text(clean(s.IssuedBy), sizeValue, false, align.Center)}},
			cell{span: 10},
			cell{span: 45, border: border.Bottom},
		),
		l.row(0,
			cell{span: 45, top: true, paras: []para{{text: bi("slip.issued"), size: sizeCaption, color: grey, align: align.Center}}},
			cell{span: 10},
			cell{span: 45, top: true, paras: []para{{text: bi("slip.issued.sig"), size: sizeCaption, color: grey, align: align.Center}}},
		),
		space(14),
		l.row(8,
			cell{span: 45, border: border.Bottom, paras: []para{text(clean(s.FullName), sizeValue, false, align.Center)}},
			cell{span: 10},
			cell{span: 45, border: border.Bottom},
		),
		l.row(0,
			cell{span: 45, top: true, paras: []para{{text: bi("slip.received"), size: sizeCaption, color: grey, align: align.Center}}},
			cell{span: 10},
			cell{span: 45, top: true, paras: []para{{text: bi("slip.received.sig"), size: sizeCaption, color: grey, align: align.Center}}},
		),
		space(10),
		full(0, text(bi("slip.received.date"), sizeBody, false, align.Left)),
	}
	for _, b := range rows {
		m.AddRows(b.r)
	}
	doc, err := m.Generate()
	if err != nil {
		return nil, generateErr(err)
	}
	return doc.GetBytes(), nil
}
