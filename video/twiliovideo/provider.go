package twiliovideo

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/twilio/twilio-go/client"
	"github.com/twilio/twilio-go/client/jwt"
	v1 "github.com/twilio/twilio-go/rest/video/v1"

	"github.com/deskkit/helpdesk/internal/twilioapi"
	"github.com/deskkit/helpdesk/video"
)

// Config configures a [Provider]. AccountSID, APIKeySID and APIKeySecret are required; the
// rest is optional.
type Config struct {
	// AccountSID is the Twilio account the rooms belong to ("AC…"). Required.
	AccountSID string
	// APIKeySID ("SK…") and APIKeySecret are a standard API key of the account. Join tokens
	// are signed with it (Twilio accepts no other signature), and it authenticates the REST
	// requests unless AuthToken is set. Required.
	APIKeySID    string
	APIKeySecret string
	// AuthToken is the account's auth token. When set, it authenticates the REST requests
	// in place of the API key. Either way, [StatusHandler] needs the auth token: Twilio signs
	// its callbacks with it.
	AuthToken string

	// StatusCallback is the public URL Twilio posts room events to, served by
	// [StatusHandler]; it is given to Twilio with every room created, with the method POST.
	// Empty asks for no callbacks. Must be an absolute http or https URL.
	StatusCallback string

	// RoomType is the Twilio room type: "group" (the default, and the only type Twilio
	// offers new accounts), or the legacy "group-small", "peer-to-peer" and "go".
	RoomType string

	// HTTPClient makes the HTTP requests. Its Transport, CheckRedirect, Jar and Timeout are
	// used; each request also runs under its call's ctx. Defaults to a client that follows no
	// redirects (as twilio-go's own does) and times each request out after 10 seconds.
	HTTPClient *http.Client
}

// defaultRoomType is the room type Twilio offers; the others are legacy.
const defaultRoomType = "group"

// maxTokenTTL is the longest Twilio lets an access token live.
const maxTokenTTL = 24 * time.Hour

// Twilio's room statuses and the error codes this adapter acts on.
const (
	statusInProgress = "in-progress"
	statusCompleted  = "completed"
	statusFailed     = "failed"

	codeNotFound   = 20404 // the resource does not exist
	codeRoomExists = 53113 // an in-progress room already has the unique name
)

// Provider is a [video.Provider] on Twilio Programmable Video: group rooms addressed by their
// unique name, and access tokens with a video grant. It is safe for concurrent use.
type Provider struct {
	accountSID     string
	keySID         string
	keySecret      string
	username       string // APIKeySID or AccountSID
	password       string // APIKeySecret or AuthToken
	statusCallback string
	roomType       string

	http twilioapi.HTTP
}

var _ video.Provider = (*Provider)(nil)

// New returns a Provider for cfg. It returns an error naming the first missing or malformed
// field of cfg; it does not contact Twilio, so wrong credentials show up as an error (Twilio
// code 20003) on the first call, and a wrong API key secret as tokens Twilio refuses.
func New(cfg Config) (*Provider, error) {
	p := &Provider{
		accountSID:     cfg.AccountSID,
		keySID:         cfg.APIKeySID,
		keySecret:      cfg.APIKeySecret,
		statusCallback: cfg.StatusCallback,
		roomType:       cfg.RoomType,
	}
	if !twilioapi.ValidSID(cfg.AccountSID, "AC") {
		return nil, configError("AccountSID", "must be an account SID: AC followed by 32 hex digits")
	}
	if !twilioapi.ValidSID(cfg.APIKeySID, "SK") {
		return nil, configError("APIKeySID", "must be an API key SID: SK followed by 32 hex digits")
	}
	if err := checkSecret("APIKeySecret", cfg.APIKeySecret); err != nil {
		return nil, err
	}
	p.username, p.password = cfg.APIKeySID, cfg.APIKeySecret
	if cfg.AuthToken != "" {
		if err := checkSecret("AuthToken", cfg.AuthToken); err != nil {
			return nil, err
		}
		p.username, p.password = cfg.AccountSID, cfg.AuthToken
	}
	if p.statusCallback != "" {
		if !twilioapi.IsHTTPURL(p.statusCallback) {
			return nil, configError("StatusCallback", "must be an absolute http or https URL")
		}
	}
	switch p.roomType {
	case "":
		p.roomType = defaultRoomType
	case "group", "group-small", "peer-to-peer", "go":
	default:
		return nil, configError("RoomType", `must be "group", "group-small", "peer-to-peer" or "go"`)
	}

	p.http = twilioapi.NewHTTP(cfg.HTTPClient)
	return p, nil
}

