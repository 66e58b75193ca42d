package caddymodule

import (
	"errors"
	"net/http"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are tokenmint's Prometheus collectors. They are created once per
// process and registered into each config's registry (Caddy makes a new
// registry per config load), so counts carry over reloads and a reload
// never registers a metric twice.
var metrics = struct {
	once        sync.Once
	tokens      *prometheus.CounterVec
	sessions    *prometheus.CounterVec
	jwksFetches *prometheus.CounterVec
	jwksKeys    *prometheus.GaugeVec
	cache       *prometheus.CounterVec
}{}

func initMetrics() {
	metrics.once.Do(func() {
		const ns = "tokenmint"
		metrics.tokens = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "tokens_total",
			Help: "Token requests by preset and outcome: minted, refused_unauthenticated, refused_forbidden, refused_invalid or error."},
			[]string{"preset", "outcome"})
		metrics.sessions = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "sessions_total",
			Help: "Session checks by method (jwt, header), result (ok, refused) and reason."},
			[]string{"method", "result", "reason"})
		metrics.jwksFetches = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "jwks_fetches_total",
			Help: "Key set fetches (JWKS URLs and OIDC issuers) by result (ok, failed)."}, []string{"result"})
		metrics.jwksKeys = prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: ns, Name: "jwks_keys",
			Help: "Usable keys in the last good key set, per JWKS URL or OIDC issuer."}, []string{"url"})
		metrics.cache = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "cache_requests_total",
			Help: "Cache lookups by cache (session) and result (hit, miss)."}, []string{"cache", "result"})
	})
}

// registerMetrics adds tokenmint's collectors to a config's registry.
func registerMetrics(reg *prometheus.Registry) error {
	initMetrics()
	if reg == nil {
		return nil
	}
	for _, c := range []prometheus.Collector{metrics.tokens, metrics.sessions, metrics.jwksFetches, metrics.jwksKeys, metrics.cache} {
		if err := reg.Register(c); err != nil {
			var are prometheus.AlreadyRegisteredError
			if !errors.As(err, &are) {
				return err
			}
		}
	}
	return nil
}

// fetchMetrics counts key set fetches; it is the identity.FetchObserver of
// every session's key sets.
type fetchMetrics struct{}

func (fetchMetrics) Fetched(set string, keys int) {
	metrics.jwksFetches.WithLabelValues("ok").Inc()
	metrics.jwksKeys.WithLabelValues(set).Set(float64(keys))
}

func (fetchMetrics) FetchFailed(string) { metrics.jwksFetches.WithLabelValues("failed").Inc() }

func (fetchMetrics) Closed(set string) { metrics.jwksKeys.DeleteLabelValues(set) }

// outcome names a token request's result for tokenmint_tokens_total.
func outcome(status int) string {
	switch {
	case status < 400:
		return "minted"
	case status == http.StatusUnauthorized:
		return "refused_unauthenticated"
	case status == http.StatusForbidden:
		return "refused_forbidden"
	case status >= 500:
		return "error"
	}
	return "refused_invalid"
}
