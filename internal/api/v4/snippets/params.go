package snippets

import (
	"fmt"

	v4 "github.com/lablet/lablet/internal/api/v4"
	"github.com/lablet/lablet/internal/service"
)

// maxSnippetText bounds a text parameter before the service's checks.
const maxSnippetText = 4 * service.MaxSnippetFileBytes

// optText reads an optional string parameter.
func optText(c *v4.Call, name string) (*string, error) {
	s, ok, err := c.Params().Text(name, maxSnippetText)
	if err != nil || !ok {
		return nil, err
	}
	return &s, nil
}

// snippetInput reads a create's or update's parameters: title,
// description, visibility, files (a JSON array of objects) and the
// legacy content and file_name.
func snippetInput(c *v4.Call, creating bool) (service.SnippetInput, error) {
	var in service.SnippetInput
	var err error
	for name, dst := range map[string]**string{"title": &in.Title, "description": &in.Description,
		"content": &in.Content, "file_name": &in.FileName} {
		if *dst, err = optText(c, name); err != nil {
			return in, err
		}
	}
	if v, ok, err := c.Params().OneOf("visibility", "private", "internal", "public"); err != nil {
		return in, err
	} else if ok {
		in.Visibility = &v
	}
	raw, present := c.Params().Raw("files")
	if !present {
		return in, nil
	}
	list, isList := raw.([]any)
	if !isList {
		return in, service.ParamError("files is invalid")
	}
	in.FilesGiven = true
	for i, item := range list {
		m, isMap := item.(map[string]any)
		if !isMap {
			return in, service.ParamError("files is invalid")
		}
		var f service.SnippetFile
		for name, dst := range map[string]**string{"file_path": &f.FilePath, "previous_path": &f.PreviousPath,
			"content": &f.Content} {
			switch v := m[name].(type) {
			case nil:
			case string:
				*dst = &v
			default:
				return in, service.ParamError(fmt.Sprintf("files[%d][%s] is invalid", i, name))
			}
		}
		if !creating {
			action, ok := m["action"].(string)
			if !ok {
				return in, service.ParamError(fmt.Sprintf("files[%d][action] is missing", i))
			}
			f.Action = action
		}
		in.Files = append(in.Files, f)
	}
	return in, nil
}
