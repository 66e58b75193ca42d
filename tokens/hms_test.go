package tokens

import (
	"net/http"
	"testing"
	"time"
)

func TestHMSAppGolden(t *testing.T) {
	tmpl := compile(t, "hms_app", Config{Key: "6365abc", Claims: map[string][]string{"role": {"host"}}})
	req := &fakeRequest{params: map[string]Value{"room_id": S("633fcdd84208780bf665346a")}}
	m := golden(t, tmpl, Input{User: "user-1234", Request: req, Contract: true}, hs256Header,
		`{"access_key":"6365abc","room_id":"633fcdd84208780bf665346a","user_id":"user-1234","role":"host","type":"app","version":2,
		  "iat":1764000000,"nbf":1764000000,"exp":1764086400,"jti":"JTI"}`)
	if !uuidRE.MatchString(m.JTI()) {
		t.Errorf("Minted.JTI() = %q, want a UUIDv4", m.JTI())
	}
	wantAnswer(t, tmpl, &m, 200, "application/json", `{"token":"`+m.Token+`","msg":"Token generated successfully!","success":true}`)
}

func TestHMSAppRefusals(t *testing.T) {
	tmpl := compile(t, "hms_app", Config{Key: "k", Claims: map[string][]string{"role": {"guest"}}, Allow: map[string][]string{"role": {"guest", "viewer"}}})
	body := func(kv ...string) Input {
		r := &fakeRequest{params: map[string]Value{}}
		for i := 0; i < len(kv); i += 2 {
			r.params[kv[i]] = S(kv[i+1])
		}
		return Input{User: "alice", Request: r, Contract: true}
	}
	refusal(t, tmpl, Input{Request: &fakeRequest{}, Contract: true}, http.StatusUnauthorized, "")
	refusal(t, tmpl, body(), http.StatusBadRequest, "room_id")
	refusal(t, tmpl, body("room_id", ""), http.StatusBadRequest, "room_id")
	refusal(t, tmpl, body("room_id", "r1", "role", "host"), http.StatusForbidden, "role")
	refusal(t, tmpl, body("room_id", "r1", "user_id", "mallory"), http.StatusForbidden, "user_id")
	refusal(t, tmpl, body("room_id", "bad room\n"), http.StatusBadRequest, "room_id")
	golden(t, tmpl, body("room_id", "r1", "role", "viewer", "user_id", "alice"), hs256Header,
		`{"access_key":"k","room_id":"r1","user_id":"alice","role":"viewer","type":"app","version":2,"iat":1764000000,"nbf":1764000000,"exp":1764086400,"jti":"JTI"}`)
}

func TestHMSAppAnonymous(t *testing.T) {
	tmpl := compile(t, "hms_app", Config{Key: "k", Anonymous: true, Claims: map[string][]string{"role": {"guest"}}})
	// Anonymous: nobody is authenticated, the request names the user, and
	// a required user_id is still required.
	refusal(t, tmpl, Input{Request: &fakeRequest{params: map[string]Value{"room_id": S("r")}}, Contract: true}, http.StatusBadRequest, "user_id")
	golden(t, tmpl, Input{Request: &fakeRequest{params: map[string]Value{"room_id": S("r"), "user_id": S("guest-7")}}, Contract: true}, hs256Header,
		`{"access_key":"k","room_id":"r","user_id":"guest-7","role":"guest","type":"app","version":2,"iat":1764000000,"nbf":1764000000,"exp":1764086400,"jti":"JTI"}`)
}

func TestHMSManagementGolden(t *testing.T) {
	tmpl := compile(t, "hms_management", Config{Key: "6365abc", TTL: time.Hour})
	golden(t, tmpl, Input{User: "ops"}, hs256Header,
		`{"access_key":"6365abc","type":"management","version":2,"iat":1764000000,"nbf":1764000000,"exp":1764003600,"jti":"JTI"}`)
}

func TestHMSAppConfigErrors(t *testing.T) {
	p, _ := Lookup("hms_app")
	s := mustHMAC(t, "HS256", testSecret)
	for name, cfg := range map[string]Config{
		"no role":       {Key: "k", Signer: s},
		"no key":        {Signer: s, Claims: map[string][]string{"role": {"host"}}},
		"unknown claim": {Key: "k", Signer: s, Claims: map[string][]string{"role": {"host"}, "rooom_id": {"x"}}},
		"const claim":   {Key: "k", Signer: s, Claims: map[string][]string{"role": {"host"}, "type": {"management"}}},
		"generated":     {Key: "k", Signer: s, Claims: map[string][]string{"role": {"host"}, "exp": {"1"}}},
		"ttl too long":  {Key: "k", Signer: s, Claims: map[string][]string{"role": {"host"}}, TTL: 365 * 24 * time.Hour},
		"allow unknown": {Key: "k", Signer: s, Claims: map[string][]string{"role": {"host"}}, Allow: map[string][]string{"rol": {"x"}}},
		"no signer":     {Key: "k", Claims: map[string][]string{"role": {"host"}}},
		"HS384":         {Key: "k", Signer: mustHMAC(t, "HS384", testSecret), Claims: map[string][]string{"role": {"host"}}},
	} {
		if _, err := Compile(p, cfg); err == nil {
			t.Errorf("%s: Compile succeeded, want an error", name)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
}
