package entitygen

import (
	"cmp"
	"fmt"
	"go/types"
	"reflect"
	"slices"
	"strings"
	"unicode"
)

// jsonField is a member of a struct's JSON object.
type jsonField struct {
	name      string
	index     []int // the path through embedded structs
	typ       types.Type
	omitEmpty bool
	tagged    bool
}

// jsonFields lists the members encoding/json writes for struct type t,
// in its order, by its rules (typeFields in encoding/json): fields of
// embedded structs are promoted breadth first, a name used more than once
// goes to the shallowest field, then to a tagged one, else to none.
func jsonFields(t types.Type) ([]jsonField, error) {
	type level struct {
		typ   types.Type
		index []int
	}
	next := []level{{typ: t}}
	var count, nextCount map[types.Type]int
	visited := map[types.Type]bool{}
	var fields []jsonField
	for len(next) > 0 {
		current := next
		next = nil
		count, nextCount = nextCount, map[types.Type]int{}
		for _, l := range current {
			if visited[l.typ] {
				continue
			}
			visited[l.typ] = true
			st := l.typ.Underlying().(*types.Struct)
			for i := range st.NumFields() {
				sf := st.Field(i)
				ft := sf.Type()
				if p, ok := ft.(*types.Pointer); ok {
					ft = p.Elem()
				}
				_, isStruct := ft.Underlying().(*types.Struct)
				if sf.Anonymous() {
					if !sf.Exported() && !isStruct {
						continue
					}
				} else if !sf.Exported() {
					continue
				}
				tag := reflect.StructTag(st.Tag(i)).Get("json")
				if tag == "-" {
					continue
				}
				name, opts, _ := strings.Cut(tag, ",")
				if !validTag(name) {
					name = ""
				}
				index := append(slices.Clone(l.index), i)
				for opt := range strings.SplitSeq(opts, ",") {
					if opt == "string" || opt == "omitzero" {
						return nil, fmt.Errorf("%s: json option %q is not supported", sf.Name(), opt)
					}
				}
				if name != "" || !sf.Anonymous() || !isStruct {
					f := jsonField{name: name, index: index, typ: sf.Type(), tagged: name != "",
						omitEmpty: slices.Contains(strings.Split(opts, ","), "omitempty")}
					if f.name == "" {
						f.name = sf.Name()
					}
					fields = append(fields, f)
					if count[l.typ] > 1 { // a duplicate, for the loop below to drop
						fields = append(fields, f)
					}
					continue
				}
				if _, ok := sf.Type().(*types.Pointer); ok {
					return nil, fmt.Errorf("%s: embedded pointers are not supported", sf.Name())
				}
				nextCount[ft]++
				if nextCount[ft] == 1 {
					next = append(next, level{typ: ft, index: index})
				}
			}
		}
	}
	slices.SortFunc(fields, func(a, b jsonField) int {
		if c := strings.Compare(a.name, b.name); c != 0 {
			return c
		}
		if c := cmp.Compare(len(a.index), len(b.index)); c != 0 {
			return c
		}
		if a.tagged != b.tagged {
			if a.tagged {
				return -1
			}
			return 1
		}
		return slices.Compare(a.index, b.index)
	})
	var out []jsonField
	for i := 0; i < len(fields); {
		j := i + 1
		for j < len(fields) && fields[j].name == fields[i].name {
			j++
		}
		// The first dominates unless the second is as shallow and as tagged.
		if j-i == 1 || len(fields[i].index) != len(fields[i+1].index) || fields[i].tagged != fields[i+1].tagged {
			out = append(out, fields[i])
		}
		i = j
	}
	slices.SortFunc(out, func(a, b jsonField) int { return slices.Compare(a.index, b.index) })
	return out, nil
}

// validTag is encoding/json's isValidTag.
func validTag(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c):
		case !unicode.IsLetter(c) && !unicode.IsDigit(c):
			return false
		}
	}
	return true
}
