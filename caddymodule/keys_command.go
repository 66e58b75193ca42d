package caddymodule

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/caddyserver/caddy/v2"
	caddycmd "github.com/caddyserver/caddy/v2/cmd"
	"github.com/caddyserver/certmagic"
	"github.com/spf13/cobra"
)

// keysHelp is the keys subcommand's part of `caddy provider-token`'s help.
const keysHelp = `
  keys [<ring>] [--config <file>] [--adapter <name>] [--jwks]
      Lists the key rings of the config (the global option
      provider_token_keys) and their keys: kid, algorithm, created, signs
      from, retires at, and state (signing, announced, retiring, retired).
      Auto rings are read from the config's storage, as the server reads
      them; nothing is generated or changed. With --jwks, prints the JWKS of
      the ring (or of every ring) that provider_token_jwks serves now.
`

func keysCommand() *cobra.Command {
	c := &cobra.Command{
		Use:   "keys [<ring>] [--config <file>] [--adapter <name>] [--jwks]",
		Short: "Lists key rings and their keys, or prints a ring's JWKS, from the config's storage",
		Args:  cliArgs(0, 1, "at most one ring name"),
		RunE:  cliKeys,
	}
	f := c.Flags()
	f.StringP("config", "c", "", "the Caddy config `file` to read (default: ./Caddyfile, as caddy run)")
	f.StringP("adapter", "a", "", "the config adapter's `name` (caddyfile for a Caddyfile)")
	f.Bool("jwks", false, "print the JWKS the server publishes for the ring(s)")
	return c
}

// cliConfig is what the keys subcommand reads from a config.
type cliConfig struct {
	StorageRaw json.RawMessage `json:"storage,omitempty" caddy:"namespace=caddy.storage inline_key=module"`
	Apps       struct {
		Tokenmint json.RawMessage `json:"tokenmint,omitempty"`
	} `json:"apps"`
}

func cliKeys(cmd *cobra.Command, args []string) error {
	f := cmd.Flags()
	configFile, _ := f.GetString("config")
	adapter, _ := f.GetString("adapter")
	printJWKS, _ := f.GetBool("jwks")
	text, _, _, err := caddycmd.LoadConfig(configFile, adapter)
	if err != nil {
		return err
	}
	if len(text) == 0 {
		return errors.New("no config: give --config <file> (a Caddyfile or JSON)")
	}
	var cfg cliConfig
	if err := json.Unmarshal(text, &cfg); err != nil {
		return fmt.Errorf("reading the config: %v", err)
	}
	ctx, cancel := caddy.NewContext(caddy.Context{Context: context.Background()})
	defer cancel()
	var storage certmagic.Storage = caddy.DefaultStorage
	if cfg.StorageRaw != nil {
		val, err := ctx.LoadModule(&cfg, "StorageRaw")
		if err != nil {
			return fmt.Errorf("loading the storage module: %v", err)
		}
		if storage, err = val.(caddy.StorageConverter).CertMagicStorage(); err != nil {
			return fmt.Errorf("creating the storage: %v", err)
		}
	}
	var app App
	if len(cfg.Apps.Tokenmint) > 0 {
		if err := json.Unmarshal(cfg.Apps.Tokenmint, &app); err != nil {
			return fmt.Errorf("reading the tokenmint app: %v", err)
		}
	}
	names := app.ringNames()
	if len(names) == 0 {
		return fmt.Errorf("the config defines no key rings (the global option %s)", keysOption)
	}
	if len(args) == 1 {
		if !slices.Contains(names, args[0]) {
			return fmt.Errorf("no ring %q; the rings are: %s", args[0], strings.Join(names, ", "))
		}
		names = args[:1]
	}
	now := time.Now()
	out := cmd.OutOrStdout()
	var rings []*keyRing
	for _, name := range names {
		kr := app.KeyRings[name]
		if err := kr.check(name); err != nil {
			return err
		}
		if !printJWKS {
			if err := cliListRing(ctx, out, storage, name, kr, now); err != nil {
				return err
			}
			continue
		}
		r, err := cliLoadRing(ctx, storage, name, kr)
		if err != nil {
			return err
		}
		rings = append(rings, r)
	}
	if printJWKS {
		h := &JWKSHandler{rings: rings}
		var doc any
		if err := json.Unmarshal(h.build(now, 0).body, &doc); err != nil {
			return err
		}
		text, err := json.MarshalIndent(doc, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(out, "%s\n", text)
		return err
	}
	return nil
}

// cliLoadRing loads a ring's keys (public halves and timelines) read-only:
// PEM files, or an auto ring's index and keys in storage.
func cliLoadRing(ctx context.Context, storage certmagic.Storage, name string, kr *KeyRing) (*keyRing, error) {
	if kr.Auto == nil {
		return loadStatic(name, kr)
	}
	a := newAutoRing(storage, name, kr.Auto)
	idx, err := a.loadIndex(ctx)
	if err != nil {
		return nil, err
	}
	if err := a.apply(ctx, idx); err != nil {
		return nil, err
	}
	return &keyRing{name: name, alg: a.alg, source: a.source, auto: a}, nil
}

// cliListRing writes a ring's heading and a table of its keys.
func cliListRing(ctx context.Context, w io.Writer, storage certmagic.Storage, name string, kr *KeyRing, now time.Time) error {
	tw := newCLITable(w)
	defer tw.Flush()
	if kr.Auto == nil {
		r, err := loadStatic(name, kr)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "ring %s: PEM keys, %s (JWKS max-age %s)\n", name, r.alg, r.maxAge())
		fmt.Fprintln(tw, "  KID\tALG\tCREATED\tSIGNS FROM\tRETIRES AT\tSTATE")
		for i, k := range r.static {
			state := "published"
			if i == 0 {
				state = "signing"
			}
			fmt.Fprintf(tw, "  %s\t%s\t-\t-\t-\t%s\n", k.kid, k.alg, state)
		}
		return nil
	}
	a := newAutoRing(storage, name, kr.Auto)
	idx, err := a.loadIndex(ctx)
	if err != nil {
		return err
	}
	r := &keyRing{auto: a}
	fmt.Fprintf(w, "ring %s: auto %s, rotate %s (announce %s, JWKS max-age %s), in %s\n",
		name, a.alg, cliRough(a.rotate), cliRough(a.announce()), r.maxAge(), storageName(storage))
	if len(idx.Keys) == 0 {
		fmt.Fprintln(w, "  no keys yet: the first is generated when a config that uses the ring starts")
		return nil
	}
	fmt.Fprintln(tw, "  KID\tALG\tCREATED\tSIGNS FROM\tRETIRES AT\tSTATE")
	signing := ""
	for _, k := range idx.Keys {
		if !k.SignsFrom.After(now) {
			signing = k.KID
		}
	}
	for _, k := range idx.Keys {
		state := "retiring"
		switch {
		case !k.RetiresAt.IsZero() && !now.Before(k.RetiresAt):
			state = "retired"
		case k.SignsFrom.After(now):
			state = "announced"
		case k.KID == signing:
			state = "signing"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\n", k.KID, a.alg, cliTime(k.Created), cliTime(k.SignsFrom), cliTime(k.RetiresAt), state)
	}
	return nil
}

func cliTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// storageName names a storage for humans: a file system's folder, or the
// module's type (whose settings may hold credentials).
func storageName(s certmagic.Storage) string {
	if fs, ok := s.(*certmagic.FileStorage); ok {
		return fs.Path
	}
	return fmt.Sprintf("%T", s)
}
