package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"regexp"
	"strings"
	"time"

	"kense/api"
	"kense/client"
	"kense/i18n"
)

func init() {
	register("check", "check a printed application (PDF) against the applications submitted to kense-server", runCheck)
}

// checkOut is what `kensectl check` prints.
type checkOut struct {
	File        string           `json:"file,omitempty"`
	SHA256      string           `json:"sha256"`
	Match       bool             `json:"match"`
	Application *api.Application `json:"application,omitempty"`
}

// hashLine finds the "SHA-256: <64 hex>" line that every page of the PDF
// carries (package pdf prints form.HashHex beside the QR code).
var hashLine = regexp.MustCompile(`SHA-256:\s*([0-9a-fA-F]{64})`)

// pdfHash reads the SHA-256 a printed application carries, with Poppler's
// pdftotext (on Windows: pdftotext.exe from Poppler or Xpdf on PATH).
func pdfHash(path string) (string, error) {
	tool, err := exec.LookPath("pdftotext")
	if err != nil {
		return "", errNoPdftotext
	}
	out, err := exec.Command(tool, "-raw", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		return "", fmt.Errorf("pdftotext: %w", err)
	}
	found := map[string]bool{}
	for _, m := range hashLine.FindAllStringSubmatch(string(out), -1) {
		found[strings.ToLower(m[1])] = true
	}
	if len(found) != 1 {
		return "", errNoHash
	}
	for h := range found {
		return h, nil
	}
	return "", errNoHash
}

// almaty: Kazakhstan's time (UTC+5), as the printout shows it.
var almaty = time.FixedZone("Asia/Almaty", 5*60*60)

var (
	errNoPdftotext = errors.New("pdftotext not found")
	errNoHash      = errors.New("no single SHA-256 line in the PDF")
)

// runCheck: kensectl check FORM.pdf -server URL [-token T] | -sha256 HEX.
// Exit 0: the printout is a submitted application (its facts printed);
// 1: it matches none, or the check failed; 2: usage.
func runCheck(args []string, stdout, stderr io.Writer) int {
	lang := i18n.Current()
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	serverURL := fs.String("server", os.Getenv("KENSE_SERVER"), "kense-server address (default $KENSE_SERVER)")
	token := fs.String("token", "", "session token (default $KENSE_TOKEN)")
	sha := fs.String("sha256", "", "the SHA-256 printed on the form, instead of the PDF")
	timeout := fs.Duration("timeout", client.DefaultTimeout, "timeout of each request")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseInterleaved(fs, args)
	if err != nil || *serverURL == "" || (len(pos) == 1) == (*sha != "") || len(pos) > 1 || *timeout <= 0 {
		fmt.Fprintln(stderr, i18n.TL(lang, "sync.cli.usage_check"))
		return 2
	}
	tok := *token
	if tok == "" {
		tok = os.Getenv("KENSE_TOKEN")
	}
	if tok == "" {
		fmt.Fprintln(stderr, "kensectl check: "+i18n.TL(lang, "sync.cli.no_token"))
		return 2
	}
	out := checkOut{SHA256: strings.ToLower(strings.TrimSpace(*sha))}
	if len(pos) == 1 {
		out.File = pos[0]
		h, err := pdfHash(pos[0])
		switch {
		case errors.Is(err, errNoPdftotext):
			fmt.Fprintln(stderr, "kensectl check: "+i18n.TL(lang, "sync.cli.no_pdftotext"))
			return 1
		case errors.Is(err, errNoHash):
			fmt.Fprintln(stderr, "kensectl check: "+i18n.TL(lang, "sync.cli.no_hash", "file", pos[0]))
			return 1
		case err != nil:
			fmt.Fprintln(stderr, "kensectl check: "+i18n.TL(lang, "sync.cli.cannot_read", "file", pos[0], "err", err.Error()))
			return 1
		}
		out.SHA256 = h
	}
	if b, err := hex.DecodeString(out.SHA256); err != nil || len(b) != 32 {
		fmt.Fprintln(stderr, i18n.TL(lang, "sync.cli.usage_check"))
		return 2
	}
	base, err := client.ParseServerURL(*serverURL)
	if err != nil {
		fmt.Fprintln(stderr, "kensectl check: "+client.UserMessage(err, lang))
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	c := client.New(base, client.Options{Timeout: *timeout})
	c.SetToken(tok)
	app, err := c.Application(ctx, out.SHA256)
	var ae *client.APIError
	if err != nil && !(errors.As(err, &ae) && ae.Code == api.CodeNotFound) {
		fmt.Fprintln(stderr, "kensectl check: "+client.UserMessage(err, lang))
		return 1
	}
	out.Application, out.Match = app, app != nil
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(out)
	} else if app != nil {
		fmt.Fprintln(stdout, i18n.TL(lang, "sync.cli.check_match", "sha", out.SHA256,
			"time", app.SubmittedAt.In(almaty).Format("2006-01-02 15:04"), "name", app.SignerName, "iin", app.SignerIIN,
			"serial", app.CertSerial, "status", i18n.TL(lang, "sync.app."+app.Status)))
		if app.Reason != "" {
			fmt.Fprintln(stdout, i18n.TL(lang, "sync.cli.check_reason", "reason", app.Reason))
		}
	} else {
		fmt.Fprintln(stdout, i18n.TL(lang, "sync.cli.check_nomatch", "sha", out.SHA256))
	}
	if !out.Match {
		return 1
	}
	return 0
}
