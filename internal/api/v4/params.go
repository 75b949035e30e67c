package v4

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/lablet/lablet/internal/service"
)

// MaxBodyBytes bounds API request bodies.
const MaxBodyBytes = 8 << 20

// bodyUnread, as parseParamsLimit's limit, leaves the body to the
// handler (streamed uploads).
const bodyUnread = -1

// Params merges query, form and JSON body parameters, as Grape does: the
// body wins over the query string.
type Params struct {
	query url.Values
	form  url.Values
	json  map[string]any
	// files are a multipart body's file parts (avatars).
	files map[string][]*multipart.FileHeader
}

// parseParams reads the request's parameters once.
func parseParams(w http.ResponseWriter, r *http.Request) (*Params, error) {
	return parseParamsLimit(w, r, MaxBodyBytes)
}

// parseParamsLimit is parseParams with a body limit other than
// MaxBodyBytes (routes carrying file content take more).
func parseParamsLimit(w http.ResponseWriter, r *http.Request, limit int64) (*Params, error) {
	p := &Params{query: r.URL.Query()}
	if r.Body == nil || r.Method == http.MethodGet || r.Method == http.MethodHead || limit == bodyUnread {
		return p, nil
	}
	if limit <= 0 {
		limit = MaxBodyBytes
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, service.TooLarge()
		}
		return nil, service.Invalid("400 Bad request - unreadable body")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return p, nil
	}
	switch ct {
	case "application/json":
		var v any
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil || dec.More() {
			return nil, service.ParamError("The provided content-type 'application/json' is not valid JSON")
		}
		if v == nil {
			// The official Go client sends `null` for nil options;
			// Rails reads it as no parameters.
			return p, nil
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil, service.ParamError("The provided JSON body must be an object")
		}
		p.json = m
	case "multipart/form-data":
		r.Body = io.NopCloser(bytes.NewReader(body))
		if err := r.ParseMultipartForm(limit); err != nil {
			return nil, service.ParamError("The provided multipart body is invalid")
		}
		p.form, p.files = r.MultipartForm.Value, r.MultipartForm.File
	default:
		// curl -d sends application/x-www-form-urlencoded; treat anything
		// else the same way, as Rack does for unknown types.
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, service.ParamError("The provided form body is invalid")
		}
		p.form = form
	}
	return p, nil
}

// Raw returns the value of name and whether it was given. JSON values keep
// their type; form and query values are strings or []string.
func (p *Params) Raw(name string) (any, bool) {
	if p.json != nil {
		if v, ok := p.json[name]; ok {
			return v, true
		}
	}
	for _, vals := range []url.Values{p.form, p.query} {
		if vals == nil {
			continue
		}
		if v, ok := vals[name+"[]"]; ok {
			return v, true
		}
		if v, ok := vals[name]; ok && len(v) > 0 {
			if len(v) > 1 {
				return v, true
			}
			return v[0], true
		}
	}
	return nil, false
}

// Has reports whether name was given at all.
func (p *Params) Has(name string) bool {
	_, ok := p.Raw(name)
	return ok
}

// Str returns a string parameter. Numbers and booleans in JSON are turned
// into their text; other shapes count as absent.
func (p *Params) Str(name string) (string, bool) {
	v, ok := p.Raw(name)
	if !ok {
		return "", false
	}
	switch t := v.(type) {
	case string:
		return t, true
	case json.Number:
		return t.String(), true
	case bool:
		return strconv.FormatBool(t), true
	case nil:
		return "", true
	}
	return "", false
}

// Text returns a validated free-text string parameter: UTF-8, no NUL, at
// most max bytes. ok is false when absent.
func (p *Params) Text(name string, max int) (string, bool, error) {
	v, present := p.Raw(name)
	if !present {
		return "", false, nil
	}
	var s string
	switch t := v.(type) {
	case string:
		s = t
	case json.Number:
		s = t.String()
	case nil:
		return "", true, nil
	default:
		return "", false, service.ParamError(name + " is invalid")
	}
	if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
		return "", false, service.ParamError(name + " is invalid")
	}
	if len(s) > max {
		return "", false, service.ParamError(fmt.Sprintf("%s is too long (maximum is %d characters)", name, max))
	}
	return s, true, nil
}

