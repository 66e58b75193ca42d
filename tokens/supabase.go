package tokens

import (
	_ "embed"
	"encoding/json"
	"strings"
	"time"
)

// Supabase user access token, minted by you for the Data API (PostgREST),
// Storage and Realtime. Sources: supabase/auth internal/tokens/service.go
// (AccessTokenClaims: the claims and their order, golang-jwt's
// RegisteredClaims first; AccessTokenResponse: the answer's shape;
// MinimumViableTokenSchema: aud, exp, iat, sub, email, phone, role, aal,
// session_id and is_anonymous required, amr an array of objects,
// app_metadata and user_metadata objects), internal/api/auth.go and its
// tests (Auth's own endpoints load the session of a session_id claim
// unless it is the nil UUID), example.env (exp 3600 s, aud and role
// "authenticated"); supabase.com/docs/guides/auth/jwts,
// .../jwt-fields, .../signing-keys (mint with the legacy HS256 secret, or
// with a key you imported, ES256 or RS256, naming it by kid; Supabase's
// generated keys cannot be exported), and the dashboard's cap on the JWT
// expiry (1 week).
//
// supabase-js takes the token from `createClient(url, anonKey,
// {accessToken: async () => token})`; every Data API request still sends
// the anon (publishable) key as apikey. Supabase defines no token
// endpoint: the answer is Auth's own token response without its refresh
// token and user, {"access_token", "token_type": "bearer", "expires_in",
// "expires_at"}, so `accessToken` returns body.access_token.
//
// Readings and choices:
//   - The token carries every claim the schema requires, so RLS helpers
//     (auth.uid(), auth.jwt()->>'email', aal) read it as they read a real
//     session's. email and phone are "" when the config sets none (Auth's
//     schema requires them, empty allowed).
//   - session_id defaults to the nil UUID: the schema requires the claim,
//     and Auth skips the session lookup for the nil UUID (any other id must
//     name a live session, else Auth's endpoints answer 403
//     session_not_found). Self-minted tokens are for the Data API,
//     Storage and Realtime; Auth's endpoints also need sub to be an
//     existing user.
//   - sub is the session's user, printable, at most 255 characters. A
//     UUID is not enforced: auth.uid() casts sub to uuid, so RLS policies
//     that call it need one; third-party ids (as Supabase's third-party
//     auth uses) work with auth.jwt()->>'sub'.
//   - role, aud, iss, aal, amr, app_metadata, session_id and
//     is_anonymous are privileged (config only, or a request within allow
//     lists: there are no request fields). role defaults to
//     "authenticated"; "service_role" bypasses RLS and is never a default.
//   - Asymmetric keys: the header's kid is required (the Data API picks the
//     key by kid among the project's current, standby and previous keys).
//   - ttl: 1 hour by default, 1 minute to 1 week.

// supabaseAMR checks amr: a JSON array of objects (AMREntry:
// {method, timestamp, provider?}).
func supabaseAMR(v Value) (Value, string) {
	var entries []map[string]json.RawMessage
	text := strings.TrimSpace(v.Str)
	if v.Kind == List || !strings.HasPrefix(text, "[") || json.Unmarshal([]byte(text), &entries) != nil {
		return v, "must be a JSON array of objects such as {\"method\":\"password\",\"timestamp\":1764000000}"
	}
	for _, e := range entries {
		if e == nil {
			return v, "must be a JSON array of objects"
		}
	}
	return v, ""
}

// supabaseFinish writes email and phone even when they are empty: Auth's
// schema requires both.
func supabaseFinish(m *Mint) *Error {
	for _, name := range [...]string{"email", "phone"} {
		if _, ok := m.Get(name); !ok {
			if err := m.Set(name, S("")); err != nil {
				return err
			}
		}
	}
	return nil
}

const supabaseNilSession = "00000000-0000-0000-0000-000000000000"

//go:embed guides/supabase.md
var supabaseGuide string

