package templates

import (
	"regexp"
	"slices"
	"strings"
)

// License is a licence template with choosealicense.com's metadata, the
// fields of GitLab's Entities::License (GitLab reads them from Licensee).
type License struct {
	Key, Name   string
	Nickname    string // "" when it has none (null in the API)
	Popular     bool   // choosealicense's "featured"
	HTMLURL     string
	SourceURL   string
	Description string
	Conditions  []string
	Permissions []string
	Limitations []string
	Content     string
}

// permissive is what MIT, the BSD licences and the Unlicense permit.
var permissive = []string{"commercial-use", "modifications", "distribution", "private-use"}

// patents is what the licences with a patent grant permit.
var patents = []string{"commercial-use", "modifications", "distribution", "patent-use", "private-use"}

// licenses are the licences lablet ships, sorted by key. Their texts are
// in licenses/<key>.txt.
var licenses = []License{
	{Key: "apache-2.0", Name: "Apache License 2.0", Popular: true,
		SourceURL:   "https://www.apache.org/licenses/LICENSE-2.0",
		Description: "A permissive license whose main conditions require preservation of copyright and license notices. Contributors provide an express grant of patent rights. Licensed works, modifications, and larger works may be distributed under different terms and without source code.",
		Conditions:  []string{"include-copyright", "document-changes"}, Permissions: patents,
		Limitations: []string{"trademark-use", "liability", "warranty"}},
	{Key: "bsd-2-clause", Name: `BSD 2-Clause "Simplified" License`,
		SourceURL:   "https://opensource.org/licenses/BSD-2-Clause",
		Description: "A permissive license that comes in two variants, the BSD 2-Clause and BSD 3-Clause. Both have very minute differences to the MIT license.",
		Conditions:  []string{"include-copyright"}, Permissions: permissive, Limitations: []string{"liability", "warranty"}},
	{Key: "bsd-3-clause", Name: `BSD 3-Clause "New" or "Revised" License`,
		SourceURL:   "https://opensource.org/licenses/BSD-3-Clause",
		Description: "A permissive license similar to the BSD 2-Clause License, but with a 3rd clause that prohibits others from using the name of the copyright holder or its contributors to promote derived products without written consent.",
		Conditions:  []string{"include-copyright"}, Permissions: permissive, Limitations: []string{"liability", "warranty"}},
	{Key: "gpl-3.0", Name: "GNU General Public License v3.0", Nickname: "GNU GPLv3", Popular: true,
		SourceURL:   "https://www.gnu.org/licenses/gpl-3.0.txt",
		Description: "Permissions of this strong copyleft license are conditioned on making available complete source code of licensed works and modifications, which include larger works using a licensed work, under the same license. Copyright and license notices must be preserved. Contributors provide an express grant of patent rights.",
		Conditions:  []string{"include-copyright", "document-changes", "disclose-source", "same-license"}, Permissions: patents,
		Limitations: []string{"liability", "warranty"}},
	{Key: "mit", Name: "MIT License", Popular: true,
		SourceURL:   "https://opensource.org/licenses/MIT",
		Description: "A short and simple permissive license with conditions only requiring preservation of copyright and license notices. Licensed works, modifications, and larger works may be distributed under different terms and without source code.",
		Conditions:  []string{"include-copyright"}, Permissions: permissive, Limitations: []string{"liability", "warranty"}},
	{Key: "mpl-2.0", Name: "Mozilla Public License 2.0",
		SourceURL:   "https://www.mozilla.org/media/MPL/2.0/index.txt",
		Description: "Permissions of this weak copyleft license are conditioned on making available source code of licensed files and modifications of those files under the same license (or in certain cases, one of the GNU licenses). Copyright and license notices must be preserved. Contributors provide an express grant of patent rights. However, a larger work using the licensed work may be distributed under different terms and without source code for files added in the larger work.",
		Conditions:  []string{"disclose-source", "include-copyright", "same-license--file"}, Permissions: patents,
		Limitations: []string{"liability", "trademark-use", "warranty"}},
	{Key: "unlicense", Name: "The Unlicense",
		SourceURL:   "https://unlicense.org/",
		Description: "A license with no conditions whatsoever which dedicates works to the public domain. Unlicensed works, modifications, and larger works may be distributed under different terms and without source code.",
		Conditions:  []string{}, Permissions: []string{"private-use", "commercial-use", "modifications", "distribution"},
		Limitations: []string{"liability", "warranty"}},
}

// LicenseList returns the licences (with their unresolved texts); popular
// non-nil keeps only the popular ones (true) or only the others (false),
// as GitLab's popular parameter does.
func LicenseList(popular *bool) []License {
	out := make([]License, 0, len(licenses))
	for _, l := range licenses {
		if popular != nil && l.Popular != *popular {
			continue
		}
		out = append(out, withText(l))
	}
	return out
}

// LicenseByKey returns the licence of key (any case), its text unresolved.
func LicenseByKey(key string) (License, bool) {
	i := slices.IndexFunc(licenses, func(l License) bool { return l.Key == strings.ToLower(key) })
	if i < 0 {
		return License{}, false
	}
	return withText(licenses[i]), true
}

func withText(l License) License {
	b, err := files.ReadFile("licenses/" + l.Key + ".txt")
	if err != nil {
		panic("templates: licence text missing for " + l.Key) // embedded; a test reads every one
	}
	l.Content = string(b)
	l.HTMLURL = "http://choosealicense.com/licenses/" + l.Key + "/"
	return l
}

// The placeholders GitLab's LicenseTemplate#resolve! fills.
var (
	yearPlaceholder     = regexp.MustCompile(`(?i)[<{\[](year|yyyy)[>}\]]`)
	projectPlaceholder  = regexp.MustCompile(`(?i)[<{\[](project|description|one\sline\s.+\swhat\sit\sdoes\.)[>}\]]`)
	fullnamePlaceholder = regexp.MustCompile(`(?i)[<{\[](fullname|name\sof\s(author|copyright\sowner))[>}\]]`)
)

// Resolve fills the year, and the project's and holder's names when
// given, into a licence's text.
func (l License) Resolve(project, fullname, year string) License {
	l.Content = yearPlaceholder.ReplaceAllLiteralString(l.Content, year)
	if project != "" {
		l.Content = projectPlaceholder.ReplaceAllLiteralString(l.Content, project)
	}
	if fullname != "" {
		l.Content = fullnamePlaceholder.ReplaceAllLiteralString(l.Content, fullname)
	}
	return l
}
