package markdown

import (
	"fmt"
	"testing"
)

func TestClosingRefs(t *testing.T) {
	for text, want := range map[string]string{
		"Closes #1":                                   "#1",
		"closes #1, #2 and #3":                        "#1 #2 #3",
		"Fixes: #4\n\nAlso see #5":                    "#4",
		"This fixed group/project#7 and resolves #8.": "group/project#7 #8",
		"Implements issue #9, Closing issues #10":     "#9 #10",
		"Resolving #11 closes #11":                    "#11",
		"Mentions #12 without a keyword":              "",
		"Enclosed #13":                                "",
		"Closes ABC-1":                                "",
		"fix #14":                                     "#14",
		"Prefix #15, unfixed #16":                     "",
	} {
		var got string
		for i, r := range ClosingRefs(text) {
			if i > 0 {
				got += " "
			}
			if r.Kind != KindIssue || r.IID == 0 {
				t.Fatalf("%q: %+v", text, r)
			}
			got += fmt.Sprint(r.Original)
		}
		if got != want {
			t.Errorf("ClosingRefs(%q) = %q, want %q", text, got, want)
		}
	}
}
