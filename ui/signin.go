package ui

import (
	"context"
	"image/color"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kense/i18n"
)

// KeyFacts is what the sign-in screen shows of a certificate before it
// signs: whose key it is, who issued it, how long it is valid.
type KeyFacts struct {
	CommonName, IIN, BIN, Organization, Issuer string
	// KeyUsage: "AUTH", "SIGN" or "AUTH,SIGN".
	KeyUsage, Algorithm string
	NotBefore, NotAfter time.Time
}

// auth reports whether the key may sign in (it has the AUTH usage).
func (k KeyFacts) auth() bool {
	for _, u := range strings.Split(k.KeyUsage, ",") {
		if strings.TrimSpace(u) == "AUTH" {
			return true
		}
	}
	return false
}

// ServerFacts is what the app learns from a server before signing in.
type ServerFacts struct {
	Demo bool
	// IdleLock is the server's idle lock (0: unknown).
	IdleLock time.Duration
}

// SignInRequest is one press of "Sign in".
type SignInRequest struct {
	Server   string
	NCALayer bool // sign through NCALayer, else with the opened key file
	Login    string
	// Password is the RER SDB account password; the service wipes it.
	Password []byte
}

// SignedIn is the outcome the sign-in screen hands to the app.
type SignedIn struct {
	// Offline: the user chose "Work offline"; nothing else is set.
	Offline  bool
	Server   string
	FullName string
	IIN      string
	RER      bool // a RER SDB account (login + password + EDS)
	Demo     bool // a demo server: test keys only
	IdleLock time.Duration
	Key      KeyFacts
	// Warnings are already in the user's language (the EDS-year warnings
	// at 30, 14, 7 and 1 days).
	Warnings []string
	// Update is the newer release the server announces (zero: none); the
	// top bar tells the user.
	Update Update
	// PasswordChange: the server lets this RER SDB account do nothing but
	// change its password (primary, expired or compromised; rules 14, 16,
	// 17): the shell shows the change form before anything else.
	// PasswordChangeWhy says why, in the user's language.
	PasswordChange    bool
	PasswordChangeWhy string
	// PasswordDue: the password must be changed soon (from day 25, rule
	// 15), in the user's language; the shell offers to change it now. It
	// is not among Warnings.
	PasswordDue string
}

// SignInProblem is a failure as the screen shows it.
type SignInProblem struct {
	// Message says in the user's language what happened and what to do.
	Message string
	// Canceled: the user pressed Cancel in NCALayer; show nothing.
	Canceled bool
	// NeedLogin: the account is a RER SDB one and wants login + password.
	NeedLogin bool
	// WrongKeyPassword: the key file's password was wrong.
	WrongKeyPassword bool
}

// SignInService is what the sign-in screen needs; cmd/kense implements it
// over package session (session/sessionui). Calls may block (network,
// NCALayer): the screen makes them off the UI goroutine.
type SignInService interface {
	// Connect checks the address and reads the server's policy.
	Connect(ctx context.Context, server string) (ServerFacts, error)
	// OpenKey opens a key file (password wiped) and keeps its AUTH key for
	// SignIn. A file with only a SIGN key gives its facts AND an error.
	OpenKey(path string, password []byte) (KeyFacts, error)
	SignIn(ctx context.Context, req SignInRequest) (SignedIn, error)
	// Explain turns any error of the three into what the screen shows.
	Explain(err error) SignInProblem
}

// SignInSettings remembers the server, the key file and the method
// between runs (Store does).
type SignInSettings interface {
	Setting(key string) (string, bool, error)
	SetSetting(key, value string) error
}

// Settings the sign-in screen remembers. Never a password.
const (
	SettingSignInServer  = "signin.server"
	SettingSignInKeyFile = "signin.keyfile"
	SettingSignInMethod  = "signin.method" // "file" or "ncalayer"
)

