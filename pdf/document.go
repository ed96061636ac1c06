package pdf

import (
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/johnfercher/maroto/v2"
	"github.com/johnfercher/maroto/v2/pkg/config"
	"github.com/johnfercher/maroto/v2/pkg/consts/align"
	"github.com/johnfercher/maroto/v2/pkg/consts/border"
	"github.com/johnfercher/maroto/v2/pkg/consts/orientation"
	"github.com/johnfercher/maroto/v2/pkg/consts/pagesize"
	"github.com/johnfercher/maroto/v2/pkg/core"
	"github.com/johnfercher/maroto/v2/pkg/props"

	"kense/form"
	"kense/i18n"
	"kense/version"
)

// Page: A4 landscape, so that the eight columns of the operations table
// keep their bilingual headers and an IIN or IP address on one line.
const (
	marginLeft   = 20.0 // binding side, as Kazakh office paper has it
	marginRight  = 10.0
	marginTop    = 10.0
	marginBottom = 12.0 // the page number sits in it
)

// maxID bounds the document ID: it is machine-made (a UUID is 36
// characters), and the footer, which holds it twice, must stay small.
const maxID = 100

// Font sizes, pt.
const (
	sizeTitle   = 14.0
	sizeValue   = 10.5
	sizeBody    = 9.0
	sizeHeading = 9.0
	sizeTable   = 7.5
	sizeHead    = 7.0
	sizeLegend  = 7.0
	sizeCaption = 6.5
	sizeSmall   = 6.0
)

var (
	black    = &props.Color{Red: 0, Green: 0, Blue: 0}
	grey     = &props.Color{Red: 85, Green: 85, Blue: 85}
	headFill = &props.Color{Red: 232, Green: 232, Blue: 232}
	red      = &props.Color{Red: 190, Green: 0, Blue: 0}
	redFill  = &props.Color{Red: 255, Green: 226, Blue: 226}
)

// Column spans of the operations table (of 100): №, full name, IIN, IP,
// user type, operation type, access level, position.
var tableSpans = [8]int{4, 24, 10, 10, 10, 8, 10, 24}

// bi is the bilingual text of a catalogue key: Kazakh / English, as the
// whole form is printed whatever the interface language.
func bi(key string, args ...any) string {
	return form.Label{KK: i18n.TL(i18n.KK, key, args...), EN: i18n.TL(i18n.EN, key, args...)}.Bilingual()
}

// render returns the PDF and the number of pages the layout counted (tests
// hold it against the PDF's own count: the two agree only while layout
// breaks pages exactly where maroto does).
func render(fs *fontSet, f form.Form, opt Options) ([]byte, int, error) {
	if len(f.ID) > maxID {
		return nil, 0, &Error{Key: "pdf.err.id_too_long", Args: []any{"max", maxID}}
	}
	now := opt.now()
	clean := sanitizer(fs)
	payload := qrPayload(f, !opt.Final)

	author := clean(f.Head.FullName)
	if author == "" {
		author = "Kense"
	}
	title := form.TitleLabel.Bilingual()
	if s := clean(f.Subunit); s != "" {
		title += ": " + s
	}
	cfg := config.NewBuilder().
		WithPageSize(pagesize.A4).
		WithOrientation(orientation.Horizontal).
		WithLeftMargin(marginLeft).WithRightMargin(marginRight).
		WithTopMargin(marginTop).WithBottomMargin(marginBottom).
		WithMaxGridSize(grid).
		WithCustomFonts(fs.custom).
		WithDefaultFont(&props.Font{Family: family, Size: sizeBody, Color: black}).
		WithPageNumber(props.PageNumber{Pattern: "{current} / {total}", Place: props.RightBottom, Size: 8, Color: black}).
		WithTitle(title, true).
		WithAuthor(author, true).
		WithSubject(form.TableTitleLabel.Bilingual(), true).
		WithCreator("Kense "+version.Version, true).
		WithKeywords(payload, true).
		WithCreationDate(now.UTC()). // gofpdf writes no zone: UTC is what readers assume
		WithCompression(true).
		Build()
	// The three slow starts run side by side: maroto.New parses the fonts
	// for its gofpdf, the QR code is encoded, and the layout is planned.
	mc := make(chan core.Maroto, 1)
	go func() { mc <- maroto.New(cfg) }()
	type qrResult struct {
		png []byte
		err error
	}
	qc := make(chan qrResult, 1)
	go func() { b, err := qrPNG(payload); qc <- qrResult{b, err} }()

	l := &layout{
		fs: fs, pages: 1,
		width: cfg.Dimensions.Width - marginLeft - marginRight,
		pageH: cfg.Dimensions.Height - marginTop - marginBottom,
	}
	footer := l.footer(f, opt, payload, now, clean)
	l.footerH = 0
	l.footerH += footer[0].h
	l.footerH += footer[1].h
	var banner [2]built
	if !opt.Final {
		banner = l.draftBanner()
		l.headerH = 0
		l.headerH += banner[0].h
		l.headerH += banner[1].h
	}
	l.cur = l.headerH
	l.heading(f, clean)
	err := l.table(f, clean)
	if err == nil {
		l.legends()
		l.signature(f, clean)
	}
	m, qr := <-mc, <-qc
	switch {
	case err != nil:
		return nil, 0, err
	case qr.err != nil:
		return nil, 0, generateErr(qr.err)
	}
	for _, c := range l.qrCols {
		c.Add(qrImage(qr.png))
	}

	if err := m.RegisterFooter(footer[0].r, footer[1].r); err != nil {
		return nil, 0, generateErr(err)
	}
	if !opt.Final {
		if err := m.RegisterHeader(banner[0].r, banner[1].r); err != nil {
			return nil, 0, generateErr(err)
		}
	}
	l.apply(m)
	doc, err := m.Generate()
	if err != nil {
		return nil, 0, generateErr(err)
	}
	return doc.GetBytes(), l.pages, nil
}

