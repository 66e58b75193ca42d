package tokens

import "net/http"

// Error is a refusal to mint: the status the caller should answer with, the
// claim or request field it concerns, and why. Its text never holds a
// secret, a key or a token, and never echoes a request value, so it is safe
// to send to the client and to log.
type Error struct {
	Status int    // an HTTP status: 400, 401, 403, 405, 413 or 415
	Claim  string // the claim concerned, if any
	Param  string // the request field concerned, if the value came from the request
	Reason string // what is wrong, without the value
}

func (e *Error) Error() string {
	if f := e.Field(); f != "" {
		return f + ": " + e.Reason
	}
	return e.Reason
}

// Field names what the client should fix: the request field when the value
// came from the request, else the claim.
func (e *Error) Field() string {
	if e.Param != "" {
		return e.Param
	}
	return e.Claim
}

// Code is a short machine-readable word for the status, used as the "error"
// member of JSON error bodies.
func (e *Error) Code() string {
	switch e.Status {
	case http.StatusUnauthorized:
		return "unauthenticated"
	case http.StatusForbidden:
		return "forbidden"
	case http.StatusMethodNotAllowed:
		return "method_not_allowed"
	case http.StatusRequestEntityTooLarge:
		return "body_too_large"
	case http.StatusUnsupportedMediaType:
		return "unsupported_media_type"
	}
	return "invalid_request"
}

// Invalid is a 400 about one field.
func Invalid(claim, param, reason string) *Error {
	return &Error{Status: http.StatusBadRequest, Claim: claim, Param: param, Reason: reason}
}

// Forbidden is a 403 about one field.
func Forbidden(claim, param, reason string) *Error {
	return &Error{Status: http.StatusForbidden, Claim: claim, Param: param, Reason: reason}
}

// Unauthenticated is the 401 given when the route requires a user and there
// is none.
func Unauthenticated(reason string) *Error {
	return &Error{Status: http.StatusUnauthorized, Reason: reason}
}
