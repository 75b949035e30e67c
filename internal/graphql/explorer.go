package graphql

import "net/http"

// explorerPage is a small self-contained query page: lablet vendors no
// GraphiQL build and loads nothing from a CDN. Queries go as GET, which
// the session cookie authenticates without a CSRF token.
const explorerPage = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>GraphQL explorer · lablet</title>
<style>body{font-family:sans-serif;margin:1rem}textarea,pre{width:100%;box-sizing:border-box;font-family:monospace}
textarea{height:14rem}pre{background:#f4f4f4;padding:.5rem;min-height:10rem;white-space:pre-wrap}</style></head>
<body><h1>GraphQL explorer</h1>
<p>Queries run as you, against <code>/api/graphql</code>. Mutations need a token with the <code>api</code> scope.</p>
<form id="f"><label for="q">Query</label><textarea id="q" name="query">query {
  currentUser {
    username
  }
}</textarea>
<label for="v">Variables (JSON)</label><textarea id="v" name="variables" style="height:4rem"></textarea>
<button type="submit">Run</button></form><pre id="out"></pre>
<script>
document.getElementById('f').addEventListener('submit', async function (e) {
  e.preventDefault();
  var u = new URLSearchParams({query: document.getElementById('q').value});
  var v = document.getElementById('v').value.trim();
  if (v) { u.set('variables', v); }
  var r = await fetch('/api/graphql?' + u.toString(), {credentials: 'same-origin'});
  document.getElementById('out').textContent = JSON.stringify(await r.json(), null, 2);
});
</script></body></html>`

func (h *Handler) explorer(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'unsafe-inline' 'self'; style-src 'unsafe-inline'")
	_, _ = w.Write([]byte(explorerPage))
}
