package twiliotest

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
)

// Redirect returns an http.Client that sends each request to the server at target instead of
// its own scheme and host, through base (http.DefaultTransport when nil). With host set, a
// request for any other host than https://host fails, so that a test notices a call to the
// wrong API.
func Redirect(target, host string, base http.RoundTripper) *http.Client {
	u, err := url.Parse(target)
	if err != nil {
		panic(fmt.Sprintf("twiliotest: target %q: %v", target, err))
	}
	if base == nil {
		base = http.DefaultTransport
	}
	return &http.Client{Transport: redirect{target: u, host: host, base: base}}
}

type redirect struct {
	target *url.URL
	host   string
	base   http.RoundTripper
}

func (rt redirect) RoundTrip(req *http.Request) (*http.Response, error) {
	if rt.host != "" && (req.URL.Scheme != "https" || req.URL.Host != rt.host) {
		return nil, fmt.Errorf("request to %s, not to https://%s", req.URL, rt.host)
	}
	req = req.Clone(req.Context())
	req.URL.Scheme, req.URL.Host, req.Host = rt.target.Scheme, rt.target.Host, ""
	return rt.base.RoundTrip(req)
}

// Refusal is an error answer a stand-in gives.
type Refusal struct {
	Status      int
	ContentType string
	Body        string
}

// Error returns the answer Twilio gives when it refuses a request: its JSON error body.
func Error(status, code int, message string) Refusal {
	b, _ := json.Marshal(map[string]any{
		"code":      code,
		"message":   message,
		"more_info": fmt.Sprintf("https://www.twilio.com/docs/errors/%d", code),
		"status":    status,
	})
	return Refusal{Status: status, ContentType: "application/json", Body: string(b)}
}

// Write answers w with r.
func (r Refusal) Write(w http.ResponseWriter) {
	w.Header().Set("Content-Type", r.ContentType)
	w.WriteHeader(r.Status)
	_, _ = strings.NewReader(r.Body).WriteTo(w)
}

// Signature signs a callback the way Twilio documents it: HMAC-SHA1 with the auth token over
// the URL followed by each POST parameter's name and value, sorted by name, in base64.
func Signature(authToken, callURL string, form url.Values) string {
	var b strings.Builder
	b.WriteString(callURL)
	for _, k := range slices.Sorted(maps.Keys(form)) {
		b.WriteString(k)
		b.WriteString(form.Get(k))
	}
	mac := hmac.New(sha1.New, []byte(authToken))
	mac.Write([]byte(b.String()))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// PostCallback posts form to h as Twilio would to callURL, signed with signature ("" for
// none), and returns the answer.
func PostCallback(h http.Handler, callURL string, form url.Values, signature string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, callURL, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", "TwilioProxy/1.1")
	if signature != "" {
		req.Header.Set("X-Twilio-Signature", signature)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}
