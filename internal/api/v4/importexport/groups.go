package importexport

import (
	"io"
	"net/http"
	"strconv"
	"strings"

	v4 "github.com/lablet/lablet/internal/api/v4"
	"github.com/lablet/lablet/internal/service"
)

// Group export and import (doc/api/group_import_export.md): the export is
// built on the background queue; an import is written within its request
// and answers 202 as GitLab's.

func scheduleGroupExport(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	if err := a.Service().ScheduleGroupExport(r.Context(), c.Identity(), r.PathValue("id")); err != nil {
		return err
	}
	return v4.WriteAccepted(w)
}

func downloadGroupExport(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	ar, err := a.Service().OpenGroupExport(r.Context(), c.Identity(), r.PathValue("id"))
	if err != nil {
		return err
	}
	serveArchive(w, r, ar)
	return nil
}

// importGroup is POST /groups/import: multipart path, name, file and
// parent_id, required as GitLab's params (path, name, file in order).
func importGroup(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	fields, spool, err := readImportForm(w, r, c)
	if spool != nil {
		defer discardSpool(spool)
	}
	if err != nil {
		return err
	}
	var missing []string
	for _, k := range []string{"path", "name"} {
		if fields[k] == "" {
			missing = append(missing, k+" is missing")
		}
	}
	if spool == nil {
		missing = append(missing, "file is missing")
	}
	if len(missing) > 0 {
		return service.ParamError(strings.Join(missing, ", "))
	}
	in := service.GroupImportInput{Path: fields["path"], Name: fields["name"]}
	if v := fields["parent_id"]; v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return service.ParamError("parent_id is invalid")
		}
		in.ParentID = &id
	}
	size, err := spool.Seek(0, io.SeekEnd)
	if err != nil {
		return err
	}
	if _, err := spool.Seek(0, io.SeekStart); err != nil {
		return err
	}
	if err := a.Service().ImportGroup(r.Context(), c.Identity(), in, spool, size); err != nil {
		return err
	}
	return v4.WriteAccepted(w)
}
