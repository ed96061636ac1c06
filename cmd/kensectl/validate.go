package main

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"kense/form"
	"kense/i18n"
)

func init() {
	register("validate", "check an application FILE.json against the form's rules", runValidate)
}

// runValidate prints each problem as "row N: field: message" on stdout and
// exits 1 when there are any, 0 when the application is valid (with one
// "valid" line unless -q), 2 when the file cannot be read as an application
// or the arguments are wrong. Scanned orders are looked up relative to the
// JSON file.
func runValidate(args []string, stdout, stderr io.Writer) int {
	lang := i18n.Current()
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	quiet := fs.Bool("q", false, "print nothing when the application is valid")
	pos, err := parseInterleaved(fs, args)
	if err != nil || len(pos) != 1 {
		fmt.Fprintln(stderr, i18n.TL(lang, "form.cli.usage"))
		return 2
	}
	path := pos[0]
	f, err := form.Load(path)
	if err != nil {
		msg := err.Error()
		var re *form.ReadError
		if errors.As(err, &re) {
			msg = re.Message(lang)
		}
		fmt.Fprintln(stderr, "kensectl validate: "+i18n.TL(lang, "form.cli.cannot_read", "file", path, "err", msg))
		return 2
	}
	problems := form.Validate(f, form.Options{OrderExists: form.OrderChecker(path)})
	if len(problems) == 0 {
		if !*quiet {
			fmt.Fprintln(stdout, i18n.TL(lang, "form.cli.valid", "file", path, "rows", len(f.Rows)))
		}
		return 0
	}
	for _, p := range problems {
		fmt.Fprintln(stdout, p.Line(lang))
	}
	fmt.Fprintln(stderr, i18n.TL(lang, "form.cli.problems", "file", path, "n", len(problems)))
	return 1
}
