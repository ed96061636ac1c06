package wire

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sync"

	"kense/api"
	"kense/cache"
	"kense/client"
	"kense/ui"
)

// Notices is ui.NoticeService over the server's notifications (GET
// /v1/notifications: a subordinate reported a compromised password, access
// rules 12.3, 16) and the cache, which remembers those shown so that each
// shows once on this workstation.
type Notices struct {
	S       *cache.Store
	Account string
	// Client is the session's client (nil: signed out, nothing to fetch).
	Client func() *client.Client

	mu sync.Mutex
}

var _ ui.NoticeService = (*Notices)(nil)

// noticesShownPrefix + a digest of the account names the setting that
// lists the IDs of the notifications shown (the server numbers each head's
// notifications on their own, and no IIN is a key in clear).
const noticesShownPrefix = "notices.shown."

// maxNoticesShown bounds the list kept: the server lists at most 500.
const maxNoticesShown = 1000

func (n *Notices) key() string {
	h := sha256.Sum256([]byte("kense notices\x00" + n.Account))
	return noticesShownPrefix + hex.EncodeToString(h[:12])
}

// shown is the IDs of the notifications shown, oldest first.
func (n *Notices) shown() ([]string, error) {
	v, ok, err := n.S.Setting(n.key())
	if err != nil || !ok {
		return nil, err
	}
	var ids []string
	if json.Unmarshal([]byte(v), &ids) != nil {
		return nil, nil // damaged: show them again rather than never
	}
	return ids, nil
}

// Unseen fetches the notifications and keeps those not shown yet.
func (n *Notices) Unseen(ctx context.Context) ([]ui.Notice, error) {
	var c *client.Client
	if n.Client != nil {
		c = n.Client()
	}
	if c == nil || n.Account == "" {
		return nil, nil
	}
	list, err := c.Notifications(ctx)
	if err != nil {
		return nil, err
	}
	n.mu.Lock()
	ids, err := n.shown()
	n.mu.Unlock()
	if err != nil {
		return nil, err
	}
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		seen[id] = true
	}
	var out []ui.Notice
	for _, x := range list {
		if x.ID == "" || seen[x.ID] {
			continue
		}
		out = append(out, noticeOf(x))
	}
	return out, nil
}

func noticeOf(x api.Notification) ui.Notice {
	return ui.Notice{ID: x.ID, Kind: x.Kind, SubjectName: x.SubjectName, SubjectIIN: x.SubjectIIN,
		SubjectLogin: x.SubjectUser, At: x.CreatedAt}
}

// MarkSeen remembers ids as shown.
func (n *Notices) MarkSeen(ids []string) error {
	if len(ids) == 0 || n.Account == "" {
		return nil
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	have, err := n.shown()
	if err != nil {
		return err
	}
	seen := make(map[string]bool, len(have))
	for _, id := range have {
		seen[id] = true
	}
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			have = append(have, id)
		}
	}
	if len(have) > maxNoticesShown {
		have = have[len(have)-maxNoticesShown:]
	}
	b, err := json.Marshal(have)
	if err != nil {
		return err
	}
	return n.S.SetSetting(n.key(), string(b))
}
