package endpoints

import (
	"fmt"
	"io"
	"regexp"
	"strings"
)

// CurlLine is the curl command for one endpoint: base is the demo's
// http://host:port, login the -u value.
func (e *Endpoint) CurlLine(base, login string, vars map[string]string) (string, error) {
	path, headers, body, err := e.Fill(vars)
	if err != nil {
		return "", err
	}
	args := []string{"curl", "-u", login}
	if strings.HasPrefix(e.Token, "cookie:") {
		args = append(args, "-i") // the token is in a Set-Cookie header
	}
	if e.Method != "GET" {
		args = append(args, "-X", e.Method)
	}
	args = append(args, base+path)
	for _, h := range headers {
		args = append(args, "-H", h[0]+": "+h[1])
	}
	if e.Body != "" {
		args = append(args, "-d", body)
	}
	for i, a := range args {
		args[i] = shellQuote(a)
	}
	return strings.Join(args, " "), nil
}

// WriteCurl writes every endpoint's curl line, under its group's title.
func (f *File) WriteCurl(w io.Writer, base, login string, vars map[string]string) error {
	for i, g := range f.Groups {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "  %s\n", g.Title)
		for _, e := range g.Endpoints {
			line, err := e.CurlLine(base, login, vars)
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "    %s\n", line)
		}
	}
	return nil
}

var shellSafe = regexp.MustCompile(`^[A-Za-z0-9@%+=:,./_-]+$`)

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if shellSafe.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
