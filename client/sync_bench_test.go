package client

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"kense/cache"
	"kense/form"
)

// benchDrafts is how many drafts a benchmark pushes: 10,000 (the issue's
// figure), 500 under -short, or KENSE_BENCH_DRAFTS.
func benchDrafts(b *testing.B) int {
	if v := os.Getenv("KENSE_BENCH_DRAFTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			b.Fatalf("KENSE_BENCH_DRAFTS=%q", v)
		}
		return n
	}
	if testing.Short() {
		return 500
	}
	return 10000
}

func benchForms(n int) []form.Form {
	fs := make([]form.Form, n)
	for i := range fs {
		fs[i] = syncForm("Алматы қаласы бойынша филиал", 3)
	}
	return fs
}

// BenchmarkSyncPush: drafts pushed per second from a cache through a real
// kense-server on 127.0.0.1 into its bbolt file, the whole way (outbox
// entries made and committed, the batches sent, the answers recorded),
// batches of 100.
func BenchmarkSyncPush(b *testing.B) {
	n := benchDrafts(b)
	srv := newSyncServer(b)
	forms := benchForms(n)
	var total time.Duration
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		w := newWorkstation(b, srv, iinA, Options{}, SyncOptions{})
		if _, err := w.st.ImportDraftsFor(iinA, forms); err != nil {
			b.Fatal(err)
		}
		var rep SyncReport
		b.StartTimer()
		start := time.Now()
		if err := w.sy.push(context.Background(), iinA, &rep); err != nil {
			b.Fatal(err)
		}
		total += time.Since(start)
		if rep.Pushed != n {
			b.Fatalf("pushed %d of %d", rep.Pushed, n)
		}
		b.StopTimer()
		w.st.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(n*b.N)/total.Seconds(), "drafts/s")
}

// BenchmarkBoltFloor: the same drafts written straight into a bbolt file,
// JSON-encoded, in transactions of 100 (the push batch): the floor that
// BenchmarkSyncPush is compared with.
func BenchmarkBoltFloor(b *testing.B) {
	n := benchDrafts(b)
	forms := benchForms(n)
	db, err := bolt.Open(filepath.Join(b.TempDir(), "floor.db"), 0o600, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var total time.Duration
	b.ResetTimer()
	for range b.N {
		now := time.Now()
		start := time.Now()
		for lo := 0; lo < n; lo += 100 {
			err := db.Update(func(tx *bolt.Tx) error {
				bk, err := tx.CreateBucketIfNotExists([]byte("drafts"))
				if err != nil {
					return err
				}
				for i := lo; i < min(lo+100, n); i++ {
					d := cache.Draft{ID: cache.NewID(), Form: forms[i], Created: now, Updated: now}
					d.Form.ID = d.ID
					v, err := json.Marshal(d)
					if err != nil {
						return err
					}
					if err := bk.Put([]byte(d.ID), v); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		total += time.Since(start)
	}
	b.ReportMetric(float64(n*b.N)/total.Seconds(), "drafts/s")
}
