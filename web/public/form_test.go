package public_test

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// setForm gives the site's tenant the request form f.
func (st *site) setForm(t *testing.T, f tenant.RequestForm) *tenant.Tenant {
	t.Helper()
	ten, err := st.desk.Tenant(t.Context(), st.admin)
	require.NoError(t, err)
	s := ten.Settings
	s.Form = f
	ten, err = st.desk.UpdateSettings(t.Context(), st.admin, ten.Version, s)
	require.NoError(t, err)
	return ten
}

// brandingImage encodes a 1024×680 image as a PNG or a JPEG.
func brandingImage(t *testing.T, format string) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 1024, 680))
	img.Set(1, 1, color.RGBA{10, 20, 30, 255})
	var b bytes.Buffer
	if format == "png" {
		require.NoError(t, png.Encode(&b, img))
	} else {
		require.NoError(t, jpeg.Encode(&b, img, nil))
	}
	return b.Bytes()
}

func TestDevicePageShowsForm(t *testing.T) {
	st := newSite(t, nil)
	st.setForm(t, tenant.RequestForm{GuideURL: "https://acme.example/guide", Accent: "#0b5fff",
		Texts: map[string]tenant.FormTexts{
			"en": {Welcome: "Welcome to Acme service", Help: "Call us at 030 1234"},
			"de": {Welcome: "Willkommen beim Acme-Service"},
		}})
	ten, err := st.desk.Tenant(t.Context(), st.admin)
	require.NoError(t, err)
	_, err = st.desk.SetFormFile(t.Context(), st.admin, ten.Version, helpdesk.FormLogo,
		&helpdesk.Upload{Name: "logo.png", Body: bytes.NewReader(brandingImage(t, "png"))})
	require.NoError(t, err)
	page := "/c/" + st.code.Token

	status, body := st.get(t, page, "Accept-Language", "de")
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, "Willkommen beim Acme-Service", "the visitor's language")
	assert.Contains(t, body, "Call us at 030 1234", "a text missing in German falls back to English")
	assert.Contains(t, body, `href="https://acme.example/guide"`)
	status, body = st.get(t, page, "Accept-Language", "pl")
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, "Welcome to Acme service", "no Polish text: the tenant's (English)")

	t.Run("branding comes from routes of the handler, not inline", func(t *testing.T) {
		assert.NotContains(t, body, "style=")
		css := regexpFind(t, body, `href="(/c/[^"]+/brand\.css\?v=[^"]+)"`)
		logo := regexpFind(t, body, `src="(/c/[^"]+/brand/logo\?v=[^"]+)"`)
		res, err := st.client.Get(st.srv.URL + css)
		require.NoError(t, err)
		sheet := readBody(t, res)
		assert.Equal(t, http.StatusOK, res.StatusCode)
		assert.Equal(t, "text/css; charset=utf-8", res.Header.Get("Content-Type"))
		assert.Contains(t, sheet, "--accent: #0b5fff")
		etag := res.Header.Get("ETag")
		require.NotEmpty(t, etag)
		status, _ := st.get(t, css, "If-None-Match", etag)
		assert.Equal(t, http.StatusNotModified, status)

		res, err = st.client.Get(st.srv.URL + logo)
		require.NoError(t, err)
		got := readBody(t, res)
		assert.Equal(t, http.StatusOK, res.StatusCode)
		assert.Equal(t, "image/png", res.Header.Get("Content-Type"))
		assert.Equal(t, string(brandingImage(t, "png")), got)
		assert.Contains(t, res.Header.Get("Cache-Control"), "max-age")
		status, _ = st.get(t, logo, "If-None-Match", res.Header.Get("ETag"))
		assert.Equal(t, http.StatusNotModified, status)
		status, _ = st.get(t, "/c/"+st.code.Token+"/brand/background")
		assert.Equal(t, http.StatusNotFound, status, "no background set")
		status, _ = st.get(t, "/c/not-a-code/brand.css")
		assert.Equal(t, http.StatusNotFound, status)
	})
}

func regexpFind(t *testing.T, body, pattern string) string {
	t.Helper()
	m := regexpMust(pattern).FindStringSubmatch(body)
	require.Len(t, m, 2, "%s in the page", pattern)
	return strings.ReplaceAll(m[1], "&amp;", "&")
}

