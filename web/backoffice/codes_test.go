package backoffice_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/device"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/google/uuid"
	"github.com/makiuchi-d/gozxing"
	zxqr "github.com/makiuchi-d/gozxing/qrcode"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// device makes a device named name of customer (nil: the operator's own) in the world's
// tenant, or in the second one when other is set.
func (w *world) device(t *testing.T, name string, customer *tenant.Customer, other bool) *device.Device {
	t.Helper()
	by := w.admin
	if other {
		by = w.admin2
	}
	in := helpdesk.NewDevice{Name: name, SerialNumber: "SN-" + strings.ReplaceAll(name, " ", "-")}
	if customer != nil {
		in.CustomerID = customer.ID
	}
	d, err := w.desk.CreateDevice(t.Context(), by, in)
	require.NoError(t, err)
	return d
}

// code makes a device named name (of customer X, Y or none by the name's first letter) and
// a code for it, in the second tenant when other is set.
func (w *world) code(t *testing.T, name string, other bool, in helpdesk.NewCode) *device.Code {
	t.Helper()
	var cust *tenant.Customer
	switch {
	case other:
	case strings.HasPrefix(name, "Yarrow"):
		cust = w.y
	case strings.HasPrefix(name, "Xylo"):
		cust = w.x
	}
	d := w.device(t, name, cust, other)
	by := w.admin
	if other {
		by = w.admin2
	}
	c, err := w.desk.CreateCode(t.Context(), by, d.ID, in)
	require.NoError(t, err)
	return c
}

// foreignCode is another tenant's code for admins and customer Y's for customer users.
func (w *world) foreignCode(t *testing.T, who string) *device.Code {
	t.Helper()
	if who == "customer_user" {
		return w.code(t, "Yarrow chiller", false, helpdesk.NewCode{})
	}
	return w.code(t, "Other tenant's chiller", true, helpdesk.NewCode{})
}

// otherCustomer is a customer of the second tenant.
func (w *world) otherCustomer(t *testing.T) *tenant.Customer {
	t.Helper()
	c, err := w.desk.CreateCustomer(t.Context(), w.admin2, helpdesk.NewCustomer{Name: "Other tenant's clinic"})
	require.NoError(t, err)
	return c
}

// project makes a project of the world's tenant, or of the second one.
func (w *world) project(t *testing.T, name string, other bool) *tenant.Project {
	t.Helper()
	by := w.admin
	if other {
		by = w.admin2
	}
	p, err := w.desk.CreateProject(t.Context(), by, helpdesk.NewProject{Name: name})
	require.NoError(t, err)
	return p
}

// logoPNG is a w × h PNG: a red square on a transparent ground.
func logoPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := h / 4; y < h*3/4; y++ {
		for x := w / 4; x < w*3/4; x++ {
			img.Set(x, y, color.NRGBA{R: 0xc0, A: 0xff})
		}
	}
	var b bytes.Buffer
	require.NoError(t, png.Encode(&b, img))
	return b.Bytes()
}

// multipartPost posts fields and, when logo is set, a logo file as multipart/form-data.
func multipartPost(t *testing.T, c *http.Client, target string, fields url.Values, logo []byte) (*http.Response, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, vs := range fields {
		for _, v := range vs {
			require.NoError(t, mw.WriteField(k, v))
		}
	}
	if logo != nil {
		fw, err := mw.CreateFormFile("logo", "logo.png")
		require.NoError(t, err)
		_, _ = fw.Write(logo)
	}
	require.NoError(t, mw.Close())
	req, err := http.NewRequest(http.MethodPost, target, &b)
	require.NoError(t, err)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := c.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	var out bytes.Buffer
	_, _ = out.ReadFrom(res.Body)
	return res, out.String()
}

// decodePNG reads a QR code drawn as a PNG: its text and error-correction level.
func decodePNG(t *testing.T, data []byte) (string, string) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	require.NoError(t, err)
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	require.NoError(t, err)
	res, err := zxqr.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_PURE_BARCODE: true})
	require.NoError(t, err, "the drawn code does not decode")
	return res.GetText(), fmt.Sprint(res.GetResultMetadata()[gozxing.ResultMetadataType_ERROR_CORRECTION_LEVEL])
}

