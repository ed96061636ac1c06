package pdf

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"sync"

	"github.com/boombuler/barcode/qr"
	mimage "github.com/johnfercher/maroto/v2/pkg/components/image"
	"github.com/johnfercher/maroto/v2/pkg/consts/extension"
	"github.com/johnfercher/maroto/v2/pkg/core"
	"github.com/johnfercher/maroto/v2/pkg/props"
)

const (
	qrQuiet = 4 // modules of white border, as the QR standard asks
	qrScale = 4 // pixels per module: crisp even where a viewer smooths images
)

// qrPNG draws payload as a QR code (level M) in an 8-bit grey PNG. Maroto's
// own QR component converts each code to a 256-colour palette pixel by
// pixel, which took a fifth of a one-row render; gofpdf embeds a grey PNG
// as it is.
func qrPNG(payload string) ([]byte, error) {
	code, err := qr.Encode(payload, qr.M, qr.Auto)
	if err != nil {
		return nil, err
	}
	n := code.Bounds().Dx()
	side := (n + 2*qrQuiet) * qrScale
	img := image.NewGray(image.Rect(0, 0, side, side))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			if color.GrayModel.Convert(code.At(x, y)).(color.Gray).Y >= 0x80 {
				continue
			}
			for dy := 0; dy < qrScale; dy++ {
				row := ((y+qrQuiet)*qrScale + dy) * img.Stride
				for dx := 0; dx < qrScale; dx++ {
					img.Pix[row+(x+qrQuiet)*qrScale+dx] = 0
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := pngEncoder.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// pngEncoder keeps its zlib writer between codes (a new one allocates and
// clears about 1 MB).
var pngEncoder = png.Encoder{CompressionLevel: png.BestSpeed, BufferPool: &pngBuffers{}}

// pngBuffers is png.EncoderBufferPool on a sync.Pool: renders run side by side.
type pngBuffers struct{ p sync.Pool }

func (b *pngBuffers) Get() *png.EncoderBuffer {
	if e, ok := b.p.Get().(*png.EncoderBuffer); ok {
		return e
	}
	return nil
}
func (b *pngBuffers) Put(e *png.EncoderBuffer) { b.p.Put(e) }

func qrImage(pngBytes []byte) core.Component {
	return mimage.NewFromBytes(pngBytes, extension.Png, props.Rect{Percent: 100, Center: true})
}
