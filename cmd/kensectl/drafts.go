package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"kense/cache"
	"kense/form"
	"kense/i18n"
)

func init() {
	register("drafts", "import application files as drafts, or list the drafts of the local cache", runDrafts)
}

// openProfile opens the cache the app uses, in dir (default
// cache.DefaultDir()), so that the CLI and the app share drafts and outbox.
// The app holds the file's lock while it runs: close it first.
func openProfile(dir string, stderr io.Writer, cmd string) (*cache.Store, bool) {
	lang := i18n.Current()
	if dir == "" {
		d, err := cache.DefaultDir()
		if err != nil {
			fmt.Fprintln(stderr, cmd+": "+cache.UserMessage(err, lang))
			return nil, false
		}
		dir = d
	}
	st, err := cache.Open(filepath.Join(dir, "kense.db"), cache.Options{})
	if err != nil {
		fmt.Fprintln(stderr, cmd+": "+i18n.TL(lang, "sync.cli.cannot_open", "dir", dir, "err", cache.UserMessage(err, lang)))
		return nil, false
	}
	return st, true
}

// draftLine is one draft as `drafts list -json` prints it.
type draftLine struct {
	ID      string           `json:"id"`
	Subunit string           `json:"subunit"`
	Rows    int              `json:"rows"`
	Updated time.Time        `json:"updated"`
	Status  cache.SyncStatus `json:"status"`
	Version uint64           `json:"version"`
	Owner   string           `json:"owner,omitempty"`
	Shared  bool             `json:"shared,omitempty"`
	// AppStatus: submitted, accepted, rejected or done once submitted.
	AppStatus string `json:"appStatus,omitempty"`
}

// runDrafts: kensectl drafts import FILE.json... | drafts list.
// import stores each file (read as strictly as `validate` does) as a new
// draft, of the account -owner names or of none (the next `sync` gives
// such drafts to its account); list shows the drafts with their sync
// status, those of -owner only when given.
func runDrafts(args []string, stdout, stderr io.Writer) int {
	lang := i18n.Current()
	usage := func() int { fmt.Fprintln(stderr, i18n.TL(lang, "sync.cli.usage_drafts")); return 2 }
	if len(args) == 0 || (args[0] != "import" && args[0] != "list") {
		return usage()
	}
	verb := args[0]
	fs := flag.NewFlagSet("drafts "+verb, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	profile := fs.String("profile", "", "folder of the local cache (default: the app's)")
	owner := fs.String("owner", "", "IIN of the account the drafts belong to")
	query := fs.String("q", "", "list: subunit text or IIN prefix")
	asJSON := fs.Bool("json", false, "list: print JSON")
	pos, err := parseInterleaved(fs, args[1:])
	if err != nil || (verb == "import") != (len(pos) > 0) {
		return usage()
	}
	st, ok := openProfile(*profile, stderr, "kensectl drafts")
	if !ok {
		return 1
	}
	defer st.Close()
	if verb == "import" {
		return draftsImport(st, pos, *owner, stdout, stderr)
	}
	return draftsList(st, *owner, *query, *asJSON, stdout, stderr)
}

func draftsImport(st *cache.Store, files []string, owner string, stdout, stderr io.Writer) int {
	lang := i18n.Current()
	forms := make([]form.Form, len(files))
	for i, path := range files {
		f, err := form.LoadResolved(path)
		if err != nil {
			msg := err.Error()
			var re *form.ReadError
			if errors.As(err, &re) {
				msg = re.Message(lang)
			}
			fmt.Fprintln(stderr, "kensectl drafts: "+i18n.TL(lang, "sync.cli.cannot_read", "file", path, "err", msg))
			return 1
		}
		forms[i] = f
	}
	// All files or none: one transaction.
	ds, err := st.ImportDraftsFor(owner, forms)
	if err != nil {
		fmt.Fprintln(stderr, "kensectl drafts: "+cache.UserMessage(err, lang))
		return 1
	}
	for i, d := range ds {
		fmt.Fprintln(stdout, i18n.TL(lang, "sync.cli.imported", "file", files[i], "id", d.ID))
	}
	return 0
}

func draftsList(st *cache.Store, owner, query string, asJSON bool, stdout, stderr io.Writer) int {
	lang := i18n.Current()
	var sums []cache.Summary
	var err error
	if owner != "" {
		sums, err = st.ListDraftsFor(owner, query)
	} else {
		sums, err = st.ListDrafts(query)
	}
	if err != nil && sums == nil {
		fmt.Fprintln(stderr, "kensectl drafts: "+cache.UserMessage(err, lang))
		return 1
	}
	lines := make([]draftLine, 0, len(sums))
	for _, s := range sums {
		l := draftLine{ID: s.ID, Subunit: s.Subunit, Rows: s.Rows, Updated: s.Updated}
		if ds, err := st.SyncState(s.ID); err == nil {
			l.Status, l.Version, l.Owner, l.Shared, l.AppStatus = ds.Status, ds.Version, ds.Owner, ds.Shared, ds.AppStatus
		}
		lines = append(lines, l)
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(lines)
	} else if len(lines) == 0 {
		fmt.Fprintln(stdout, i18n.TL(lang, "sync.cli.no_drafts"))
	}
	if !asJSON {
		for _, l := range lines {
			fmt.Fprintf(stdout, "%s  %-28s  %3d  %s  %s\n", l.ID, i18n.TL(lang, "sync.status."+string(l.Status)),
				l.Rows, l.Updated.Local().Format("2006-01-02 15:04"), l.Subunit)
		}
	}
	if err != nil {
		// Some drafts could not be read: listed the others, say so.
		fmt.Fprintln(stderr, "kensectl drafts: "+cache.UserMessage(err, lang))
		return 1
	}
	return 0
}