// appearanceForm is the configurator's inputs with the defaults, changed by kv.
func appearanceForm(kv ...string) url.Values {
	v := url.Values{"action": {"view", "open_ticket"}, "fg": {"#000000"}, "bg": {"#ffffff"}, "size": {"256"}, "quiet": {"4"}, "ec": {"M"}}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

func (w *world) getCode(t *testing.T, id string) *device.Code {
	t.Helper()
	c, err := w.desk.Code(t.Context(), w.admin, uuid.MustParse(id))
	require.NoError(t, err)
	return c
}

func TestCodesList(t *testing.T) {
	w := newWorld(t)
	pump := w.code(t, "Xylo pump", false, helpdesk.NewCode{ExpiresAt: new(time.Now().AddDate(0, 2, 0))})
	off := w.code(t, "Boiler room", false, helpdesk.NewCode{Actions: []device.Action{device.ActionView}})
	_, err := w.desk.SetCodeActive(t.Context(), w.admin, off.ID, false)
	require.NoError(t, err)
	_, err = w.desk.OpenCode(t.Context(), pump.Token, "")
	require.NoError(t, err)
	other := w.code(t, "Other tenant's boiler", true, helpdesk.NewCode{})
	w.run(t, []scenario{
		{name: "signed out", method: "GET", path: "/codes", status: http.StatusSeeOther},
		{name: "admin: every code with its state, scans, expiry and actions", who: "admin", method: "GET", path: "/codes", status: 200,
			contains: []string{"Xylo pump (SN-Xylo-pump) · code " + pump.ID.String()[:8], `href="/codes/` + pump.ID.String() + `"`, "1 scan", "expires on",
				"Boiler room", "Switched off", "Show the device&#39;s information", "Open a ticket", `href="/codes/new"`, "2 codes on this page"},
			absent: []string{"Other tenant", other.ID.String(), "[bo."}},
		{name: "filtered by state", who: "agent", method: "GET", path: "/codes?state=inactive", status: 200,
			contains: []string{"Boiler room", `value="inactive" selected`, "Clear the filters"}, absent: []string{"Xylo pump (SN-Xylo-pump) · code", `href="/codes/new"`}},
		{name: "filtered by device", who: "supervisor", method: "GET", path: "/codes?device=" + pump.DeviceID.String(), status: 200,
			contains: []string{"Xylo pump (SN", `value="` + pump.DeviceID.String() + `" selected`}, absent: []string{"Boiler room ·"}},
		{name: "another tenant's device filters nothing in", who: "admin", method: "GET", path: "/codes?device=" + other.DeviceID.String(), status: 200,
			contains: []string{"No codes match."}, absent: []string{"Other tenant"}},
		{name: "a bad cursor", who: "admin", method: "GET", path: "/codes?after=nope", status: 422},
		{name: "customer users find no codes", who: "customer_admin", method: "GET", path: "/codes", status: 404, absent: []string{"Xylo pump"}},
	})
	t.Run("keyset paging keeps the filters", func(t *testing.T) {
		d := w.device(t, "Paged pump", nil, false)
		for range 27 {
			_, err := w.desk.CreateCode(t.Context(), w.admin, d.ID, helpdesk.NewCode{})
			require.NoError(t, err)
		}
		c := w.client(t, "admin")
		_, body := do(t, c, "GET", w.srv.URL+"/codes?state=active&device="+d.ID.String(), nil)
		assert.Contains(t, body, "25 codes on this page")
		m := regexp.MustCompile(`href="(/codes\?[^"]*after=[^"]*)"`).FindStringSubmatch(body)
		require.NotNil(t, m, "a next page link")
		next, err := url.Parse(strings.ReplaceAll(m[1], "&amp;", "&"))
		require.NoError(t, err)
		assert.Equal(t, "active", next.Query().Get("state"))
		assert.Equal(t, d.ID.String(), next.Query().Get("device"))
		_, body = do(t, c, "GET", w.srv.URL+next.String(), nil)
		assert.Contains(t, body, "2 codes on this page")
		assert.NotContains(t, body, "after=")
	})
}

func TestCodeCreate(t *testing.T) {
	w := newWorld(t)
	d := w.device(t, "Xylo mixer", w.x, false)
	otherDev := w.device(t, "Other tenant's mixer", nil, true)
	codesOf := func(t *testing.T) []*device.Code {
		cs, err := w.desk.Codes(t.Context(), w.admin, d.ID)
		require.NoError(t, err)
		return cs
	}
	w.run(t, []scenario{
		{name: "the form, its device chosen", who: "moderator", method: "GET", path: "/codes/new?device=" + d.ID.String(), status: 200,
			contains: []string{`value="` + d.ID.String() + `" selected`, `name="action" value="view" checked`, `name="action" value="upload_media">`, `name="pin"`, `type="date"`}},
		{name: "an agent may not make codes", who: "agent", method: "GET", path: "/codes/new", status: 403},
		{name: "no action", who: "admin", method: "POST", path: "/codes", form: url.Values{"device": {d.ID.String()}}, status: 422,
			contains: []string{"Choose at least one thing the page offers.", `value="` + d.ID.String() + `" selected`},
			check:    func(t *testing.T, w *world) { assert.Empty(t, codesOf(t)) }},
		{name: "a short PIN", who: "admin", method: "POST", path: "/codes", form: url.Values{"device": {d.ID.String()}, "action": {"view"}, "pin": {"12"}}, status: 422,
			contains: []string{"A PIN has 4 to 12 digits.", `id="problem-pin"`}},
		{name: "a day past", who: "admin", method: "POST", path: "/codes", form: url.Values{"device": {d.ID.String()}, "action": {"view"}, "expires": {"2020-01-01"}}, status: 422,
			contains: []string{"Choose a day after today", `value="2020-01-01"`}},
		{name: "another tenant's device", who: "admin", method: "POST", path: "/codes", form: url.Values{"device": {otherDev.ID.String()}, "action": {"view"}}, status: 422,
			contains: []string{"Choose a device."}, absent: []string{"Other tenant"}},
		{name: "a supervisor may not", who: "supervisor", method: "POST", path: "/codes", form: url.Values{"device": {d.ID.String()}, "action": {"view"}}, status: 403,
			check: func(t *testing.T, w *world) { assert.Empty(t, codesOf(t)) }},
		{name: "created", who: "admin", method: "POST", path: "/codes", form: url.Values{"device": {d.ID.String()}, "action": {"view", "upload_media"},
			"expires": {time.Now().AddDate(0, 1, 0).Format("2006-01-02")}, "pin": {"4321"}}, status: 303,
			check: func(t *testing.T, w *world) {
				cs := codesOf(t)
				require.Len(t, cs, 1)
				assert.Equal(t, []device.Action{device.ActionView, device.ActionUploadMedia}, cs[0].Actions)
				assert.NotEmpty(t, cs[0].PINHash)
				require.NotNil(t, cs[0].ExpiresAt)
			}},
	})
}

func TestCodePage(t *testing.T) {
	w := newWorld(t)
	c := w.code(t, "Xylo press", false, helpdesk.NewCode{PIN: "1234"})
	base := "/codes/" + c.ID.String()
	url := w.desk.CodeURL(c.Token)
	w.run(t, []scenario{
		{name: "admin: the URL, the settings and the configurator", who: "admin", method: "GET", path: base, status: 200,
			contains: []string{url, "Xylo press", "Active", "Asked for", `action="` + base + `/active"`, "Switch the code off",
				`enctype="multipart/form-data"`, `data-preview="` + base + `/preview"`, `name="fg" type="color" value="#000000"`, `name="bg" type="color" value="#ffffff"`,
				`name="size"`, `name="quiet"`, `<option value="H">H – 30 %</option>`, `<option value="M" selected>`, `name="logo" type="file"`, `name="remove_pin"`,
				`name="preview" value="1"`, `href="` + base + `/qr.png"`, `href="` + base + `/qr.svg"`, "/static/bo-codes.js"},
			absent: []string{"remove_logo", "[bo."}},
		{name: "an agent sees the code, changes nothing", who: "agent", method: "GET", path: base, status: 200,
			contains: []string{url, `id="qr-preview"`, `href="` + base + `/qr.png"`}, absent: []string{`/active"`, `name="fg"`, "multipart"}},
		{name: "a malformed ID", who: "admin", method: "GET", path: "/codes/nope", status: 404},
		{name: "customer users find nothing", who: "customer_user", method: "GET", path: base, status: 404, absent: []string{url, c.Token}},
	})
}

func TestCodeSettings(t *testing.T) {
	w := newWorld(t)
	c := w.code(t, "Xylo press", false, helpdesk.NewCode{})
	id := c.ID.String()
	base := "/codes/" + id
	admin := w.client(t, "admin")

	t.Run("switched off and on", func(t *testing.T) {
		res, _ := do(t, admin, "POST", w.srv.URL+base+"/active", url.Values{"active": {"0"}})
		require.Equal(t, http.StatusSeeOther, res.StatusCode)
		assert.False(t, w.getCode(t, id).Active)
		_, body := do(t, admin, "GET", w.srv.URL+base, nil)
		assert.Contains(t, body, "Switch the code on")
		res, _ = do(t, w.client(t, "supervisor"), "POST", w.srv.URL+base+"/active", url.Values{"active": {"1"}})
		assert.Equal(t, http.StatusForbidden, res.StatusCode)
		assert.False(t, w.getCode(t, id).Active)
		res, _ = do(t, admin, "POST", w.srv.URL+base+"/active", url.Values{"active": {"1"}})
		require.Equal(t, http.StatusSeeOther, res.StatusCode)
		assert.True(t, w.getCode(t, id).Active)
	})

	t.Run("an unscannable appearance is shown at its field, nothing saved", func(t *testing.T) {
		for _, tc := range []struct {
			name   string
			form   url.Values
			field  string
			phrase string
		}{
			{"low contrast", appearanceForm("fg", "#dddddd"), "foreground", "Too little contrast"},
			{"too small", appearanceForm("size", "64"), "size", "Too small for this code"},
			{"not a number", appearanceForm("size", "big"), "size", "Enter a size from 64 to 4096 pixels."},
			{"a quiet zone out of range", appearanceForm("quiet", "40"), "quiet_zone", "Enter a margin from 4 to 16 modules."},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res, body := multipartPost(t, admin, w.srv.URL+base, tc.form, nil)
				require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode, body)
				assert.Regexp(t, `id="problem-`+tc.field+`">[^<]*`+regexp.QuoteMeta(tc.phrase), body)
				assert.Contains(t, body, "Nothing was saved")
				assert.Equal(t, c.Appearance, w.getCode(t, id).Appearance)
			})
		}
		res, body := multipartPost(t, admin, w.srv.URL+base, appearanceForm("ec", "L"), logoPNG(t, 64, 64))
		require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
		assert.Regexp(t, `id="problem-correction">Level L leaves no room for a logo`, body)
		assert.Empty(t, w.getCode(t, id).Appearance.Logo, "the logo is not kept")
	})

	t.Run("the Preview button draws without saving", func(t *testing.T) {
		f := appearanceForm("fg", "#1b3a5c", "bg", "#f5e9c8", "ec", "H", "preview", "1")
		res, body := multipartPost(t, admin, w.srv.URL+base, f, logoPNG(t, 64, 64))
		require.Equal(t, http.StatusOK, res.StatusCode)
		assert.Contains(t, body, "This is a preview: nothing is saved yet.")
		assert.Contains(t, body, `value="#1b3a5c"`, "the inputs are kept")
		assert.Contains(t, body, `name="logo_data"`, "the chosen logo is carried to the save")
		assert.Equal(t, w.desk.CodeURL(c.Token), decodeDataQR(t, body))
		assert.Contains(t, body, `qr.png?bg=%23f5e9c8&amp;ec=H&amp;fg=%231b3a5c`, "the downloads draw the unsaved appearance")
		assert.Equal(t, c.Appearance, w.getCode(t, id).Appearance)

		m := regexp.MustCompile(`name="logo_data" value="([^"]+)"`).FindStringSubmatch(body)
		require.NotNil(t, m)
		f.Del("preview")
		f.Set("logo_data", html.UnescapeString(m[1]))
		res, _ = multipartPost(t, admin, w.srv.URL+base, f, nil)
		require.Equal(t, http.StatusSeeOther, res.StatusCode)
		got := w.getCode(t, id)
		assert.Equal(t, "#1b3a5c", got.Appearance.Foreground)
		assert.NotEmpty(t, got.Appearance.Logo, "the previewed logo is saved")
	})

	t.Run("settings: actions, expiry, PIN, logo removed", func(t *testing.T) {
		until := time.Now().AddDate(0, 3, 0).Format("2006-01-02")
		f := appearanceForm("ec", "Q", "size", "300", "expires", until, "pin", "98765", "remove_logo", "1")
		f["action"] = []string{"view", "request_session"}
		res, body := multipartPost(t, admin, w.srv.URL+base, f, nil)
		require.Equal(t, http.StatusSeeOther, res.StatusCode, body)
		assert.Equal(t, base+"?saved=1", res.Header.Get("Location"))
		got := w.getCode(t, id)
		assert.Equal(t, []device.Action{device.ActionView, device.ActionRequestSession}, got.Actions)
		require.NotNil(t, got.ExpiresAt)
		assert.Equal(t, until, got.ExpiresAt.Format("2006-01-02"))
		assert.NotEmpty(t, got.PINHash)
		assert.Empty(t, got.Appearance.Logo)
		assert.Equal(t, device.CorrectionQuartile, got.Appearance.Correction)
		_, body = do(t, admin, "GET", w.srv.URL+base+"?saved=1", nil)
		assert.Contains(t, body, "The code is saved.")

		f = appearanceForm("remove_pin", "1")
		res, _ = multipartPost(t, admin, w.srv.URL+base, f, nil)
		require.Equal(t, http.StatusSeeOther, res.StatusCode)
		assert.Empty(t, w.getCode(t, id).PINHash)
		assert.Nil(t, w.getCode(t, id).ExpiresAt, "an empty expiry is none")
	})

	t.Run("an agent may not save", func(t *testing.T) {
		res, _ := multipartPost(t, w.client(t, "agent"), w.srv.URL+base, appearanceForm("fg", "#203040"), nil)
		assert.Equal(t, http.StatusForbidden, res.StatusCode)
		assert.NotEqual(t, "#203040", w.getCode(t, id).Appearance.Foreground)
	})
}

