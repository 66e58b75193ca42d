package caddymodule

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/caddyserver/caddy/v2"
	caddycmd "github.com/caddyserver/caddy/v2/cmd"
	"github.com/spf13/cobra"

	"github.com/tokenmint/caddy-tokenmint/tokens"
)

func init() {
	caddycmd.RegisterCommand(caddycmd.Command{
		Name:  "provider-token",
		Usage: "presets|mint|inspect|keys [<args>]",
		Short: "Lists tokenmint's presets, mints a provider token, inspects one, or lists key rings",
		Long: `
Works with the provider tokens of the provider_token handler, without a
running server.

  presets [<name>] [--json]
      Lists each preset (or the one named): algorithms, header, claims with
      their types, sources, defaults and limits, ttl rules, the request
      fields the endpoint reads and the response it answers with.

  mint --preset <name> [--key <key>] (--secret-env <VAR> | --secret-file <path>)
       [--alg HS256] [--ttl 1h] [--user <id> | --anonymous]
       [--claim <name>=<value>]... [--param <field>=<value>]... [--type <claim>=<type>]...
      Prints one token on stdout, and its details on stderr. --claim sets a
      claim as the config's claim does (repeat it to fill an array claim);
      --param sets a request field as the endpoint would receive it. A
      refusal prints the reason and exits 1.

  inspect <token>|- [--preset <name>] [--secret-env <VAR> | --secret-file <path>]
      Decodes a token (- reads it from stdin), shows its header, claims and
      times, verifies an HMAC signature when given the secret, and with
      --preset checks it against that preset's schema. Each finding is a line
      "problem: ..."; the exit status is 1 if there is any, or the
      signature is invalid.
` + keysHelp + `
Secrets are read from an environment variable or a file, never from the
command line, where ps and the shell history would show them.
`,
		CobraFunc: providerTokenCommand,
	})
}

// providerTokenCommand fills in `caddy provider-token` and its subcommands.
func providerTokenCommand(cmd *cobra.Command) {
	cmd.Args = cobra.ArbitraryArgs
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) > 0 {
			return fmt.Errorf("unknown subcommand %q: use presets, mint, inspect or keys", args[0])
		}
		return cmd.Help()
	}

	presets := &cobra.Command{
		Use:   "presets [<name>]",
		Short: "Lists the presets: claims, sources, limits, ttl, request and response",
		Args:  cliArgs(0, 1, "at most one preset name"),
		RunE:  cliPresets,
	}
	presets.Flags().Bool("json", false, "print JSON")

	mint := &cobra.Command{
		Use:   "mint --preset <name> (--secret-env <VAR> | --secret-file <path>) [flags]",
		Short: "Mints one token and prints it on stdout",
		Args:  cliArgs(0, 0, "flags only"),
		RunE:  cliMint,
	}
	f := mint.Flags()
	// Backquoted words name the flags' arguments in the help.
	f.String("preset", "", "the preset's `name` (caddy provider-token presets lists them)")
	f.String("key", "", "the provider's API/app/SDK `key`")
	f.String("alg", "", "signing `algorithm` (default: the preset's first)")
	f.String("ttl", "", "lifetime, exp = iat + `duration` (default: the preset's)")
	f.String("user", "", "the authenticated user's `id`")
	f.Bool("anonymous", false, "mint without a user, as session anonymous does")
	f.StringArray("claim", nil, "set a claim `name=value`, as the config's claim does; repeat it to fill an array claim")
	f.StringArray("param", nil, "set a request field `field=value`, as the endpoint would receive it")
	f.StringArray("type", nil, "declare a free-form claim's type `name=type`: string, integer, number, boolean, array, object, json or json_string")
	cliSecretFlags(mint)

	inspect := &cobra.Command{
		Use:   "inspect <token>|- [--preset <name>] [--secret-env <VAR> | --secret-file <path>]",
		Short: "Decodes a token, verifies it, and checks it against a preset",
		Args:  cliArgs(1, 1, "one token (or - for stdin)"),
		RunE:  cliInspect,
	}
	inspect.Flags().String("preset", "", "check the token against the schema of the preset `name`")
	cliSecretFlags(inspect)

	cmd.AddCommand(presets, mint, inspect, keysCommand())
}

func cliSecretFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.String("secret-env", "", "read the HMAC secret from the environment variable `VAR`")
	f.String("secret-file", "", "read the HMAC secret from the file at `path` (a trailing newline is dropped)")
	// --secret exists only to say why it is refused. A bare --secret fails
	// in the flag parser, whose error is replaced with the same reason.
	f.String("secret", "", "")
	_ = f.MarkHidden("secret")
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		if strings.HasSuffix(err.Error(), " --secret") {
			return errSecretInArgs
		}
		return err
	})
}

