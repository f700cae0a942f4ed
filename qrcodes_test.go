package helpdesk_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/blob"
	"github.com/deskkit/helpdesk/device"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/google/uuid"
	"github.com/makiuchi-d/gozxing"
	zxqr "github.com/makiuchi-d/gozxing/qrcode"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pngBytes returns a w × h PNG file: a red square on a transparent ground, as a logo.
func pngBytes(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := h / 4; y < h*3/4; y++ {
		for x := w / 4; x < w*3/4; x++ {
			img.Set(x, y, color.NRGBA{R: 0xc0, A: 0xff})
		}
	}
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, img))
	return buf.Bytes()
}

// decodeQR reads a drawn PNG back with gozxing, a decoder independent of the encoder, and
// returns its text and error-correction level; it checks the image's exact size.
func decodeQR(t *testing.T, im *helpdesk.Image, size int) (string, string) {
	t.Helper()
	require.Equal(t, "image/png", im.ContentType)
	img, err := png.Decode(bytes.NewReader(im.Data))
	require.NoError(t, err)
	require.Equal(t, image.Rect(0, 0, size, size), img.Bounds(), "the exact size asked for")
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	require.NoError(t, err)
	res, err := zxqr.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_PURE_BARCODE: true})
	require.NoError(t, err, "the drawn code does not decode")
	return res.GetText(), fmt.Sprint(res.GetResultMetadata()[gozxing.ResultMetadataType_ERROR_CORRECTION_LEVEL])
}

// qrFixture is a fixture whose Desk has a base URL of its own and a blob store the test reads.
func qrFixture(t *testing.T, s *bunstore.Store) (*fixture, *blob.Mem) {
	t.Helper()
	clock := newClock()
	blobs := blob.NewMem()
	d, err := helpdesk.New(s, &helpdesk.Config{Now: clock.Now, Blobs: blobs, SecretKeys: [][]byte{testKey},
		BaseURL: "https://desk.example.com/service"})
	require.NoError(t, err)
	f := &fixture{desk: d, clock: clock, store: s, tokens: map[uuid.UUID]string{}}
	f.org = f.addTenant(t, "Acme Service", "")
	return f, blobs
}

func blobExists(t *testing.T, blobs *blob.Mem, key string) bool {
	t.Helper()
	rc, err := blobs.Open(t.Context(), key)
	if err != nil {
		require.ErrorIs(t, err, blob.ErrNotFound)
		return false
	}
	rc.Close()
	return true
}

