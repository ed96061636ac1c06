// Package ncalayer signs through NCALayer, the local signing service of
// NCA RK (wss://127.0.0.1:13579), with its kz.gov.pki.knca.basics module.
// It lives apart from eds so that the domain package does no networking.
//
// Trust decision: NCALayer serves a self-signed certificate made on the
// user's machine, so there is nothing to verify it against. Client accepts
// any certificate only when the URL's host is loopback (127.0.0.1, ::1,
// localhost); any other host gets normal TLS verification. What NCALayer
// returns is a CMS that the server verifies in full, so a fake local service
// cannot make a signature the server accepts.
package ncalayer

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"

	"kense/eds"
	"kense/i18n"
)

// DefaultURL is where NCALayer listens.
const DefaultURL = "wss://127.0.0.1:13579"

// DefaultStorages are the key stores offered to the user: key file, Kaztoken, ID card.
var DefaultStorages = []string{"PKCS12", "AKKaztokenStore", "AKKZIDCardStore"}

// Client is an eds.Signer backed by NCALayer.
type Client struct {
	URL      string   // "" means DefaultURL
	Storages []string // nil means DefaultStorages
	// Purpose filters the keys NCALayer offers: eds.EKUAuth for sign-in,
	// eds.EKUSign for documents, "" for any.
	Purpose string
	Locale  i18n.Lang     // "" means i18n.Current()
	Timeout time.Duration // the whole exchange, the user's typing included; 0 means 10 minutes

	mu   sync.Mutex
	cert *x509.Certificate
}

// Certificate is the signer's certificate from the last successful SignCMS
// (NCALayer lets the user choose the key, so it is unknown before).
func (c *Client) Certificate() *x509.Certificate {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cert
}

// SignCMS asks NCALayer to sign data. NCALayer sets the signing time itself.
func (c *Client) SignCMS(data []byte, detached bool, _ time.Time) ([]byte, error) {
	return c.SignCMSContext(context.Background(), data, detached)
}

type signingParams struct {
	Decode      bool            `json:"decode"`
	Encapsulate bool            `json:"encapsulate"`
	Digested    bool            `json:"digested"`
	TSAProfile  json.RawMessage `json:"tsaProfile"`
}

type signerParams struct {
	ExtKeyUsageOids []string        `json:"extKeyUsageOids"`
	IIN             string          `json:"iin"`
	BIN             string          `json:"bin"`
	SerialNumber    string          `json:"serialNumber"`
	Chain           json.RawMessage `json:"chain"`
}

type signArgs struct {
	AllowedStorages []string      `json:"allowedStorages"`
	Format          string        `json:"format"`
	Data            string        `json:"data"`
	SigningParams   signingParams `json:"signingParams"`
	SignerParams    signerParams  `json:"signerParams"`
	Locale          string        `json:"locale"`
}

// Request is what Client sends (exported for fake NCALayers in tests).
type Request struct {
	Module string   `json:"module"`
	Method string   `json:"method"`
	Args   signArgs `json:"args"`
}

type answer struct {
	Status  *bool           `json:"status"`
	Body    json.RawMessage `json:"body"`
	Code    json.RawMessage `json:"code"`
	Message string          `json:"message"`
	Details string          `json:"details"`
	Result  json.RawMessage `json:"result"`
}

