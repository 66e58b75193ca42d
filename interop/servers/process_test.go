//go:build linux

package servers

import (
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// process is a server the test started. It runs in a process group of its
// own, which t.Cleanup ends (SIGTERM, then SIGKILL after 10s), and the
// kernel kills it with SIGKILL should the test binary die first.
type process struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{}
	err  error
}

// start runs bin with args in dir; env is added to a minimal environment
// (PATH, and HOME and the XDG folders inside dir, so that nothing is
// written outside it). Its output goes to a log file that a failed test
// prints.
func start(t *testing.T, name, dir, bin string, env []string, args ...string) *process {
	t.Helper()
	logPath := filepath.Join(dir, name+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append([]string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + dir,
		"XDG_CONFIG_HOME=" + filepath.Join(dir, "config"),
		"XDG_DATA_HOME=" + filepath.Join(dir, "data"),
		"XDG_CACHE_HOME=" + filepath.Join(dir, "cache"),
		"TMPDIR=" + dir,
	}, env...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		t.Fatalf("starting %s: %v", name, err)
	}
	p := &process{name: name, cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		logFile.Close()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			t.Logf("%s's log, last lines:\n%s", name, tail(string(b), 60))
		}
	})
	return p
}

// stop ends the process group, politely first.
func (p *process) stop() {
	pgid := -p.cmd.Process.Pid
	_ = syscall.Kill(pgid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(pgid, syscall.SIGKILL)
		<-p.done
	}
	// Children that outlived the leader.
	_ = syscall.Kill(pgid, syscall.SIGKILL)
}

// waitReady polls ready until it reports true, failing the test when the
// process exits first or when two minutes pass.
func (p *process) waitReady(t *testing.T, ready func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		select {
		case <-p.done:
			b, _ := os.ReadFile(p.log)
			t.Fatalf("%s exited before it was ready (%v):\n%s", p.name, p.err, tail(string(b), 60))
		default:
		}
		if ready() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s was not ready within two minutes", p.name)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// httpReady reports whether a GET of url answers with status want (any
// status when want is 0).
func httpReady(client *http.Client, url string, want int) func() bool {
	return func() bool {
		resp, err := client.Get(url)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return want == 0 || resp.StatusCode == want
	}
}

// freePort is a TCP port on 127.0.0.1 that nothing listens on now.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func itoa(i int) string { return strconv.Itoa(i) }