func TestCodeImage(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f, blobs := qrFixture(t, s)
		ctx := t.Context()
		url := f.desk.CodeURL(f.code.Token)
		assert.Equal(t, "https://desk.example.com/service/c/"+f.code.Token, url)

		t.Run("default appearance", func(t *testing.T) {
			im, err := f.desk.CodeImage(ctx, f.agent, f.code.ID, device.FormatPNG)
			require.NoError(t, err)
			text, level := decodeQR(t, im, 256)
			assert.Equal(t, url, text)
			assert.Equal(t, "M", level)
		})

		var logoKey string
		code, err := f.desk.CreateCode(ctx, f.admin, f.devX.ID, helpdesk.NewCode{Logo: pngBytes(t, 120, 80),
			Appearance: device.Appearance{Foreground: "#1b3a5c", Background: "#f5e9c8", Size: 300, Correction: device.CorrectionQuartile}})
		require.NoError(t, err)
		t.Run("with a logo", func(t *testing.T) {
			logoKey = code.Appearance.Logo
			require.NotEmpty(t, logoKey)
			assert.True(t, strings.HasPrefix(logoKey, f.tenant.ID.String()+"/"), "kept under the tenant: %s", logoKey)
			assert.True(t, blobExists(t, blobs, logoKey))
			im, err := f.desk.CodeImage(ctx, f.admin, code.ID, device.FormatPNG)
			require.NoError(t, err)
			text, level := decodeQR(t, im, 300)
			assert.Equal(t, f.desk.CodeURL(code.Token), text)
			assert.Equal(t, "Q", level)

			svg, err := f.desk.CodeImage(ctx, f.agent, code.ID, device.FormatSVG)
			require.NoError(t, err)
			assert.Equal(t, "image/svg+xml", svg.ContentType)
			assert.Contains(t, string(svg.Data), `width="300" height="300"`)
			assert.Contains(t, string(svg.Data), `<image `, "the logo is embedded")
			assert.NotContains(t, string(svg.Data), "http://example", "nothing fetched from elsewhere")
		})

		t.Run("a logo's key is the Desk's to set", func(t *testing.T) {
			other, err := f.desk.CreateCode(ctx, f.admin, f.devX.ID, helpdesk.NewCode{})
			require.NoError(t, err)
			_, err = f.desk.UpdateCode(ctx, f.admin, other.ID, helpdesk.CodeSettings{Appearance: device.Appearance{Logo: logoKey, Correction: device.CorrectionHigh}})
			assertField(t, err, "appearance.logo")
			// Read, changed and written back, the same key is kept.
			a := code.Appearance
			a.Size = 360
			updated, err := f.desk.UpdateCode(ctx, f.admin, code.ID, helpdesk.CodeSettings{Appearance: a})
			require.NoError(t, err)
			assert.Equal(t, logoKey, updated.Appearance.Logo)
			assert.Equal(t, 360, updated.Appearance.Size)
		})

		t.Run("a change that would not scan with the logo is refused and changes nothing", func(t *testing.T) {
			_, err := f.desk.UpdateCode(ctx, f.admin, code.ID, helpdesk.CodeSettings{Appearance: device.Appearance{Correction: device.CorrectionLow}})
			assertField(t, err, "appearance.correction")
			assert.ErrorIs(t, err, device.ErrUnscannable)
			_, err = f.desk.UpdateCode(ctx, f.admin, code.ID, helpdesk.CodeSettings{Appearance: device.Appearance{Correction: device.CorrectionMedium, LogoSize: 20}})
			assertField(t, err, "appearance.logo_size")
			assert.ErrorIs(t, err, device.ErrUnscannable)
			_, err = f.desk.UpdateCode(ctx, f.admin, code.ID, helpdesk.CodeSettings{Appearance: device.Appearance{Foreground: "#999999"}})
			assertField(t, err, "appearance.foreground")
			assert.Equal(t, helpdesk.KindInvalid, helpdesk.KindOf(err))
			stored, err := f.store.GetCode(ctx, f.tenant.ID, code.ID)
			require.NoError(t, err)
			assert.Equal(t, device.CorrectionQuartile, stored.Appearance.Correction)
			assert.Equal(t, "#1b3a5c", stored.Appearance.Foreground)
		})

		t.Run("a replaced logo is deleted", func(t *testing.T) {
			updated, err := f.desk.UpdateCode(ctx, f.admin, code.ID, helpdesk.CodeSettings{Logo: pngBytes(t, 64, 64)})
			require.NoError(t, err)
			assert.NotEqual(t, logoKey, updated.Appearance.Logo)
			assert.False(t, blobExists(t, blobs, logoKey), "the old logo is gone")
			assert.True(t, blobExists(t, blobs, updated.Appearance.Logo))
			im, err := f.desk.CodeImage(ctx, f.agent, code.ID, device.FormatPNG)
			require.NoError(t, err)
			text, _ := decodeQR(t, im, 360)
			assert.Equal(t, f.desk.CodeURL(code.Token), text)

			_, err = f.desk.UpdateCode(ctx, f.admin, code.ID, helpdesk.CodeSettings{Logo: []byte("GIF89a not a logo")})
			assertField(t, err, "appearance.logo")
			assert.ErrorIs(t, err, device.ErrInvalidAppearance)

			removed, err := f.desk.UpdateCode(ctx, f.admin, code.ID, helpdesk.CodeSettings{RemoveLogo: true})
			require.NoError(t, err)
			assert.Empty(t, removed.Appearance.Logo)
			assert.False(t, blobExists(t, blobs, updated.Appearance.Logo), "the removed logo is gone")
			// Without a logo, level L is fine again.
			_, err = f.desk.UpdateCode(ctx, f.admin, code.ID, helpdesk.CodeSettings{Appearance: device.Appearance{Correction: device.CorrectionLow}})
			require.NoError(t, err)
		})

		t.Run("refusals", func(t *testing.T) {
			_, err := f.desk.CodeImage(ctx, f.agent, f.code.ID, "gif")
			assertField(t, err, "format")
			for _, a := range []tenant.Actor{f.holder, f.userX} {
				_, err := f.desk.CodeImage(ctx, a, f.code.ID, device.FormatPNG)
				assert.Error(t, err, string(a.Kind))
				assert.NotEqual(t, "", helpdesk.KindOf(err))
			}
			_, err = f.desk.CodeImage(ctx, f.agent, uuid.New(), device.FormatPNG)
			assert.ErrorIs(t, err, storage.ErrNotFound)
		})

		t.Run("share-login links are drawn the same way", func(t *testing.T) {
			link, err := f.desk.ShareLogin(ctx, f.agent)
			require.NoError(t, err)
			im, err := link.QRImage(device.FormatPNG, device.Appearance{Size: 240, Correction: device.CorrectionHigh})
			require.NoError(t, err)
			text, level := decodeQR(t, im, 240)
			assert.Equal(t, link.URL, text)
			assert.Equal(t, "H", level)
			_, err = link.QRImage(device.FormatPNG, device.Appearance{Size: 64, Correction: device.CorrectionHigh})
			assertField(t, err, "appearance.size")
			assert.ErrorIs(t, err, device.ErrUnscannable)
		})
	})
}
