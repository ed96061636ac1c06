package pdf

import (
	"fmt"
	"strconv"
	"time"

	"kense/form"
	"kense/iin"
)

// exampleForm is an application with Kazakh text in every field and n
// rows cycling through both user types and all thirteen operations.
func exampleForm(n int) form.Form {
	f := form.Form{
		ID:      "KNS-2026-0042",
		Subunit: `"Азаматтарға арналған үкімет" Мемлекеттік корпорациясы" КЕАҚ Алматы қаласы бойынша филиалының жылжымайтын мүлікті тіркеу бөлімі`,
		Date:    "2026-11-23",
		Head:    form.Head{Position: "Бөлім басшысы", FullName: "Әбілқайыров Ғалымжан Қуанышұлы"},
	}
	names := []string{"Өтегенова Әйгерім Ұлықбекқызы", "Құрманғалиев Нұрсұлтан Һидаятұлы", "Іскаков Үмбетәлі Ғабитұлы", "Smith John"}
	positions := []string{"Бас маман", "Жетекші маман-тіркеуші", "Техник-инвентаризатор", "Архивариус"}
	for i := range n {
		ut := 1 + i%2
		op := 1 + i%13
		var levels []string
		if form.GrantsOrChangesRights(op) {
			if ut == 1 {
				levels = []string{"B", "F"}
			} else {
				levels = []string{"G"}
			}
		}
		f.Rows = append(f.Rows, form.Row{
			FullName:     fmt.Sprintf("%s %d", names[i%len(names)], i+1),
			IIN:          exampleIIN(i),
			IP:           fmt.Sprintf("10.%d.%d.%d", 1+i/250%250, i%250, 1+i%200),
			UserType:     ut,
			Operation:    op,
			AccessLevels: levels,
			Position:     positions[i%len(positions)],
		})
		if form.OrderRequired(op) {
			f.Rows[i].OrderFile = fmt.Sprintf("orders/order-%d.pdf", i+1)
			f.AttachmentPages++
		}
	}
	return f
}

// exampleIIN is a valid IIN, different for each i: born 1990-MM-DD, serial
// from i, with its check digit.
func exampleIIN(i int) string {
	for serial := 1000 + i*7; ; serial++ {
		s := fmt.Sprintf("90%02d%02d%d%04d", 1+i%12, 1+i%28, 3+i%2, serial%10000)
		var d [11]int
		for k := range d {
			d[k] = int(s[k] - '0')
		}
		if c, ok := iin.CheckDigit(d); ok {
			return s + strconv.Itoa(c)
		}
	}
}

var fixedNow = func() time.Time { return time.Date(2026, 11, 23, 14, 30, 0, 0, time.FixedZone("ALMT", 5*3600)) }