func configError(field, problem string) error {
	return fmt.Errorf("twiliovideo: Config.%s %s", field, problem)
}

// checkSecret refuses a credential twilio-go would refuse, without echoing it.
func checkSecret(field, v string) error {
	if problem := twilioapi.SecretProblem(v); problem != "" {
		return configError(field, problem)
	}
	return nil
}

// checkName reports whether Twilio can address a room by name. Twilio addresses an
// in-progress room by its unique name in URLs only when the name needs no escaping, and
// twilio-go deletes every "." followed by digits from query strings, which would make a
// name with dots unsearchable; so names are kept to letters, digits, '-' and '_'.
func checkName(name string) error {
	if name == "" {
		return errors.New("empty name")
	}
	for _, r := range name {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '-' || r == '_') {
			return fmt.Errorf("name %q has %q: only ASCII letters, digits, '-' and '_' are allowed", name, r)
		}
	}
	return nil
}

// CreateRoom creates the room called name at Twilio, with the configured type and status
// callback and opts.MaxParticipants when it is above 0, or returns the in-progress room of
// that name. Room.ID is Twilio's room SID ("RM…").
//
// Twilio keeps a unique name unique among in-progress rooms only, and creates a fresh room
// under the name of a completed one; so CreateRoom first looks for the room: an in-progress
// one is returned as it is, and a completed (or failed) one is [video.ErrRoomEnded]. When
// callers race, Twilio refuses all but one creation (code 53113) and the others return the
// room that won.
//
// Errors: [video.ErrInvalid] for a name that is empty or has characters other than ASCII
// letters, digits, '-' and '_', for a negative opts.MaxParticipants, or when Twilio refuses
// the request as invalid (HTTP 400, such as MaxParticipants above the room type's limit), with
// Twilio's message; [video.ErrRoomEnded] as above; ctx's error, wrapped, when ctx ends first;
// other Twilio refusals (authentication, rate limits, outages) and network errors wrapped.
// errors.As with a *client.TwilioRestError gives a Twilio refusal's fields.
func (p *Provider) CreateRoom(ctx context.Context, name string, opts video.RoomOptions) (video.Room, error) {
	const op = "create room"
	if err := checkName(name); err != nil {
		return video.Room{}, fmt.Errorf("twiliovideo: %s: %w: %w", op, video.ErrInvalid, err)
	}
	if opts.MaxParticipants < 0 {
		return video.Room{}, fmt.Errorf("twiliovideo: %s %q: %w: MaxParticipants %d is negative",
			op, name, video.ErrInvalid, opts.MaxParticipants)
	}
	if err := ctx.Err(); err != nil {
		return video.Room{}, fmt.Errorf("twiliovideo: %s %q: %w", op, name, err)
	}
	api := p.api(ctx)

	r, ended, err := p.find(api, name)
	switch {
	case err != nil:
		return video.Room{}, p.fail(ctx, op, name, err)
	case ended:
		return video.Room{}, fmt.Errorf("twiliovideo: %s %q: %w", op, name, video.ErrRoomEnded)
	case r != nil:
		return toRoom(name, r), nil
	}

	params := &v1.CreateRoomParams{}
	params.SetUniqueName(name)
	params.SetType(p.roomType)
	if opts.MaxParticipants > 0 {
		params.SetMaxParticipants(opts.MaxParticipants)
	}
	if p.statusCallback != "" {
		params.SetStatusCallback(p.statusCallback)
		params.SetStatusCallbackMethod(http.MethodPost)
	}
	r, err = api.CreateRoom(params)
	if err == nil {
		return toRoom(name, r), nil
	}
	if te := restError(err); te == nil || te.Code != codeRoomExists {
		return video.Room{}, p.fail(ctx, op, name, err)
	}

	// Another caller created it since find looked.
	existsErr := err
	r, ended, err = p.find(api, name)
	switch {
	case err != nil:
		return video.Room{}, p.fail(ctx, op, name, err)
	case ended:
		return video.Room{}, fmt.Errorf("twiliovideo: %s %q: %w", op, name, video.ErrRoomEnded)
	case r != nil:
		return toRoom(name, r), nil
	}
	// Twilio said the room exists, then could not find it in progress or completed.
	return video.Room{}, fmt.Errorf("twiliovideo: %s %q: Twilio reports the room exists but does not find it: %w",
		op, name, &apiError{restError(existsErr)})
}

