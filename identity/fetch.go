package identity

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"
)

// Fetch defaults; see FetchOptions.
const (
	defaultTimeout         = 5 * time.Second
	defaultMaxBytes        = 1 << 20
	defaultMinRefresh      = time.Minute
	defaultMaxRefresh      = time.Hour
	defaultRefetchEvery    = 10 * time.Second
	defaultFirstFetchDelay = 250 * time.Millisecond

	// noMaxAge is the refresh interval when a response has no
	// Cache-Control max-age, clamped to [MinRefresh, MaxRefresh].
	noMaxAge = 15 * time.Minute
)

// FetchOptions tune a key set's fetcher; zero values take the defaults
// noted, negative values are an error. The options of the first acquirer of
// a key set win: a later acquirer shares the set as it is.
type FetchOptions struct {
	// Timeout bounds one fetch, body included (for an OIDC issuer: each of
	// the discovery document and the key set). Default: 5s.
	Timeout time.Duration
	// MaxBytes caps a response body; a larger one is a failed fetch.
	// Default: 1 MiB.
	MaxBytes int64
	// MinRefresh is the floor for a response's Cache-Control max-age.
	// Default: 1m (or MaxRefresh, if that is set lower).
	MinRefresh time.Duration
	// MaxRefresh is the ceiling for max-age. Without max-age the interval
	// is 15m, clamped to [MinRefresh, MaxRefresh]. Default: 1h (or
	// MinRefresh, if that is set higher).
	MaxRefresh time.Duration
	// RefetchEvery is the least time between two fetches that a caller
	// triggers (unknown kid, cold set), and the first retry delay after a
	// failure (doubling up to MaxRefresh). Default: 10s.
	RefetchEvery time.Duration
	// FirstFetchDelay is how long the background loop waits, once
	// started, before its first fetch. Default: 250ms.
	FirstFetchDelay time.Duration
	// Client fetches. Default: an http.Client with Timeout. Timeout is
	// applied to every fetch whatever the client, and so is the redirect
	// policy (at most 5, never from https to http).
	Client *http.Client
	// Logger may be nil (no logs).
	Logger *zap.Logger
	// Observer, if set, hears of every fetch's outcome (for metrics).
	Observer FetchObserver
}

// FetchObserver hears what a key set's fetcher does. set is the JWKS URL
// or the OIDC issuer.
type FetchObserver interface {
	// Fetched reports a good fetch and the number of usable keys.
	Fetched(set string, keys int)
	// FetchFailed reports a failed fetch (the last good keys stay).
	FetchFailed(set string)
	// Closed reports that the set was released for the last time.
	Closed(set string)
}

// withDefaults fills in the defaults and checks the options.
func (o FetchOptions) withDefaults() (FetchOptions, error) {
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"timeout", o.Timeout}, {"min refresh", o.MinRefresh}, {"max refresh", o.MaxRefresh},
		{"refetch interval", o.RefetchEvery}, {"first fetch delay", o.FirstFetchDelay},
	} {
		if d.v < 0 {
			return o, fmt.Errorf("key set %s must not be negative", d.name)
		}
	}
	if o.MaxBytes < 0 {
		return o, errors.New("key set size limit must not be negative")
	}
	if o.MinRefresh > 0 && o.MaxRefresh > 0 && o.MinRefresh > o.MaxRefresh {
		return o, fmt.Errorf("key set min refresh %v is above max refresh %v", o.MinRefresh, o.MaxRefresh)
	}
	if o.Timeout == 0 {
		o.Timeout = defaultTimeout
	}
	if o.MaxBytes == 0 {
		o.MaxBytes = defaultMaxBytes
	}
	switch {
	case o.MinRefresh == 0 && o.MaxRefresh == 0:
		o.MinRefresh, o.MaxRefresh = defaultMinRefresh, defaultMaxRefresh
	case o.MinRefresh == 0:
		o.MinRefresh = min(defaultMinRefresh, o.MaxRefresh)
	case o.MaxRefresh == 0:
		o.MaxRefresh = max(defaultMaxRefresh, o.MinRefresh)
	}
	if o.RefetchEvery == 0 {
		o.RefetchEvery = defaultRefetchEvery
	}
	if o.FirstFetchDelay == 0 {
		o.FirstFetchDelay = defaultFirstFetchDelay
	}
	client := http.Client{Timeout: o.Timeout}
	if o.Client != nil {
		client = *o.Client
	}
	client.CheckRedirect = keyRedirectPolicy // whatever the client: no downgrade
	o.Client = &client
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	return o, nil
}

