package client

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"kense/api"
	"kense/cache"
	"kense/form"
)

// The app really killed: a child process syncs a cache file and is killed
// (SIGKILL / TerminateProcess) by the server's handler at a chosen moment;
// the parent then opens the same file, as the app restarted would.

const envSyncChild = "KENSE_SYNC_CHILD" // cache path|server URL|token|batch|page

// TestHelperSyncChild is the child: one Sync, then it waits to be killed.
func TestHelperSyncChild(t *testing.T) {
	spec := os.Getenv(envSyncChild)
	if spec == "" {
		t.Skip("helper process for TestSyncAppKilled")
	}
	var path, url, tok string
	var batch, page int
	if _, err := fmt.Sscanf(spec, "%s %s %s %d %d", &path, &url, &tok, &batch, &page); err != nil {
		t.Fatal(err)
	}
	st, err := cache.Open(path, cache.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := New(url, Options{Timeout: 5 * time.Second, Retries: -1})
	c.SetToken(tok)
	sy := NewSyncer(c, st, SyncOptions{BatchSize: batch, PageSize: page})
	sy.SetAccount(iinA)
	_, err = sy.Sync(context.Background())
	fmt.Println("sync finished:", err)
	time.Sleep(time.Minute) // the parent kills it
}

// killer cuts the child off from inside the server: in a push, after the
// batch is committed and before the answer leaves; in a pull, after the
// page is written (the child may or may not have stored it).
type killer struct {
	mu     sync.Mutex
	cmd    *exec.Cmd
	path   string // api.PathDraftsPush or api.PathDraftsChanges
	at     int64
	n      atomic.Int64
	killed chan struct{}
}

func (k *killer) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		k.mu.Lock()
		path, at := k.path, k.at
		k.mu.Unlock()
		if r.URL.Path != path || k.n.Add(1) != at {
			h.ServeHTTP(w, r)
			return
		}
		if path == api.PathDraftsPush {
			h.ServeHTTP(httptest.NewRecorder(), r) // committed, answer withheld
			k.kill()
			panic(http.ErrAbortHandler)
		}
		h.ServeHTTP(w, r)
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		time.Sleep(time.Duration(at%3) * time.Millisecond)
		k.kill()
	})
}

func (k *killer) kill() {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.cmd != nil && k.cmd.Process != nil {
		_ = k.cmd.Process.Kill()
		_ = k.cmd.Wait()
		k.cmd = nil
		close(k.killed)
	}
}

func (k *killer) run(t *testing.T, path, url, tok string, batch, page int, what string, at int64) {
	t.Helper()
	k.mu.Lock()
	k.path, k.at, k.killed = what, at, make(chan struct{})
	k.n.Store(0)
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperSyncChild$", "-test.count=1", "-test.timeout=90s")
	cmd.Env = append(os.Environ(), envSyncChild+"="+fmt.Sprintf("%s %s %s %d %d", path, url, tok, batch, page))
	if err := cmd.Start(); err != nil {
		k.mu.Unlock()
		t.Fatal(err)
	}
	k.cmd = cmd
	k.mu.Unlock()
	select {
	case <-k.killed:
	case <-time.After(60 * time.Second):
		k.kill()
		t.Fatalf("the child never reached %s #%d", what, at)
	}
}

func TestSyncAppKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	srv := newSyncServer(t)
	k := &killer{}
	srv.kill()
	srv.wrap = k.wrap
	srv.start()
	tok := srv.session(iinA)

	// Killed mid-push, after the server committed a batch: the restarted
	// app sends the same entries again and the server answers from their
	// keys; nothing is lost, nothing doubled, no false conflict.
	w := newWorkstation(t, srv, iinA, fastOptions(), SyncOptions{BatchSize: 5})
	var fs []form.Form
	for i := range 40 {
		fs = append(fs, syncForm("Бөлім "+strconv.Itoa(i), 1+i%3))
	}
	if _, err := w.st.ImportDraftsFor(iinA, fs); err != nil {
		t.Fatal(err)
	}
	if err := w.st.Close(); err != nil {
		t.Fatal(err)
	}
	for _, at := range []int64{1, 3, 2} {
		k.run(t, w.path, srv.url(), tok, 5, 4, api.PathDraftsPush, at)
	}
	w.open(srv.url(), tok)
	rep := w.sync()
	if rep.Replayed == 0 || rep.Conflicts != 0 {
		t.Fatalf("after the kills: %+v (want replays, no conflicts)", rep)
	}
	t.Logf("push: 3 kills after commit; the restarted app: %+v", rep)
	checkSame(t, srv, w)

	// Killed mid-pull, at several pages: a second workstation.
	w2 := newWorkstation(t, srv, iinA, fastOptions(), SyncOptions{PageSize: 4})
	if err := w2.st.Close(); err != nil {
		t.Fatal(err)
	}
	for _, at := range []int64{2, 1, 4, 3} {
		k.run(t, w2.path, srv.url(), tok, 5, 4, api.PathDraftsChanges, at)
	}
	w2.open(srv.url(), tok)
	cur, _ := w2.st.PullCursor(iinA)
	t.Logf("pull: 4 kills; cursor then %d, %d drafts", cur, len(w2.drafts()))
	w2.sync()
	if fmt.Sprint(w2.drafts()) != fmt.Sprint(w.drafts()) || len(w2.drafts()) != 40 {
		t.Fatalf("after the kills: %d drafts, want w's 40", len(w2.drafts()))
	}
	checkSame(t, srv, w2)
}
