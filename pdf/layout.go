package pdf

import (
	"github.com/johnfercher/maroto/v2/pkg/components/col"
	"github.com/johnfercher/maroto/v2/pkg/components/page"
	"github.com/johnfercher/maroto/v2/pkg/components/row"
	"github.com/johnfercher/maroto/v2/pkg/components/text"
	"github.com/johnfercher/maroto/v2/pkg/consts/align"
	"github.com/johnfercher/maroto/v2/pkg/consts/border"
	"github.com/johnfercher/maroto/v2/pkg/consts/breakline"
	"github.com/johnfercher/maroto/v2/pkg/consts/fontstyle"
	"github.com/johnfercher/maroto/v2/pkg/core"
	"github.com/johnfercher/maroto/v2/pkg/props"
)

// Maroto lays rows out top to bottom and starts a new page when a row does
// not fit, but it cannot repeat a table's header on the pages the table
// spans, nor keep a block together. So every row here has a fixed height,
// computed from the same font metrics and the same line breaking maroto
// uses, and layout keeps the running height of the page exactly as maroto
// does (same comparisons, same float operations): it knows where maroto
// will break the page and puts the table header, or a whole block, there.

const (
	grid    = 100       // maroto grid: column spans are percentages
	ptToMM  = 25.4 / 72 // font size (pt) → line height (mm), as maroto
	lineGap = 0.6       // mm between the lines of one paragraph
	paraGap = 0.5       // mm between the paragraphs of one cell
	padX    = 1.0       // mm of text inset from a cell's sides
	padY    = 0.9       // mm of text inset from a cell's top and bottom
)

// para is one paragraph of a cell.
type para struct {
	text  string
	bold  bool
	size  float64 // pt
	color *props.Color
	align align.Type
}

// gridBorders draws a table row's lines: each cell draws its left and bottom edges,
// the first row of a table also its top, the last column its right edge.
// Drawing each edge once (not a full box per cell) halves the line
// operators of a large table and keeps shared edges one line thick.
func gridBorders(cells []cell, top bool) []cell {
	for i := range cells {
		b := border.Left | border.Bottom
		if top {
			b |= border.Top
		}
		if i == len(cells)-1 {
			b |= border.Right
		}
		cells[i].border = b
	}
	return cells
}

// cell is one column of a row.
type cell struct {
	span   int // of grid
	paras  []para
	border border.Type
	fill   *props.Color
	top    bool // align the text to the top instead of centring it
	padY   float64
	qr     bool // the cell holds the page's QR code (layout.qrCols)
}

// layout plans the document row by row; apply hands the plan to maroto.
// Planning needs only the measuring fonts, so it runs while maroto.New
// parses the fonts for its own gofpdf and the QR code is encoded.
type layout struct {
	fs      *fontSet
	ops     []op
	qrCols  []core.Col // cells that get the QR code once it is encoded
	width   float64    // usable page width, mm
	pageH   float64    // usable page height, mm (maroto's root cell)
	headerH float64    // rows maroto repeats at the top of each page
	footerH float64    // rows maroto puts at the bottom of each page
	cur     float64    // height used on the current page, as maroto counts it
	pages   int
}

// op is a step of the plan: rows to add, on a new page or where they fall.
type op struct {
	rows    []core.Row
	newPage bool
}

// apply adds the planned rows to m, whose header and footer are registered.
func (l *layout) apply(m core.Maroto) {
	for _, o := range l.ops {
		if o.newPage {
			m.AddPages(page.New().Add(o.rows...))
		} else {
			m.AddRows(o.rows...)
		}
	}
}

// built is a row ready to add, with its height.
type built struct {
	r core.Row
	h float64
}

func fontHeight(size float64) float64 { return size * ptToMM }

// measure returns the height of each paragraph of c and whether it needs
// maroto's dash strategy.
func (l *layout) measure(c cell) (hs []float64, dash []bool) {
	w := l.width*float64(c.span)/float64(grid) - padX - padX
	for _, p := range c.paras {
		n, d := l.fs.lines(p.text, p.bold, p.size, w)
		hs = append(hs, float64(n)*fontHeight(p.size)+float64(n-1)*lineGap)
		dash = append(dash, d)
	}
	return hs, dash
}

