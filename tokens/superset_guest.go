package tokens

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// Apache Superset embedded-dashboard guest token. Sources: apache/superset
// superset/security/manager.py (create_guest_access_token writes user,
// resources, rls_rules, iat, exp, aud and type "guest", signed with
// GUEST_TOKEN_JWT_SECRET under GUEST_TOKEN_JWT_ALGO, HS256 by default;
// parse_jwt_guest_token decodes with that key, algorithm and
// GUEST_TOKEN_JWT_AUDIENCE; get_guest_user_from_request reads the
// X-GuestToken header; has_guest_access compares str(resource id) with the
// dashboard's id or its embedded uuid), superset/security/guest_token.py
// (GuestTokenUser {username, first_name, last_name, attributes};
// resources [{type "dashboard", id}]; rls_rules [{dataset?, clause}]),
// superset/security/api.py (POST /api/v1/security/guest_token/ answers
// {"token"}), superset/config.py (GUEST_TOKEN_JWT_EXP_SECONDS 300), and
// superset-embedded-sdk src/index.ts (embedDashboard's fetchGuestToken
// resolves to the token string; the SDK refreshes before exp).
//
// Superset stores nothing about guest tokens, so a token signed with its
// guest-token secret works as the REST endpoint's would. What the
// endpoint adds (the can_grant_guest_token permission, the embedded
// dashboard's existence, GUEST_TOKEN_VALIDATOR_HOOK) is this config's job:
// only the dashboards it lists can be granted.
//
// The answer: {"token"} (the REST endpoint's shape) by default;
// `option answer text` answers the token alone, for
// `fetchGuestToken: () => fetch(url).then(r => r.text())`.
//
// Readings and choices:
//   - resources is privileged: the config lists dashboard ids (embedded
//     uuids or numeric ids), written as ids or as Superset's JSON array;
//     a request's dashboard_id may choose one within `allow resources`.
//     Ids are written as strings, lower-cased (Superset compares
//     str(id)), letters, digits, - and _ only.
//   - rls_rules is config only and never from the request: its clauses
//     are SQL that Superset pastes into queries. A placeholder in a clause
//     is encoded as JSON text, not as SQL: take it only from trusted
//     sources, and quote it in the SQL yourself. [] (no rule) by default.
//   - user.username is the session's user (Superset's default when absent
//     is guest_user); first_name and last_name come from the config;
//     user.attributes (read by Jinja templates in RLS and queries) is
//     privileged. The user object is always written (Superset requires it).
//   - iat and exp are integers (Superset writes floats; PyJWT reads both).
//   - aud is required: Superset checks it against GUEST_TOKEN_JWT_AUDIENCE
//     (or, when unset, WEBDRIVER_BASEURL, "http://0.0.0.0:8080/" by
//     default).
//   - ttl: 5 minutes by default (Superset's), 1 minute to 24 hours.

var supersetID = NewCharset("letters, digits, - and _", "a-zA-Z0-9-_", false)

// supersetResources turns dashboard ids (a string, a list, or a JSON array
// of ids or of {type, id} objects) into Superset's resources array.
func supersetResources(v Value) (Value, string) {
	const reason = `must be dashboard ids, or a JSON array of {"type":"dashboard","id":...} objects`
	var ids []string
	text := strings.TrimSpace(v.Str)
	switch {
	case v.Kind == List:
		ids = v.List
	case strings.HasPrefix(text, "["):
		var items []json.RawMessage
		if json.Unmarshal([]byte(text), &items) != nil {
			return v, reason
		}
		for _, it := range items {
			id, ok := supersetItemID(it)
			if !ok {
				return v, reason
			}
			ids = append(ids, id)
		}
	default:
		ids = []string{v.Str}
	}
	if len(ids) == 0 {
		return v, "must name at least one dashboard"
	}
	out := []byte{'['}
	for i, id := range ids {
		if id == "" || len(id) > 64 || !supersetID.Allows(id) {
			return v, "dashboard ids are 1 to 64 letters, digits, - and _"
		}
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, `{"type":"dashboard","id":`...)
		out = appendString(out, strings.ToLower(id))
		out = append(out, '}')
	}
	return Value{Kind: Raw, Str: string(append(out, ']'))}, ""
}

