package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"kense/form"
	"kense/i18n"
	"kense/pdf"
)

func init() {
	register("render", "print an application (JSON) as its bilingual PDF", runRender)
}

// runRender is `kensectl render FILE.json -o OUT.pdf [-draft]`: it reads and
// validates the application as `validate` does (orders resolved next to the
// JSON file) and prints it. A form with problems is refused (exit 1, the
// problems listed) unless -draft asks for a print marked ЖОБА / DRAFT.
func runRender(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("render", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", i18n.T("pdf.cli.flag.o"))
	draft := fs.Bool("draft", false, i18n.T("pdf.cli.flag.draft"))
	fs.Usage = func() {
		fmt.Fprintln(stderr, i18n.T("pdf.cli.usage"))
		fs.PrintDefaults()
	}
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return 2
	}
	if len(pos) != 1 {
		fs.Usage()
		return 2
	}
	if *out == "" {
		fmt.Fprintln(stderr, i18n.T("pdf.cli.need_out"))
		return 2
	}
	lang := i18n.Current()
	in := pos[0]

	f, err := form.Load(in)
	if err != nil {
		var re *form.ReadError
		if errors.As(err, &re) {
			fmt.Fprintln(stderr, re.Message(lang))
		} else {
			fmt.Fprintln(stderr, err)
		}
		return 1
	}
	problems := form.Validate(f, form.Options{OrderExists: form.OrderChecker(in)})
	if len(problems) > 0 && !*draft {
		fmt.Fprintln(stderr, i18n.T("pdf.cli.refused", "file", in, "n", len(problems)))
		for _, p := range problems {
			fmt.Fprintln(stderr, "  "+p.Line(lang))
		}
		return 1
	}

	b, err := pdf.Render(f, pdf.Options{Final: !*draft})
	if err != nil {
		var pe *pdf.Error
		if errors.As(err, &pe) {
			fmt.Fprintln(stderr, pe.Message(lang))
		} else {
			fmt.Fprintln(stderr, err)
		}
		return 1
	}
	if err := writePDF(*out, b); err != nil {
		fmt.Fprintln(stderr, i18n.T("pdf.cli.write", "file", *out, "err", err.Error()))
		return 1
	}
	if *draft {
		fmt.Fprintln(stdout, i18n.T("pdf.cli.wrote_draft", "file", *out, "n", len(problems)))
	} else {
		fmt.Fprintln(stdout, i18n.T("pdf.cli.wrote", "file", *out))
	}
	return 0
}

// writePDF replaces path with b through a temporary file beside it, so a
// failed write never leaves half a PDF under the name asked for.
func writePDF(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".kense-*.pdf")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(b)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}
