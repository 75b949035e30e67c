package templates

import (
	"strings"
	"testing"
)

// TestEveryTemplateReads: each licence has its text, each listed template
// reads back, and a name outside [\w.-] or starting with a dot is none.
func TestEveryTemplateReads(t *testing.T) {
	for _, l := range LicenseList(nil) {
		if l.Content == "" || l.Description == "" || l.SourceURL == "" {
			t.Errorf("%s: %+v", l.Key, l)
		}
	}
	for _, kind := range []Kind{Gitignores, Dockerfiles, GitlabCIYmls} {
		list := List(kind)
		if len(list) == 0 {
			t.Errorf("%s: none", kind)
		}
		for _, tpl := range list {
			if got, ok := Get(kind, tpl.Key); !ok || got.Content == "" {
				t.Errorf("%s/%s unreadable", kind, tpl.Key)
			}
		}
	}
	for _, bad := range []string{"", "..", ".hidden", "../licenses/mit", "Go/x", "Go.gitignore"} {
		if _, ok := Get(Gitignores, bad); ok {
			t.Errorf("Get(%q) found a template", bad)
		}
	}
}

// TestResolve fills Apache's and the GPL's own placeholder forms.
func TestResolve(t *testing.T) {
	apache, _ := LicenseByKey("Apache-2.0")
	got := apache.Resolve("", "Ada", "2026").Content
	if !strings.Contains(got, "Copyright 2026 Ada\n") {
		t.Errorf("apache: no filled copyright line")
	}
	gpl, _ := LicenseByKey("gpl-3.0")
	got = gpl.Resolve("Engine", "Ada", "2026").Content
	if !strings.Contains(got, "    Engine\n    Copyright (C) 2026  Ada\n") || strings.Contains(got, "<year>") {
		t.Errorf("gpl: placeholders left")
	}
	// Without a project or name those placeholders stay.
	if mit, _ := LicenseByKey("mit"); !strings.Contains(mit.Resolve("", "", "2026").Content, "Copyright (c) 2026 [fullname]") {
		t.Errorf("mit: fullname filled without one")
	}
}
