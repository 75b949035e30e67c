package model

import "time"

// Upload is a file uploaded to a project for its Markdown. Its bytes are
// in blob storage under BlobKey.
type Upload struct {
	ID           int64
	ProjectID    int64
	Secret       string // 32 hex digits
	Filename     string
	Size         int64
	ContentType  string
	BlobKey      string
	UploadedByID *int64
	CreatedAt    time.Time
}