// CheckKeyURL accepts the URL of a key set, a discovery document or an
// OIDC issuer: https, or http to a loopback host only (a key set fetched
// in the clear can be replaced on the way, and with it every session it
// verifies).
func CheckKeyURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("%q is not an https URL", raw)
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return fmt.Errorf("%q is plain http: keys fetched in the clear can be swapped on the way; use https (http is accepted only for localhost and loopback addresses)", raw)
	}
	return nil
}

// isLoopback reports whether host is localhost or a loopback address.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// keyRedirectPolicy follows at most 5 redirects, never from https to
// http, nor from http to a host that is not loopback.
func keyRedirectPolicy(req *http.Request, via []*http.Request) error {
	if len(via) >= 5 {
		return errors.New("stopped after 5 redirects")
	}
	if req.URL.Scheme != "https" && (via[0].URL.Scheme == "https" || !isLoopback(req.URL.Hostname())) {
		return fmt.Errorf("refused a redirect to %s: key sets are fetched over https only", req.URL.Redacted())
	}
	return nil
}

// get fetches a JSON document within the options' timeout and size cap,
// and returns its body and the refresh interval its Cache-Control asks for.
func get(ctx context.Context, o *FetchOptions, target, accept string) ([]byte, time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Accept", accept)
	resp, err := o.Client.Do(req)
	if err != nil {
		return nil, 0, transportError(o, "unreachable", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10)) // lets the connection be reused
		return nil, 0, fmt.Errorf("status %s", resp.Status)
	}
	if resp.ContentLength > o.MaxBytes {
		return nil, 0, fmt.Errorf("response of %d bytes is larger than the limit of %d", resp.ContentLength, o.MaxBytes)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, o.MaxBytes+1))
	if err != nil {
		return nil, 0, transportError(o, "reading the response", err)
	}
	if int64(len(body)) > o.MaxBytes {
		return nil, 0, fmt.Errorf("response is larger than the limit of %d bytes", o.MaxBytes)
	}
	return body, refreshInterval(resp.Header, o.MinRefresh, o.MaxRefresh), nil
}

// transportError names a timeout as one, and drops the URL that net/http
// repeats (the log and the caller's error carry it already).
func transportError(o *FetchOptions, what string, err error) error {
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return fmt.Errorf("timed out after %v", o.Timeout)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return fmt.Errorf("%s: %v", what, err)
}

// refreshInterval is the refresh interval a response asks for: its max-age
// (less its Age; no-cache and no-store count as 0), or noMaxAge without
// one, clamped to [lo, hi].
func refreshInterval(h http.Header, lo, hi time.Duration) time.Duration {
	d, found := noMaxAge, false
	for _, line := range h.Values("Cache-Control") {
		for dir := range strings.SplitSeq(line, ",") {
			name, val, _ := strings.Cut(strings.TrimSpace(dir), "=")
			switch strings.ToLower(strings.TrimSpace(name)) {
			case "no-cache", "no-store":
				return lo
			case "max-age":
				if n, ok := deltaSeconds(strings.Trim(strings.TrimSpace(val), `"`)); ok && !found {
					d, found = n, true
				}
			}
		}
	}
	if found {
		if age, ok := deltaSeconds(h.Get("Age")); ok {
			d = max(d-age, 0)
		}
	}
	return min(max(d, lo), hi)
}

// deltaSeconds parses a delta-seconds value; huge values are capped, as
// they are clamped to MaxRefresh anyway.
func deltaSeconds(s string) (time.Duration, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, false
	}
	return time.Duration(min(n, 1<<32)) * time.Second, true
}
