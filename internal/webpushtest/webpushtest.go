// Package webpushtest is a fake Web Push service for tests: it checks each request as a
// push service would (the TTL header, the VAPID Authorization with an ES256 token verified
// against the expected public key, the aes128gcm encoding), decrypts the payload with the
// keys of the browser it made (RFC 8291), records it, and answers 201 or the status a test
// asked for.
package webpushtest

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Browser is a subscription the Service made: what PushManager.subscribe would return.
type Browser struct {
	Endpoint string
	P256dh   string
	Auth     string
	priv     *ecdh.PrivateKey
	auth     []byte
}

// Push is one request the Service received.
type Push struct {
	Endpoint string
	// TTL is the TTL header.
	TTL int
	// Subject and Audience are the VAPID token's sub and aud claims.
	Subject, Audience string
	// Payload is the decrypted message.
	Payload []byte
	// Problem says what was wrong with the request; empty when it was a valid push.
	Problem string
}

// Service is a fake push service on https (use its Client).
type Service struct {
	*httptest.Server
	vapidKey *ecdsa.PublicKey
	vapidB64 string

	mu       sync.Mutex
	browsers map[string]*Browser
	answers  map[string]int
	received []Push
}

// New starts a Service that expects tokens signed by the VAPID public key vapidPublic
// (base64url); Close stops it.
func New(vapidPublic string) *Service {
	raw, err := base64.RawURLEncoding.DecodeString(vapidPublic)
	if err != nil || len(raw) != 65 {
		panic("webpushtest: bad VAPID public key")
	}
	key, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), raw)
	if err != nil {
		panic("webpushtest: bad VAPID public key")
	}
	s := &Service{vapidKey: key, vapidB64: vapidPublic,
		browsers: map[string]*Browser{}, answers: map[string]int{}}
	s.Server = httptest.NewTLSServer(http.HandlerFunc(s.serve))
	return s
}

// NewBrowser makes a browser's subscription on this service.
func (s *Service) NewBrowser() *Browser {
	priv, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	auth := make([]byte, 16)
	_, _ = rand.Read(auth)
	id := make([]byte, 12)
	_, _ = rand.Read(id)
	b := &Browser{Endpoint: s.URL + "/push/" + base64.RawURLEncoding.EncodeToString(id),
		P256dh: base64.RawURLEncoding.EncodeToString(priv.PublicKey().Bytes()),
		Auth:   base64.RawURLEncoding.EncodeToString(auth), priv: priv, auth: auth}
	s.mu.Lock()
	s.browsers[b.Endpoint] = b
	s.mu.Unlock()
	return b
}

// Answer makes the service answer status to every later push to endpoint.
func (s *Service) Answer(endpoint string, status int) {
	s.mu.Lock()
	s.answers[endpoint] = status
	s.mu.Unlock()
}

// Received returns the pushes received so far.
func (s *Service) Received() []Push {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Push(nil), s.received...)
}

func (s *Service) serve(w http.ResponseWriter, r *http.Request) {
	endpoint := s.URL + r.URL.Path
	p := Push{Endpoint: endpoint}
	if err := s.check(r, &p); err != nil {
		p.Problem = err.Error()
	}
	s.mu.Lock()
	s.received = append(s.received, p)
	status, ok := s.answers[endpoint]
	s.mu.Unlock()
	switch {
	case p.Problem != "":
		http.Error(w, p.Problem, http.StatusBadRequest)
	case ok:
		w.WriteHeader(status)
	default:
		w.Header().Set("Location", endpoint+"/messages/"+strconv.Itoa(len(s.received)))
		w.WriteHeader(http.StatusCreated)
	}
}