func init() {
	text := Limits{MaxLen: 2048, Chars: printable}
	Register(&Preset{
		Name:    "supabase",
		Summary: "Supabase user access token for the Data API, Storage and Realtime (legacy JWT secret, or an imported ES256/RS256 key with kid)",
		Guide:   supabaseGuide,
		Sources: []string{
			"https://supabase.com/docs/guides/auth/jwts",
			"https://supabase.com/docs/guides/auth/jwt-fields",
			"https://supabase.com/docs/guides/auth/signing-keys",
			"https://github.com/supabase/auth/blob/bc32168e/internal/tokens/service.go",
			"https://github.com/supabase/auth/blob/bc32168e/internal/api/auth.go",
		},
		Algorithms: []string{"HS256", "ES256", "RS256"},
		Claims: []Claim{
			{Name: "iss", Type: String, Privileged: true, Limits: text,
				Doc: "the issuer, as Auth writes it: https://<project-ref>.supabase.co/auth/v1 (PostgREST does not check it)"},
			{Name: "sub", Type: String, User: true, Required: true, Limits: Limits{MaxLen: 255, Chars: printable},
				Doc: "the user's id: auth.uid() casts it to uuid, so RLS policies that call it need a UUID"},
			{Name: "aud", Type: String, Privileged: true, Required: true, Default: []string{"authenticated"}, Limits: text,
				Doc: "the audience Auth writes (GOTRUE_JWT_AUD)"},
			{Name: "exp", Type: Time, Gen: GenExpiry},
			{Name: "iat", Type: Time, Gen: GenIssuedAt},
			{Name: "email", Type: String, Limits: Limits{MaxLen: 320, Chars: printable},
				Doc: "the user's email, from a trusted placeholder; \"\" when unset (Auth's schema requires the claim)"},
			{Name: "phone", Type: String, Limits: Limits{MaxLen: 64, Chars: printable},
				Doc: "the user's phone, from a trusted placeholder; \"\" when unset"},
			{Name: "app_metadata", Type: Object, Privileged: true,
				Doc: "server-controlled metadata that RLS policies may trust, a JSON object ({\"provider\":\"email\",\"providers\":[\"email\"]})"},
			{Name: "user_metadata", Type: Object, Doc: "user-editable profile data (never trust it in RLS), a JSON object"},
			{Name: "role", Type: String, Privileged: true, Required: true, Default: []string{"authenticated"},
				Limits: Limits{MaxLen: 63, Chars: printable},
				Doc:    "the Postgres role the Data API switches to: authenticated, anon, or a role of yours (service_role bypasses RLS)"},
			{Name: "aal", Type: String, Privileged: true, Required: true, Default: []string{"aal1"},
				Limits: Limits{Enum: []string{"aal1", "aal2", "aal3"}}, Doc: "the authenticator assurance level (aal2: MFA passed)"},
			{Name: "amr", Type: JSON, Privileged: true, Normalize: supabaseAMR,
				Doc: "authentication methods: a JSON array of {method, timestamp, provider?} objects"},
			{Name: "session_id", Type: String, Privileged: true, Required: true, Default: []string{supabaseNilSession},
				Limits: Limits{MaxLen: 36, Chars: NewCharset("hexadecimal digits and -", "0-9abcdefABCDEF-", false)},
				Doc:    "the Auth session's UUID; the nil UUID (the default) makes Auth skip its session lookup"},
			{Name: "is_anonymous", Type: Bool, Privileged: true, Required: true, Default: []string{"false"},
				Doc: "whether the user signed in anonymously"},
		},
		TTL:    TTL{Default: time.Hour, Min: time.Minute, Max: 7 * 24 * time.Hour},
		Finish: supabaseFinish,
		Check:  kidForKeyPair,
		Envelope: Envelope{Token: func(dst []byte, t *Minted) []byte {
			dst = append(dst, `{"access_token":`...)
			dst = appendString(dst, t.Token)
			dst = append(dst, `,"token_type":"bearer","expires_in":`...)
			dst = appendInt(dst, t.ExpiresIn())
			dst = append(dst, `,"expires_at":`...)
			dst = appendInt(dst, t.Expires)
			return append(dst, '}')
		}},
	})
}
