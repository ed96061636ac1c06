// Package password is the RER SDB password policy (access rules, chapter 4,
// rule 18) and the monthly-change clock (rules 15 and 17). The server
// enforces it and the change-password dialog ticks the same rules live:
// Check returns every rule, met or not, in display order.
//
// Decisions the seed leaves open:
//
//   - Admissible characters (rule 18.3 lists none): printable ASCII only,
//     '!' (0x21) to '~' (0x7E). Inadmissible: spaces, control and invisible
//     characters, Cyrillic and Kazakh letters, any other non-ASCII character,
//     invalid UTF-8. RER SDB passwords are typed on machines that switch
//     between the Latin, Russian and Kazakh layouts: a Cyrillic letter typed
//     by mistake cannot be reproduced at the next sign-in on a different
//     layout, Cyrillic and Latin look-alikes (а/a, о/o, с/c) make a password
//     impossible to read back from the slip, and the classes of rule 18.2
//     name Latin letters only. So Cyrillic letters are not "other symbols":
//     they are refused, and the message says to check the keyboard layout.
//   - Length is counted in characters (runes); at most MaxLength (128) so
//     that one attempt costs the server bounded work.
//   - "Fragments of the user name longer than two characters" (18.5): any 3
//     consecutive characters of the login (whole, and each part split at
//     punctuation) or of each word of the full name, case-insensitive, found
//     in the password as typed or with look-alikes undone (P@ss → pass).
//     Names are compared in Cyrillic, in three Latin transliterations
//     (passport/ICAO, everyday, alternative — see translit) and as typed on
//     the Latin keys of the Cyrillic layout (Сейтова → ctqnjdf). Name
//     words shorter than 3 letters add nothing; at most 16 words of 64
//     letters each are looked at.
//   - "Easily calculated combinations" (18.5): the owner's birth date (from
//     the IIN) in day-month-year, year-month-day and month-day-year order,
//     2- or 4-digit year, with or without leading zeros, with . - / or no
//     separator, day-and-month alone and the year alone; separators in the
//     password are also ignored ("15_03_85"); any 6 consecutive digits of
//     the IIN. Relatives' data, car and telephone numbers are unknown to the
//     system: the estimator rates any date or year as cheap instead.
//   - Keyboard runs (18.5): MinRun (3) or more consecutive characters
//     stepping one place in one direction along a row of the Latin QWERTY,
//     Russian ЙЦУКЕН or Kazakh (Windows kbdkaz) keyboard (including its
//     number row ә і ң ғ ү ұ қ ө һ, with or without the punctuation), the
//     shifted digit row, the digits, or the Latin, Russian or Kazakh
//     alphabet; and 3 or more equal characters. Case-insensitive. "123",
//     "321", "123321", "qwerty", "ytrewq", "zyxwvuts", "фыва", "әің" all fail.
//     Columns and diagonals (1qaz) are left to the dictionary.
//   - Dictionary (18.6): common.txt, about 3,500 common passwords and words
//     (top-password rankings, English words, Russian and Kazakh words in
//     Latin letters, names, places, clubs, and Cyrillic words), embedded,
//     written for Kense. The password fails when it is in the list as typed
//     (case-insensitive), with up to 8 leading and trailing digits and
//     symbols cut off, with look-alikes undone (@ a, 0 o, 1 i or l, $ s …),
//     reversed, or read as typed on the Russian layout (gfhjkm = пароль).
//   - Guessability (18.6): a zxcvbn-style estimate (see estimate.go) must
//     reach 10^MinGuessesLog10 = 10^8 guesses.
//   - Reuse (18.7): the History interface; the server checks the candidate
//     against the argon2id hashes of the account's past passwords.
//   - Difference (18.8): DiffPositions compares rune by rune,
//     case-sensitively, over the longer length; each position beyond the
//     shorter password counts as different. At least 5.
//   - Messages never quote the password or part of it: results may be
//     logged or sent over the network.
//
// Passwords are []byte; Check wipes every copy it makes and keeps nothing.
// There is no password generator (rule 15: the user alone creates the
// password).
package password