var errSecretInArgs = errors.New("--secret is not accepted: a secret on the command line is visible to other users " +
	"(ps, /proc) and stays in the shell history; put it in an environment variable (--secret-env VAR) " +
	"or a file (--secret-file PATH)")

// cliArgs checks the number of arguments without echoing them: a
// misplaced secret must not end up in an error message.
func cliArgs(min, max int, what string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) < min || len(args) > max {
			return fmt.Errorf("want %s, got %d argument(s)", what, len(args))
		}
		return nil
	}
}

// cliSecret returns the secret from --secret-env or --secret-file, or nil
// when neither is given.
func cliSecret(cmd *cobra.Command) ([]byte, error) {
	f := cmd.Flags()
	if f.Changed("secret") {
		return nil, errSecretInArgs
	}
	env, _ := f.GetString("secret-env")
	file, _ := f.GetString("secret-file")
	switch {
	case env != "" && file != "":
		return nil, errors.New("give --secret-env or --secret-file, not both")
	case env != "":
		v, ok := os.LookupEnv(env)
		if !ok {
			return nil, fmt.Errorf("--secret-env: $%s is not set", env)
		}
		if v == "" {
			return nil, fmt.Errorf("--secret-env: $%s is empty", env)
		}
		return []byte(v), nil
	case file != "":
		fh, err := os.Open(file)
		if err != nil {
			return nil, fmt.Errorf("--secret-file: %v", err)
		}
		defer fh.Close()
		data, err := io.ReadAll(io.LimitReader(fh, 1<<20+1))
		if err != nil {
			return nil, fmt.Errorf("--secret-file: %v", err)
		}
		if len(data) > 1<<20 {
			return nil, fmt.Errorf("--secret-file: %s is larger than 1 MiB", file)
		}
		// As Caddy's {file.*}: one trailing newline is dropped.
		data = bytes.TrimSuffix(bytes.TrimSuffix(data, []byte("\n")), []byte("\r"))
		if len(data) == 0 {
			return nil, fmt.Errorf("--secret-file: %s is empty", file)
		}
		return data, nil
	}
	return nil, nil
}

func cliPresets(cmd *cobra.Command, args []string) error {
	asJSON, _ := cmd.Flags().GetBool("json")
	names := tokens.Names()
	if len(args) == 1 {
		names = args
	}
	var infos []tokens.PresetInfo
	for _, name := range names {
		p, err := tokens.Lookup(name)
		if err != nil {
			return err
		}
		infos = append(infos, p.Describe())
	}
	out := cmd.OutOrStdout()
	if asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if len(args) == 1 {
			return enc.Encode(infos[0])
		}
		return enc.Encode(infos)
	}
	for i := range infos {
		if i > 0 {
			fmt.Fprintln(out)
		}
		cliWritePreset(out, &infos[i])
	}
	return nil
}