// sanitizer makes a field printable: control characters (line breaks,
// tabs) become spaces, runs of spaces one, invisible format characters go,
// and a rune the fonts cannot draw becomes "?". The QR hash is of the form
// as given, not of this.
func sanitizer(fs *fontSet) func(string) string {
	return func(s string) string {
		var b strings.Builder
		space := false
		for _, r := range s {
			switch {
			case unicode.IsSpace(r) || unicode.IsControl(r):
				space = true
				continue
			case unicode.Is(unicode.Cf, r): // invisible: zero-width space, BOM, soft hyphen
				continue
			case !fs.covered(r):
				r = '?'
			}
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		}
		return b.String()
	}
}

func (l *layout) draftBanner() [2]built {
	return [2]built{
		l.row(8, cell{span: grid, fill: redFill, border: border.Full, paras: []para{
			{text: bi("pdf.draft") + "  —  " + bi("pdf.draft.note"), bold: true, size: 11, color: red, align: align.Center},
		}}),
		space(2),
	}
}

// footer is the block at the bottom of every page: a rule, then the QR
// code, the document's ID and hash, and the signature (or draft mark).
func (l *layout) footer(f form.Form, opt Options, payload string, now time.Time, clean func(string) string) [2]built {
	id := clean(f.ID)
	if id == "" {
		id = "—"
	}
	info := []para{
		{text: bi("pdf.docid") + ": " + id, size: sizeCaption, bold: true},
		{text: "SHA-256: " + form.HashHex(f), size: sizeCaption},
		{text: payload, size: sizeSmall - 0.5, color: grey},
		{text: bi("pdf.generated") + ": " + now.Format("2006-01-02 15:04 -07:00"), size: sizeSmall - 0.5, color: grey},
	}
	var right []para
	switch s := opt.Signature; {
	case s != nil:
		right = []para{
			{text: bi("pdf.sig.title"), size: sizeCaption, bold: true},
			{text: bi("pdf.sig.signer") + ": " + clean(s.SignerName), size: sizeCaption},
			{text: bi("pdf.sig.iin") + ": " + clean(s.IIN), size: sizeCaption},
			{text: bi("pdf.sig.cert") + ": " + clean(s.CertSerial), size: sizeCaption},
			{text: bi("pdf.sig.time") + ": " + s.SignedAt.Format("2006-01-02 15:04:05 -07:00"), size: sizeCaption},
		}
	case !opt.Final:
		right = []para{{text: bi("pdf.draft"), size: 12, bold: true, color: red, align: align.Right}}
	}
	return [2]built{
		l.row(2.5, cell{span: grid, border: border.Bottom}),
		l.row(22,
			cell{span: 8, qr: true},
			cell{span: 1},
			cell{span: 46, top: true, padY: 1.2, paras: info},
			cell{span: 45, top: true, padY: 1.2, paras: right},
		),
	}
}

