package password

// A run is MinRun or more consecutive characters that step one place at a
// time, all in the same direction, along one of the sequences below:
// a keyboard row of the Latin (QWERTY), Russian (ЙЦУКЕН) or Kazakh layout,
// the shifted Latin digit row (!@#$), the digits, or the Latin, Russian or
// Kazakh alphabet. "123", "321", "qwe", "ewq", "фыв", "әің", "zyx" are runs;
// "123321" holds two. A repeat is MinRun or more equal characters ("aaa",
// "111"). Matching is case-insensitive.
const MinRun = 3

// sequence is one ordered run of characters an attacker walks along.
type sequence struct {
	name  string
	pos   map[rune]int
	size  int
	board bool // a keyboard row rather than an alphabet
}

var sequences = func() []sequence {
	var out []sequence
	add := func(name, s string, board bool) {
		r := []rune(s)
		pos := make(map[rune]int, len(r))
		for i, c := range r {
			if _, dup := pos[c]; !dup {
				pos[c] = i
			}
		}
		out = append(out, sequence{name, pos, len(r), board})
	}
	add("digits", "0123456789", false)
	add("latin", "abcdefghijklmnopqrstuvwxyz", false)
	add("russian", "абвгдеёжзийклмнопрстуфхцчшщъыьэюя", false)
	// Russian alphabet as often recited, without ё.
	add("russian-e", "абвгдежзийклмнопрстуфхцчшщъыьэюя", false)
	add("kazakh", "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя", false)
	for _, rows := range [][4]string{latinRows, russianRows, kazakhRows} {
		for _, row := range rows {
			add("row", row, true)
		}
	}
	add("row", latinShiftedRow, true)
	add("row", "!\"№;%:?*()_+", true) // Russian shifted digit row
	// The Kazakh number row's letters without the punctuation between them.
	add("row", "әіңғүұқөһ", true)
	return out
}()

// span is a run or repeat found in a password, runes [i, j).
type span struct {
	i, j    int
	repeat  bool
	seqSize int  // alphabet size of the sequence (runs)
	board   bool // a keyboard row
	reverse bool
}

// findRuns returns every maximal run and repeat of at least MinRun runes in
// lowercase runes r. Spans may overlap (a row and an alphabet can share
// characters).
func findRuns(r []rune) []span {
	var out []span
	for i := 0; i+MinRun <= len(r); {
		j := i + 1
		for j < len(r) && r[j] == r[i] {
			j++
		}
		if j-i >= MinRun {
			out = append(out, span{i: i, j: j, repeat: true})
		}
		i = j
	}
	for _, s := range sequences {
		for _, d := range []int{1, -1} {
			for i := 0; i+MinRun <= len(r); {
				j := i + 1
				for j < len(r) {
					p, ok1 := s.pos[r[j-1]]
					q, ok2 := s.pos[r[j]]
					if !ok1 || !ok2 || q-p != d {
						break
					}
					j++
				}
				if j-i >= MinRun {
					out = append(out, span{i: i, j: j, seqSize: s.size, board: s.board, reverse: d < 0})
					i = j - 1 // a run may turn back: "123321" is 123 and 321
					continue
				}
				i++
			}
		}
	}
	return out
}