func cliWritePreset(w io.Writer, p *tokens.PresetInfo) {
	fmt.Fprintf(w, "%s: %s\n", p.Name, p.Summary)
	fmt.Fprintf(w, "  algorithms: %s (default %s)\n", strings.Join(p.Algorithms, ", "), p.Algorithms[0])
	hdr := []string{"alg"}
	for _, h := range p.Header {
		hdr = append(hdr, h.Name+" "+string(h.Value))
	}
	fmt.Fprintf(w, "  header:     %s\n", strings.Join(hdr, ", "))
	switch {
	case p.Key == nil:
		fmt.Fprintf(w, "  key:        none\n")
	default:
		need := "optional"
		if p.Key.Required {
			need = "required"
		}
		where := ""
		if p.Key.Claim != "" {
			where = ", fills " + p.Key.Claim
		}
		fmt.Fprintf(w, "  key:        %s%s: %s\n", need, where, p.Key.Doc)
	}
	if p.TTL == nil {
		fmt.Fprintf(w, "  ttl:        none: the tokens carry no exp\n")
	} else {
		t := p.TTL
		fmt.Fprintf(w, "  ttl:        default %s, min %s, max %s", t.Default, cliOrNone(t.Min), cliOrNone(t.Max))
		if t.RequestField != "" {
			fmt.Fprintf(w, "; a request may shorten it with %s (seconds)", t.RequestField)
		}
		fmt.Fprintln(w)
	}

	if len(p.Options) > 0 {
		fmt.Fprintln(w, "  options:")
		tw := newCLITable(w)
		for _, o := range p.Options {
			def := cliOrDash(o.Default)
			if o.Required && o.Default == "" {
				def = "required"
			}
			if len(o.Values) > 0 {
				def += " (" + strings.Join(o.Values, ", ") + ")"
			}
			fmt.Fprintf(tw, "    %s\t%s\t%s\n", o.Name, def, o.Doc)
		}
		tw.Flush()
	}

	fmt.Fprintln(w, "  claims:")
	tw := newCLITable(w)
	fmt.Fprintln(tw, "    NAME\tTYPE\tREQUIRED\tSOURCE\tDEFAULT\tLIMITS")
	for _, c := range p.Claims {
		req := "-"
		if c.Required {
			req = "yes"
		}
		fmt.Fprintf(tw, "    %s\t%s\t%s\t%s\t%s\t%s\n", c.Name, c.Type, req, cliClaimSource(&c), cliOrDash(string(c.Default)), cliOrDash(c.Limits.String()))
	}
	tw.Flush()
	if p.FreeForm {
		fmt.Fprintln(w, "    (free-form: any other claim may be set; it is a string unless its type is declared)")
		if p.FreeFormPrivileged {
			fmt.Fprintln(w, "    (free-form claims grant rights: a client-chosen placeholder needs an allow list)")
		}
	}

	if len(p.Request) == 0 {
		fmt.Fprintln(w, "  request:    no fields")
	} else {
		fmt.Fprintln(w, "  request:    field -> claim")
		tw = newCLITable(w)
		for _, r := range p.Request {
			note := ""
			if r.Note != "" {
				note = "(" + r.Note + ")"
			}
			claim := r.Claim
			if claim == "" {
				claim = "(checked, no claim)"
			}
			fmt.Fprintf(tw, "    %s\t-> %s\t%s\n", r.Field, claim, note)
		}
		tw.Flush()
	}
	if p.OwnRules {
		fmt.Fprintln(w, "    (the preset also applies cross-field rules of its own)")
	}
	r := p.Response
	fmt.Fprintf(w, "  response:   %d %s\n    %s\n", r.Status, r.ContentType, r.Example)
	inBand := ""
	if r.InBand {
		inBand = ", always in this shape"
	}
	fmt.Fprintf(w, "  refusal:    %d%s\n    %s\n", r.RefusalStatus, inBand, r.RefusalExample)
}

func cliClaimSource(c *tokens.ClaimInfo) string {
	s := c.Source
	switch c.Source {
	case tokens.SourceGenerated:
		s += ": " + c.Generated
	case tokens.SourceObject:
		s += " of " + c.Name + ".*"
	}
	if c.Privileged {
		s += " (privileged)"
	}
	if len(c.RequestFields) > 0 {
		if c.Source != tokens.SourceRequest {
			s += "; request"
		}
		s += " " + strings.Join(c.RequestFields, " or ")
	}
	return s
}

// cliTable is a tabwriter whose lines lose the padding after their last
// cell.
type cliTable struct {
	w   io.Writer
	buf bytes.Buffer
	*tabwriter.Writer
}

func newCLITable(w io.Writer) *cliTable {
	t := &cliTable{w: w}
	t.Writer = tabwriter.NewWriter(&t.buf, 0, 0, 2, ' ', 0)
	return t
}

func (t *cliTable) Flush() {
	t.Writer.Flush()
	for _, line := range strings.SplitAfter(t.buf.String(), "\n") {
		if line != "" {
			fmt.Fprintln(t.w, strings.TrimRight(line, " \n"))
		}
	}
	t.buf.Reset()
}

func cliOrDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func cliOrNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// cliRequest gives the minter request fields from --param, converted as the
// handler converts a JSON body's members.
type cliRequest map[string][]string

func (r cliRequest) Param(name string) (tokens.Value, bool, *tokens.Error) {
	vals, ok := r[name]
	if !ok {
		return tokens.Value{}, false, nil
	}
	if len(vals) > 1 {
		return tokens.L(vals...), true, nil
	}
	v := strings.TrimSpace(vals[0])
	if (strings.HasPrefix(v, "[") || strings.HasPrefix(v, "{")) && json.Valid([]byte(v)) {
		rv, ok := rawValue(json.RawMessage(v))
		return rv, ok, nil
	}
	return tokens.S(vals[0]), true, nil
}

