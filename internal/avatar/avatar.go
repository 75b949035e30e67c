// Package avatar gives users their avatar URLs and images. By default a
// user's avatar is an identicon lablet draws and serves itself
// (IdenticonPath): it works offline and tells nobody outside the
// instance whose page is being looked at. An instance may ask for GitLab's
// default instead, Gravatar URLs (AppendGravatarURL), as GitLab's
// gravatar_enabled setting does.
//
// Everything here is computed from the user id or email without I/O, and
// the URL appenders do not allocate, so entities on hot paths (user and
// project lists) can carry avatars at no cost worth measuring.
package avatar

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/color"
	"image/png"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// IdenticonPath is the path prefix of lablet's identicons, below the base
// URL: IdenticonPath + "<user id>.png".
const IdenticonPath = "/-/identicons/"

// AppendIdenticonURL appends the URL of user id's identicon under base.
func AppendIdenticonURL(dst []byte, base string, id int64) []byte {
	dst = append(dst, base...)
	dst = append(dst, IdenticonPath...)
	dst = strconv.AppendInt(dst, id, 10)
	return append(dst, ".png"...)
}

// gravatarSize is the s= of GitLab's avatar URLs: 40 pixels at scale 2.
const gravatarSize = "80"

// AppendGravatarURL appends GitLab's Gravatar URL for email (config
// gravatar.plain_url, or ssl_url when the instance's base URL is https):
// the SHA-256 of the trimmed, lower-cased address, which is Gravatar's
// current identifier (GitLab used MD5 before), at s=80 with identicon as
// the fallback image.
func AppendGravatarURL(dst []byte, base, email string) []byte {
	if strings.HasPrefix(base, "https:") {
		dst = append(dst, "https://secure.gravatar.com/avatar/"...)
	} else {
		dst = append(dst, "https://www.gravatar.com/avatar/"...)
	}
	sum := emailDigest(email)
	dst = hex.AppendEncode(dst, sum[:])
	return append(dst, "?s="+gravatarSize+"&d=identicon"...)
}

// emailDigest hashes the normalised address in a stack buffer: the common
// ASCII address costs no allocation.
func emailDigest(email string) [sha256.Size]byte {
	email = strings.TrimSpace(email)
	var buf [128]byte
	if len(email) > len(buf) || !isASCII(email) {
		return sha256.Sum256([]byte(strings.ToLower(email)))
	}
	b := buf[:len(email)]
	for i := 0; i < len(email); i++ {
		c := email[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b[i] = c
	}
	return sha256.Sum256(b)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// AppendURL appends a user's avatar URL: the Gravatar URL of email when
// gravatar is set and the email is known, lablet's identicon otherwise.
func AppendURL(dst []byte, base string, gravatar bool, id int64, email string) []byte {
	if gravatar && strings.TrimSpace(email) != "" {
		return AppendGravatarURL(dst, base, email)
	}
	return AppendIdenticonURL(dst, base, id)
}

// URL is AppendURL as a string.
func URL(base string, gravatar bool, id int64, email string) string {
	var buf [256]byte
	return string(AppendURL(buf[:0], base, gravatar, id, email))
}

// IdenticonID reads the user id from an identicon's file name, "<id>.png".
func IdenticonID(file string) (int64, bool) {
	digits, ok := strings.CutSuffix(file, ".png")
	if !ok || digits == "" || digits[0] == '0' || digits[0] == '+' || digits[0] == '-' {
		return 0, false
	}
	id, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || id <= 0 {
		return 0, false
	}
	return id, true
}

// Identicon geometry: 5×5 cells of 14 pixels inside a 5-pixel margin, 80
// pixels square like GitLab's default avatar size.
const (
	cells      = 5
	cellPixels = 14
	margin     = 5
	side       = 2*margin + cells*cellPixels
)

// Identicons draws identicons, reusing its PNG encoder's buffers (the
// compressor's state is most of an encoding's cost). Safe for concurrent
// use; the zero value is ready.
type Identicons struct {
	buffers sync.Pool // *png.EncoderBuffer
}

// Get and Put make Identicons the encoder's png.EncoderBufferPool.
func (ic *Identicons) Get() *png.EncoderBuffer {
	b, _ := ic.buffers.Get().(*png.EncoderBuffer)
	return b
}

// Put returns a buffer to the pool.
func (ic *Identicons) Put(b *png.EncoderBuffer) { ic.buffers.Put(b) }

// Draw draws user id's identicon as a PNG: a 5×5 pattern mirrored left to
// right and one colour, both from a hash of the id, on a light background.
// The same id always gives the same bytes.
func (ic *Identicons) Draw(id int64) []byte {
	sum := sha256.Sum256(strconv.AppendInt([]byte("lablet identicon "), id, 10))
	fg := hslColor(float64(uint16(sum[0])<<8|uint16(sum[1]))/65536*360, 0.45+float64(sum[2])/255*0.2,
		0.45+float64(sum[3])/255*0.15)
	img := image.NewPaletted(image.Rect(0, 0, side, side), color.Palette{color.RGBA{0xf0, 0xf0, 0xf0, 0xff}, fg})
	bits := uint32(sum[4])<<16 | uint32(sum[5])<<8 | uint32(sum[6])
	for col := 0; col < 3; col++ {
		for row := 0; row < cells; row++ {
			if bits&(1<<(col*cells+row)) == 0 {
				continue
			}
			fill(img, col, row)
			fill(img, cells-1-col, row)
		}
	}
	var out bytes.Buffer
	out.Grow(512)
	enc := png.Encoder{CompressionLevel: png.DefaultCompression, BufferPool: ic}
	if err := enc.Encode(&out, img); err != nil {
		panic(err) // encoding an in-memory paletted image to a buffer cannot fail
	}
	return out.Bytes()
}

func fill(img *image.Paletted, col, row int) {
	x0, y0 := margin+col*cellPixels, margin+row*cellPixels
	for y := y0; y < y0+cellPixels; y++ {
		for x := x0; x < x0+cellPixels; x++ {
			img.SetColorIndex(x, y, 1)
		}
	}
}

// hslColor converts hue (degrees), saturation and lightness (0–1) to RGB.
func hslColor(h, s, l float64) color.RGBA {
	c := (1 - abs(2*l-1)) * s
	hp := h / 60
	x := c * (1 - abs(mod2(hp)-1))
	var r, g, b float64
	switch {
	case hp < 1:
		r, g = c, x
	case hp < 2:
		r, g = x, c
	case hp < 3:
		g, b = c, x
	case hp < 4:
		g, b = x, c
	case hp < 5:
		r, b = x, c
	default:
		r, b = c, x
	}
	m := l - c/2
	to8 := func(v float64) uint8 { return uint8((v+m)*255 + 0.5) }
	return color.RGBA{to8(r), to8(g), to8(b), 0xff}
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}

// mod2 is v modulo 2 for v ≥ 0.
func mod2(v float64) float64 { return v - 2*float64(int(v/2)) }
