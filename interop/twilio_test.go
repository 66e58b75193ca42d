package interop

import (
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/tokenmint/caddy-tokenmint/tokens"
	twjwt "github.com/twilio/twilio-go/client/jwt"
)

const (
	twKey     = "SK0123456789abcdef0123456789abcdef"
	twAccount = "AC0123456789abcdef0123456789abcdef"
	twSecret  = "twilio-interop-secret-0123456789abcdef"
	twApp     = "AP0123456789abcdef0123456789abcdef"
	twPush    = "CR0123456789abcdef0123456789abcdef"
	twChat    = "IS0123456789abcdef0123456789abcdef"
	twSync    = "IS89abcdef0123456789abcdef01234567"
)

func twilioConfig(claims map[string][]string) tokens.Config {
	c := map[string][]string{"sub": {twAccount}}
	for k, v := range claims {
		c[k] = v
	}
	return tokens.Config{Key: twKey, Claims: c}
}

// TestTwilioVerifies has twilio-go's own parser (AccessToken.FromJwt, which
// checks the HMAC signature and the times with golang-jwt) read our token
// back: header, account, key, identity and every grant.
func TestTwilioVerifies(t *testing.T) {
	cfg := twilioConfig(map[string][]string{
		"grants.voice.incoming.allow": {"true"}, "grants.voice.outgoing.application_sid": {twApp},
		"grants.voice.push_credential_sid": {twPush},
		"grants.chat.service_sid":          {twChat}, "grants.data_sync.service_sid": {twSync},
	})
	m := mint(t, "twilio", twSecret, cfg, time.Now(), "alice_1", body{"room": tokens.S("daily-standup")})

	tok, err := (&twjwt.AccessToken{}).FromJwt(m.Token, twSecret)
	if err != nil {
		t.Fatalf("FromJwt: %v", err)
	}
	h := tok.Headers()
	if h["cty"] != "twilio-fpa;v=1" || h["alg"] != "HS256" || h["typ"] != "JWT" {
		t.Errorf("header = %v", h)
	}
	if tok.AccountSid != twAccount || tok.SigningKeySid != twKey || tok.Identity != "alice_1" {
		t.Errorf("account, key, identity = %q, %q, %q", tok.AccountSid, tok.SigningKeySid, tok.Identity)
	}
	p := tok.Payload()
	iat := int64(p["iat"].(float64))
	if p["jti"] != twKey+"-"+strconv.FormatInt(iat, 10) || p["nbf"] != p["iat"] || int64(p["exp"].(float64))-iat != 3600 {
		t.Errorf("jti %v, iat %v, nbf %v, exp %v: want jti key-iat, nbf = iat, exp = iat + 3600", p["jti"], p["iat"], p["nbf"], p["exp"])
	}
	got := map[string]twjwt.BaseGrant{}
	for _, g := range tok.Grants {
		got[g.Key()] = g
	}
	want := map[string]twjwt.BaseGrant{
		"video": &twjwt.VideoGrant{Room: "daily-standup"},
		"voice": &twjwt.VoiceGrant{Incoming: twjwt.Incoming{Allow: true},
			Outgoing: twjwt.Outgoing{ApplicationSid: twApp}, PushCredentialSid: twPush},
		"chat":      &twjwt.ChatGrant{ServiceSid: twChat},
		"data_sync": &twjwt.SyncGrant{ServiceSid: twSync},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("grants:\n got  %s\n want %s", toJSON(got), toJSON(want))
	}

	if _, err := (&twjwt.AccessToken{}).FromJwt(m.Token, "another-secret-0123456789abcdef"); err == nil {
		t.Error("FromJwt accepts the token under another secret")
	}
}

// TestTwilioMatchesGoSDK builds the same token with twilio-go's
// AccessToken, mints ours at the second twilio-go used, and compares header
// and payload member by member. The one difference is documented: twilio-go
// writes no iat, which twilio-node (jsonwebtoken) and the docs' anatomy of
// an Access Token carry.
func TestTwilioMatchesGoSDK(t *testing.T) {
	params := twjwt.AccessTokenParams{AccountSid: twAccount, SigningKeySid: twKey, Secret: twSecret, Identity: "alice", Ttl: 3600}
	at := twjwt.CreateAccessToken(params)
	at.AddGrant(&twjwt.VideoGrant{Room: "daily-standup"})
	at.AddGrant(&twjwt.ChatGrant{ServiceSid: twChat})
	at.AddGrant(&twjwt.VoiceGrant{Incoming: twjwt.Incoming{Allow: true}, Outgoing: twjwt.Outgoing{ApplicationSid: twApp}})
	sdk, err := at.ToJwt()
	if err != nil {
		t.Fatal(err)
	}
	// The signature verifies with golang-jwt under the same secret.
	if _, err := jwt.Parse(sdk, func(*jwt.Token) (any, error) { return []byte(twSecret), nil }, jwt.WithValidMethods([]string{"HS256"})); err != nil {
		t.Fatalf("the SDK's token: %v", err)
	}
	sh, sp := segments(t, sdk)
	at0 := time.Unix(int64(sp["nbf"].(float64)), 0)

	cfg := twilioConfig(map[string][]string{
		"grants.chat.service_sid": {twChat}, "grants.voice.incoming.allow": {"true"},
		"grants.voice.outgoing.application_sid": {twApp},
	})
	ours := mint(t, "twilio", twSecret, cfg, at0, "alice", body{"room": tokens.S("daily-standup")})
	if _, err := jwt.Parse(ours.Token, func(*jwt.Token) (any, error) { return []byte(twSecret), nil }, jwt.WithValidMethods([]string{"HS256"})); err != nil {
		t.Fatalf("our token: %v", err)
	}
	oh, op := segments(t, ours.Token)
	if !reflect.DeepEqual(sh, oh) {
		t.Errorf("header: SDK %v, ours %v", sh, oh)
	}
	if op["iat"] != sp["nbf"] {
		t.Errorf("our iat %v, want the SDK's now %v", op["iat"], sp["nbf"])
	}
	if _, ok := sp["iat"]; ok {
		t.Errorf("twilio-go now writes iat (%v): drop the exception below", sp["iat"])
	}
	delete(op, "iat")
	if !reflect.DeepEqual(sp, op) {
		t.Errorf("payload:\n SDK  %s\n ours %s", toJSON(sp), toJSON(op))
	}
}