// Expand returns s: the command's values are literal.
func (r cliRequest) Expand(s string) string { return s }

// cliPairs reads repeated name=value flags, keeping the order of values.
func cliPairs(cmd *cobra.Command, flag string) (map[string][]string, error) {
	list, _ := cmd.Flags().GetStringArray(flag)
	out := map[string][]string{}
	for _, kv := range list {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, fmt.Errorf("--%s %q: write it as name=value", flag, kv)
		}
		out[k] = append(out[k], v)
	}
	return out, nil
}

// cliHint rewrites the Caddyfile syntax in tokens' config errors into flags.
var cliHint = strings.NewReplacer("`key <value>`", "`--key <value>`")

var cliClaimHint = regexp.MustCompile("`claim (\\S+) (<[^>]+>)`")

func cliMint(cmd *cobra.Command, _ []string) error {
	f := cmd.Flags()
	name, _ := f.GetString("preset")
	if name == "" {
		return fmt.Errorf("mint needs --preset <name>; presets: %s", strings.Join(tokens.Names(), ", "))
	}
	p, err := tokens.Lookup(name)
	if err != nil {
		return err
	}
	secret, err := cliSecret(cmd)
	if err != nil {
		return err
	}
	if secret == nil {
		return errors.New("mint needs the signing secret: --secret-env VAR or --secret-file PATH")
	}
	alg, _ := f.GetString("alg")
	if alg == "" {
		alg = p.Describe().Algorithms[0]
	}
	signer, err := tokens.NewHMAC(alg, secret)
	if err != nil {
		return fmt.Errorf("--alg: %v", err)
	}
	var ttl time.Duration
	if s, _ := f.GetString("ttl"); s != "" {
		if ttl, err = caddy.ParseDuration(s); err != nil {
			return fmt.Errorf("--ttl %q is not a duration, such as 30m, 2h or 1d", s)
		}
	}
	user, _ := f.GetString("user")
	anonymous, _ := f.GetBool("anonymous")
	if user != "" && anonymous {
		return errors.New("give --user or --anonymous, not both")
	}
	if user == "" && !anonymous {
		hasUserClaim := false
		for _, c := range p.Claims {
			hasUserClaim = hasUserClaim || c.User
		}
		if hasUserClaim {
			return fmt.Errorf("%s tokens carry the user: give --user <id>, or --anonymous to set it with --claim or --param", p.Name)
		}
		anonymous = true // no claim carries a user: nothing to ask for
	}

	key, _ := f.GetString("key")
	claims, err := cliPairs(cmd, "claim")
	if err != nil {
		return err
	}
	params, err := cliPairs(cmd, "param")
	if err != nil {
		return err
	}
	typeNames, err := cliPairs(cmd, "type")
	if err != nil {
		return err
	}
	types := map[string]tokens.Type{}
	for n, ts := range typeNames {
		t, err := tokens.ParseType(ts[len(ts)-1])
		if err != nil {
			return fmt.Errorf("--type %s: %v", n, err)
		}
		types[n] = t
	}

	tmpl, err := tokens.Compile(p, tokens.Config{
		Key: key, Signer: signer, TTL: ttl, Claims: claims, Types: types, Anonymous: anonymous,
		Dynamic: func(string) bool { return false }, // values are literal
	})
	if err != nil {
		return errors.New(cliClaimHint.ReplaceAllString(cliHint.Replace(err.Error()), "`--claim $1=$2`"))
	}
	t := now().Truncate(time.Second) // token times are whole seconds
	minted, terr := tmpl.Mint(t, tokens.Input{User: user, Request: cliRequest(params), Contract: true})
	if terr != nil {
		return fmt.Errorf("refused (the endpoint would answer %d): %s", terr.Status, terr.Error())
	}
	fmt.Fprintln(cmd.OutOrStdout(), minted.Token)

	who := "anonymous"
	if user != "" {
		who = "user " + user
	}
	details := fmt.Sprintf("%s token, %s, %s, iat %s", p.Name, alg, who, time.Unix(minted.IssuedAt, 0).UTC().Format(time.RFC3339))
	if minted.Expires != 0 {
		exp := time.Unix(minted.Expires, 0)
		details += fmt.Sprintf(", exp %s (%s)", exp.UTC().Format(time.RFC3339), cliRelative(exp, t))
	} else {
		details += ", no exp"
	}
	if jti := minted.JTI(); jti != "" {
		details += ", jti " + jti
	}
	fmt.Fprintln(cmd.ErrOrStderr(), details)
	return nil
}