func TestCodeImages(t *testing.T) {
	w := newWorld(t)
	c := w.code(t, "Xylo press", false, helpdesk.NewCode{Appearance: device.Appearance{Correction: device.CorrectionQuartile}})
	base := w.srv.URL + "/codes/" + c.ID.String()
	agent := w.client(t, "agent")

	t.Run("PNG as saved", func(t *testing.T) {
		res, body := do(t, agent, "GET", base+"/qr.png", nil)
		require.Equal(t, http.StatusOK, res.StatusCode)
		assert.Equal(t, "image/png", res.Header.Get("Content-Type"))
		assert.Equal(t, `attachment; filename="code-`+c.ID.String()[:8]+`.png"`, res.Header.Get("Content-Disposition"))
		text, level := decodePNG(t, []byte(body))
		assert.Equal(t, w.desk.CodeURL(c.Token), text)
		assert.Equal(t, "Q", level)
	})
	t.Run("SVG with the query's appearance", func(t *testing.T) {
		res, body := do(t, agent, "GET", base+"/qr.svg?fg=%23203040&bg=%23ffffff&size=320&quiet=4&ec=H", nil)
		require.Equal(t, http.StatusOK, res.StatusCode)
		assert.Equal(t, "image/svg+xml", res.Header.Get("Content-Type"))
		assert.Contains(t, res.Header.Get("Content-Disposition"), ".svg")
		assert.Contains(t, body, `width="320"`)
		assert.Contains(t, body, `#203040`)
		assert.Equal(t, device.CorrectionQuartile, w.getCode(t, c.ID.String()).Appearance.Correction, "nothing saved")
	})
	t.Run("PNG with the query's level", func(t *testing.T) {
		res, body := do(t, agent, "GET", base+"/qr.png?ec=H", nil)
		require.Equal(t, http.StatusOK, res.StatusCode)
		_, level := decodePNG(t, []byte(body))
		assert.Equal(t, "H", level)
	})
	t.Run("an unscannable query", func(t *testing.T) {
		res, body := do(t, agent, "GET", base+"/qr.png?fg=%23eeeeee", nil)
		assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
		assert.Contains(t, body, "<html")
	})
	t.Run("the live preview", func(t *testing.T) {
		res, body := multipartPost(t, agent, base+"/preview", appearanceForm("ec", "H", "size", "288"), logoPNG(t, 80, 80))
		require.Equal(t, http.StatusOK, res.StatusCode)
		assert.Equal(t, "image/png", res.Header.Get("Content-Type"))
		text, level := decodePNG(t, []byte(body))
		assert.Equal(t, w.desk.CodeURL(c.Token), text)
		assert.Equal(t, "H", level)

		res, body = multipartPost(t, agent, base+"/preview", appearanceForm("fg", "#cccccc"), nil)
		require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
		var p map[string]string
		require.NoError(t, json.Unmarshal([]byte(body), &p))
		assert.Equal(t, "foreground", p["field"])
		assert.Contains(t, p["problem"], "Too little contrast")

		res, body = multipartPost(t, agent, base+"/preview", appearanceForm("ec", "L"), logoPNG(t, 80, 80))
		require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
		require.NoError(t, json.Unmarshal([]byte(body), &p))
		assert.Equal(t, "correction", p["field"])
	})
	t.Run("another tenant's code", func(t *testing.T) {
		o := w.code(t, "Other tenant's press", true, helpdesk.NewCode{})
		res, body := do(t, w.client(t, "admin"), "GET", w.srv.URL+"/codes/"+o.ID.String()+"/qr.png", nil)
		assert.Equal(t, http.StatusNotFound, res.StatusCode)
		assert.NotContains(t, body, "Other tenant")
	})
}

