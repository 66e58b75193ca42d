//go:build linux

package servers

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The servers the suites run. Changing a version builds that server once
// more; the cache keeps one folder per name and version.
const (
	centrifugoModule  = "github.com/centrifugal/centrifugo/v6"
	centrifugoVersion = "v6.9.1"
	// livekit-server v1.13.9 to v1.13.11 replace pion/webrtc with forks
	// the module proxy does not serve; v1.13.5 builds as a dependency.
	livekitModule  = "github.com/livekit/livekit-server"
	livekitVersion = "v1.13.5"
	livekitMain    = livekitModule + "/cmd/server"

	caddyVersion   = "v2.11.9"
	mercureModule  = "github.com/dunglas/mercure/caddy"
	mercureVersion = "v0.21.4"

	tokenmintModule = "github.com/tokenmint/caddy-tokenmint"
	// xcaddy needs a version to replace with the local checkout; any will do.
	localVersion = "v0.0.0-00010101000000-000000000000"
)

// cacheDir holds built servers between runs: $TOKENMINT_SERVERS_CACHE,
// else tokenmint-servers in the user cache folder
// (${XDG_CACHE_HOME:-$HOME/.cache}). Never inside the repository.
func cacheDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("TOKENMINT_SERVERS_CACHE")
	if dir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			t.Fatalf("no cache folder for the servers: %v (set TOKENMINT_SERVERS_CACHE)", err)
		}
		dir = filepath.Join(base, "tokenmint-servers")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// serverBinary builds the main package pkg of module@version in a scratch
// module of its own (so the server's own go.mod picks its dependencies),
// or returns the binary an earlier run built.
func serverBinary(t *testing.T, name, pkg, version string) string {
	t.Helper()
	return cached(t, name+"-"+version, name, func(dir string) {
		env := buildEnv("GOFLAGS=-mod=mod")
		goCmd(t, dir, env, "mod", "init", "tokenmint-servers/"+name)
		goCmd(t, dir, env, "get", pkg+"@"+version)
		goCmd(t, dir, env, "build", "-o", filepath.Join(dir, name), pkg)
	})
}

// tokenmintCaddy builds Caddy with tokenmint from this checkout and the
// Mercure hub module, with xcaddy as ./xcaddy.sh does. The cache key is a
// hash of the plugin's sources, so an unchanged checkout reuses the binary
// and a changed one replaces it.
func tokenmintCaddy(t *testing.T) string {
	t.Helper()
	root := repoRoot(t)
	name := "tokenmint-caddy-" + sourceHash(t, root)
	bin := cached(t, name, "caddy", func(dir string) {
		// The checksum database does not hold the Mercure module's
		// releases; its go.sum lines come from the module proxy alone.
		env := buildEnv("GONOSUMDB=" + joinList(os.Getenv("GONOSUMDB"), "github.com/dunglas"))
		goCmd(t, root, env, "tool", "xcaddy", "build", caddyVersion,
			"--with", tokenmintModule+"@"+localVersion+"="+root,
			"--with", mercureModule+"@"+mercureVersion,
			"--output", filepath.Join(dir, "caddy"))
	})
	// Builds of other checkouts go once they are an hour old (another
	// checkout's run may still be starting its binary).
	old, _ := filepath.Glob(filepath.Join(cacheDir(t), "tokenmint-caddy-*"))
	for _, o := range old {
		if fi, err := os.Stat(o); err == nil && filepath.Base(o) != name && time.Since(fi.ModTime()) > time.Hour {
			os.RemoveAll(o)
			os.Remove(filepath.Join(filepath.Dir(o), "."+filepath.Base(o)+".lock"))
		}
	}
	return bin
}

// cached returns dir/name/file, building it with build(tmp) into a
// temporary folder renamed into place when it is missing. A lock file
// keeps two test processes from building the same thing at once.
func cached(t *testing.T, name, file string, build func(tmp string)) string {
	t.Helper()
	cache := cacheDir(t)
	final := filepath.Join(cache, name)
	bin := filepath.Join(final, file)

	lock, err := os.OpenFile(filepath.Join(cache, "."+name+".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)

	if _, err := os.Stat(bin); err == nil {
		now := time.Now()
		os.Chtimes(final, now, now) // in use: see tokenmintCaddy's clean-up
		t.Logf("%s: reusing %s", name, bin)
		return bin
	}
	tmp := final + ".building"
	os.RemoveAll(tmp)
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	build(tmp)
	if _, err := os.Stat(filepath.Join(tmp, file)); err != nil {
		t.Fatalf("%s: the build left no %s: %v", name, file, err)
	}
	os.RemoveAll(final)
	if err := os.Rename(tmp, final); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: built in %s", name, time.Since(start).Round(time.Second))
	return bin
}

// buildEnv is the environment for go commands that build servers: the
// caller's, without a workspace or toolchain switch, plus extra.
func buildEnv(extra ...string) []string {
	return append(os.Environ(), append([]string{"GOWORK=off", "GOTOOLCHAIN=local"}, extra...)...)
}

// goCmd runs go with args and logs its wall and CPU time (the machine
// may be shared; CPU time says what the build costs).
func goCmd(t *testing.T, dir string, env []string, args ...string) {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir, cmd.Env = dir, env
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go %s (in %s): %v\n%s", strings.Join(args, " "), dir, err, tail(string(out), 40))
	}
	cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	t.Logf("go %s %s: %s, CPU %s", args[0], args[1], time.Since(start).Round(time.Second), cpu.Round(time.Second))
}

// repoRoot is the plugin module's folder, two levels up.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	mod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil || !strings.HasPrefix(string(mod), "module "+tokenmintModule+"\n") {
		t.Fatalf("%s is not the %s checkout (%v)", root, tokenmintModule, err)
	}
	return root
}

// sourceHash hashes what goes into tokenmint's part of the Caddy binary:
// the root module's go.mod, go.sum and non-test Go files (nested modules
// and testdata left out), and the versions built with it.
func sourceHash(t *testing.T, root string) string {
	t.Helper()
	h := sha256.New()
	h.Write([]byte(caddyVersion + " " + mercureModule + "@" + mercureVersion + "\n"))
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			if rel == "." {
				return nil
			}
			if strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
				return filepath.SkipDir
			}
			return nil
		}
		if !(rel == "go.mod" || rel == "go.sum" || strings.HasSuffix(rel, ".go") && !strings.HasSuffix(rel, "_test.go")) {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		h.Write([]byte(rel + "\x00"))
		h.Write(b)
		h.Write([]byte{0})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

func joinList(list, item string) string {
	if list == "" {
		return item
	}
	return list + "," + item
}

// tail is the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
