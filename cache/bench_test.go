package cache

import (
	"fmt"
	"testing"
)

// BenchmarkSaveDraft50Rows is one autosave of a full application: a 50-row
// draft encoded, written and fsync'd.
func BenchmarkSaveDraft50Rows(b *testing.B) {
	s := openTemp(b)
	d, err := s.NewDraft(sampleForm("Алматы облысы бойынша филиал", 50, 870412300100))
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	for b.Loop() {
		i := n
		n++
		d.Form.Rows[i%50].IP = fmt.Sprintf("10.0.0.%d", i%250)
		if err := s.SaveDraft(d); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "saves/s")
}

// BenchmarkListDrafts200 is the drafts list with 200 drafts of 20 rows.
func BenchmarkListDrafts200(b *testing.B) {
	s := openTemp(b)
	for i := 0; i < 200; i++ {
		if _, err := s.NewDraft(sampleForm(fmt.Sprintf("Филиал %d", i), 20, int64(i)*1000)); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		if l, err := s.ListDrafts("филиал 1"); err != nil || len(l) == 0 {
			b.Fatal(len(l), err)
		}
	}
}