// heading is the title, subunit, date and the request sentence.
func (l *layout) heading(f form.Form, clean func(string) string) {
	caption := func(lb form.Label, span int) cell {
		return cell{span: span, top: true, padY: 0.6, paras: []para{{text: lb.Bilingual(), size: sizeCaption, color: grey, align: align.Center}}}
	}
	value := func(s string, span int) cell {
		return cell{span: span, border: border.Bottom, paras: []para{{text: s, size: sizeValue, bold: true, align: align.Center}}}
	}
	l.add(
		l.row(9, cell{span: grid, paras: []para{{text: form.TitleLabel.Bilingual(), size: sizeTitle, bold: true, align: align.Center}}}),
		l.row(7, cell{span: 10}, value(clean(f.Subunit), 80)),
		l.row(0, cell{span: 10}, caption(form.SubunitLabel, 80)),
		space(2),
		l.row(7, cell{span: 56}, value(dateText(clean(f.Date)), 34)),
		l.row(0, cell{span: 56}, caption(form.DateLabel, 34)),
		space(3),
		l.row(0, cell{span: grid, paras: []para{{text: form.RequestLabel.Bilingual(), size: sizeBody}}}),
		space(2),
	)
}

var monthsKK = [12]string{"қаңтар", "ақпан", "наурыз", "сәуір", "мамыр", "маусым", "шілде", "тамыз", "қыркүйек", "қазан", "қараша", "желтоқсан"}

// dateText prints YYYY-MM-DD the way the form's date line reads:
// «23» қараша / November 2026 жыл / year. Anything else (a draft's
// half-typed date) is printed as it is.
func dateText(s string) string {
	d, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	if err != nil {
		return strings.TrimSpace(s)
	}
	return "«" + strconv.Itoa(d.Day()) + "» " + monthsKK[d.Month()-1] + " / " + d.Month().String() +
		" " + strconv.Itoa(d.Year()) + " " + form.YearLabel.Bilingual()
}

// table is the operations table; its header row starts every page it
// spans.
func (l *layout) table(f form.Form, clean func(string) string) error {
	title := l.row(0, cell{span: grid, paras: []para{{text: form.TableTitleLabel.Bilingual(), size: sizeHeading + 1, bold: true, align: align.Center}}})
	labels := []form.Label{form.ColNumber, form.ColFullName, form.ColIIN, form.ColIP, form.ColUserType, form.ColOperation, form.ColAccessLevel, form.ColPosition}
	hc := make([]cell, len(labels))
	for i, lb := range labels {
		ps := []para{{text: lb.KK, size: sizeHead, bold: true, align: align.Center}}
		if lb.EN != "" {
			ps = append(ps, para{text: lb.EN, size: sizeHead, align: align.Center})
		}
		hc[i] = cell{span: tableSpans[i], fill: headFill, paras: ps}
	}
	header := l.row(0, gridBorders(hc, true)...)

	rows := make([]built, len(f.Rows))
	for i, r := range f.Rows {
		vals := [8]string{
			strconv.Itoa(i + 1), clean(r.FullName), clean(r.IIN), clean(r.IP),
			codeText(r.UserType), codeText(r.Operation), clean(strings.Join(r.AccessLevels, ", ")), clean(r.Position),
		}
		cs := make([]cell, len(vals))
		for j, v := range vals {
			a := align.Left
			if j == 0 || j == 4 || j == 5 || j == 6 {
				a = align.Center
			}
			cs[j] = cell{span: tableSpans[j], paras: []para{{text: v, size: sizeTable, align: a}}}
			if v == "" {
				cs[j].paras = nil
			}
		}
		rows[i] = l.row(5, gridBorders(cs, false)...)
		if rows[i].h+header.h > l.room() {
			return &Error{Key: "pdf.err.row_too_tall", Args: []any{"n", i + 1}}
		}
	}
	if len(rows) == 0 {
		// An empty table still shows where the rows go, as the blank form does.
		for i := range 3 {
			cs := make([]cell, len(tableSpans))
			for j := range cs {
				cs[j] = cell{span: tableSpans[j]}
			}
			cs[0].paras = []para{{text: strconv.Itoa(i + 1), size: sizeTable, align: align.Center}}
			rows = append(rows, l.row(6, gridBorders(cs, false)...))
		}
	}
	// The title and header stay with the first row: all three on a new
	// page if they do not fit here.
	gap := space(1)
	if !l.fits(title.h + gap.h + header.h + rows[0].h) {
		l.newPage()
	}
	l.add(title, gap, header)
	for _, r := range rows {
		if !l.fits(r.h) {
			l.newPage(header, r)
			continue
		}
		l.add(r)
	}
	l.add(space(4))
	return nil
}