func TestCustomers(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	proj := w.project(t, "Ward rollout", false)
	dev := w.device(t, "Xylo pump", w.x, false)
	lapsed := time.Now().AddDate(0, 0, -3)
	_, err := w.desk.SetSupportPlan(ctx, w.admin, w.y.ID, &lapsed)
	require.NoError(t, err)
	x := "/customers/" + w.x.ID.String()
	other := w.otherCustomer(t)
	w.run(t, []scenario{
		{name: "the list with statistics and plans", who: "supervisor", method: "GET", path: "/customers", status: 200,
			contains: []string{"Xylo Works", `href="` + x + `"`, "2 tickets", "0 video sessions", "Unlimited", "Lapsed on", `href="/projects"`},
			absent:   []string{"Other tenant", `href="/customers/new"`, "[bo."}},
		{name: "admins may create", who: "admin", method: "GET", path: "/customers", status: 200, contains: []string{`href="/customers/new"`}},
		{name: "customer users find no customers", who: "customer_admin", method: "GET", path: "/customers", status: 404, absent: []string{"Yarrow"}},
		{name: "not even their own", who: "customer_user", method: "GET", path: x, status: 404},
		{name: "details, statistics, devices and users", who: "agent", method: "GET", path: x, status: 200,
			contains: []string{"Xylo Works", "Tickets", "Unlimited", dev.Name, dev.SerialNumber, "Name of customer_user", "customer_user@acme.example",
				"Customer administrator", `href="/codes?device=` + dev.ID.String() + `"`},
			absent: []string{`action="` + x + `"`, "Yarrow", "[bo."}},
		{name: "the forms for admins", who: "moderator", method: "GET", path: x, status: 200,
			contains: []string{`action="` + x + `"`, `action="` + x + `/plan"`, `name="version" value="1"`, "Ward rollout"}},
		{name: "another tenant's customer", who: "admin", method: "GET", path: "/customers/" + other.ID.String(), status: 404, absent: []string{"Other tenant"}},
		{name: "a new customer: the form", who: "admin", method: "GET", path: "/customers/new", status: 200, contains: []string{`name="name"`, `name="project"`, "Ward rollout"}},
		{name: "agents make no customers", who: "agent", method: "GET", path: "/customers/new", status: 403},
		{name: "a nameless customer", who: "admin", method: "POST", path: "/customers", form: url.Values{"name": {" "}}, status: 422,
			contains: []string{"Please enter a name.", `id="problem-name"`}},
		{name: "a customer created", who: "moderator", method: "POST", path: "/customers", form: url.Values{"name": {"Zinnia Care"}, "project": {proj.ID.String()},
			"until": {time.Now().AddDate(1, 0, 0).Format("2006-01-02")}}, status: 303,
			check: func(t *testing.T, w *world) {
				cs, err := w.desk.Customers(t.Context(), w.admin)
				require.NoError(t, err)
				var z *tenant.Customer
				for _, c := range cs {
					if c.Name == "Zinnia Care" {
						z = c
					}
				}
				require.NotNil(t, z)
				assert.Equal(t, proj.ID, z.ProjectID)
				assert.NotNil(t, z.SupportUntil)
			}},
		{name: "edited", who: "admin", method: "POST", path: x, form: url.Values{"name": {"Xylo Works Ltd"}, "language": {"de"}, "project": {proj.ID.String()}, "version": {"1"}}, status: 303,
			check: func(t *testing.T, w *world) {
				c, err := w.desk.Customer(t.Context(), w.admin, w.x.ID)
				require.NoError(t, err)
				assert.Equal(t, "Xylo Works Ltd", c.Name)
				assert.Equal(t, "de", c.Language)
				assert.Equal(t, proj.ID, c.ProjectID)
			}},
		{name: "a stale edit", who: "admin", method: "POST", path: x, form: url.Values{"name": {"Stale name"}, "version": {"1"}}, status: 409,
			contains: []string{"Someone else changed this customer", `value="Stale name"`}},
		{name: "a supervisor may not edit", who: "supervisor", method: "POST", path: x, form: url.Values{"name": {"Nope"}, "version": {"2"}}, status: 403},
		{name: "the support plan set", who: "admin", method: "POST", path: x + "/plan", form: url.Values{"until": {"2030-05-01"}}, status: 303,
			check: func(t *testing.T, w *world) {
				c, err := w.desk.Customer(t.Context(), w.admin, w.x.ID)
				require.NoError(t, err)
				require.NotNil(t, c.SupportUntil)
				assert.Equal(t, "2030-05-01", c.SupportUntil.Format("2006-01-02"))
			}},
		{name: "a malformed day", who: "admin", method: "POST", path: x + "/plan", form: url.Values{"until": {"soon"}}, status: 422,
			contains: []string{`id="problem-until"`}},
		{name: "the plan removed", who: "moderator", method: "POST", path: x + "/plan", form: url.Values{"until": {""}}, status: 303,
			check: func(t *testing.T, w *world) {
				c, err := w.desk.Customer(t.Context(), w.admin, w.x.ID)
				require.NoError(t, err)
				assert.Nil(t, c.SupportUntil)
			}},
		{name: "another tenant's plan", who: "admin", method: "POST", path: "/customers/" + other.ID.String() + "/plan", form: url.Values{"until": {""}}, status: 404},
	})
	t.Run("paging", func(t *testing.T) {
		for i := range 26 {
			_, err := w.desk.CreateCustomer(ctx, w.admin, helpdesk.NewCustomer{Name: fmt.Sprintf("Paged customer %02d", i)})
			require.NoError(t, err)
		}
		c := w.client(t, "admin")
		_, body := do(t, c, "GET", w.srv.URL+"/customers", nil)
		m := regexp.MustCompile(`href="(/customers\?after=[^"]*)"`).FindStringSubmatch(body)
		require.NotNil(t, m, "a next page link")
		assert.NotContains(t, body, "Xylo Works", "by name: X comes later")
		_, body = do(t, c, "GET", w.srv.URL+m[1], nil)
		assert.Contains(t, body, "Xylo Works")
		assert.Contains(t, body, "Yarrow Labs")
		assert.NotContains(t, body, "Paged customer 00")
		assert.NotContains(t, body, "after=")
		res, _ := do(t, c, "GET", w.srv.URL+"/customers?after="+other.ID.String(), nil)
		assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode, "another tenant's customer is no cursor")
	})
}