func (s *Service) check(r *http.Request, p *Push) error {
	if r.Method != http.MethodPost {
		return fmt.Errorf("method %s", r.Method)
	}
	ttl, err := strconv.Atoi(r.Header.Get("TTL"))
	if err != nil || ttl < 0 {
		return fmt.Errorf("TTL header %q", r.Header.Get("TTL"))
	}
	p.TTL = ttl
	if ce := r.Header.Get("Content-Encoding"); ce != "aes128gcm" {
		return fmt.Errorf("Content-Encoding %q", ce)
	}
	if err := s.checkVAPID(r.Header.Get("Authorization"), p); err != nil {
		return err
	}
	s.mu.Lock()
	b := s.browsers[p.Endpoint]
	s.mu.Unlock()
	if b == nil {
		return nil // an endpoint the test made up: nothing to decrypt with
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return err
	}
	p.Payload, err = b.decrypt(body)
	return err
}

// checkVAPID verifies "vapid t=<JWT>, k=<public key>" (RFC 8292).
func (s *Service) checkVAPID(h string, p *Push) error {
	rest, ok := strings.CutPrefix(h, "vapid t=")
	if !ok {
		return fmt.Errorf("authorization %q is not vapid", h)
	}
	token, k, ok := strings.Cut(rest, ", k=")
	if !ok || k != s.vapidB64 {
		return fmt.Errorf("authorization key %q, want %q", k, s.vapidB64)
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return errors.New("the VAPID token is not a JWT")
	}
	var header struct{ Alg string }
	if err := decodeJSON(parts[0], &header); err != nil || header.Alg != "ES256" {
		return fmt.Errorf("the VAPID token's alg is %q", header.Alg)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || len(sig) != 64 {
		return errors.New("the VAPID token's signature is malformed")
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if !ecdsa.Verify(s.vapidKey, sum[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
		return errors.New("the VAPID token is not signed by the expected key")
	}
	var claims struct {
		Aud, Sub string
		Exp      int64
	}
	if err := decodeJSON(parts[1], &claims); err != nil {
		return err
	}
	if claims.Exp < time.Now().Unix() || claims.Exp > time.Now().Add(24*time.Hour).Unix() {
		return fmt.Errorf("the VAPID token expires at %d", claims.Exp)
	}
	if claims.Aud != s.URL {
		return fmt.Errorf("the VAPID token's aud is %q, want %q", claims.Aud, s.URL)
	}
	p.Subject, p.Audience = claims.Sub, claims.Aud
	return nil
}

func decodeJSON(part string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(part)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// decrypt opens an aes128gcm body of one record (RFC 8188, RFC 8291).
func (b *Browser) decrypt(body []byte) ([]byte, error) {
	if len(body) < 21 {
		return nil, errors.New("body too short")
	}
	salt, rs, idlen := body[:16], binary.BigEndian.Uint32(body[16:20]), int(body[20])
	if len(body) < 21+idlen || int(rs) < len(body)-21-idlen {
		return nil, errors.New("malformed aes128gcm header")
	}
	asPub, err := ecdh.P256().NewPublicKey(body[21 : 21+idlen])
	if err != nil {
		return nil, fmt.Errorf("the sender's key: %w", err)
	}
	secret, err := b.priv.ECDH(asPub)
	if err != nil {
		return nil, err
	}
	info := append(append([]byte("WebPush: info\x00"), b.priv.PublicKey().Bytes()...), asPub.Bytes()...)
	ikm, err := hkdf.Key(sha256.New, secret, b.auth, string(info), 32)
	if err != nil {
		return nil, err
	}
	cek, err := hkdf.Key(sha256.New, ikm, salt, "Content-Encoding: aes128gcm\x00", 16)
	if err != nil {
		return nil, err
	}
	nonce, err := hkdf.Key(sha256.New, ikm, salt, "Content-Encoding: nonce\x00", 12)
	if err != nil {
		return nil, err
	}
	block, _ := aes.NewCipher(cek)
	gcm, _ := cipher.NewGCM(block)
	plain, err := gcm.Open(nil, nonce, body[21+idlen:], nil)
	if err != nil {
		return nil, fmt.Errorf("decrypt: %w", err)
	}
	plain = []byte(strings.TrimRight(string(plain), "\x00"))
	if len(plain) == 0 || plain[len(plain)-1] != 2 {
		return nil, errors.New("the last record lacks its delimiter")
	}
	return plain[:len(plain)-1], nil
}
