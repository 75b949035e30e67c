package blob_test

import (
	"bytes"
	"context"
	"io"
	"sort"
	"strconv"
	"testing"
)

// BenchmarkStore puts and reads back blobs of a few sizes on each store
// (S3: gofakes3 in-process over loopback TCP, so the figures are the
// client's and the protocol's cost, not a real server's disk or network).
func BenchmarkStore(b *testing.B) {
	names := []string{}
	all := stores()
	for name := range all {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if name == "s3-prefix" {
			continue
		}
		for _, size := range []int{4 << 10, 1 << 20, 16 << 20} {
			data := bytes.Repeat([]byte{'x'}, size)
			b.Run(name+"/put-"+strconv.Itoa(size>>10)+"KiB", func(b *testing.B) {
				s := all[name](b)
				b.SetBytes(int64(size))
				for i := 0; b.Loop(); i++ {
					if _, err := s.Put(context.Background(), "bench/"+strconv.Itoa(i%8), io.MultiReader(bytes.NewReader(data))); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run(name+"/open-"+strconv.Itoa(size>>10)+"KiB", func(b *testing.B) {
				s := all[name](b)
				if _, err := s.Put(context.Background(), "bench/r", bytes.NewReader(data)); err != nil {
					b.Fatal(err)
				}
				b.SetBytes(int64(size))
				for b.Loop() {
					r, _, err := s.Open(context.Background(), "bench/r")
					if err != nil {
						b.Fatal(err)
					}
					if _, err := io.Copy(io.Discard, r); err != nil {
						b.Fatal(err)
					}
					r.Close()
				}
			})
		}
	}
}
