package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"kense/i18n"
	"kense/iin"
	"kense/password"
)

func init() {
	register("password", "check a new RER SDB password against the policy (password check)", runPassword)
}

// stdin is where "password check" reads the passwords; tests replace it.
var stdin io.Reader = os.Stdin

// runPassword: "password check -login L -name N -iin IIN [-old]". The
// candidate is read from standard input (without echo on a terminal); with
// -old the previous password comes first, on its own line. Broken rules go
// to stdout one per line in the user's language; exit 1 when any rule is
// broken, 0 when none is, 2 on bad arguments or input. There is no
// history here: the reuse rule is the server's.
func runPassword(args []string, stdout, stderr io.Writer) int {
	lang := i18n.Current()
	usage := func() int { fmt.Fprintln(stderr, i18n.TL(lang, "pw.cli.usage")); return 2 }
	if len(args) == 0 || args[0] != "check" {
		return usage()
	}
	fs := flag.NewFlagSet("password check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	login := fs.String("login", "", "account login")
	name := fs.String("name", "", "full name: surname, name, patronymic")
	number := fs.String("iin", "", "IIN (gives the birth date)")
	old := fs.Bool("old", false, "the previous password comes first on standard input")
	pos, err := parseInterleaved(fs, args[1:])
	if err != nil || len(pos) != 0 || *login == "" || *name == "" || *number == "" {
		return usage()
	}
	if !iin.Valid(*number) {
		fmt.Fprintln(stderr, "kensectl password: "+i18n.TL(lang, "pw.cli.bad_iin", "iin", *number))
		return 2
	}
	var previous []byte
	if *old {
		previous, err = readSecretLine(stderr, i18n.TL(lang, "pw.cli.prompt_old"))
		if err != nil {
			return inputProblem(stderr, lang, err)
		}
		defer clear(previous)
	}
	candidate, err := readSecretLine(stderr, i18n.TL(lang, "pw.cli.prompt_new"))
	if err != nil {
		if *old && errors.Is(err, errNoLine) {
			err = errNoNew
		}
		return inputProblem(stderr, lang, err)
	}
	defer clear(candidate)
	res := password.Check(candidate, password.User{Login: *login, FullName: *name, IIN: *number}, previous, nil)
	broken := password.Broken(res)
	if len(broken) == 0 {
		checked := 0
		for _, r := range res {
			if !r.Skipped {
				checked++
			}
		}
		fmt.Fprintln(stdout, i18n.TL(lang, "pw.cli.ok", "n", checked))
		return 0
	}
	for _, r := range broken {
		fmt.Fprintln(stdout, r.Message(lang))
	}
	fmt.Fprintln(stderr, i18n.TL(lang, "pw.cli.broken", "n", len(broken)))
	return 1
}

var (
	errNoLine = errors.New("no line on standard input")
	errNoNew  = errors.New("no new password after the previous one")
)

func inputProblem(stderr io.Writer, lang i18n.Lang, err error) int {
	key := ""
	switch {
	case errors.Is(err, errNoNew):
		key = "pw.cli.no_previous"
	case errors.Is(err, errNoLine):
		key = "pw.cli.no_input"
	}
	if key != "" {
		fmt.Fprintln(stderr, "kensectl password: "+i18n.TL(lang, key))
	} else {
		fmt.Fprintln(stderr, "kensectl password: "+err.Error())
	}
	return 2
}

// readSecretLine reads one line from stdin: on a terminal with a prompt
// and without echo, otherwise as piped. An empty line is a (blank)
// password; end of input before any byte is errNoLine. The line end (\n or
// \r\n) is dropped, nothing else: spaces are the policy's business.
func readSecretLine(stderr io.Writer, prompt string) ([]byte, error) {
	if f, ok := stdin.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			fmt.Fprint(stderr, prompt)
			p, err := readPasswordNoEcho(f)
			fmt.Fprintln(stderr)
			return p, err
		}
	}
	line := make([]byte, 0, 128) // non-nil: an empty line is a blank password
	b := make([]byte, 1)
	for {
		// Byte by byte, so that the next line stays unread for the next call.
		n, err := stdin.Read(b)
		if n == 1 {
			if b[0] == '\n' {
				break
			}
			line = appendWiping(line, b[0])
		}
		if err == io.EOF {
			if n == 0 && len(line) == 0 {
				return nil, errNoLine
			}
			break
		}
		if err != nil {
			clear(line)
			return nil, err
		}
	}
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, nil
}

// appendWiping appends c, wiping the old array when it has to grow, so no
// stray copy of the password stays in memory.
func appendWiping(line []byte, c byte) []byte {
	if len(line) < cap(line) {
		return append(line, c)
	}
	grown := make([]byte, len(line), 2*cap(line)+1)
	copy(grown, line)
	clear(line)
	return append(grown, c)
}
