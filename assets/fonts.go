package assets

import "embed"

// Fonts holds the PDF fonts: Noto Sans regular and bold (SIL OFL 1.1, see
// fonts/OFL.txt). They cover Kazakh Cyrillic (Ә Ғ Қ Ң Ө Ұ Ү Һ І), Russian
// and Latin, so the bilingual application prints the same on any machine.
//
//go:embed fonts
var Fonts embed.FS
