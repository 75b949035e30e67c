package v4

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/lablet/lablet/internal/model"
)

// A fork's entity, its source spliced in (seen or not) before the
// permissions, is byte for byte what encoding/json writes for the struct
// with ForkedFromProject and MRDefaultTargetSelf set, on random rows.
func TestWithForkedFromMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 8))
	var dst []byte
	for i := range 5000 {
		p, owner := randProjectRow(t, rng)
		src, _ := randProjectRow(t, rng)
		pb := projectBases[i%len(projectBases)]
		if rng.IntN(4) == 0 {
			p.ForkedFromID = nil
		} else {
			p.ForkedFromID = &src.ID
		}
		if rng.IntN(3) == 0 {
			src = nil // a source the caller does not see
		}
		var perms *model.ProjectAccess
		if rng.IntN(2) == 0 {
			perms = &model.ProjectAccess{Project: 30, Group: 40}
		}
		f := fullProjectAt(pb, p, owner, nil, perms)
		if p.ForkedFromID != nil {
			if src != nil {
				b := BasicProjectAt(pb, src)
				f.ForkedFromProject = &b
			}
			self := p.MRDefaultTargetSelf
			f.MRDefaultTargetSelf = &self
		}
		want := stdJSON(t, &f)
		dst = appendProjectEntity(append(dst[:0], "prefix"...), pb, p, owner, nil)
		dst = withForkedFrom(dst, pb, p, src)
		if perms != nil {
			dst = withPermissions(dst, *perms, p.Namespace.IsGroup())
		}
		if got := dst[len("prefix"):]; !bytes.Equal(got, want) {
			t.Fatalf("iteration %d (base %q): %s", i, pb.url, firstDiff(want, got))
		}
	}
}
