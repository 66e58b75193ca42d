package identity

import (
	"errors"
	"net/http"
	"strings"
)

// Refusal is a refused session, answered per RFC 6750.
type Refusal struct {
	// Status is 400, 401, 403 or 503.
	Status int
	// Code is the RFC 6750 error code (invalid_request, invalid_token,
	// insufficient_scope, temporarily_unavailable); "" when no credential
	// was sent.
	Code string
	// Reason is a short fixed word for metrics: expired, bad_signature, ...
	Reason string
	// Desc says why, without the token or a key.
	Desc string
}

func (e *Refusal) Error() string { return e.Desc }

// NoCredential refuses a request that carries no credential.
func NoCredential(desc string) *Refusal {
	return &Refusal{Status: http.StatusUnauthorized, Reason: "no_credential", Desc: desc}
}

func invalidToken(reason, desc string) *Refusal {
	return &Refusal{Status: http.StatusUnauthorized, Code: "invalid_token", Reason: reason, Desc: desc}
}

func insufficientScope(reason, desc string) *Refusal {
	return &Refusal{Status: http.StatusForbidden, Code: "insufficient_scope", Reason: reason, Desc: desc}
}

// Challenge is the WWW-Authenticate value for a refusal (RFC 6750 section 3).
func (v *Verifier) Challenge(e *Refusal) string {
	s := `Bearer realm="` + v.realm + `"`
	if e.Code != "" && e.Code != "temporarily_unavailable" {
		s += `, error="` + e.Code + `", error_description="` + strings.ReplaceAll(e.Desc, `"`, `'`) + `"`
	}
	return s
}

// Why a keyfunc found no key; reason maps them to refusals.
var (
	errUnknownKey   = errors.New("no configured key has the token's kid")
	errNoKeyForAlg  = errors.New("no configured key fits the token's algorithm")
	errWrongIssuer  = errors.New("no configured key verifies the token's issuer")
	errBadAlgorithm = errors.New("the token's issuer does not sign with its algorithm")
	errKeysNotReady = errors.New("the identity provider's keys are not available")
)

type keysUnavailable struct{ err error }

func (e *keysUnavailable) Error() string { return errKeysNotReady.Error() + ": " + e.err.Error() }
func (e *keysUnavailable) Unwrap() error { return errKeysNotReady }