func codeText(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// legends are the four tables that explain the codes, as on the form.
func (l *layout) legends() {
	heading := func(lb form.Label) built {
		return l.row(0, cell{span: grid, top: true, padY: 1.2, paras: []para{{text: lb.Bilingual(), size: sizeHeading, bold: true}}})
	}
	codeCell := func(s string, span int) cell {
		return cell{span: span, paras: []para{{text: s, size: sizeLegend, bold: true, align: align.Center}}}
	}
	labelCell := func(lb form.Label, span int) cell {
		return cell{span: span, paras: []para{{text: lb.Bilingual(), size: sizeLegend}}}
	}

	block := []built{heading(form.UserTypesTitle)}
	for _, u := range form.UserTypes {
		block = append(block, l.row(4.5, gridBorders([]cell{codeCell(strconv.Itoa(u.Code), 4), labelCell(u.Label, 96)}, len(block) == 1)...))
	}
	l.keep(block...)
	l.add(space(2))

	// Thirteen operations in two column pairs, read down the left first.
	block = []built{heading(form.OperationsTitle)}
	ops := form.Operations
	half := (len(ops) + 1) / 2
	for i := range half {
		cs := []cell{codeCell(strconv.Itoa(ops[i].Code), 4), labelCell(ops[i].Label, 46)}
		if j := i + half; j < len(ops) {
			cs = append(cs, codeCell(strconv.Itoa(ops[j].Code), 4), labelCell(ops[j].Label, 46))
		} else {
			cs = append(cs, cell{span: 4}, cell{span: 46})
		}
		block = append(block, l.row(4.5, gridBorders(cs, i == 0)...))
	}
	l.keep(block...)
	l.add(space(2))

	l.accessLevels(form.AccessType1Title, form.AccessLevelsUserType1, 3, heading, codeCell, labelCell)
	l.add(space(2))
	l.accessLevels(form.AccessType2Title, form.AccessLevelsUserType2, 2, heading, codeCell, labelCell)
	l.add(space(3))
}

// accessLevels prints a level list in n column pairs read downwards, as the
// form lays them out (A–F | G–L | M–P for user type 1).
func (l *layout) accessLevels(title form.Label, levels []form.AccessLevel, n int,
	heading func(form.Label) built, codeCell func(string, int) cell, labelCell func(form.Label, int) cell) {
	perCol := (len(levels) + n - 1) / n
	labelSpan := (grid - 4*n) / n
	block := []built{heading(title)}
	for i := range perCol {
		var cs []cell
		for c := range n {
			span := labelSpan
			if c == n-1 {
				span = grid - 4*n - labelSpan*(n-1)
			}
			if k := c*perCol + i; k < len(levels) {
				cs = append(cs, codeCell(levels[k].Code, 4), labelCell(levels[k].Label, span))
			} else {
				cs = append(cs, cell{span: 4}, cell{span: span})
			}
		}
		block = append(block, l.row(4.5, gridBorders(cs, i == 0)...))
	}
	l.keep(block...)
}

// signature is the attachment line and the head's signature block, kept
// together on one page.
func (l *layout) signature(f form.Form, clean func(string) string) {
	attach := strings.ReplaceAll(form.AttachmentLabel.Bilingual(), "{n}", strconv.Itoa(f.AttachmentPages))
	value := func(s string, span int) cell {
		return cell{span: span, border: border.Bottom, paras: []para{{text: s, size: sizeValue, align: align.Center}}}
	}
	caption := func(lb form.Label, span int) cell {
		return cell{span: span, top: true, padY: 0.6, paras: []para{{text: lb.Bilingual(), size: sizeCaption, color: grey, align: align.Center}}}
	}
	gap := cell{span: 4}
	l.keep(
		l.row(0, cell{span: grid, paras: []para{{text: attach, size: sizeBody}}}),
		space(4),
		l.row(0, cell{span: grid, paras: []para{{text: form.HeadLabel.Bilingual(), size: sizeHeading, bold: true}}}),
		space(5),
		l.row(7, value(clean(f.Head.Position), 40), gap, value(clean(f.Head.FullName), 34), gap, value("", 18)),
		l.row(0, caption(form.HeadPositionLabel, 40), gap, caption(form.HeadFullNameLabel, 34), gap, caption(form.SignatureLabel, 18)),
		space(5),
		l.row(0, cell{span: 40, paras: []para{{text: form.PlaceOfSealLabel.Bilingual(), size: sizeBody - 1}}}),
	)
}
