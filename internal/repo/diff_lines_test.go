package repo

import "testing"

// TestFindDiffLine: lines match on the sides they are on, numbered as
// GitLab numbers them, across hunks; lines outside the hunks and the
// "\ No newline" marker are not diff lines.
func TestFindDiffLine(t *testing.T) {
	diff := "@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n@@ -10,2 +10,3 @@\n j\n+k\n l\n\\ No newline at end of file\n@@ -0,0 +21 @@\n+z\n"
	for _, tc := range []struct {
		old, new       int
		ok             bool
		oldPos, newPos int
		added, removed bool
	}{
		{1, 1, true, 1, 1, false, false}, // context
		{2, 0, true, 2, 2, false, true},  // removed b
		{0, 2, true, 3, 2, true, false},  // added B
		{3, 3, true, 3, 3, false, false}, // context c
		{0, 11, true, 11, 11, true, false},
		{11, 12, true, 11, 12, false, false},
		{0, 21, true, 1, 21, true, false}, // an empty old side starts after 0
		{1, 0, false, 0, 0, false, false}, // a context line named on one side
		{5, 5, false, 0, 0, false, false}, // between hunks
		{0, 3, false, 0, 0, false, false},
	} {
		d, ok := FindDiffLine(diff, tc.old, tc.new)
		if ok != tc.ok || ok && (d.OldPos != tc.oldPos || d.NewPos != tc.newPos || d.Added != tc.added || d.Removed != tc.removed) {
			t.Errorf("FindDiffLine(%d, %d) = %+v, %v", tc.old, tc.new, d, ok)
		}
	}
}

// TestDiffLinesDeletion: in a hunk whose new side is empty ("+2,0"), the
// removed lines' new-side place is that number, as GitLab's parser keeps
// it (a commit comment on an "old" line names it).
func TestDiffLinesDeletion(t *testing.T) {
	var got []DiffLine
	for d := range DiffLines("@@ -3,2 +2,0 @@\n-c\n-d\n") {
		got = append(got, d)
	}
	if len(got) != 2 || got[0].OldLine != 3 || got[1].OldLine != 4 || got[0].NewPos != 2 || got[1].NewPos != 2 ||
		!got[0].Removed || got[0].Text != "c" {
		t.Fatalf("lines = %+v", got)
	}
}