// JoinToken fetches the room called name, then mints a Twilio access token for p with a
// video grant for that room, signed with the API key. The token expires at validUntil
// rounded down to the second, or 24 hours from now if validUntil is later (the longest
// Twilio accepts); Grant.ExpiresAt says which.
//
// Errors: [video.ErrInvalid] for an empty or blank p.Identity or a validUntil that is not at
// least a second ahead, without asking Twilio; [video.ErrRoomNotFound] if Twilio has no room
// of that name (or the name cannot be one, see [Provider.CreateRoom]); [video.ErrRoomEnded] if
// the room has completed; ctx's error, wrapped, when ctx ends first; other Twilio refusals and
// network errors wrapped.
func (p *Provider) JoinToken(ctx context.Context, room string, pt video.Participant, validUntil time.Time) (video.Grant, error) {
	const op = "join room"
	if strings.TrimSpace(pt.Identity) == "" {
		return video.Grant{}, fmt.Errorf("twiliovideo: %s %q: %w: empty identity", op, room, video.ErrInvalid)
	}
	now := time.Now()
	expires := time.Unix(validUntil.Unix(), 0)
	if latest := now.Add(maxTokenTTL); expires.After(latest) {
		expires = time.Unix(latest.Unix(), 0)
	}
	if !expires.After(now) {
		return video.Grant{}, fmt.Errorf("twiliovideo: %s %q: %w: valid until %s, not a second ahead",
			op, room, video.ErrInvalid, validUntil.Format(time.RFC3339Nano))
	}
	if err := checkName(room); err != nil {
		return video.Grant{}, fmt.Errorf("twiliovideo: %s: %w: %w", op, video.ErrRoomNotFound, err)
	}
	if err := ctx.Err(); err != nil {
		return video.Grant{}, fmt.Errorf("twiliovideo: %s %q: %w", op, room, err)
	}

	r, ended, err := p.find(p.api(ctx), room)
	switch {
	case err != nil:
		return video.Grant{}, p.fail(ctx, op, room, err)
	case ended:
		return video.Grant{}, fmt.Errorf("twiliovideo: %s %q: %w", op, room, video.ErrRoomEnded)
	case r == nil:
		return video.Grant{}, fmt.Errorf("twiliovideo: %s %q: %w", op, room, video.ErrRoomNotFound)
	}

	// ValidUntil, not Ttl: twilio-go raises any Ttl below an hour to an hour.
	token := jwt.CreateAccessToken(jwt.AccessTokenParams{
		AccountSid:    p.accountSID,
		SigningKeySid: p.keySID,
		Secret:        p.keySecret,
		Identity:      pt.Identity,
		ValidUntil:    float64(expires.Unix()),
		Grants:        []jwt.BaseGrant{&jwt.VideoGrant{Room: room}},
	})
	signed, err := token.ToJwt()
	if err != nil {
		return video.Grant{}, fmt.Errorf("twiliovideo: %s %q: sign the access token: %w", op, room, err)
	}
	return video.Grant{Room: room, Identity: pt.Identity, Token: signed, ExpiresAt: expires}, nil
}

