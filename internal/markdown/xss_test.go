package markdown

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// xssPayloads are hostile inputs: each must render to HTML without
// anything executable.
var xssPayloads = []string{
	`<script>alert(1)</script>`,
	`<SCRIPT SRC=http://xss.rocks/xss.js></SCRIPT>`,
	`<scr<script>ipt>alert(1)</script>`,
	`<img src=x onerror=alert(1)>`,
	`<img src="x" onerror="alert(1)">`,
	`<IMG SRC="javascript:alert('XSS');">`,
	`<IMG SRC=JaVaScRiPt:alert('XSS')>`,
	`<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>`,
	`<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72&#x74&#x28&#x27&#x58&#x53&#x53&#x27&#x29>`,
	"<IMG SRC=\"jav\tascript:alert('XSS');\">",
	`<IMG SRC="jav&#x09;ascript:alert('XSS');">`,
	`<IMG SRC=" &#14;  javascript:alert('XSS');">`,
	`<a href="javascript:alert(1)">x</a>`,
	`<a href="JAVASCRIPT:alert(1)">x</a>`,
	`<a href=" javascript:alert(1)">x</a>`,
	`<a href="vbscript:msgbox(1)">x</a>`,
	`<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>`,
	`<a href="jav&#x61;script:alert(1)">x</a>`,
	`<a href="&#106;avascript:alert(1)">x</a>`,
	`<a href="java%0ascript:alert(1)">x</a>`,
	`<a onmouseover="alert(1)">x</a>`,
	`<div onclick="alert(1)">x</div>`,
	`<body onload=alert(1)>`,
	`<svg onload=alert(1)>`,
	`<svg><script>alert(1)</script></svg>`,
	`<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>`,
	`<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>`,
	`<math href="javascript:alert(1)">x</math>`,
	`<style>body{background:url("javascript:alert(1)")}</style>`,
	`<div style="background-image: url(javascript:alert(1))">x</div>`,
	`<div style="width: expression(alert(1))">x</div>`,
	`<iframe src="javascript:alert(1)"></iframe>`,
	`<iframe srcdoc="<script>alert(1)</script>"></iframe>`,
	`<object data="javascript:alert(1)"></object>`,
	`<embed src="javascript:alert(1)">`,
	`<form action="javascript:alert(1)"><input type=submit></form>`,
	`<button formaction="javascript:alert(1)">x</button>`,
	`<input type="image" src="x" onerror="alert(1)">`,
	`<input type="text" onfocus="alert(1)" autofocus>`,
	`<details open ontoggle=alert(1)><summary>x</summary></details>`,
	`<video><source onerror="alert(1)"></video>`,
	`<audio src=x onerror=alert(1)>`,
	`<meta http-equiv="refresh" content="0;url=javascript:alert(1)">`,
	`<link rel="stylesheet" href="javascript:alert(1)">`,
	`<base href="javascript:alert(1)//">`,
	`<table background="javascript:alert(1)"><tr><td>x</td></tr></table>`,
	`<marquee onstart=alert(1)>x</marquee>`,
	`<a href="x" data-reference-type="issue" onclick="alert(1)">x</a>`,
	`<img src="x` + "`" + `onerror=alert(1)` + "`" + `>`,
	`<!--<img src="--><img src=x onerror=alert(1)//">`,
	`<![CDATA[<script>alert(1)</script>]]>`,
	`[x](javascript:alert(1))`,
	`[x](JaVaScRiPt:alert(1))`,
	`[x](javascript&#58;alert(1))`,
	`[x](&#106;avascript:alert(1))`,
	`[x](vbscript:msgbox(1))`,
	`[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)`,
	`[x]( javascript:alert(1) )`,
	`[x](<javascript:alert(1)>)`,
	`[x](javascript:alert%281%29)`,
	"[x](java\\\nscript:alert(1))",
	`![x](javascript:alert(1))`,
	`![x](x" onerror="alert(1))`,
	`![x](x "title\" onerror=\"alert(1)")`,
	`![x"onerror="alert(1)](x)`,
	`[x][ref]` + "\n\n" + `[ref]: javascript:alert(1)`,
	`<javascript:alert(1)>`,
	`[a](http://a.com "a\"onmouseover=\"alert(1)")`,
	"```\"><script>alert(1)</script>\nx\n```",
	"``` onerror=alert(1)\nx\n```",
	`<a href="http://a.com" onclick=alert(1)>x</a>`,
	`:smile:<script>alert(1)</script>`,
	`~"<script>alert(1)</script>" %"<img src=x onerror=alert(1)>" @"><script>`,
	`#1"><script>alert(1)</script>`,
	`<a href="/uploads/../../javascript:alert(1)">x</a>`,
	`<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">`,
	`<a href="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116&#0000040&#0000039&#0000088&#0000083&#0000083&#0000039&#0000041">x</a>`,
	`<a href="javascript&colon;alert(1)">x</a>`,
	`<isindex type=image src=1 onerror=alert(1)>`,
	`<x onclick=alert(1)>click</x>`,
	`<gl-emoji onclick="alert(1)" data-name="x">x</gl-emoji>`,
	`<input type="checkbox" onclick="alert(1)" checked="javascript:alert(1)">`,
}

