package password

import "unicode"

// translit gives the Latin spellings of each Kazakh and Russian Cyrillic
// letter (lowercase) in three styles, so that a name's fragments are found
// however its owner spells it in Latin:
//
//	0: passport (ICAO 9303 as Kazakh and Russian passports print it):
//	   ж zh, х kh, ц ts, щ shch, й i, ю iu, я ia; Kazakh letters drop their
//	   marks (ә a, ғ g, қ k, ң n, ө o, ұ ү u, і i, һ h);
//	1: everyday (how people type their names in e-mail addresses and logins):
//	   й y, х h, ц c, ж j, ю yu, я ya, ё yo, щ sch, қ q (the 2021 Kazakh
//	   Latin alphabet), ы i;
//	2: alternative: х x, ж zh, й j, ю ju, я ja, ә ae, ө oe, ү ue, ғ gh,
//	   ң ng, ц tz.
//
// A letter with one entry is spelt the same in all styles. Each variant of
// a name is built with one style throughout; mixed spellings within one name
// are still caught because the rule forbids 3-letter fragments, which rarely
// span more than one ambiguous letter.
var translit = map[rune][]string{
	'а': {"a"}, 'б': {"b"}, 'в': {"v"}, 'г': {"g"}, 'д': {"d"},
	'е': {"e"}, 'ё': {"e", "yo", "jo"}, 'ж': {"zh", "j", "zh"}, 'з': {"z"},
	'и': {"i"}, 'й': {"i", "y", "j"}, 'к': {"k"}, 'л': {"l"}, 'м': {"m"},
	'н': {"n"}, 'о': {"o"}, 'п': {"p"}, 'р': {"r"}, 'с': {"s"}, 'т': {"t"},
	'у': {"u"}, 'ф': {"f"}, 'х': {"kh", "h", "x"}, 'ц': {"ts", "c", "tz"},
	'ч': {"ch"}, 'ш': {"sh"}, 'щ': {"shch", "sch", "sh"}, 'ъ': {"ie", "", ""},
	'ы': {"y", "i", "y"}, 'ь': {""}, 'э': {"e"}, 'ю': {"iu", "yu", "ju"},
	'я': {"ia", "ya", "ja"},
	'ә': {"a", "a", "ae"}, 'ғ': {"g", "g", "gh"}, 'қ': {"k", "q", "q"},
	'ң': {"n", "n", "ng"}, 'ө': {"o", "o", "oe"}, 'ұ': {"u"},
	'ү': {"u", "u", "ue"}, 'һ': {"h"}, 'і': {"i"},
	// Ukrainian/Belarusian letters that appear in some Kazakhstani names.
	'ї': {"i", "yi", "ji"}, 'є': {"ie", "ye", "je"}, 'ў': {"u"},
}

// translitStyles is the number of spelling styles in translit.
const translitStyles = 3

// transliterate spells lowercase runes r in Latin with style s; runes that
// are not Cyrillic pass through.
func transliterate(r []rune, s int) []rune {
	out := make([]rune, 0, len(r)+len(r)/2)
	for _, c := range r {
		t, ok := translit[c]
		if !ok {
			out = append(out, c)
			continue
		}
		out = append(out, []rune(t[min(s, len(t)-1)])...)
	}
	return out
}

// The Russian ЙЦУКЕН layout and the Kazakh layout (Windows "Kazakh",
// kbdkaz, after РСТ КазССР 903-90) on the keys of a US keyboard. Rows 1–3 are the same in both; the Kazakh layout
// puts ә і ң ғ ү ұ қ ө һ on the number row. Only unshifted keys are listed:
// candidates are lowercased before they are compared.
var (
	latinRows = [4]string{
		"`1234567890-=",
		"qwertyuiop[]\\",
		"asdfghjkl;'",
		"zxcvbnm,./",
	}
	russianRows = [4]string{
		"ё1234567890-=",
		"йцукенгшщзхъ\\",
		"фывапролджэ",
		"ячсмитьбю.",
	}
	kazakhRows = [4]string{
		"(\"әіңғ,.үұқөһ",
		"йцукенгшщзхъ\\",
		"фывапролджэ",
		"ячсмитьбю№",
	}
	// The shifted Latin symbol row, so that !@#$ counts as a run like 1234.
	latinShiftedRow = "~!@#$%^&*()_+"
)

// cyrToKey maps a lowercase Cyrillic letter to the Latin character its key
// types with the US layout active (п → g), keyToCyr the other way
// (Russian layout). They let the checker see that "gfhjkm" is "пароль"
// typed on the wrong layout, and that "Ctqnjdf" is the name "Сейтова".
var cyrToKey, keyToCyr = func() (map[rune]rune, map[rune]rune) {
	c2k, k2c := map[rune]rune{}, map[rune]rune{}
	for _, rows := range [][4]string{russianRows, kazakhRows} {
		for i := range rows {
			lat := []rune(latinRows[i])
			for j, c := range []rune(rows[i]) {
				if j >= len(lat) || !unicode.Is(unicode.Cyrillic, c) {
					continue
				}
				if _, dup := c2k[c]; !dup {
					c2k[c] = lat[j]
				}
			}
		}
	}
	for i := range russianRows {
		lat := []rune(latinRows[i])
		for j, c := range []rune(russianRows[i]) {
			if unicode.IsLetter(lat[j]) || unicode.Is(unicode.Cyrillic, c) {
				k2c[lat[j]] = c
			}
		}
	}
	return c2k, k2c
}()

// typedOnLayout maps Cyrillic letters of r to the Latin keys they sit on;
// other runes pass through.
func typedOnLayout(r []rune) []rune {
	out := make([]rune, len(r))
	for i, c := range r {
		if k, ok := cyrToKey[c]; ok {
			c = k
		}
		out[i] = c
	}
	return out
}

// readAsRussian maps Latin keys to the Russian letters on them (one rune
// for one rune, so positions stay aligned); other runes pass through.
func readAsRussian(r []rune) []rune {
	out := make([]rune, len(r))
	for i, c := range r {
		if k, ok := keyToCyr[c]; ok {
			c = k
		}
		out[i] = c
	}
	return out
}
