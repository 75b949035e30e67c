package service

import "testing"

func TestSanitizeLabelText(t *testing.T) {
	for in, want := range map[string]string{
		"bug":                              "bug",
		"<b>bug</b>":                       "bug",
		"a < b":                            "a < b",
		"a &amp; b":                        "a & b",
		"x<script>alert(1)</script>y":      "xy",
		"<STYLE>p{}</style>text":           "text",
		"<a href='x'>link</a> &lt;tag&gt;": "link <tag>",
		"<!-- note -->kept":                "kept",
		"broken <i":                        "broken ",
	} {
		if got := SanitizeLabelText(in); got != want {
			t.Errorf("SanitizeLabelText(%q) = %q, want %q", in, got, want)
		}
	}
}

// Light backgrounds — components summing over 500 (#A7A7A7: 501) — get
// dark text.
func TestLabelTextColor(t *testing.T) {
	for color, want := range map[string]string{
		"#FFFFFF": "#333333", "#000000": "#FFFFFF", "#fff": "#333333", "#FFD700": "#FFFFFF",
		"#90EE90": "#333333", "#A7A7A7": "#333333", "#A6A6A6": "#FFFFFF", "bad": "#FFFFFF",
	} {
		if got := LabelTextColor(color); got != want {
			t.Errorf("LabelTextColor(%q) = %q, want %q", color, got, want)
		}
	}
	for in, want := range map[string]string{"Red": "#FF0000", " rebeccapurple ": "#663399", "#AbC": "#AbC"} {
		if got, ok := NormalizeLabelColor(in); !ok || got != want {
			t.Errorf("NormalizeLabelColor(%q) = %q %v, want %q", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "#12", "#1234", "#GGGGGG", "123456", "reddish", "#1234567"} {
		if _, ok := NormalizeLabelColor(bad); ok {
			t.Errorf("NormalizeLabelColor(%q) accepted", bad)
		}
	}
}
