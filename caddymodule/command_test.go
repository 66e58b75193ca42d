package caddymodule

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	caddycmd "github.com/caddyserver/caddy/v2/cmd"
	"github.com/golang-jwt/jwt/v5"
	"github.com/spf13/cobra"

	"github.com/tokenmint/caddy-tokenmint/tokens"
)

// These tests run `caddy provider-token` in process, through the command as
// registered with Caddy, and never start a server.

const (
	cliSecretVar = "TM_CLI_TEST_SECRET"
	cliSecretVal = "cli-secret-0123456789abcdef"
)

type cliResult struct {
	stdout, stderr string
	err            error
}

// cliRun runs `caddy provider-token args...` with stdin, as Caddy's root
// command would.
func cliRun(t *testing.T, stdin string, args ...string) cliResult {
	t.Helper()
	reg, ok := caddycmd.Commands()["provider-token"]
	if !ok {
		t.Fatal("provider-token is not registered with caddycmd")
	}
	root := &cobra.Command{Use: "caddy", SilenceUsage: true}
	cmd := &cobra.Command{Use: reg.Name + " " + reg.Usage, Short: reg.Short, Long: reg.Long}
	reg.CobraFunc(cmd)
	root.AddCommand(cmd)
	var out, errb bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errb)
	root.SetIn(strings.NewReader(stdin))
	root.SetArgs(append([]string{"provider-token"}, args...))
	err := root.Execute()
	return cliResult{out.String(), errb.String(), err}
}

var cliHMSMint = []string{"mint", "--preset", "hms_app", "--key", "k", "--secret-env", cliSecretVar,
	"--claim", "role=host", "--param", "room_id=r", "--user", "alice"}

// cliMintToken mints with the command and returns the token.
func cliMintToken(t *testing.T, args ...string) string {
	t.Helper()
	r := cliRun(t, "", args...)
	if r.err != nil {
		t.Fatalf("mint %q: %v\nstderr: %s", args, r.err, r.stderr)
	}
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	if len(lines) != 1 || strings.Count(lines[0], ".") != 2 {
		t.Fatalf("stdout is not one token: %q", r.stdout)
	}
	return lines[0]
}

// cliSign signs claims by hand with golang-jwt.
func cliSign(t *testing.T, method jwt.SigningMethod, claims jwt.MapClaims, secret string) string {
	t.Helper()
	tok, err := jwt.NewWithClaims(method, claims).SignedString([]byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// cliHMSClaims is a good hms_app claim set issued at iat.
func cliHMSClaims(iat time.Time) jwt.MapClaims {
	return jwt.MapClaims{
		"access_key": "k", "room_id": "r", "user_id": "alice", "role": "host", "type": "app", "version": 2,
		"iat": iat.Unix(), "nbf": iat.Unix(), "exp": iat.Add(24 * time.Hour).Unix(),
		"jti": "6f1c6c7e-3b9e-4d3a-9d7e-0d2a2f5b9c11",
	}
}

func TestCommandPresetsListsEveryPreset(t *testing.T) {
	r := cliRun(t, "", "presets")
	if r.err != nil {
		t.Fatalf("presets: %v (%s)", r.err, r.stderr)
	}
	for _, name := range tokens.Names() {
		p, _ := tokens.Lookup(name)
		if !strings.Contains(r.stdout, "\n"+name+": "+p.Summary+"\n") && !strings.HasPrefix(r.stdout, name+": ") {
			t.Errorf("presets does not list %s", name)
		}
	}
	for _, want := range []string{
		"room_id", "request room_id  ", "max 128 chars; letters, digits and . _ : @ -",
		"config (privileged); request role", "generated: iat + ttl",
		"ttl:        default 24h, min 1m, max 30d",
		`{"token":"<token>","msg":"Token generated successfully!","success":true}`,
		"expirationSeconds", `{"signature":"<token>"}`,
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("presets output lacks %q", want)
		}
	}
}

func TestCommandPresetsJSON(t *testing.T) {
	r := cliRun(t, "", "presets", "hms_app", "--json")
	if r.err != nil {
		t.Fatalf("presets hms_app --json: %v (%s)", r.err, r.stderr)
	}
	var generic map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &generic); err != nil {
		t.Fatalf("not a JSON object: %v\n%s", err, r.stdout)
	}
	var info tokens.PresetInfo
	if err := json.Unmarshal([]byte(r.stdout), &info); err != nil {
		t.Fatal(err)
	}
	p, _ := tokens.Lookup("hms_app")
	if info.Name != "hms_app" || len(info.Claims) != len(p.Claims) {
		t.Fatalf("got %s with %d claims, want hms_app with %d", info.Name, len(info.Claims), len(p.Claims))
	}
	room := info.Claims[1]
	if room.Name != "room_id" || !room.Required || room.Type != "string" || room.Limits == nil || room.Limits.MaxLength != 128 {
		t.Errorf("room_id = %+v", room)
	}
	if info.Response.Status != 200 || !strings.Contains(info.Response.Example, `"token":"<token>"`) {
		t.Errorf("response = %+v", info.Response)
	}

	r = cliRun(t, "", "presets", "--json")
	var all []tokens.PresetInfo
	if err := json.Unmarshal([]byte(r.stdout), &all); err != nil || len(all) != len(tokens.Names()) {
		t.Errorf("presets --json: %d presets, err %v; want %d", len(all), err, len(tokens.Names()))
	}

	r = cliRun(t, "", "presets", "zoom_videos")
	if r.err == nil || !strings.Contains(r.err.Error(), "known presets: "+strings.Join(tokens.Names(), ", ")) {
		t.Errorf("unknown preset: err %v, want the list of known ones", r.err)
	}
}