// SignIn is the sign-in screen. Show Content(); onDone gets the result on
// the UI goroutine.
type SignIn struct {
	svc      SignInService
	win      fyne.Window
	onDone   func(SignedIn)
	settings SignInSettings
	// do runs fn on the UI goroutine (fyne.Do); run starts background work
	// (go fn()). Tests make both synchronous.
	do  func(fn func())
	run func(fn func())

	server   *widget.Entry
	method   *widget.RadioGroup
	keyPath  *widget.Entry
	choose   *widget.Button
	keyPass  *widget.Entry
	openKey  *widget.Button
	fileBox  *fyne.Container
	facts    *widget.Form
	factsBox *fyne.Container
	keyWarn  *widget.Label
	rer      *widget.Check
	login    *widget.Entry
	rerPass  *widget.Entry
	rerBox   *fyne.Container
	signIn   *widget.Button
	offline  *widget.Button
	progress *widget.ProgressBarInfinite
	message  *widget.Label
	demo     fyne.CanvasObject
	content  fyne.CanvasObject

	mu      sync.Mutex
	cancel  context.CancelFunc
	keyOK   bool   // a key file with an AUTH key is open
	keyFor  string // the path it was opened from
	busy    bool
	checked string // the server address whose policy was read last
}

// Method names kept in SettingSignInMethod.
const (
	signInFile     = "file"
	signInNCALayer = "ncalayer"
)

// NewSignIn builds the screen. Call UseSettings to pre-fill it.
func NewSignIn(svc SignInService, win fyne.Window, onDone func(SignedIn)) *SignIn {
	s := &SignIn{svc: svc, win: win, onDone: onDone, do: fyne.Do, run: func(fn func()) { go fn() }}
	s.build()
	return s
}

// SetRunner replaces how work is started (run, default go fn()) and how
// results come back to the UI goroutine (do, default fyne.Do): tests pass
// synchronous ones, an app with its own UI queue its queue.
func (s *SignIn) SetRunner(do, run func(fn func())) {
	if do != nil {
		s.do = do
	}
	if run != nil {
		s.run = run
	}
}

// Content is the screen to put in the window.
func (s *SignIn) Content() fyne.CanvasObject { return s.content }

// UseSettings pre-fills the server, key file and method from st (and
// remembers them there after a sign-in); defaultServer is used when none
// is remembered. It then reads the server's policy (the demo banner).
func (s *SignIn) UseSettings(st SignInSettings, defaultServer string) {
	s.settings = st
	get := func(k string) string {
		if st == nil {
			return ""
		}
		v, ok, err := st.Setting(k)
		if err != nil || !ok {
			return ""
		}
		return v
	}
	srv := get(SettingSignInServer)
	if srv == "" {
		srv = defaultServer
	}
	s.server.SetText(srv)
	s.keyPath.SetText(get(SettingSignInKeyFile))
	if get(SettingSignInMethod) == signInNCALayer {
		s.method.SetSelected(i18n.T("signin.method.ncalayer"))
	}
	s.checkServer()
}

// Cancel stops what is under way (an NCALayer window waiting for the user):
// call it when the screen is left.
func (s *SignIn) Cancel() {
	s.mu.Lock()
	c := s.cancel
	s.mu.Unlock()
	if c != nil {
		c()
	}
}

