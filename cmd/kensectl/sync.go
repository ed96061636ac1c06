package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"

	"kense/cache"
	"kense/client"
	"kense/i18n"
)

func init() {
	register("sync", "push the local cache's drafts to kense-server and pull the changes made elsewhere", runSync)
}

// syncOut is what `kensectl sync -json` prints.
type syncOut struct {
	Account  string            `json:"account"`
	Adopted  int               `json:"adopted"`
	Report   client.SyncReport `json:"report"`
	Overview cache.Overview    `json:"overview"`
}

// runSync: kensectl sync -server URL [-profile DIR] [-token T]. The
// session token comes from -token or KENSE_TOKEN only: it is a credential
// and is never written to disk (get one from the app or the sign-in API).
// Drafts of no account in the cache are given to the token's account
// first. Exit 0: synced (conflicts, if any, are reported and wait for the
// app); 1: the sync failed (nothing is lost: run it again); 2: usage.
func runSync(args []string, stdout, stderr io.Writer) int {
	lang := i18n.Current()
	fs := flag.NewFlagSet("sync", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	serverURL := fs.String("server", os.Getenv("KENSE_SERVER"), "kense-server address (default $KENSE_SERVER)")
	profile := fs.String("profile", "", "folder of the local cache (default: the app's)")
	token := fs.String("token", "", "session token (default $KENSE_TOKEN)")
	timeout := fs.Duration("timeout", client.DefaultTimeout, "timeout of each request")
	asJSON := fs.Bool("json", false, "print the outcome as JSON")
	pos, err := parseInterleaved(fs, args)
	if err != nil || len(pos) != 0 || *serverURL == "" || *timeout <= 0 {
		fmt.Fprintln(stderr, i18n.TL(lang, "sync.cli.usage_sync"))
		return 2
	}
	tok := *token
	if tok == "" {
		tok = os.Getenv("KENSE_TOKEN")
	}
	if tok == "" {
		fmt.Fprintln(stderr, "kensectl sync: "+i18n.TL(lang, "sync.cli.no_token"))
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintln(stderr, "kensectl sync: "+i18n.TL(lang, "sync.cli.failed", "err", client.UserMessage(err, lang)))
		return 1
	}
	base, err := client.ParseServerURL(*serverURL)
	if err != nil {
		return fail(err)
	}
	st, ok := openProfile(*profile, stderr, "kensectl sync")
	if !ok {
		return 1
	}
	defer st.Close()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	c := client.New(base, client.Options{Timeout: *timeout})
	c.SetToken(tok)
	me, err := c.Me(ctx)
	if err != nil {
		return fail(err)
	}
	out := syncOut{Account: me.Account.IIN}
	if out.Adopted, err = st.AdoptUnowned(out.Account); err != nil {
		fmt.Fprintln(stderr, "kensectl sync: "+cache.UserMessage(err, lang))
		return 1
	}
	sy := client.NewSyncer(c, st, client.SyncOptions{})
	sy.SetAccount(out.Account)
	out.Report, err = sy.Sync(ctx)
	if err != nil {
		return fail(err)
	}
	if out.Overview, err = st.SyncOverview(out.Account); err != nil {
		fmt.Fprintln(stderr, "kensectl sync: "+cache.UserMessage(err, lang))
		return 1
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(out)
		return 0
	}
	if out.Adopted > 0 {
		fmt.Fprintln(stdout, i18n.TL(lang, "sync.cli.adopted", "n", out.Adopted, "iin", out.Account))
	}
	r, o := out.Report, out.Overview
	fmt.Fprintln(stdout, i18n.TL(lang, "sync.cli.done", "pushed", r.Pushed, "pulled", r.Pulled, "conflicts", r.Conflicts, "refused", r.Refused))
	fmt.Fprintln(stdout, i18n.TL(lang, "sync.overview.counts", "synced", o.Synced, "pending", o.Pending, "conflicts", o.Conflicts, "refused", o.Refused))
	if o.Conflicts > 0 {
		fmt.Fprintln(stdout, i18n.TL(lang, "sync.cli.conflicts_left", "n", o.Conflicts))
	}
	return 0
}