func TestCommandMint(t *testing.T) {
	t.Setenv(cliSecretVar, cliSecretVal)
	r := cliRun(t, "", cliHMSMint...)
	if r.err != nil {
		t.Fatalf("mint: %v\n%s", r.err, r.stderr)
	}
	tok := strings.TrimSuffix(r.stdout, "\n")
	if strings.Contains(tok, "\n") {
		t.Fatalf("stdout holds more than the token: %q", r.stdout)
	}
	claims := jwt.MapClaims{}
	if _, err := jwt.ParseWithClaims(tok, claims, func(*jwt.Token) (any, error) { return []byte(cliSecretVal), nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithExpirationRequired()); err != nil {
		t.Fatalf("golang-jwt rejects the token: %v", err)
	}
	for k, want := range map[string]any{"user_id": "alice", "room_id": "r", "role": "host", "access_key": "k", "type": "app"} {
		if claims[k] != want {
			t.Errorf("claim %s = %v, want %v", k, claims[k], want)
		}
	}
	if exp, _ := claims.GetExpirationTime(); exp == nil || time.Until(exp.Time) < 23*time.Hour {
		t.Errorf("exp = %v, want about 24h from now", exp)
	}
	if !strings.Contains(r.stderr, "exp ") || !strings.Contains(r.stderr, "(in 24h)") || !strings.Contains(r.stderr, "jti ") {
		t.Errorf("stderr lacks the details: %q", r.stderr)
	}
	if strings.Contains(r.stdout+r.stderr, cliSecretVal) {
		t.Error("the secret was printed")
	}
}

func TestCommandMintVariants(t *testing.T) {
	t.Setenv(cliSecretVar, cliSecretVal)
	file := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(file, []byte(cliSecretVal+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		args   []string
		alg    string
		claims map[string]any
	}{
		{"secret file, trailing newline dropped", []string{"mint", "--preset", "hms_management", "--key", "k", "--secret-file", file},
			"HS256", map[string]any{"type": "management", "access_key": "k"}},
		{"zoom request fields, ttl", []string{"mint", "--preset", "zoom_video", "--key", "zk", "--secret-env", cliSecretVar, "--user", "bob",
			"--param", "sessionName=Cool Cars", "--param", `geoRegions=["US","DE"]`, "--ttl", "1h"},
			"HS256", map[string]any{"tpc": "Cool Cars", "geo_regions": "US,DE", "role_type": 0.0, "user_identity": "bob"}},
		{"repeated claim fills an array, types, alg", []string{"mint", "--preset", "jwt", "--secret-env", cliSecretVar, "--alg", "HS512",
			"--claim", "sub=u1", "--claim", "scope=read", "--claim", "scope=write", "--claim", "n=3", "--type", "n=integer", "--type", "scope=array"},
			"HS512", map[string]any{"sub": "u1", "scope": []any{"read", "write"}, "n": 3.0}},
		{"anonymous with the user from a param", []string{"mint", "--preset", "hms_app", "--key", "k", "--secret-env", cliSecretVar, "--anonymous",
			"--claim", "role=guest", "--param", "room_id=r", "--param", "user_id=visitor"},
			"HS256", map[string]any{"user_id": "visitor"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tok := cliMintToken(t, tc.args...)
			claims := jwt.MapClaims{}
			if _, err := jwt.ParseWithClaims(tok, claims, func(*jwt.Token) (any, error) { return []byte(cliSecretVal), nil },
				jwt.WithValidMethods([]string{tc.alg}), jwt.WithExpirationRequired()); err != nil {
				t.Fatalf("golang-jwt rejects the token: %v", err)
			}
			for k, want := range tc.claims {
				if got, _ := json.Marshal(claims[k]); string(got) != mustMarshal(want) {
					t.Errorf("claim %s = %s, want %s", k, got, mustMarshal(want))
				}
			}
		})
	}
}

func mustMarshal(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestCommandMintRefusals(t *testing.T) {
	t.Setenv(cliSecretVar, cliSecretVal)
	t.Setenv("TM_CLI_EMPTY", "")
	base := []string{"mint", "--preset", "hms_app", "--key", "k", "--user", "alice", "--claim", "role=host", "--param", "room_id=r"}
	with := func(extra ...string) []string { return append(append([]string{}, base...), extra...) }
	cases := []struct {
		name string
		args []string
		want []string // substrings of the error
	}{
		{"--secret", with("--secret", "hunter2-value"), []string{"--secret is not accepted", "ps", "shell history", "--secret-env"}},
		{"--secret=", with("--secret=hunter2-value"), []string{"--secret is not accepted"}},
		{"bare --secret", with("--secret"), []string{"--secret is not accepted"}},
		{"no secret", with(), []string{"mint needs the signing secret", "--secret-env VAR or --secret-file PATH"}},
		{"both secrets", with("--secret-env", cliSecretVar, "--secret-file", "/nonexistent"), []string{"not both"}},
		{"unset variable", with("--secret-env", "TM_CLI_UNSET_VARIABLE"), []string{"$TM_CLI_UNSET_VARIABLE is not set"}},
		{"empty variable", with("--secret-env", "TM_CLI_EMPTY"), []string{"$TM_CLI_EMPTY is empty"}},
		{"missing file", with("--secret-file", "/nonexistent/secret"), []string{"--secret-file", "no such file"}},
		{"no preset", []string{"mint", "--secret-env", cliSecretVar}, []string{"mint needs --preset", "hms_app"}},
		{"unknown preset", []string{"mint", "--preset", "hms", "--secret-env", cliSecretVar}, []string{`unknown preset "hms"`}},
		{"missing request field", []string{"mint", "--preset", "hms_app", "--key", "k", "--user", "alice", "--claim", "role=host", "--secret-env", cliSecretVar},
			[]string{"refused (the endpoint would answer 400): room_id: is required"}},
		{"request may not choose the role", with("--secret-env", cliSecretVar, "--param", "role=admin"),
			[]string{"refused (the endpoint would answer 403): role: cannot be chosen by the request"}},
		{"limits", []string{"mint", "--preset", "hms_app", "--key", "k", "--user", "alice", "--claim", "role=host", "--param", "room_id=a b", "--secret-env", cliSecretVar},
			[]string{"room_id: may hold only letters, digits"}},
		{"config error in flag terms", []string{"mint", "--preset", "hms_app", "--key", "k", "--user", "alice", "--param", "room_id=r", "--secret-env", cliSecretVar},
			[]string{"hms_app needs `--claim role=<value>`"}},
		{"no key", []string{"mint", "--preset", "hms_app", "--user", "alice", "--claim", "role=host", "--param", "room_id=r", "--secret-env", cliSecretVar},
			[]string{"hms_app needs `--key <value>`"}},
		{"no user", []string{"mint", "--preset", "hms_app", "--key", "k", "--claim", "role=host", "--param", "room_id=r", "--secret-env", cliSecretVar},
			[]string{"give --user <id>, or --anonymous"}},
		{"ttl above the preset's maximum", with("--secret-env", cliSecretVar, "--ttl", "31d"), []string{"above hms_app's maximum of 720h0m0s"}},
		{"bad ttl", with("--secret-env", cliSecretVar, "--ttl", "soon"), []string{`--ttl "soon" is not a duration`}},
		{"algorithm the preset refuses", with("--secret-env", cliSecretVar, "--alg", "HS512"), []string{"hms_app tokens are signed with HS256, not HS512"}},
		{"not an HMAC algorithm", with("--secret-env", cliSecretVar, "--alg", "RS256"), []string{"RS256 is not an HMAC algorithm"}},
		{"bad pair", with("--secret-env", cliSecretVar, "--claim", "role"), []string{`--claim "role": write it as name=value`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := cliRun(t, "", tc.args...)
			if r.err == nil {
				t.Fatalf("mint %q succeeded: %q", tc.args, r.stdout)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.err.Error(), w) {
					t.Errorf("error %q lacks %q", r.err, w)
				}
			}
			if r.stdout != "" {
				t.Errorf("stdout = %q, want nothing", r.stdout)
			}
			if strings.Contains(r.err.Error()+r.stderr, "hunter2") {
				t.Errorf("the refused secret is echoed: %v %s", r.err, r.stderr)
			}
		})
	}
}

func TestCommandInspect(t *testing.T) {
	t.Setenv(cliSecretVar, cliSecretVal)
	t.Setenv("TM_CLI_WRONG", "not-the-secret")
	good := cliMintToken(t, cliHMSMint...)
	now := time.Now()

	expired := cliHMSClaims(now.Add(-48 * time.Hour))
	noRoom := cliHMSClaims(now)
	delete(noRoom, "room_id")
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	rs256, err := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{"sub": "x", "exp": now.Add(time.Hour).Unix()}).SignedString(rsaKey)
	if err != nil {
		t.Fatal(err)
	}
	zoom := jwt.MapClaims{"app_key": "zk", "role_type": "1", "tpc": "Cool Cars", "version": 1,
		"iat": now.Unix(), "exp": now.Add(72 * time.Hour).Unix()}

	cases := []struct {
		name   string
		args   []string
		stdin  string
		ok     bool
		want   []string // substrings of stdout
		absent []string
	}{
		{"good token", []string{"inspect", good, "--preset", "hms_app", "--secret-env", cliSecretVar}, "", true,
			[]string{`"user_id": "alice"`, `"alg": "HS256"`, "signature: valid (HS256)", "exp - iat = 24h", "ok: no problems; the token fits hms_app"},
			[]string{"problem:"}},
		{"good token from stdin, as a bearer header", []string{"inspect", "-", "--preset", "hms_app", "--secret-env", cliSecretVar}, "Bearer " + good + "\n", true,
			[]string{"signature: valid (HS256)", "ok: no problems"}, []string{"problem:"}},
		{"no secret, no preset", []string{"inspect", good}, "", true,
			[]string{"signature: not checked", "give --preset"}, []string{"problem:"}},
		{"expired", []string{"inspect", cliSign(t, jwt.SigningMethodHS256, expired, cliSecretVal), "--preset", "hms_app", "--secret-env", cliSecretVar}, "", false,
			[]string{"signature: valid", "problem: exp: expired 24h ago ("}, nil},
		{"wrong secret", []string{"inspect", good, "--secret-env", "TM_CLI_WRONG"}, "", false,
			[]string{"signature: INVALID (wrong secret?)"}, []string{"problem:"}},
		{"missing claim", []string{"inspect", cliSign(t, jwt.SigningMethodHS256, noRoom, cliSecretVal), "--preset", "hms_app", "--secret-env", cliSecretVar}, "", false,
			[]string{"signature: valid", "problem: room_id: missing (required)"}, nil},
		{"wrong type and ttl", []string{"inspect", cliSign(t, jwt.SigningMethodHS256, zoom, cliSecretVal), "--preset", "zoom_video"}, "", false,
			[]string{`problem: role_type: want integer, got string "1"`, "problem: exp - iat = 72h, above zoom_video's maximum 48h"}, nil},
		{"algorithm the preset does not use", []string{"inspect", cliSign(t, jwt.SigningMethodHS512, cliHMSClaims(now), cliSecretVal), "--preset", "hms_app", "--secret-env", cliSecretVar}, "", false,
			[]string{"signature: valid (HS512)", `problem: header alg: "HS512", but hms_app tokens are signed with HS256`}, nil},
		{"not yet valid", []string{"inspect", cliSign(t, jwt.SigningMethodHS256, jwt.MapClaims{"nbf": now.Add(time.Hour).Unix()}, cliSecretVal)}, "", false,
			[]string{"problem: nbf: not valid yet, only in "}, nil},
		{"unsigned", []string{"inspect", "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ4In0."}, "", false,
			[]string{"signature: none: the token is unsigned"}, nil},
		{"RS256 cannot be verified with a secret", []string{"inspect", rs256, "--secret-env", cliSecretVar}, "", true,
			[]string{"signature: not checked: RS256 needs the provider's public key"}, []string{"problem:"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := cliRun(t, tc.stdin, tc.args...)
			if (r.err == nil) != tc.ok {
				t.Errorf("error = %v, want ok = %v\n%s", r.err, tc.ok, r.stdout)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("stdout lacks %q:\n%s", w, r.stdout)
				}
			}
			for _, a := range tc.absent {
				if strings.Contains(r.stdout, a) {
					t.Errorf("stdout holds %q:\n%s", a, r.stdout)
				}
			}
		})
	}

	// The times read as people say them; a second may tick between mint and
	// inspect.
	r := cliRun(t, "", "inspect", good)
	if !regexp.MustCompile(`\n  exp  \d+  \S+Z  \(in (24h|23h59m)\)\n`).MatchString(r.stdout) {
		t.Errorf("exp line is not \"(in 24h)\":\n%s", r.stdout)
	}

	for _, bad := range []struct{ tok, want string }{
		{"abc", "not a JWT: want header.payload.signature, got 1 part(s)"},
		{"e30.b!.c", "not a JWT: the payload is not base64url"},
		{"WzFd.e30.", "not a JWT: the header is not a JSON object"},
	} {
		if r := cliRun(t, "", "inspect", bad.tok); r.err == nil || !strings.Contains(r.err.Error(), bad.want) {
			t.Errorf("inspect %q: error %v, want %q", bad.tok, r.err, bad.want)
		}
	}
}