func (s *SignIn) build() {
	s.server = widget.NewEntry()
	s.server.SetPlaceHolder("kense.example.kz")
	s.server.OnSubmitted = func(string) { s.checkServer() }
	s.server.OnChanged = func(string) {
		s.demo.Hide()
		s.mu.Lock()
		s.checked = ""
		s.mu.Unlock()
	}

	fileOpt, ncaOpt := i18n.T("signin.method.file"), i18n.T("signin.method.ncalayer")
	s.method = widget.NewRadioGroup([]string{fileOpt, ncaOpt}, func(string) { s.refresh() })
	s.method.Horizontal = true
	s.method.Required = true
	s.method.SetSelected(fileOpt)

	s.keyPath = widget.NewEntry()
	s.keyPath.SetPlaceHolder(i18n.T("signin.keyfile.placeholder"))
	s.keyPath.OnChanged = func(p string) {
		s.mu.Lock()
		changed := s.keyFor != p
		s.mu.Unlock()
		if changed {
			s.forgetKey()
		}
	}
	s.choose = widget.NewButtonWithIcon(i18n.T("signin.keyfile.choose"), theme.FolderOpenIcon(), s.chooseFile)
	s.keyPass = widget.NewPasswordEntry()
	s.keyPass.SetPlaceHolder(i18n.T("signin.keypass.placeholder"))
	s.keyPass.OnSubmitted = func(string) { s.open() }
	s.openKey = widget.NewButtonWithIcon(i18n.T("signin.keyfile.open"), theme.ConfirmIcon(), s.open)

	s.facts = widget.NewForm()
	s.keyWarn = widget.NewLabel("")
	s.keyWarn.Wrapping = fyne.TextWrapWord
	s.keyWarn.Importance = widget.DangerImportance
	s.keyWarn.Hide()
	s.factsBox = container.NewVBox(widget.NewLabelWithStyle(i18n.T("signin.facts.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), s.facts, s.keyWarn)
	s.factsBox.Hide()

	s.fileBox = container.NewVBox(
		widget.NewLabel(i18n.T("signin.keyfile")),
		container.NewBorder(nil, nil, nil, s.choose, s.keyPath),
		widget.NewLabel(i18n.T("signin.keypass")),
		container.NewBorder(nil, nil, nil, s.openKey, s.keyPass),
		s.factsBox,
	)

	s.login = widget.NewEntry()
	s.login.SetPlaceHolder(i18n.T("signin.rer.login"))
	s.rerPass = widget.NewPasswordEntry()
	s.rerPass.SetPlaceHolder(i18n.T("signin.rer.password"))
	s.rerPass.OnSubmitted = func(string) { s.submit() }
	s.rerBox = container.NewVBox(widget.NewLabel(i18n.T("signin.rer.hint")), s.login, s.rerPass)
	s.rerBox.Hide()
	s.rer = widget.NewCheck(i18n.T("signin.rer"), func(on bool) {
		if on {
			s.rerBox.Show()
		} else {
			s.rerBox.Hide()
		}
	})

	s.signIn = widget.NewButtonWithIcon(i18n.T("signin.submit"), theme.LoginIcon(), s.submit)
	s.signIn.Importance = widget.HighImportance
	s.offline = widget.NewButton(i18n.T("signin.offline"), func() { s.finish(SignedIn{Offline: true}) })
	s.progress = widget.NewProgressBarInfinite()
	s.progress.Stop()
	s.progress.Hide()
	s.message = widget.NewLabel("")
	s.message.Wrapping = fyne.TextWrapWord
	s.message.Importance = widget.DangerImportance
	s.message.Hide()

	s.demo = DemoBanner()
	s.demo.Hide()

	title := widget.NewLabelWithStyle(i18n.T("signin.title"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	form := container.NewVBox(
		title,
		s.demo,
		widget.NewLabel(i18n.T("signin.server")),
		s.server,
		s.method,
		s.fileBox,
		s.rer,
		s.rerBox,
		s.progress,
		s.message,
		container.NewHBox(s.offline, layout.NewSpacer(), s.signIn),
	)
	// A fixed width keeps wrapped messages readable; the scroll keeps a
	// long form (facts, RER fields, a message) usable in a small window.
	s.content = container.NewVScroll(container.NewCenter(container.NewVBox(signInMinWidth(560), form)))
	s.refresh()
}

func signInMinWidth(w float32) fyne.CanvasObject {
	r := canvas.NewRectangle(color.Transparent)
	r.SetMinSize(fyne.NewSize(w, 0))
	return r
}

// DemoBanner is the plain, visible "Demo server: test keys only" strip; the
// app keeps it on screen for the whole session on a demo server.
func DemoBanner() fyne.CanvasObject {
	bg := canvas.NewRectangle(color.NRGBA{R: 0xff, G: 0xe0, B: 0x82, A: 0xff})
	t := canvas.NewText(i18n.T("signin.demo"), color.Black)
	t.TextStyle = fyne.TextStyle{Bold: true}
	t.Alignment = fyne.TextAlignCenter
	return container.NewStack(bg, container.NewPadded(t))
}

func (s *SignIn) ncaLayer() bool { return s.method.Selected == i18n.T("signin.method.ncalayer") }

// refresh enables what can be done now.
func (s *SignIn) refresh() {
	if s.signIn == nil {
		return
	}
	s.mu.Lock()
	busy, keyOK := s.busy, s.keyOK
	s.mu.Unlock()
	if s.ncaLayer() {
		s.fileBox.Hide()
	} else {
		s.fileBox.Show()
	}
	set := func(d fyne.Disableable, on bool) {
		if on {
			d.Enable()
		} else {
			d.Disable()
		}
	}
	set(s.signIn, !busy && (s.ncaLayer() || keyOK))
	set(s.openKey, !busy)
	set(s.choose, !busy)
	set(s.offline, !busy)
	if busy {
		s.progress.Show()
		s.progress.Start()
	} else {
		s.progress.Stop()
		s.progress.Hide()
	}
}

func (s *SignIn) say(msg string) {
	s.message.SetText(msg)
	if msg == "" {
		s.message.Hide()
	} else {
		s.message.Show()
	}
}

// checkServer reads the policy of the address in the box (the demo banner).
func (s *SignIn) checkServer() {
	addr := strings.TrimSpace(s.server.Text)
	if addr == "" {
		return
	}
	s.run(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		f, err := s.svc.Connect(ctx, addr)
		s.do(func() {
			if strings.TrimSpace(s.server.Text) != addr {
				return
			}
			if err != nil {
				if p := s.svc.Explain(err); !p.Canceled {
					s.say(p.Message)
				}
				return
			}
			s.mu.Lock()
			s.checked = addr
			s.mu.Unlock()
			s.showDemo(f.Demo)
		})
	})
}

func (s *SignIn) showDemo(on bool) {
	if on {
		s.demo.Show()
	} else {
		s.demo.Hide()
	}
}

func (s *SignIn) chooseFile() {
	chooseKeyFile(s.win, s.keyPath.Text, nil, func(p string) {
		s.keyPath.SetText(p)
		s.win.Canvas().Focus(s.keyPass)
	})
}

// forgetKey drops the shown facts: the path changed.
func (s *SignIn) forgetKey() {
	s.mu.Lock()
	s.keyOK, s.keyFor = false, ""
	s.mu.Unlock()
	s.factsBox.Hide()
	s.refresh()
}

// takePassword reads a password entry into bytes and empties the entry.
// (The entry's own string cannot be wiped; it is dropped at once.)
func takePassword(e *widget.Entry) []byte {
	b := []byte(e.Text)
	e.SetText("")
	return b
}

// open reads the key file and shows its facts before anything is signed.
func (s *SignIn) open() {
	path := strings.TrimSpace(s.keyPath.Text)
	if path == "" {
		s.say(i18n.T("signin.err.nokeyfile"))
		return
	}
	if s.keyPass.Text == "" {
		s.say(i18n.T("signin.err.nokeypass"))
		s.win.Canvas().Focus(s.keyPass)
		return
	}
	s.mu.Lock()
	checked := s.checked
	s.mu.Unlock()
	if addr := strings.TrimSpace(s.server.Text); addr != "" && addr != checked {
		s.checkServer() // the demo banner, before the key is used
	}
	pw := takePassword(s.keyPass)
	s.forgetKey()
	s.start(nil)
	s.run(func() {
		facts, err := s.svc.OpenKey(path, pw)
		clear(pw)
		s.do(func() {
			s.stop()
			if strings.TrimSpace(s.keyPath.Text) != path {
				return
			}
			shown := facts.IIN != "" || facts.CommonName != ""
			if shown {
				s.showFacts(facts)
			}
			if err != nil {
				p := s.svc.Explain(err)
				if shown && !facts.auth() {
					s.say("") // the warning under the facts says it
				} else {
					s.say(p.Message)
				}
				if p.WrongKeyPassword {
					s.win.Canvas().Focus(s.keyPass)
				}
				return
			}
			s.say("")
			s.mu.Lock()
			s.keyOK, s.keyFor = true, path
			s.mu.Unlock()
			s.refresh()
		})
	})
}

func showDay(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return showInAlmaty(t, "02.01.2006")
}

func (s *SignIn) showFacts(k KeyFacts) {
	s.facts.Items = nil
	add := func(key, v string) {
		if v == "" {
			return
		}
		l := widget.NewLabel(v)
		l.Wrapping = fyne.TextWrapWord
		s.facts.Append(i18n.T(key), l)
	}
	add("signin.facts.owner", k.CommonName)
	add("signin.facts.iin", k.IIN)
	add("signin.facts.org", strings.TrimSpace(strings.Join(nonEmpty(k.Organization, binText(k.BIN)), ", ")))
	add("signin.facts.issuer", k.Issuer)
	add("signin.facts.valid", i18n.T("signin.facts.period", "from", showDay(k.NotBefore), "to", showDay(k.NotAfter)))
	add("signin.facts.usage", usageText(k.KeyUsage))
	s.facts.Refresh()
	warn := ""
	now := time.Now()
	switch {
	case !k.auth():
		warn = i18n.T("signin.warn.sign_key")
	case !k.NotAfter.IsZero() && now.After(k.NotAfter):
		warn = i18n.T("signin.warn.expired", "date", showDay(k.NotAfter))
	case !k.NotBefore.IsZero() && now.Before(k.NotBefore):
		warn = i18n.T("signin.warn.not_yet", "date", showDay(k.NotBefore))
	}
	s.keyWarn.SetText(warn)
	if warn == "" {
		s.keyWarn.Hide()
	} else {
		s.keyWarn.Show()
	}
	s.factsBox.Show()
}

func binText(bin string) string {
	if bin == "" {
		return ""
	}
	return i18n.T("signin.facts.bin", "bin", bin)
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func usageText(u string) string {
	var out []string
	for _, x := range strings.Split(u, ",") {
		switch strings.TrimSpace(x) {
		case "AUTH":
			out = append(out, i18n.T("signin.usage.auth"))
		case "SIGN":
			out = append(out, i18n.T("signin.usage.sign"))
		}
	}
	return strings.Join(out, ", ")
}

func (s *SignIn) start(cancel context.CancelFunc) {
	s.mu.Lock()
	s.busy, s.cancel = true, cancel
	s.mu.Unlock()
	s.refresh()
}

func (s *SignIn) stop() {
	s.mu.Lock()
	s.busy, s.cancel = false, nil
	s.mu.Unlock()
	s.refresh()
}

// submit signs in.
func (s *SignIn) submit() {
	s.mu.Lock()
	busy, keyOK := s.busy, s.keyOK
	s.mu.Unlock()
	if busy {
		return
	}
	nca := s.ncaLayer()
	if !nca && !keyOK {
		s.say(i18n.T("signin.err.open_first"))
		return
	}
	addr := strings.TrimSpace(s.server.Text)
	if addr == "" {
		s.say(i18n.T("signin.err.noserver"))
		s.win.Canvas().Focus(s.server)
		return
	}
	req := SignInRequest{Server: addr, NCALayer: nca}
	if s.rer.Checked {
		req.Login = strings.TrimSpace(s.login.Text)
		if req.Login == "" || s.rerPass.Text == "" {
			s.say(i18n.T("signin.err.rer_fields"))
			return
		}
		req.Password = takePassword(s.rerPass)
	}
	s.say("")
	ctx, cancel := context.WithCancel(context.Background())
	s.start(cancel)
	s.run(func() {
		res, err := s.svc.SignIn(ctx, req)
		clear(req.Password)
		cancel()
		s.do(func() {
			s.stop()
			if err != nil {
				s.failed(err)
				return
			}
			s.remember(addr, nca)
			s.finish(res)
		})
	})
}

func (s *SignIn) failed(err error) {
	p := s.svc.Explain(err)
	if p.Canceled {
		s.say("")
		return
	}
	if p.NeedLogin {
		s.rer.SetChecked(true)
		if s.login.Text == "" {
			s.win.Canvas().Focus(s.login)
		} else {
			s.win.Canvas().Focus(s.rerPass)
		}
	}
	s.say(p.Message)
}

func (s *SignIn) remember(addr string, nca bool) {
	if s.settings == nil {
		return
	}
	m := signInFile
	if nca {
		m = signInNCALayer
	}
	set := func(k, v string) {
		if err := s.settings.SetSetting(k, v); err != nil {
			fyne.LogError("sign-in settings", err)
		}
	}
	set(SettingSignInServer, addr)
	set(SettingSignInMethod, m)
	if !nca {
		set(SettingSignInKeyFile, strings.TrimSpace(s.keyPath.Text))
	}
}

// finish hands the result over, then shows the sign-in warnings over
// whatever screen the app shows next.
func (s *SignIn) finish(res SignedIn) {
	s.keyPass.SetText("")
	s.rerPass.SetText("")
	if s.onDone != nil {
		s.onDone(res)
	}
	ShowSignInWarnings(s.win, res.Warnings)
}

// ShowSignInWarnings shows the warnings of a sign-in (the EDS-year ones) in
// one dialog; none shows nothing.
func ShowSignInWarnings(win fyne.Window, warnings []string) {
	if len(warnings) == 0 || win == nil {
		return
	}
	l := widget.NewLabel(strings.Join(warnings, "\n\n"))
	l.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustom(i18n.T("signin.warnings.title"), i18n.T("signin.warnings.ok"), l, win)
	d.Resize(fyne.NewSize(480, 300))
	d.Show()
}