func TestXSSCorpusRendersNothingExecutable(t *testing.T) {
	if len(xssPayloads) < 60 {
		t.Fatalf("the corpus has %d payloads, want at least 60", len(xssPayloads))
	}
	r := New()
	for _, gfm := range []bool{true, false} {
		for _, p := range xssPayloads {
			out, err := r.Render(context.Background(), p, Options{GFM: gfm, Resolver: &fakeResolver{}, UploadsPrefix: "/g/p"})
			if err != nil {
				t.Fatalf("Render(%q): %v", p, err)
			}
			if problem := unsafeHTML(out); problem != "" {
				t.Errorf("Render(%q, gfm=%v) = %q: %s", p, gfm, out, problem)
			}
		}
	}
}

// forbiddenElements are never in the output.
var forbiddenElements = map[string]bool{
	"script": true, "iframe": true, "object": true, "embed": true, "style": true, "form": true,
	"svg": true, "math": true, "base": true, "meta": true, "link": true, "frame": true, "frameset": true,
	"button": true, "textarea": true, "select": true,
}

// unsafeHTML parses out back as a browser would and names the first
// executable thing in it, or returns "".
func unsafeHTML(out string) string {
	doc, err := html.Parse(strings.NewReader(out))
	if err != nil {
		return "unparseable: " + err.Error()
	}
	var problem string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if problem != "" {
			return
		}
		if n.Type == html.ElementNode {
			if forbiddenElements[n.Data] {
				problem = "element " + n.Data
				return
			}
			for _, a := range n.Attr {
				key := strings.ToLower(a.Key)
				switch {
				case strings.HasPrefix(key, "on"):
					problem = "event handler " + a.Key
				case key == "style":
					problem = "style attribute"
				case key == "href" || key == "src" || key == "action" || key == "formaction" ||
					key == "xlink:href" || key == "background" || key == "srcdoc" || key == "data":
					if !safeURL(a.Val) {
						problem = key + "=" + a.Val
					}
				}
				if problem != "" {
					return
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return problem
}

// safeURL accepts http, https, mailto and relative URLs.
func safeURL(v string) bool {
	u, err := url.Parse(strings.TrimSpace(v))
	if err != nil {
		return false
	}
	switch strings.ToLower(u.Scheme) {
	case "", "http", "https", "mailto":
	default:
		return false
	}
	// A relative URL whose first segment holds a colon would be read as
	// a scheme by a lenient parser.
	if u.Scheme == "" && strings.Contains(strings.SplitN(u.Path, "/", 2)[0], ":") {
		return false
	}
	return true
}