// TestCommandRealBinary runs the subcommand through the Caddy binary that
// ./xcaddy.sh build writes, when that binary is newer than the source.
func TestCommandRealBinary(t *testing.T) {
	bin, err := filepath.Abs("../caddy")
	if err != nil {
		t.Fatal(err)
	}
	if stale := cliBinaryStale(t, bin); stale != "" {
		t.Skipf("%s; run ./xcaddy.sh build, then this test (or .ci/cli-smoke)", stale)
	}
	run := func(stdin string, args ...string) (string, string, int) {
		cmd := exec.Command(bin, append([]string{"provider-token"}, args...)...)
		cmd.Env = append(os.Environ(), cliSecretVar+"="+cliSecretVal, "TM_CLI_WRONG=not-the-secret")
		cmd.Stdin = strings.NewReader(stdin)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return out.String(), errb.String(), code
	}
	out, stderr, code := run("", "presets")
	if code != 0 || !strings.Contains(out, "hms_app: ") || !strings.Contains(out, "zoom_video: ") {
		t.Fatalf("presets: exit %d, stderr %s", code, stderr)
	}
	out, stderr, code = run("", cliHMSMint...)
	tok := strings.TrimSpace(out)
	if code != 0 || strings.Count(tok, ".") != 2 {
		t.Fatalf("mint: exit %d, stdout %q, stderr %s", code, out, stderr)
	}
	if out, _, code = run(tok, "inspect", "-", "--preset", "hms_app", "--secret-env", cliSecretVar); code != 0 || !strings.Contains(out, "signature: valid") {
		t.Errorf("inspect a good token: exit %d\n%s", code, out)
	}
	if out, _, code = run("", "inspect", tok, "--secret-env", "TM_CLI_WRONG"); code == 0 || !strings.Contains(out, "signature: INVALID") {
		t.Errorf("inspect with the wrong secret: exit %d\n%s", code, out)
	}
	if _, stderr, code = run("", "mint", "--preset", "hms_app", "--secret", "x"); code == 0 || !strings.Contains(stderr, "--secret is not accepted") {
		t.Errorf("mint --secret: exit %d, stderr %s", code, stderr)
	}
}

// cliBinaryStale says why bin cannot stand for the current source, or "".
func cliBinaryStale(t *testing.T, bin string) string {
	t.Helper()
	fi, err := os.Stat(bin)
	if err != nil {
		return bin + " does not exist"
	}
	var files []string
	for _, pattern := range []string{"../*.go", "../go.mod", "../tokens/*.go", "*.go"} {
		m, _ := filepath.Glob(pattern)
		files = append(files, m...)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		if sfi, err := os.Stat(f); err == nil && sfi.ModTime().After(fi.ModTime()) {
			return bin + " is older than " + f
		}
	}
	return ""
}
