package safehttp

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"syscall"
	"time"
)

// ErrNotPublic is returned (wrapped) when a connection would go to an address that is not on
// the public internet.
var ErrNotPublic = errors.New("safehttp: the address is not a public one")

// Options tune NewClient.
type Options struct {
	// Timeout bounds each request, as http.Client.Timeout. Defaults to 30 seconds.
	Timeout time.Duration
	// AllowPrivate lets the client connect to any address: for tests, and for receivers on a
	// private network by design.
	AllowPrivate bool
}

// NewClient returns a client that connects to public addresses only (unless AllowPrivate),
// uses no proxy and follows no redirect: a redirect answer is returned as it is.
func NewClient(o Options) *http.Client {
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	if !o.AllowPrivate {
		d.Control = refuseNonPublic
	}
	// MaxIdleConnsPerHost: one receiver gets a dispatcher's concurrent requests (8 webhooks
	// at a time by default); the standard 2 idle connections per host made every batch open
	// most of its connections anew (BENCHMARKS.md, "Webhook delivery").
	t := &http.Transport{Proxy: nil, DialContext: d.DialContext, ForceAttemptHTTP2: true,
		MaxIdleConns: 100, MaxIdleConnsPerHost: 16, IdleConnTimeout: 90 * time.Second, TLSHandshakeTimeout: 10 * time.Second,
		ExpectContinueTimeout: time.Second}
	return &http.Client{Transport: t, Timeout: o.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// refuseNonPublic is a net.Dialer's Control: it runs on the resolved address just before the
// connection is made.
func refuseNonPublic(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrNotPublic, address)
	}
	if !Public(ap.Addr()) {
		return fmt.Errorf("%w: %s", ErrNotPublic, ap.Addr())
	}
	return nil
}

// nonPublic are the ranges besides the standard library's predicates that are not on the
// public internet (RFC 6890 and its successors).
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and broadcast
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use NAT64
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("100::/64"),        // discard-only
}

// Public reports whether ip is an address on the public internet: not loopback, private,
// link-local, multicast, unspecified, nor one of the special-purpose ranges. An IPv4-mapped
// IPv6 address is judged as the IPv4 address it carries.
func Public(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsUnspecified() || ip.IsLinkLocalUnicast() ||
		ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() || ip.IsMulticast() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// PublicHost reports whether a URL's host (with or without a port) may be public: a name
// other than localhost (its addresses are checked again when dialled), or a literal public
// address. It returns false for "localhost", names under ".localhost" and non-public
// literal addresses.
func PublicHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSuffix(host, "]"), "["), ".")
	if host == "" {
		return false
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		return Public(ip)
	}
	l := strings.ToLower(host)
	return l != "localhost" && !strings.HasSuffix(l, ".localhost")
}
