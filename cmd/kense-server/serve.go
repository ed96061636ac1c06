package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"kense/i18n"
	"kense/server"
	"kense/version"
)

// runServe serves until SIGINT/SIGTERM (or ctx ends), then shuts down
// gracefully. ready, when set, receives the listening URL (tests).
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer, ready chan<- string) int {
	fs := newFlags("serve", stderr)
	data := fs.String("data", "", "data directory (holds "+server.DataFileName+")")
	addr := fs.String("addr", "127.0.0.1:8443", "listen address")
	tlsCert := fs.String("tls-cert", "", "TLS certificate (PEM)")
	tlsKey := fs.String("tls-key", "", "TLS private key (PEM)")
	cfgFile := fs.String("config", "", "JSON config file (flags override it)")
	var trust, inter, crls multiFlag
	fs.Var(&trust, "trust", "trust anchor certificate file or folder (repeatable)")
	fs.Var(&inter, "intermediate", "intermediate CA certificate file or folder (repeatable)")
	fs.Var(&crls, "crl", "CRL file or http(s) URL (repeatable)")
	ocspURL := fs.String("ocsp", "", "OCSP responder URL")
	revocation := fs.String("revocation", "", "revocation policy: require, prefer (default) or off")
	crlEvery := fs.Duration("crl-refresh", time.Hour, "how often to reload the CRLs (0: never)")
	demo := fs.Bool("demo", false, "demo mode: create (once) and trust a demo PKI with demo accounts in DATA/demo")
	latest := fs.String("latest-version", "", "the newest Kense release (e.g. 0.2.0): older apps tell their user")
	download := fs.String("download-url", "", "where that release is (https URL), shown with the notice")
	if err := parse(fs, args); err != nil {
		return 2
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	var fc server.FileConfig
	if *cfgFile != "" {
		c, err := server.LoadFileConfig(*cfgFile)
		if err != nil {
			return fail(stderr, err)
		}
		fc = *c
	}
	st, err := openStore(*data)
	if err != nil {
		return fail(stderr, err)
	}
	defer st.Close()

	// A demo config file already names its trust; -demo alone makes one.
	if *demo || (fc.Demo && len(fc.Trust.Anchors) == 0) {
		dc, err := ensureDemo(st, filepath.Join(*data, "demo"), stdout)
		if err != nil {
			return fail(stderr, err)
		}
		if len(fc.Trust.Anchors) == 0 {
			fc.Trust = dc.Trust
		}
		fc.Demo = true
	}
	if set["addr"] || fc.Addr == "" {
		fc.Addr = *addr
	}
	if set["tls-cert"] {
		fc.TLSCert = *tlsCert
	}
	if set["tls-key"] {
		fc.TLSKey = *tlsKey
	}
	if len(trust) > 0 {
		fc.Trust.Anchors = trust
	}
	if len(inter) > 0 {
		fc.Trust.Intermediates = inter
	}
	if len(crls) > 0 {
		fc.Trust.CRLs = crls
	}
	if set["ocsp"] {
		fc.Trust.OCSP = *ocspURL
	}
	if set["revocation"] {
		fc.Trust.Revocation = *revocation
	}
	if set["latest-version"] {
		fc.LatestVersion = *latest
	}
	if set["download-url"] {
		fc.DownloadURL = *download
	}
	if (fc.TLSCert == "") != (fc.TLSKey == "") {
		return fail(stderr, errors.New("give both -tls-cert and -tls-key"))
	}
	if fc.TLSCert == "" && !loopback(fc.Addr) {
		return fail(stderr, errors.New(i18n.T("srv.cli.insecure_addr", "addr", fc.Addr)))
	}

	log := slog.New(slog.NewJSONHandler(stderr, nil))
	ver, err := server.NewEDSVerifier(ctx, fc.Trust, time.Now, nil)
	if err != nil {
		return fail(stderr, err)
	}
	rv := server.NewReloadingVerifier(ver, fc.Trust.CRLs, nil)
	srv, err := server.New(server.Config{
		Store: st, Verifier: rv, Logger: log, Demo: fc.Demo,
		IdleLockMinutes:    fc.IdleLockMinutes,
		SessionIdleTimeout: time.Duration(fc.SessionIdleMinutes) * time.Minute,
		SessionMaxAge:      time.Duration(fc.SessionMaxHours) * time.Hour,
		ChallengeLifetime:  time.Duration(fc.ChallengeSeconds) * time.Second,
		MaxFailures:        fc.MaxFailures,
		LockDuration:       time.Duration(fc.LockMinutes) * time.Minute,
		LatestVersion:      fc.LatestVersion,
		DownloadURL:        fc.DownloadURL,
	})
	if err != nil {
		return fail(stderr, err)
	}

	ln, err := net.Listen("tcp", fc.Addr)
	if err != nil {
		return fail(stderr, err)
	}
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    32 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	scheme := "http"
	if fc.TLSCert != "" {
		scheme = "https"
	}
	url := scheme + "://" + ln.Addr().String()

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	go srv.Run(ctx)
	go rv.RunCRLReload(ctx, *crlEvery, log)
	errc := make(chan error, 1)
	go func() {
		if fc.TLSCert != "" {
			errc <- hs.ServeTLS(ln, fc.TLSCert, fc.TLSKey)
		} else {
			errc <- hs.Serve(ln)
		}
	}()
	log.Info("listening", "url", url, "demo", fc.Demo, "revocation", ver.Policy, "anchors", len(ver.Anchors),
		"crls", len(ver.CRLs), "ocsp", fc.Trust.OCSP != "", "version", version.Version)
	fmt.Fprintln(stdout, i18n.T("srv.cli.listening", "url", url))
	if ready != nil {
		ready <- url
	}
	select {
	case err := <-errc:
		return fail(stderr, err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fail(stderr, err)
	}
	fmt.Fprintln(stdout, i18n.T("srv.cli.stopped"))
	return 0
}

// loopback reports whether a listen address is on the loopback interface.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ensureDemo creates the demo in dir once (keys, CA, accounts) and returns
// its config; it prints where the key files are and their password.
func ensureDemo(st server.Store, dir string, stdout io.Writer) (*server.FileConfig, error) {
	cfg := filepath.Join(dir, server.DemoConfigFile)
	if _, err := os.Stat(cfg); err == nil {
		fmt.Fprintln(stdout, i18n.T("srv.cli.demo_reused", "dir", dir, "password", server.DemoKeyPassword))
		return server.LoadFileConfig(cfg)
	}
	info, err := server.CreateDemo(st, dir, time.Now())
	if err != nil {
		return nil, err
	}
	printDemo(stdout, info)
	return server.LoadFileConfig(cfg)
}

func printDemo(w io.Writer, info *server.DemoInfo) {
	fmt.Fprintln(w, i18n.T("srv.cli.demo_created", "dir", info.Dir, "password", info.KeyPassword))
	fmt.Fprint(w, info.Text())
}

func runDemo(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("demo", stderr)
	data := fs.String("data", "", "data directory")
	out := fs.String("out", "", "where to write the demo PKI (default DATA/demo)")
	if err := parse(fs, args); err != nil {
		return 2
	}
	st, err := openStore(*data)
	if err != nil {
		return fail(stderr, err)
	}
	defer st.Close()
	dir := *out
	if dir == "" {
		dir = filepath.Join(*data, "demo")
	}
	info, err := server.CreateDemo(st, dir, time.Now())
	if err != nil {
		return fail(stderr, err)
	}
	printDemo(stdout, info)
	fmt.Fprintln(stdout, i18n.T("srv.cli.demo_serve", "data", *data, "config", info.ConfigFile))
	return 0
}