// supersetItemID reads one element of a resources array: an id (string or
// integer) or a {type: "dashboard", id} object.
func supersetItemID(raw json.RawMessage) (string, bool) {
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) == nil && obj != nil {
		var typ string
		if len(obj) != 2 || json.Unmarshal(obj["type"], &typ) != nil || typ != "dashboard" {
			return "", false
		}
		raw = obj["id"]
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, true
	}
	var n int64
	if json.Unmarshal(raw, &n) == nil && n > 0 {
		return strconv.FormatInt(n, 10), true
	}
	return "", false
}

// supersetRLS checks rls_rules: an array of {clause, dataset?} objects.
func supersetRLS(v Value) (Value, string) {
	const reason = `must be a JSON array of {"clause": "<SQL>", "dataset": <id>} objects (dataset optional)`
	var rules []map[string]json.RawMessage
	text := strings.TrimSpace(v.Str)
	if v.Kind == List || !strings.HasPrefix(text, "[") || json.Unmarshal([]byte(text), &rules) != nil {
		return v, reason
	}
	for _, r := range rules {
		var clause string
		if r == nil || json.Unmarshal(r["clause"], &clause) != nil || strings.TrimSpace(clause) == "" {
			return v, reason
		}
		for k, val := range r {
			switch k {
			case "clause":
			case "dataset":
				if val = bytes.TrimSpace(val); len(val) == 0 || (val[0] != '"' && (val[0] < '0' || val[0] > '9')) {
					return v, reason
				}
			default:
				return v, reason
			}
		}
	}
	return v, ""
}

//go:embed guides/superset_guest.md
var supersetGuestGuide string

func init() {
	answer, envelope := jsonOrText("token")
	name := Limits{MaxLen: 256, Chars: printable}
	Register(&Preset{
		Name:    "superset_guest",
		Summary: "Apache Superset embedded-dashboard guest token (GUEST_TOKEN_JWT_SECRET), for embedDashboard's fetchGuestToken",
		Guide:   supersetGuestGuide,
		Sources: []string{
			"https://github.com/apache/superset/blob/bef6a4f65bc15ec59e2f6e48439d67c07719fed0/superset/security/manager.py",
			"https://github.com/apache/superset/blob/0067f51a/superset/security/guest_token.py",
			"https://github.com/apache/superset/blob/60ad5614e96ae2e6a5ae0560ee263a82f5f86f09/superset/security/api.py",
			"https://github.com/apache/superset/blob/01faace0/superset-embedded-sdk/src/index.ts",
		},
		Algorithms: []string{"HS256", "HS384", "HS512"},
		Claims: []Claim{
			{Name: "user", Type: Object, Required: true, Doc: "the guest user (always written)"},
			{Name: "user.username", Type: String, User: true, Limits: name, Doc: "the user"},
			{Name: "user.first_name", Type: String, Limits: name},
			{Name: "user.last_name", Type: String, Limits: name},
			{Name: "user.attributes", Type: Object, Privileged: true, Doc: "user attributes for Jinja templates, a JSON object"},
			{Name: "resources", Type: JSON, Privileged: true, Required: true, Param: []string{"dashboard_id"}, Normalize: supersetResources,
				Doc: "the dashboards granted: embedded uuids or ids; a request's dashboard_id must be in allow resources"},
			{Name: "rls_rules", Type: JSON, Privileged: true, Required: true, Default: []string{"[]"}, Normalize: supersetRLS,
				Doc: `row-level security: a JSON array of {"clause": "<SQL>", "dataset": <id>} (SQL: trusted values only)`},
			{Name: "iat", Type: Time, Gen: GenIssuedAt},
			{Name: "exp", Type: Time, Gen: GenExpiry},
			{Name: "aud", Type: String, Privileged: true, Required: true, Limits: Limits{MaxLen: 2048, Chars: printable},
				Doc: "GUEST_TOKEN_JWT_AUDIENCE (unset in Superset: WEBDRIVER_BASEURL, http://0.0.0.0:8080/ by default)"},
			{Name: "type", Type: String, Const: true, Default: []string{"guest"}},
		},
		Options:  []Option{answer},
		TTL:      TTL{Default: 5 * time.Minute, Min: time.Minute, Max: 24 * time.Hour},
		Envelope: envelope,
	})
}
