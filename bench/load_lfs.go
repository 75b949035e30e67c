package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"sync"
)

// lfsEndpoints are the rows of Git LFS, outside the mix: the batch
// request git-lfs sends before a checkout downloads, for 20 objects a
// repository project has (uploaded once, outside the measured time).
func (l *loader) lfsEndpoints() []*endpoint {
	var batch struct {
		sync.Mutex
		spec reqSpec
	}
	return []*endpoint{
		{name: "POST info/lfs/objects/batch (download, 20 objects)", setup: func(ctx context.Context, w *worker) (reqSpec, error) {
			batch.Lock()
			defer batch.Unlock()
			if batch.spec.method != "" {
				return batch.spec, nil
			}
			p := l.sd.RepoProjects[0]
			objects := make([]map[string]any, 20)
			for i := range objects {
				content := []byte(fmt.Sprintf("lablet bench lfs object %d\n", i))
				sum := sha256.Sum256(content)
				oid := hex.EncodeToString(sum[:])
				if _, _, err := l.do(ctx, reqSpec{method: http.MethodPut, git: true, body: content, ctype: "application/octet-stream",
					path: fmt.Sprintf("/%s.git/gitlab-lfs/objects/%s/%d", p.FullPath, oid, len(content))}); err != nil {
					return reqSpec{}, fmt.Errorf("lfs upload: %w", err)
				}
				objects[i] = map[string]any{"oid": oid, "size": len(content)}
			}
			batch.spec = reqSpec{method: http.MethodPost, git: true, ctype: "application/vnd.git-lfs+json",
				path: "/" + p.FullPath + ".git/info/lfs/objects/batch",
				body: mustJSON(map[string]any{"operation": "download", "transfers": []string{"basic"}, "objects": objects})}
			return batch.spec, nil
		}},
	}
}
