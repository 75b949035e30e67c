package markdown

import (
	"context"
	"fmt"
	"strings"
)

// fakeResolver knows issue #1 of the context project, group/app#2,
// milestone "v1.0", labels "bug" and "to do", users "root" and @all.
type fakeResolver struct{ calls int }

func (f *fakeResolver) Resolve(_ context.Context, refs []Ref) ([]*Link, error) {
	f.calls++
	out := make([]*Link, len(refs))
	for i, r := range refs {
		switch {
		case r.Kind == KindIssue && r.Project == "" && r.IID == 1:
			out[i] = &Link{URL: "http://x/g/p/-/issues/1", Title: `Bug <"one">`,
				Data: []Attr{{"project", "1"}, {"issue", "10"}, {"iid", "1"}}}
		case r.Kind == KindIssue && r.Project == "group/app" && r.IID == 2:
			out[i] = &Link{URL: "http://x/group/app/-/issues/2", Title: "Two",
				Data: []Attr{{"project", "2"}, {"issue", "20"}, {"iid", "2"}}}
		case r.Kind == KindMilestone && r.Name == "v1.0":
			out[i] = &Link{URL: "http://x/g/p/-/milestones/1", Data: []Attr{{"milestone", "5"}}}
		case r.Kind == KindLabel && (r.Name == "bug" || r.Name == "to do"):
			out[i] = &Link{URL: "http://x/g/p/-/issues?label_name=" + strings.ReplaceAll(r.Name, " ", "+"),
				Text: r.Name, Data: []Attr{{"label", "7"}}}
		case r.Kind == KindUser && (r.Name == "root" || r.Name == "all"):
			out[i] = &Link{URL: "http://x/" + r.Name, Title: "Administrator", Data: []Attr{{"user", fmt.Sprint(1)}}}
		}
	}
	return out, nil
}

func render(src string) string {
	out, err := New().Render(context.Background(), src, Options{GFM: true, Resolver: &fakeResolver{}, UploadsPrefix: "/g/p"})
	if err != nil {
		panic(err)
	}
	return out
}