func TestProjects(t *testing.T) {
	w := newWorld(t)
	p := w.project(t, "Ward rollout", false)
	other := w.project(t, "Other tenant's rollout", true)
	path := "/projects/" + p.ID.String()
	w.run(t, []scenario{
		{name: "the list and the form for admins", who: "admin", method: "GET", path: "/projects", status: 200,
			contains: []string{"Ward rollout", `href="` + path + `"`, `action="/projects"`, "Xylo Works"}, absent: []string{"Other tenant", "[bo."}},
		{name: "agents read", who: "agent", method: "GET", path: "/projects", status: 200,
			contains: []string{"Ward rollout"}, absent: []string{`action="/projects"`, `href="` + path + `"`}},
		{name: "customer users find none", who: "customer_admin", method: "GET", path: "/projects", status: 404},
		{name: "a nameless project", who: "admin", method: "POST", path: "/projects", form: url.Values{"name": {""}}, status: 422,
			contains: []string{"Please enter a name."}},
		{name: "created for a customer", who: "moderator", method: "POST", path: "/projects", form: url.Values{"name": {"Pump swap"}, "customer": {w.x.ID.String()}}, status: 303,
			check: func(t *testing.T, w *world) {
				ps, err := w.desk.Projects(t.Context(), w.admin)
				require.NoError(t, err)
				found := false
				for _, p := range ps {
					found = found || p.Name == "Pump swap" && p.CustomerID == w.x.ID
				}
				assert.True(t, found)
			}},
		{name: "a supervisor may not create", who: "supervisor", method: "POST", path: "/projects", form: url.Values{"name": {"Nope"}}, status: 403},
		{name: "the edit form", who: "admin", method: "GET", path: path, status: 200, contains: []string{`value="Ward rollout"`, `name="version" value="1"`}},
		{name: "renamed", who: "admin", method: "POST", path: path, form: url.Values{"name": {"Ward 3 rollout"}, "version": {"1"}}, status: 303,
			check: func(t *testing.T, w *world) {
				ps, err := w.desk.Projects(t.Context(), w.admin)
				require.NoError(t, err)
				assert.Contains(t, fmt.Sprint(names(ps)), "Ward 3 rollout")
			}},
		{name: "a stale rename", who: "admin", method: "POST", path: path, form: url.Values{"name": {"Old"}, "version": {"1"}}, status: 409,
			contains: []string{"Someone else changed"}},
		{name: "another tenant's project", who: "admin", method: "GET", path: "/projects/" + other.ID.String(), status: 404, absent: []string{"Other tenant"}},
		{name: "another tenant's project unchanged", who: "admin", method: "POST", path: "/projects/" + other.ID.String(), form: url.Values{"name": {"Mine"}, "version": {"1"}}, status: 404},
	})
}

