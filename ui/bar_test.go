package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// The bar's labels give way with "…" when room is short; buttons never do,
// and with room to spare everything shows whole, right-aligned.
func TestBarLayoutGivesWayOnlyWithLabels(t *testing.T) {
	test.NewTempApp(t)
	lock := widget.NewButton("Құлыптау", nil)
	name := shrinkLabel("НҰРЛАНОВА АЙГҮЛ СЕРІКҚЫЗЫ")
	sync := shrinkLabel("Синхрондалды 03:12")
	out := widget.NewButton("Шығу", nil)
	bar := container.New(barLayout{}, sync, name, lock, out)
	whole := natural(name)
	if whole <= shrinkMin {
		t.Fatalf("the name measures %.0f: the test needs a long one", whole)
	}

	bar.Resize(fyne.NewSize(2000, 40))
	if name.Size().Width != whole || sync.Size().Width != natural(sync) {
		t.Errorf("with room to spare the labels are cut: %.0f of %.0f", name.Size().Width, whole)
	}
	if right := out.Position().X + out.Size().Width; right != 2000 {
		t.Errorf("the bar ends at %.0f, not at the right edge", right)
	}

	min := bar.MinSize().Width
	full := natural(sync) + whole + lock.MinSize().Width + out.MinSize().Width
	if min >= full {
		t.Fatalf("the bar's minimum %.0f is not below its full width %.0f: it cannot give way", min, full)
	}
	bar.Resize(fyne.NewSize(min, 40))
	for _, b := range []*widget.Button{lock, out} {
		if b.Size().Width < b.MinSize().Width {
			t.Errorf("%q squeezed to %.0f (needs %.0f)", b.Text, b.Size().Width, b.MinSize().Width)
		}
	}
	if name.Size().Width >= whole || name.Size().Width < shrinkMin-1 {
		t.Errorf("narrow bar: the name is %.0f wide (whole %.0f, floor %d)", name.Size().Width, whole, shrinkMin)
	}
	if out.Position().X+out.Size().Width > min+0.5 {
		t.Errorf("narrow bar: the last button runs past the bar")
	}
}