// EndRoom completes the in-progress room called name, which disconnects its participants.
// A room that has already completed is left as it is, and EndRoom returns nil.
//
// Errors: [video.ErrRoomNotFound] if Twilio has no room of that name, in progress or
// completed (or the name cannot be one, see [Provider.CreateRoom]); ctx's error, wrapped,
// when ctx ends first; other Twilio refusals and network errors wrapped.
func (p *Provider) EndRoom(ctx context.Context, room string) error {
	const op = "end room"
	if err := checkName(room); err != nil {
		return fmt.Errorf("twiliovideo: %s: %w: %w", op, video.ErrRoomNotFound, err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("twiliovideo: %s %q: %w", op, room, err)
	}
	api := p.api(ctx)

	params := &v1.UpdateRoomParams{}
	params.SetStatus(statusCompleted)
	_, err := api.UpdateRoom(room, params)
	if err == nil {
		return nil
	}
	if !isNotFound(err) {
		return p.fail(ctx, op, room, err)
	}
	// Twilio addresses a room by name only while it is in progress.
	ended, err := p.hasEnded(api, room)
	switch {
	case err != nil:
		return p.fail(ctx, op, room, err)
	case ended:
		return nil
	}
	return fmt.Errorf("twiliovideo: %s %q: %w", op, room, video.ErrRoomNotFound)
}

// find looks for the room called name: the in-progress room, or else whether a room of that
// name has ended. It returns (nil, false, nil) when Twilio knows no such room.
func (p *Provider) find(api *v1.ApiService, name string) (room *v1.VideoV1Room, ended bool, err error) {
	r, err := api.FetchRoom(name)
	if err == nil {
		if r.Status != nil && (*r.Status == statusCompleted || *r.Status == statusFailed) {
			return nil, true, nil
		}
		return r, false, nil
	}
	if !isNotFound(err) {
		return nil, false, err
	}
	ended, err = p.hasEnded(api, name)
	return nil, ended, err
}

// hasEnded reports whether Twilio lists a completed room called name.
func (p *Provider) hasEnded(api *v1.ApiService, name string) (bool, error) {
	params := &v1.ListRoomParams{}
	params.SetUniqueName(name)
	params.SetStatus(statusCompleted)
	params.SetPageSize(20)
	page, err := api.PageRoom(params, "", "")
	if err != nil {
		return false, err
	}
	for _, r := range page.Rooms {
		if r.UniqueName != nil && *r.UniqueName == name {
			return true, nil
		}
	}
	return false, nil
}

func toRoom(name string, r *v1.VideoV1Room) video.Room {
	room := video.Room{Name: name, MaxParticipants: r.MaxParticipants}
	if r.Sid != nil {
		room.ID = *r.Sid
	}
	return room
}

// api returns a Video API client whose requests run under ctx. twilio-go's calls take no
// context and build their requests with context.Background(), so each call gets its own
// http.Client whose Transport puts ctx on the request: cancelling ctx aborts the request
// itself, so no goroutine is left waiting on a stalled Twilio. The clients are a few small
// allocations.
func (p *Provider) api(ctx context.Context) *v1.ApiService {
	return v1.NewApiService(p.http.Handler(ctx, p.accountSID, p.username, p.password, "", ""))
}

// restError returns the Twilio refusal in err's chain, or nil.
func restError(err error) *client.TwilioRestError {
	var te *client.TwilioRestError
	if errors.As(err, &te) {
		return te
	}
	return nil
}

func isNotFound(err error) bool {
	te := restError(err)
	return te != nil && (te.Status == http.StatusNotFound || te.Code == codeNotFound)
}

// fail turns a failed Twilio call into the method's error.
func (p *Provider) fail(ctx context.Context, op, name string, err error) error {
	if te := restError(err); te != nil {
		ae := &apiError{te}
		switch {
		case isNotFound(err):
			return fmt.Errorf("twiliovideo: %s %q: %w: %w", op, name, video.ErrRoomNotFound, ae)
		case te.Status == http.StatusBadRequest:
			return fmt.Errorf("twiliovideo: %s %q: %w: %w", op, name, video.ErrInvalid, ae)
		}
		return fmt.Errorf("twiliovideo: %s %q: %w", op, name, ae)
	}
	// A call can fail for another reason as ctx ends (an answer cut short); the caller
	// should see that its ctx ended.
	if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
		err = errors.Join(ctxErr, err)
	}
	return fmt.Errorf("twiliovideo: %s %q: %w", op, name, err)
}

// apiError renders a Twilio refusal readably; twilio-go's own Error() adds a "(null)" for
// absent details.
type apiError struct{ err *client.TwilioRestError }

func (e *apiError) Error() string {
	msg := fmt.Sprintf("Twilio error %d (HTTP %d): %s", e.err.Code, e.err.Status, e.err.Message)
	if e.err.MoreInfo != "" {
		msg += " (" + e.err.MoreInfo + ")"
	}
	return msg
}

func (e *apiError) Unwrap() error { return e.err }