// SignCMSContext is SignCMS with a context (the UI cancels it when the user
// leaves the screen).
func (c *Client) SignCMSContext(ctx context.Context, data []byte, detached bool) ([]byte, error) {
	u := c.URL
	if u == "" {
		u = DefaultURL
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	hc, err := httpClient(u)
	if err != nil {
		return nil, err
	}
	conn, _, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPClient: hc})
	if err != nil {
		var op *net.OpError
		if errors.As(err, &op) && op.Op == "dial" {
			return nil, &eds.Error{Code: eds.CodeNCALayerNotRunning, Detail: u}
		}
		return nil, &eds.Error{Code: eds.CodeNCALayerFailed, Detail: err.Error()}
	}
	defer conn.CloseNow()
	conn.SetReadLimit(8 << 20) // a CMS with a chain exceeds the 32 KB default

	storages := c.Storages
	if storages == nil {
		storages = DefaultStorages
	}
	var ekus []string
	if c.Purpose != "" {
		ekus = []string{c.Purpose}
	}
	lang := c.Locale
	if lang == "" {
		lang = i18n.Current()
	}
	req := Request{Module: "kz.gov.pki.knca.basics", Method: "sign", Args: signArgs{
		AllowedStorages: storages,
		Format:          "cms",
		Data:            base64.StdEncoding.EncodeToString(data),
		SigningParams:   signingParams{Decode: true, Encapsulate: !detached, TSAProfile: json.RawMessage("{}")},
		SignerParams:    signerParams{ExtKeyUsageOids: ekus, Chain: json.RawMessage("null")},
		Locale:          string(lang),
	}}
	msg, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	if err := conn.Write(ctx, websocket.MessageText, msg); err != nil {
		return nil, failed(err)
	}
	for {
		_, b, err := conn.Read(ctx)
		if err != nil {
			return nil, failed(err)
		}
		var a answer
		if err := json.Unmarshal(b, &a); err != nil {
			return nil, &eds.Error{Code: eds.CodeNCALayerFailed, Detail: "bad answer: " + err.Error()}
		}
		if a.Status == nil && len(a.Result) > 0 && len(a.Code) == 0 {
			continue // the version greeting NCALayer sends on connect
		}
		cms, err := decodeAnswer(a)
		if err != nil {
			return nil, err
		}
		conn.Close(websocket.StatusNormalClosure, "")
		sd, err := eds.ParseCMS(cms)
		if err != nil {
			return nil, &eds.Error{Code: eds.CodeNCALayerFailed, Detail: "NCALayer returned an unreadable CMS: " + err.Error()}
		}
		if sd.Signers[0].Cert != nil {
			c.mu.Lock()
			c.cert = sd.Signers[0].Cert
			c.mu.Unlock()
		}
		return cms, nil
	}
}

func failed(err error) error {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return &eds.Error{Code: eds.CodeNCALayerFailed, Detail: "no answer from NCALayer: " + err.Error()}
	}
	return &eds.Error{Code: eds.CodeNCALayerFailed, Detail: err.Error()}
}

func decodeAnswer(a answer) ([]byte, error) {
	if a.Status == nil {
		// The older commonUtils shape: {"code":"500","message":"action.canceled"}.
		if strings.Contains(a.Message, "canceled") {
			return nil, eds.ErrCanceled
		}
		return nil, &eds.Error{Code: eds.CodeNCALayerFailed, Detail: strings.TrimSpace(a.Message + " " + a.Details)}
	}
	if !*a.Status {
		d := strings.TrimSpace(a.Message + " " + a.Details)
		if d == "" {
			d = "code " + string(a.Code)
		}
		return nil, &eds.Error{Code: eds.CodeNCALayerFailed, Detail: d}
	}
	var body struct {
		Result json.RawMessage `json:"result"`
	}
	if len(a.Body) > 0 {
		if err := json.Unmarshal(a.Body, &body); err != nil {
			return nil, &eds.Error{Code: eds.CodeNCALayerFailed, Detail: "bad answer body: " + err.Error()}
		}
	}
	if len(body.Result) == 0 || string(body.Result) == "null" {
		return nil, eds.ErrCanceled // {"status":true,"body":{}}: the user pressed Cancel
	}
	var one string
	if err := json.Unmarshal(body.Result, &one); err != nil {
		var many []string
		if err := json.Unmarshal(body.Result, &many); err != nil || len(many) == 0 {
			return nil, &eds.Error{Code: eds.CodeNCALayerFailed, Detail: "unexpected result shape"}
		}
		one = many[0]
	}
	cms, err := base64.StdEncoding.DecodeString(strings.TrimSpace(one))
	if err != nil {
		return nil, &eds.Error{Code: eds.CodeNCALayerFailed, Detail: "result is not base64: " + err.Error()}
	}
	return cms, nil
}

// loopback reports whether host is this machine.
func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func httpClient(raw string) (*http.Client, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, &eds.Error{Code: eds.CodeNCALayerFailed, Detail: fmt.Sprintf("bad NCALayer URL %q", raw)}
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil // never send the local exchange through a proxy
	tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	if loopback(u.Hostname()) {
		tr.TLSClientConfig.InsecureSkipVerify = true // NCALayer's own self-signed certificate; see the package doc
	}
	return &http.Client{Transport: tr}, nil
}

var _ eds.Signer = (*Client)(nil)
