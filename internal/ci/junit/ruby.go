package junit

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Ruby conversions GitLab's parser applies to converted XML values.

// flatten is Ruby's [v].flatten.compact.
func flatten(v any) []any {
	var out []any
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case nil:
		case []any:
			for _, x := range v {
				walk(x)
			}
		default:
			out = append(out, v)
		}
	}
	walk(v)
	return out
}

// toS is Ruby's to_s: nil is empty, hashes and arrays are inspected.
func toS(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	}
	return inspect(v)
}

// inspect is Ruby's inspect (before 3.4: {"k"=>"v"}).
func inspect(v any) string {
	switch v := v.(type) {
	case nil:
		return "nil"
	case string:
		return strconv.Quote(v)
	case []any:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = inspect(x)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case *hash:
		parts := make([]string, len(v.keys))
		for i, k := range v.keys {
			parts[i] = strconv.Quote(k) + "=>" + inspect(v.get(k))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprint(v)
}

// join is Ruby's parts.compact.join("\n\n"): nested arrays joined too.
func join(parts []any) string {
	var out []string
	var walk func(v any, top bool)
	walk = func(v any, top bool) {
		switch v := v.(type) {
		case nil:
			if !top {
				out = append(out, "")
			}
		case []any:
			for _, x := range v {
				walk(x, false)
			}
		default:
			out = append(out, toS(v))
		}
	}
	for _, p := range parts {
		walk(p, true)
	}
	return strings.Join(out, "\n\n")
}

// float is the prefix Ruby's String#to_f reads.
var float = regexp.MustCompile(`^[ \t\n\v\f\r]*([+-]?(?:\d+(?:_\d+)*)?(?:\.\d+(?:_\d+)*)?(?:[eE][+-]?\d+)?)`)

// toF is Ruby's to_f for a converted value: nil is 0, a string its
// leading number (else 0); hashes and arrays have no to_f.
func toF(v any) (float64, error) {
	switch v := v.(type) {
	case nil:
		return 0, nil
	case string:
		m := float.FindStringSubmatch(v)
		num := strings.ReplaceAll(m[1], "_", "")
		if !strings.ContainsAny(num, "0123456789") {
			return 0, nil
		}
		// "1e" or "1.5e+" read as far as they are a number.
		for num != "" {
			f, err := strconv.ParseFloat(num, 64)
			if err == nil {
				return f, nil
			}
			if errors.Is(err, strconv.ErrRange) {
				return 0, nil // Ruby's Infinity, which JSON cannot carry
			}
			num = num[:len(num)-1]
		}
		return 0, nil
	}
	return 0, fmt.Errorf("undefined method `to_f' for %s", inspect(v))
}

// MarshalJSON writes a hash as a JSON object in Ruby's key order, as
// GitLab writes a <skipped> element's attributes.
func (h *hash) MarshalJSON() ([]byte, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range h.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		key, err := json.Marshal(k)
		if err != nil {
			return nil, err
		}
		val, err := json.Marshal(h.get(k))
		if err != nil {
			return nil, err
		}
		b.Write(key)
		b.WriteByte(':')
		b.Write(val)
	}
	b.WriteByte('}')
	return []byte(b.String()), nil
}