// row builds a row of cells, at least minH tall.
func (l *layout) row(minH float64, cells ...cell) built {
	type m struct {
		hs   []float64
		dash []bool
		h    float64
	}
	ms := make([]m, len(cells))
	height := minH
	for i := range cells {
		cells[i].paras = nonEmpty(cells[i].paras)
	}
	for i, c := range cells {
		hs, dash := l.measure(c)
		h := 0.0
		for j, x := range hs {
			if j > 0 {
				h += paraGap
			}
			h += x
		}
		pad := padY
		if c.padY != 0 {
			pad = c.padY
		}
		if len(hs) > 0 {
			height = max(height, h+2*pad)
		}
		ms[i] = m{hs, dash, h}
	}
	r := row.New(height)
	for i, c := range cells {
		k := col.New(c.span)
		if c.border != border.None || c.fill != nil {
			k.WithStyle(&props.Cell{BorderType: c.border, BackgroundColor: c.fill})
		}
		if c.qr {
			l.qrCols = append(l.qrCols, k)
		}
		y := (height - ms[i].h) / 2
		if c.top {
			y = padY
			if c.padY != 0 {
				y = c.padY
			}
		}
		for j, p := range c.paras {
			style := fontstyle.Normal
			if p.bold {
				style = fontstyle.Bold
			}
			strategy := breakline.EmptySpaceStrategy
			if ms[i].dash[j] {
				strategy = breakline.DashStrategy
			}
			a := p.align
			if a == "" {
				a = align.Left
			}
			k.Add(text.New(p.text, props.Text{
				Family: family, Style: style, Size: p.size, Color: p.color, Align: a,
				Top: y, Left: padX, Right: padX, VerticalPadding: lineGap,
				BreakLineStrategy: strategy,
			}))
			y += ms[i].hs[j] + paraGap
		}
		r.Add(k)
	}
	return built{r, height}
}

// space is an empty row h mm tall.
func space(h float64) built { return built{row.New(h).Add(col.New()), h} }

// room is the height a page offers to body rows.
func (l *layout) room() float64 { return l.pageH - l.headerH - l.footerH }

// fits reports whether a row h mm tall still fits on the current page, by
// maroto's own test (Maroto.addRow).
func (l *layout) fits(h float64) bool { return h+l.cur+l.footerH <= l.pageH }

// add appends rows, letting maroto break pages where it must.
func (l *layout) add(rows ...built) {
	for _, b := range rows {
		if !l.fits(b.h) {
			l.cur = 0
			l.cur += l.headerH
			l.pages++
		}
		l.cur += b.h
		if n := len(l.ops); n > 0 && !l.ops[n-1].newPage {
			l.ops[n-1].rows = append(l.ops[n-1].rows, b.r)
		} else {
			l.ops = append(l.ops, op{rows: []core.Row{b.r}})
		}
	}
}

// newPage starts a new page (unless the current one is still empty) with
// rows at its top.
func (l *layout) newPage(rows ...built) {
	if l.cur != l.headerH {
		l.cur = 0
		l.cur += l.headerH
		l.pages++
	}
	rs := make([]core.Row, len(rows))
	for i, b := range rows {
		rs[i] = b.r
		if !l.fits(b.h) {
			l.cur = 0
			l.cur += l.headerH
			l.pages++
		}
		l.cur += b.h
	}
	l.ops = append(l.ops, op{rows: rs, newPage: true})
}

// keep adds rows as one block: on a new page if they do not fit on this
// one but would on an empty page.
func (l *layout) keep(rows ...built) {
	total := 0.0
	for _, b := range rows {
		total += b.h
	}
	if !l.fits(total) && total <= l.room() {
		l.newPage(rows...)
		return
	}
	l.add(rows...)
}

// nonEmpty drops empty paragraphs: maroto gives them a negative height.
func nonEmpty(ps []para) []para {
	out := make([]para, 0, len(ps))
	for _, p := range ps {
		if p.text != "" {
			out = append(out, p)
		}
	}
	return out
}