// Required returns a string parameter that must be present and non-empty.
func (p *Params) Required(name string, max int) (string, error) {
	s, ok, err := p.Text(name, max)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", service.ParamError(name + " is missing")
	}
	if s == "" {
		return "", service.ParamError(name + " is empty")
	}
	return s, nil
}

// RequiredInt returns an integer parameter that must be present.
func (p *Params) RequiredInt(name string) (int64, error) {
	n, ok, err := p.Int(name)
	if err == nil && !ok {
		err = service.ParamError(name + " is missing")
	}
	return n, err
}

// Int returns an integer parameter; a malformed one is "name is invalid".
// JSON null counts as absent: Grape lets an optional Integer be nil, and
// clients that serialise unset fields send it.
func (p *Params) Int(name string) (int64, bool, error) {
	s, ok, err := p.numberText(name)
	if !ok || err != nil {
		return 0, false, err
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, false, service.ParamError(name + " is invalid")
	}
	return n, true, nil
}

// Float returns a number parameter, as int reads an integer.
func (p *Params) Float(name string) (*float64, error) {
	s, ok, err := p.numberText(name)
	if !ok || err != nil {
		return nil, err
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil, service.ParamError(name + " is invalid")
	}
	return &f, nil
}

// numberText is the text of a number parameter, trimmed; JSON null is
// absent and any other JSON shape invalid.
func (p *Params) numberText(name string) (string, bool, error) {
	v, ok := p.Raw(name)
	if !ok || v == nil {
		return "", false, nil
	}
	switch t := v.(type) {
	case string:
		return strings.TrimSpace(t), true, nil
	case json.Number:
		return t.String(), true, nil
	}
	return "", false, service.ParamError(name + " is invalid")
}

// Bool returns a boolean parameter, accepting what Grape accepts.
func (p *Params) Bool(name string) (bool, bool, error) {
	v, ok := p.Raw(name)
	if !ok {
		return false, false, nil
	}
	switch t := v.(type) {
	case bool:
		return t, true, nil
	case string:
		switch strings.ToLower(t) {
		case "true", "t", "1", "yes", "y", "on":
			return true, true, nil
		case "false", "f", "0", "no", "n", "off":
			return false, true, nil
		}
	case json.Number:
		switch t.String() {
		case "1":
			return true, true, nil
		case "0":
			return false, true, nil
		}
	}
	return false, false, service.ParamError(name + " is invalid")
}

// StrList returns a list parameter given as a JSON array, repeated
// name[]=… form values, or one comma-separated string.
func (p *Params) StrList(name string) ([]string, bool, error) {
	v, ok := p.Raw(name)
	if !ok {
		return nil, false, nil
	}
	var out []string
	switch t := v.(type) {
	case string:
		for _, s := range strings.Split(t, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	case []string:
		for _, s := range t {
			for _, part := range strings.Split(s, ",") {
				if part = strings.TrimSpace(part); part != "" {
					out = append(out, part)
				}
			}
		}
	case []any:
		for _, e := range t {
			s, isStr := e.(string)
			if !isStr {
				return nil, false, service.ParamError(name + " is invalid")
			}
			out = append(out, s)
		}
	default:
		return nil, false, service.ParamError(name + " is invalid")
	}
	return out, true, nil
}

// date returns a YYYY-MM-DD parameter; empty or null means "clear" and is
// reported as present with a nil value.
func (p *Params) date(name string) (*string, bool, error) {
	v, ok := p.Raw(name)
	if !ok {
		return nil, false, nil
	}
	if v == nil {
		return nil, true, nil
	}
	s, isStr := v.(string)
	if !isStr {
		return nil, false, service.ParamError(name + " is invalid")
	}
	if s == "" {
		return nil, true, nil
	}
	// GitLab accepts a full timestamp too and keeps the date.
	if len(s) > 10 && (s[10] == 'T' || s[10] == ' ') {
		s = s[:10]
	}
	if !service.ValidDate(s) {
		return nil, false, service.ParamError(name + " is invalid")
	}
	return &s, true, nil
}

// OneOf returns a string parameter restricted to allowed values.
func (p *Params) OneOf(name string, allowed ...string) (string, bool, error) {
	s, ok := p.Str(name)
	if !ok {
		return "", false, nil
	}
	for _, a := range allowed {
		if s == a {
			return s, true, nil
		}
	}
	return "", false, service.ParamError(name + " does not have a valid value")
}
