package caddymodule

import (
	"bufio"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/caddyserver/caddy/v2/caddytest"
)

// scrape reads the admin API's /metrics and returns tokenmint's samples by
// their full name with labels.
func scrape(t *testing.T, tester *caddytest.Tester) map[string]float64 {
	t.Helper()
	res, err := tester.Client.Get(withPorts("http://localhost:2999/metrics"))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "tokenmint_") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("bad sample %q", line)
		}
		out[line[:i]] = v
	}
	return out
}

func TestMetricsAndAuditLog(t *testing.T) {
	t.Setenv("TM_SESSION_SECRET", sessionSecret)
	logFile := filepath.Join(t.TempDir(), "caddy.log")
	config := strings.Replace(globalOptions, "{\n", "{\n\tlog {\n\t\toutput file "+logFile+"\n\t\tlevel INFO\n\t\tformat json\n\t}\n", 1) + `
http://localhost:9080 {
	handle /hms {
		basic_auth {
			alice ` + aliceHash + `
		}
		provider_token hms_app {
			key         k
			secret      {env.TM_SECRET}
			claim       role guest
			audit_level info
		}
	}
	handle /session {
		provider_token jwt {
			secret  {env.TM_SECRET}
			claim   sub {http.auth.user.id}
			audit_level info
			session jwt {
				from   cookie app_session
				secret {env.TM_SESSION_SECRET}
			}
		}
	}
}
`
	tester := serveRaw(t, config)
	before := scrape(t, tester)
	cookie := "app_session=" + signHS(t, session("user-7"), sessionSecret)
	var tokens []string
	for i := 0; i < 2; i++ {
		r := call(t, tester, "POST", "/hms", `{"room_id":"r"}`, alice...)
		wantStatus(t, r, 200)
		tokens = append(tokens, r.json(t)["token"].(string))
	}
	wantStatus(t, call(t, tester, "POST", "/hms", `{"room_id":"r","role":"host"}`, alice...), 403)
	wantStatus(t, call(t, tester, "POST", "/hms", `{"room_id":""}`, alice...), 400)
	for i := 0; i < 3; i++ {
		r := call(t, tester, "GET", "/session", "", "Cookie", cookie)
		wantStatus(t, r, 200)
		tokens = append(tokens, r.json(t)["token"].(string))
	}
	wantStatus(t, call(t, tester, "GET", "/session", "", "Cookie", "app_session="+signHS(t, session("u", "exp", 1), sessionSecret)), 401)
	wantStatus(t, call(t, tester, "GET", "/session", ""), 401)
	after := scrape(t, tester)

	for sample, want := range map[string]float64{
		`tokenmint_tokens_total{outcome="minted",preset="hms_app"}`:                      2,
		`tokenmint_tokens_total{outcome="refused_forbidden",preset="hms_app"}`:           1,
		`tokenmint_tokens_total{outcome="refused_invalid",preset="hms_app"}`:             1,
		`tokenmint_tokens_total{outcome="minted",preset="jwt"}`:                          3,
		`tokenmint_tokens_total{outcome="refused_unauthenticated",preset="jwt"}`:         2,
		`tokenmint_sessions_total{method="jwt",reason="none",result="ok"}`:               3,
		`tokenmint_sessions_total{method="jwt",reason="expired",result="refused"}`:       1,
		`tokenmint_sessions_total{method="jwt",reason="no_credential",result="refused"}`: 1,
		`tokenmint_cache_requests_total{cache="session",result="miss"}`:                  2, // the first good and the expired one
		`tokenmint_cache_requests_total{cache="session",result="hit"}`:                   2,
	} {
		if got := after[sample] - before[sample]; got != want {
			t.Errorf("%s rose by %v, want %v", sample, got, want)
		}
	}

	// A reload registers nothing twice and keeps the counts.
	tester.InitServer(withPorts(config), "caddyfile")
	if again := scrape(t, tester); again[`tokenmint_tokens_total{outcome="minted",preset="hms_app"}`] < after[`tokenmint_tokens_total{outcome="minted",preset="hms_app"}`] {
		t.Errorf("counts went backwards across a reload")
	}

	// One audit line per mint, with its fields; refusals at info with a
	// reason; never a token or a secret.
	f, err := os.Open(logFile)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(f)
	f.Close()
	var audits, refusals int
	for _, line := range strings.Split(string(raw), "\n") {
		if line == "" {
			continue
		}
		var e map[string]any
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("log line is not JSON: %s", line)
		}
		switch e["msg"] {
		case "minted token":
			audits++
			for _, k := range []string{"preset", "sub", "iat", "exp"} {
				if e[k] == nil || e[k] == "" {
					t.Errorf("audit line lacks %s: %s", k, line)
				}
			}
			if e["preset"] == "hms_app" && (e["sub"] != "alice" || len(e["jti"].(string)) != 36) {
				t.Errorf("hms_app audit line: %s", line)
			}
			if e["preset"] == "jwt" && e["sub"] != "user-7" {
				t.Errorf("jwt audit line: %s", line)
			}
		case "refused token", "refused session":
			refusals++
			if e["reason"] == nil || e["reason"] == "" {
				t.Errorf("refusal without a reason: %s", line)
			}
		}
	}
	if audits != len(tokens) || refusals != 4 {
		t.Errorf("%d audit lines for %d tokens, %d refusal lines for 4 refusals", audits, len(tokens), refusals)
	}
	for _, tok := range tokens {
		if strings.Contains(string(raw), tok[strings.LastIndexByte(tok, '.')+1:]) {
			t.Error("a minted token is in the log")
		}
	}
	for _, s := range []string{testSecret, sessionSecret, testPassword} {
		if strings.Contains(string(raw), s) {
			t.Error("a secret is in the log")
		}
	}
}