func names(ps []*tenant.Project) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return out
}

// codeRoutes are this module's routes in the walks of routes_test.go.
func codeRoutes() module {
	managers := func(lead, others, customers int) map[string]int {
		return map[string]int{"admin": lead, "moderator": lead, "supervisor": others, "agent": others,
			"customer_admin": customers, "customer_user": customers}
	}
	// onCode requests path with {id} as a new code of the tenant, made for each role.
	onCode := func(path string, form func(*testing.T, *world) url.Values) request {
		return func(t *testing.T, w *world, who string) (string, url.Values) {
			c := w.code(t, "Walk pump", false, helpdesk.NewCode{})
			var v url.Values
			if form != nil {
				v = form(t, w)
			}
			return strings.ReplaceAll(path, "{id}", c.ID.String()), v
		}
	}
	foreignCode := func(path string, form func(*testing.T, *world) url.Values) request {
		return func(t *testing.T, w *world, who string) (string, url.Values) {
			c := w.foreignCode(t, who)
			var v url.Values
			if form != nil {
				v = form(t, w)
			}
			return strings.ReplaceAll(path, "{id}", c.ID.String()), v
		}
	}
	settings := func(*testing.T, *world) url.Values { return appearanceForm("fg", "#102030") }
	active := func(*testing.T, *world) url.Values { return url.Values{"active": {"0"}} }
	plain := func(path string, form func(*testing.T, *world) url.Values) request {
		return func(t *testing.T, w *world, who string) (string, url.Values) {
			var v url.Values
			if form != nil {
				v = form(t, w)
			}
			return path, v
		}
	}
	newCode := func(t *testing.T, w *world) url.Values {
		d := w.device(t, "Walk mixer", nil, false)
		return url.Values{"device": {d.ID.String()}, "action": {"view"}}
	}
	// onCustomer requests path with {id} as a new customer, so that each role edits its own.
	onCustomer := func(path string, form func(*testing.T, *world) url.Values) request {
		return func(t *testing.T, w *world, who string) (string, url.Values) {
			c, err := w.desk.CreateCustomer(t.Context(), w.admin, helpdesk.NewCustomer{Name: "Walk clinic"})
			require.NoError(t, err)
			var v url.Values
			if form != nil {
				v = form(t, w)
			}
			return strings.ReplaceAll(path, "{id}", c.ID.String()), v
		}
	}
	// foreignCustomer is another tenant's customer for admins, customer Y for X's users.
	foreignCustomer := func(path string, form func(*testing.T, *world) url.Values) request {
		return func(t *testing.T, w *world, who string) (string, url.Values) {
			id := w.y.ID
			if who != "customer_user" {
				id = w.otherCustomer(t).ID
			}
			var v url.Values
			if form != nil {
				v = form(t, w)
			}
			return strings.ReplaceAll(path, "{id}", id.String()), v
		}
	}
	customerEdit := func(*testing.T, *world) url.Values { return url.Values{"name": {"Walk clinic 2"}, "version": {"1"}} }
	plan := func(*testing.T, *world) url.Values { return url.Values{"until": {"2031-01-01"}} }
	onProject := func(path string, form func(*testing.T, *world) url.Values) request {
		return func(t *testing.T, w *world, who string) (string, url.Values) {
			p := w.project(t, "Walk project", false)
			var v url.Values
			if form != nil {
				v = form(t, w)
			}
			return strings.ReplaceAll(path, "{id}", p.ID.String()), v
		}
	}
	// foreignProject is another tenant's project; customer users find no projects at all, so
	// theirs is the tenant's own.
	foreignProject := func(path string, form func(*testing.T, *world) url.Values) request {
		return func(t *testing.T, w *world, who string) (string, url.Values) {
			p := w.project(t, "Yarrow rollout", false)
			if who != "customer_user" {
				p = w.project(t, "Other tenant's project", true)
			}
			var v url.Values
			if form != nil {
				v = form(t, w)
			}
			return strings.ReplaceAll(path, "{id}", p.ID.String()), v
		}
	}
	project := func(*testing.T, *world) url.Values { return url.Values{"name": {"Walk project 2"}, "version": {"1"}} }
	return module{
		"GET /codes":                {target: plain("/codes?state=active", nil), want: staff(200, 200, 404)},
		"GET /codes/new":            {target: plain("/codes/new", nil), want: managers(200, 403, 404)},
		"POST /codes":               {target: plain("/codes", newCode), want: managers(303, 403, 404)},
		"GET /codes/{id}":           {target: onCode("/codes/{id}", nil), want: staff(200, 200, 404), foreign: foreignCode("/codes/{id}", nil)},
		"POST /codes/{id}":          {target: onCode("/codes/{id}", settings), want: managers(303, 403, 404), foreign: foreignCode("/codes/{id}", settings)},
		"POST /codes/{id}/active":   {target: onCode("/codes/{id}/active", active), want: managers(303, 403, 404), foreign: foreignCode("/codes/{id}/active", active)},
		"POST /codes/{id}/preview":  {target: onCode("/codes/{id}/preview", settings), want: staff(200, 200, 404), foreign: foreignCode("/codes/{id}/preview", settings)},
		"GET /codes/{id}/qr.png":    {target: onCode("/codes/{id}/qr.png", nil), want: staff(200, 200, 404), foreign: foreignCode("/codes/{id}/qr.png", nil)},
		"GET /codes/{id}/qr.svg":    {target: onCode("/codes/{id}/qr.svg?ec=H", nil), want: staff(200, 200, 404), foreign: foreignCode("/codes/{id}/qr.svg?ec=H", nil)},
		"GET /customers":            {target: plain("/customers", nil), want: staff(200, 200, 404)},
		"GET /customers/new":        {target: plain("/customers/new", nil), want: managers(200, 403, 404)},
		"POST /customers":           {target: plain("/customers", func(*testing.T, *world) url.Values { return url.Values{"name": {"Walk care"}} }), want: managers(303, 403, 404)},
		"GET /customers/{id}":       {target: onCustomer("/customers/{id}", nil), want: staff(200, 200, 404), foreign: foreignCustomer("/customers/{id}", nil)},
		"POST /customers/{id}":      {target: onCustomer("/customers/{id}", customerEdit), want: managers(303, 403, 404), foreign: foreignCustomer("/customers/{id}", customerEdit)},
		"POST /customers/{id}/plan": {target: onCustomer("/customers/{id}/plan", plan), want: managers(303, 403, 404), foreign: foreignCustomer("/customers/{id}/plan", plan)},
		"GET /projects":             {target: plain("/projects", nil), want: staff(200, 200, 404)},
		"POST /projects":            {target: plain("/projects", func(*testing.T, *world) url.Values { return url.Values{"name": {"Walk project"}} }), want: managers(303, 403, 404)},
		"GET /projects/{id}":        {target: onProject("/projects/{id}", nil), want: staff(200, 200, 404), foreign: foreignProject("/projects/{id}", nil)},
		"POST /projects/{id}":       {target: onProject("/projects/{id}", project), want: managers(303, 403, 404), foreign: foreignProject("/projects/{id}", project)},
	}
}
