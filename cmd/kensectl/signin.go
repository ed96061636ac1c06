package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"kense/api"
	"kense/client"
	"kense/eds"
	"kense/i18n"
)

func init() {
	register("signin", "sign in to kense-server with an EDS key file or NCALayer; print the account", runSignin)
}

// signinOut is what `kensectl signin` prints. The session token is not
// printed: it is a credential, and the session is closed on exit.
type signinOut struct {
	Server           string       `json:"server"`
	Demo             bool         `json:"demo"`
	Account          api.Account  `json:"account"`
	SessionExpiresAt time.Time    `json:"sessionExpiresAt"`
	Warnings         []signinWarn `json:"warnings"`
	Key              *eds.KeyInfo `json:"key,omitempty"`
}

type signinWarn struct {
	Code      string `json:"code"`
	DaysLeft  int    `json:"daysLeft"`
	Threshold int    `json:"threshold"`
	Message   string `json:"message"` // in the user's language
}

// runSignin: kensectl signin -server URL FILE.p12 | -ncalayer [-login L].
// It checks that sign-in works end to end (the key, the server's trust,
// the account) and closes the session again.
func runSignin(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("signin", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	server := fs.String("server", os.Getenv("KENSE_SERVER"), "kense-server address (default $KENSE_SERVER)")
	login := fs.String("login", "", "login of an RER SDB account (password from KENSE_PASSWORD or asked)")
	useNCALayer := fs.Bool("ncalayer", false, "sign with NCALayer instead of a key file")
	ncalayerURL := fs.String("ncalayer-url", "", "NCALayer address (default wss://127.0.0.1:13579)")
	timeout := fs.Duration("timeout", client.DefaultTimeout, "timeout of each request to the server")
	pos, err := parseInterleaved(fs, args)
	if err != nil || *server == "" || (len(pos) == 1) == *useNCALayer || len(pos) > 1 || *timeout <= 0 {
		fmt.Fprintln(stderr, i18n.T("client.cli.usage_signin"))
		return 2
	}
	lang := i18n.Current()
	fail := func(err error) int {
		fmt.Fprintln(stderr, "kensectl signin: "+client.UserMessage(err, lang))
		return 1
	}
	base, err := client.ParseServerURL(*server)
	if err != nil {
		return fail(err)
	}

	var signer eds.Signer
	var key *eds.KeyInfo
	if *useNCALayer {
		s := client.NCALayerSigner(lang)
		s.URL = *ncalayerURL
		signer = s
	} else {
		pass, err := readKeyPassword(stderr)
		if err != nil {
			fmt.Fprintln(stderr, "kensectl signin: "+err.Error())
			return 1
		}
		kf, err := client.OpenKeyFile(pos[0], pass) // wipes pass
		if err != nil {
			return fail(err)
		}
		defer kf.Close()
		signer, key = kf, &kf.Info
	}
	var password []byte
	if *login != "" {
		if password, err = readAccountPassword(*login, stderr); err != nil {
			fmt.Fprintln(stderr, "kensectl signin: "+err.Error())
			return 1
		}
		defer clear(password)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	c := client.New(base, client.Options{Timeout: *timeout, UserAgent: "kensectl"})
	pol, err := c.Policy(ctx)
	if err != nil {
		return fail(err)
	}
	if pol.Demo {
		fmt.Fprintln(stderr, i18n.TL(lang, "client.cli.demo"))
	}
	res, err := c.SignIn(ctx, signer, *login, password)
	if err != nil {
		return fail(err)
	}
	defer c.SignOut(context.WithoutCancel(ctx))

	out := signinOut{Server: base, Demo: pol.Demo, Account: res.Account, SessionExpiresAt: res.ExpiresAt,
		Warnings: []signinWarn{}, Key: key}
	if key == nil && signer.Certificate() != nil {
		k := eds.Facts(signer.Certificate())
		out.Key = &k
	}
	fmt.Fprintln(stderr, i18n.TL(lang, "client.cli.signed_in", "name", res.Account.FullName, "iin", res.Account.IIN))
	for _, w := range res.Warnings {
		m := client.WarningMessage(w, lang)
		out.Warnings = append(out.Warnings, signinWarn{Code: w.Code, DaysLeft: w.DaysLeft, Threshold: w.Threshold, Message: m})
		fmt.Fprintln(stderr, "! "+m)
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		fmt.Fprintln(stderr, "kensectl signin: "+err.Error())
		return 1
	}
	return 0
}

// readAccountPassword takes an RER SDB account's password from
// KENSE_PASSWORD, else asks on the terminal without echo, else reads a line
// from stdin (after the key password's line). The caller wipes it.
func readAccountPassword(login string, stderr io.Writer) ([]byte, error) {
	if p, ok := os.LookupEnv("KENSE_PASSWORD"); ok && p != "" {
		return []byte(p), nil
	}
	if f, ok := edsStdin.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			fmt.Fprint(stderr, i18n.T("client.cli.login_password", "login", login))
			p, err := readPasswordNoEcho(f)
			fmt.Fprintln(stderr)
			return p, err
		}
	}
	p, err := readLine(edsStdin)
	if err != nil || len(p) == 0 {
		clear(p)
		return nil, errors.New(i18n.T("client.cli.no_password"))
	}
	return p, nil
}
