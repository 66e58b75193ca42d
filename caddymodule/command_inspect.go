package caddymodule

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/spf13/cobra"

	"github.com/tokenmint/caddy-tokenmint/tokens"
)

func cliInspect(cmd *cobra.Command, args []string) error {
	raw := args[0]
	if raw == "-" {
		data, err := io.ReadAll(io.LimitReader(cmd.InOrStdin(), 1<<20))
		if err != nil {
			return fmt.Errorf("reading the token from stdin: %v", err)
		}
		raw = string(data)
	}
	tok := strings.TrimSpace(raw)
	if len(tok) > 7 && strings.EqualFold(tok[:7], "bearer ") {
		tok = strings.TrimSpace(tok[7:])
	}
	var preset *tokens.Preset
	if name, _ := cmd.Flags().GetString("preset"); name != "" {
		var err error
		if preset, err = tokens.Lookup(name); err != nil {
			return err
		}
	}
	secret, err := cliSecret(cmd)
	if err != nil {
		return err
	}

	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return fmt.Errorf("not a JWT: want header.payload.signature, got %d part(s)", len(parts))
	}
	var segs [3][]byte
	for i, what := range []string{"header", "payload", "signature"} {
		// JWTs are unpadded base64url; tolerate padding when decoding.
		if segs[i], err = base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[i], "=")); err != nil {
			return fmt.Errorf("not a JWT: the %s is not base64url: %v", what, err)
		}
	}
	out := cmd.OutOrStdout()
	var header, payload map[string]any
	for i, sec := range []struct {
		name string
		dst  *map[string]any
	}{{"header", &header}, {"claims", &payload}} {
		var pretty bytes.Buffer
		dec := json.NewDecoder(bytes.NewReader(segs[i]))
		dec.UseNumber()
		if json.Indent(&pretty, segs[i], "  ", "  ") != nil || dec.Decode(sec.dst) != nil || *sec.dst == nil {
			return fmt.Errorf("not a JWT: the %s is not a JSON object", sec.name)
		}
		fmt.Fprintf(out, "%s:\n  %s\n", sec.name, pretty.String())
	}

	var problems []string
	t := now().Truncate(time.Second) // token times are whole seconds
	problems = append(problems, cliTimes(out, payload, t)...)

	sigOK := true
	alg, _ := header["alg"].(string)
	switch {
	case alg == "" || strings.EqualFold(alg, "none"):
		sigOK = false
		fmt.Fprintln(out, "signature: none: the token is unsigned, and no provider accepts that")
	case secret == nil:
		fmt.Fprintln(out, "signature: not checked (give --secret-env VAR or --secret-file PATH)")
	case alg == "HS256" || alg == "HS384" || alg == "HS512":
		if jwt.GetSigningMethod(alg).Verify(parts[0]+"."+parts[1], segs[2], secret) == nil {
			fmt.Fprintf(out, "signature: valid (%s)\n", alg)
		} else {
			sigOK = false
			fmt.Fprintln(out, "signature: INVALID (wrong secret?)")
		}
	default:
		fmt.Fprintf(out, "signature: not checked: %s needs the provider's public key; inspect verifies HS256, HS384 and HS512 with a secret\n", alg)
	}

	if preset != nil {
		for _, pr := range preset.CheckToken(segs[0], segs[1]) {
			problems = append(problems, pr.String())
		}
	}
	seen := map[string]bool{}
	n := 0
	for _, pr := range problems {
		if !seen[pr] {
			seen[pr] = true
			n++
			fmt.Fprintln(out, "problem: "+pr)
		}
	}
	switch {
	case n == 0 && sigOK && preset != nil:
		fmt.Fprintf(out, "ok: no problems; the token fits %s\n", preset.Name)
	case n == 0 && sigOK:
		fmt.Fprintln(out, "ok: no problems (give --preset to check the claims against a preset)")
	case n == 0:
		return errors.New("the signature is invalid")
	case sigOK:
		return fmt.Errorf("%d problem(s) found", n)
	default:
		return fmt.Errorf("%d problem(s) found, and the signature is invalid", n)
	}
	return nil
}

// cliTimes prints iat, nbf and exp as times, and returns the problems
// any JWT verifier would find with them at now.
func cliTimes(w io.Writer, payload map[string]any, now time.Time) []string {
	var problems []string
	at := map[string]time.Time{}
	fmt.Fprintf(w, "times (now %s):\n", now.UTC().Format(time.RFC3339))
	for _, name := range []string{"iat", "nbf", "exp"} {
		v, ok := payload[name]
		if !ok {
			fmt.Fprintf(w, "  %s  -\n", name)
			continue
		}
		num, ok := v.(json.Number)
		f, err := num.Float64()
		if !ok || err != nil {
			fmt.Fprintf(w, "  %s  %v\n", name, v)
			problems = append(problems, name+": want NumericDate (a number of seconds)")
			continue
		}
		sec := int64(f)
		ts := time.Unix(sec, int64((f-float64(sec))*1e9))
		at[name] = ts
		fmt.Fprintf(w, "  %s  %s  %s  (%s)\n", name, num, ts.UTC().Format(time.RFC3339), cliRelative(ts, now))
	}
	iat, hasIat := at["iat"]
	exp, hasExp := at["exp"]
	if hasIat && hasExp {
		fmt.Fprintf(w, "  exp - iat = %s\n", tokens.DurationText(exp.Sub(iat).Round(time.Second)))
	}
	if hasExp && !now.Before(exp) {
		problems = append(problems, "exp: expired "+cliRelative(exp, now)+" ("+exp.UTC().Format(time.RFC3339)+")")
	}
	if nbf, ok := at["nbf"]; ok && now.Before(nbf) {
		problems = append(problems, "nbf: not valid yet, only "+cliRelative(nbf, now)+" ("+nbf.UTC().Format(time.RFC3339)+")")
	}
	if hasIat && now.Before(iat.Truncate(time.Second)) {
		problems = append(problems, "iat: issued in the future, "+cliRelative(iat, now)+" (a clock ahead?); providers may refuse it")
	}
	return problems
}

// cliRelative says when t is from now: "in 2h", "3m ago", "now".
func cliRelative(t, now time.Time) string {
	d := t.Sub(now).Round(time.Second)
	switch {
	case d == 0:
		return "now"
	case d > 0:
		return "in " + cliRough(d)
	}
	return cliRough(-d) + " ago"
}

// cliRough writes d with its two largest units: "3d2h", "24h", "1h5m",
// "45s". Days start at 48h: token lifetimes read better as "24h".
func cliRough(d time.Duration) string {
	units := []struct {
		size time.Duration
		name string
	}{{24 * time.Hour, "d"}, {time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}}
	for i, u := range units {
		if (d < u.size || (i == 0 && d < 48*time.Hour)) && i < len(units)-1 {
			continue
		}
		s := strconv.FormatInt(int64(d/u.size), 10) + u.name
		if i+1 < len(units) {
			if rest := (d % u.size) / units[i+1].size; rest > 0 {
				s += strconv.FormatInt(int64(rest), 10) + units[i+1].name
			}
		}
		return s
	}
	return "0s"
}
