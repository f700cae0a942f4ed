package twilioapi

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/twilio/twilio-go/client"
)

// DefaultTimeout is twilio-go's own default per-request timeout.
const DefaultTimeout = 10 * time.Second

// ValidSID reports whether sid is a Twilio SID of the given two-letter prefix.
func ValidSID(sid, prefix string) bool {
	if len(sid) != 34 || !strings.HasPrefix(sid, prefix) {
		return false
	}
	for _, r := range sid[2:] {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'f' || 'A' <= r && r <= 'F') {
			return false
		}
	}
	return true
}

// SecretProblem says why twilio-go would refuse v as a credential on every request (it allows
// only letters and digits), without echoing it; "" when v is usable.
func SecretProblem(v string) string {
	if v == "" {
		return "is required"
	}
	for _, r := range v {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') {
			return "may contain only letters and digits"
		}
	}
	return ""
}

// IsHTTPURL reports whether s is an absolute http or https URL.
func IsHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// HTTP is what each call's client takes from the adapter's configured http.Client.
type HTTP struct {
	transport     http.RoundTripper
	checkRedirect func(*http.Request, []*http.Request) error
	jar           http.CookieJar
	timeout       time.Duration
}

// NewHTTP takes hc apart for per-call clients; nil means a client that follows no redirects
// and times out after DefaultTimeout.
func NewHTTP(hc *http.Client) HTTP {
	if hc == nil {
		hc = &http.Client{
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
			Timeout:       DefaultTimeout,
		}
	}
	h := HTTP{transport: hc.Transport, checkRedirect: hc.CheckRedirect, jar: hc.Jar, timeout: hc.Timeout}
	if h.transport == nil {
		h.transport = http.DefaultTransport
	}
	return h
}

// Timeout is the configured client's per-request timeout (0: none).
func (h HTTP) Timeout() time.Duration { return h.timeout }

// Handler returns a request handler for accountSID whose requests run under ctx. twilio-go's
// calls take no context and build their requests with context.Background(), so each call gets
// its own http.Client whose Transport puts ctx on the request: cancelling ctx aborts the
// request itself, so no goroutine is left waiting on a stalled Twilio. The clients are a few
// small allocations. region and edge may be empty.
func (h HTTP) Handler(ctx context.Context, accountSID, username, password, region, edge string) *client.RequestHandler {
	c := &client.Client{
		Credentials: client.NewCredentials(username, password),
		HTTPClient: &http.Client{
			Transport:     ctxTransport{ctx: ctx, base: h.transport},
			CheckRedirect: h.checkRedirect,
			Jar:           h.jar,
			Timeout:       h.timeout,
		},
		UserAgentExtensions: []string{"deskkit-helpdesk"},
	}
	c.SetAccountSid(accountSID)
	// A literal RequestHandler, not client.NewRequestHandler, which would read TWILIO_EDGE
	// and TWILIO_REGION from the environment behind the adapter's Config.
	return &client.RequestHandler{Client: c, Region: region, Edge: edge}
}

// ctxTransport runs every request under ctx.
type ctxTransport struct {
	ctx  context.Context
	base http.RoundTripper
}

func (t ctxTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	return t.base.RoundTrip(req.WithContext(t.ctx))
}

// maxCallbackBytes bounds a callback's body; Twilio's are well under 2 KiB.
const maxCallbackBytes = 64 << 10

// Callbacks checks the signature of Twilio's callbacks to one public URL.
type Callbacks struct {
	validator client.RequestValidator
	publicURL string
	withQuery bool // publicURL has its own query
}

// NewCallbacks returns the check of callbacks to publicURL signed with authToken. It panics,
// naming pkg, if authToken is empty (every signature would be forgeable) or publicURL is not an
// absolute http or https URL.
func NewCallbacks(pkg, authToken, publicURL string) Callbacks {
	if authToken == "" {
		panic(pkg + ": StatusHandler: empty auth token")
	}
	if !IsHTTPURL(publicURL) {
		panic(fmt.Sprintf("%s: StatusHandler: public URL %q is not an absolute http or https URL", pkg, publicURL))
	}
	return Callbacks{validator: client.NewRequestValidator(authToken), publicURL: publicURL,
		withQuery: strings.Contains(publicURL, "?")}
}

// Params returns the parameters of a genuine callback. Otherwise it answers r itself (405 for
// a method other than POST, 400 for a malformed body, 403 for a missing or wrong signature)
// and returns false. If publicURL has no query but the request has one, the request's query is
// signed too, so one handler can serve callback URLs that differ in their query.
func (c Callbacks) Params(w http.ResponseWriter, r *http.Request) (map[string]string, bool) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "status callbacks are POSTed", http.StatusMethodNotAllowed)
		return nil, false
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxCallbackBytes)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "malformed callback", http.StatusBadRequest)
		return nil, false
	}
	// Twilio signs the URL it called followed by the sorted POST parameters; a parameter
	// sent twice is not something Twilio does, so the first value stands for each.
	signature := r.Header.Get("X-Twilio-Signature")
	params := make(map[string]string, len(r.PostForm))
	for k, vs := range r.PostForm {
		params[k] = vs[0]
	}
	signedURL := c.publicURL
	if !c.withQuery && r.URL.RawQuery != "" {
		signedURL += "?" + r.URL.RawQuery
	}
	if signature == "" || !c.validator.Validate(signedURL, params, signature) {
		http.Error(w, "invalid signature", http.StatusForbidden)
		return nil, false
	}
	return params, true
}