func TestRequestFormShowsForm(t *testing.T) {
	st := newSite(t, nil)
	st.setForm(t, tenant.RequestForm{TermsURL: "https://acme.example/terms", Types: []string{"Repair", "Training"},
		SupportEmail: "help@acme.example",
		Texts:        map[string]tenant.FormTexts{"en": {RequestHint: "Name the alarm code shown on the display."}}})
	form := "/c/" + st.code.Token + "/request"
	status, body := st.get(t, form)
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, "Name the alarm code shown on the display.")
	assert.Contains(t, body, `<select id="type" name="type" required>`)
	assert.Contains(t, body, "<option>Training</option>")
	assert.Contains(t, body, `id="terms" name="terms" type="checkbox" value="1" required`)
	assert.Contains(t, body, `href="https://acme.example/terms"`)

	fields := url.Values{"title": {"Alarm"}, "email": {"nina@northwind.example"}, "type": {"Repair"}}
	res := st.post(t, form, fields, nil)
	assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	assert.Contains(t, readBody(t, res), "Accept the terms to send your request.")
	fields.Set("terms", "1")
	fields.Set("type", "Magic")
	res = st.post(t, form, fields, nil)
	assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	assert.Contains(t, readBody(t, res), "Choose a type from the list.")

	fields.Set("type", "Repair")
	ticketPage := st.submit(t, fields, nil)
	status, body = st.get(t, ticketPage+"?new=1")
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, `href="mailto:help@acme.example"`, "the support e-mail after submitting")
}

func TestClosedVisibilities(t *testing.T) {
	st := newSite(t, nil)
	page, form := "/c/"+st.code.Token, "/c/"+st.code.Token+"/request"
	fields := url.Values{"title": {"Alarm"}, "email": {"nina@northwind.example"}}

	t.Run("customers", func(t *testing.T) {
		st.setForm(t, tenant.RequestForm{Visibility: tenant.VisibilityCustomers})
		status, body := st.get(t, page)
		require.Equal(t, http.StatusOK, status, "the device's information still shows")
		assert.Contains(t, body, "Only signed-in users")
		assert.NotContains(t, body, `href="`+form+`"`)
		status, body = st.get(t, form)
		assert.Equal(t, http.StatusUnauthorized, status)
		assert.Contains(t, body, "Sign in to your company")
		res := st.post(t, form, fields, nil)
		assert.Equal(t, http.StatusUnauthorized, res.StatusCode, "the form refuses anonymous posts")
	})
	t.Run("invited", func(t *testing.T) {
		st.setForm(t, tenant.RequestForm{Visibility: tenant.VisibilityInvited})
		status, body := st.get(t, page)
		require.Equal(t, http.StatusOK, status)
		assert.Contains(t, body, "by invitation only")
		status, _ = st.get(t, form)
		assert.Equal(t, http.StatusForbidden, status)
		res := st.post(t, form, fields, nil)
		assert.Equal(t, http.StatusForbidden, res.StatusCode)

		sent, err := st.desk.SendRequestLink(t.Context(), st.agent, st.dev.ID, helpdesk.NewRequestLink{
			Contact: ticketContact("Nina Nurse", "nina@northwind.example")})
		require.NoError(t, err)
		link := "/request-links/" + sent.Token
		status, body = st.get(t, link)
		require.Equal(t, http.StatusOK, status)
		assert.Contains(t, body, `value="nina@northwind.example"`, "the contact is filled in")
		res = st.post(t, link, url.Values{"title": {"Alarm"}}, nil)
		require.Equal(t, http.StatusSeeOther, res.StatusCode, readBody(t, res))
		assert.True(t, strings.HasPrefix(res.Header.Get("Location"), "/requests/"))
		status, _ = st.get(t, link)
		assert.Equal(t, http.StatusNotFound, status, "a request link works once")
	})
}

func TestReportTemplateAmongFiles(t *testing.T) {
	st := newSite(t, nil)
	ten, err := st.desk.Tenant(t.Context(), st.admin)
	require.NoError(t, err)
	_, err = st.desk.SetFormFile(t.Context(), st.admin, ten.Version, helpdesk.FormReport,
		&helpdesk.Upload{Name: "Service report.pdf", Body: strings.NewReader("%PDF-1.4\n%%EOF\n")})
	require.NoError(t, err)
	ticketPage := st.submit(t, url.Values{"title": {"Alarm"}, "email": {"nina@northwind.example"}}, nil)
	status, body := st.get(t, ticketPage)
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, "Service report.pdf")
}

func regexpMust(pattern string) *regexp.Regexp { return regexp.MustCompile(pattern) }

func ticketContact(name, email string) ticket.Contact {
	return ticket.Contact{Name: name, Email: email}
}
