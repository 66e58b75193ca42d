package tokens

import (
	_ "embed"
	"strings"
)

// dataBridges trust token, as dataBridges' docs and official boilerplate
// (its POST /token) make it (Sources below): HS256 with the app secret over
// {sid, cname, pub, conn_info} (jsonwebtoken adds iat; no exp). The
// boilerplate takes {ch, sid, dbappkey, act}, checks dbappkey against the
// app key, and always answers HTTP 200 {statuscode, error_message,
// accesskey}, which the client library validates: statuscode 0 with a
// non-empty accesskey, or an error message.

//go:embed guides/databridges.md
var databridgesGuide string

var databridgesActions = []string{"channel.subscribe", "channel.connect", "rpc.connect", "rpc.register", "system_channel.subscribe"}

var databridgesEnvelope = Envelope{
	InBand: true,
	Token: func(dst []byte, t *Minted) []byte {
		dst = append(dst, `{"statuscode":0,"error_message":"","accesskey":`...)
		dst = appendString(dst, t.Token)
		return append(dst, '}')
	},
	Refusal: func(dst []byte, e *Error) ([]byte, int) {
		dst = append(dst, `{"statuscode":1,"error_message":`...)
		dst = appendString(dst, e.Error())
		return append(dst, `,"accesskey":""}`...), 200
	},
}

func databridgesFinish(m *Mint) *Error {
	if m.in.Contract {
		key, ok, err := m.Param("dbappkey")
		if err != nil {
			return err
		}
		if !ok || key.Kind != Scalar || key.Str != m.Key() {
			return Forbidden("", "dbappkey", "does not match this endpoint's app key")
		}
	}
	cname, _ := m.Get("cname")
	if act, ok, err := m.Param("act"); err != nil {
		return err
	} else if ok {
		if act.Kind != Scalar || !contains(databridgesActions, act.Str) {
			return Invalid("", "act", "must be one of "+quoteList(databridgesActions))
		}
		if strings.HasPrefix(act.Str, "rpc.") && strings.HasPrefix(cname.Str, "sys:") {
			return Invalid("cname", "ch", "RPC servers take only pvt: or prs: names")
		}
	}
	if strings.HasPrefix(cname.Str, "pvt:") {
		// Private channels carry no identity: conn_info is {}.
		m.Unset("conn_info.sysid")
		m.Unset("conn_info.sysinfo")
		return nil
	}
	if _, ok := m.Get("conn_info.sysid"); !ok {
		return Invalid("conn_info.sysid", "", "prs: and sys: channels need a user id; use session auth_user or set claim conn_info.sysid")
	}
	return nil
}

func init() {
	Register(&Preset{
		Name:    "databridges",
		Summary: "dataBridges trust token for pvt:, prs: and sys: channels and RPC servers",
		Guide:   databridgesGuide,
		Sources: []string{
			"https://dev.databridges.io/trusted/trusted.create.token.html",
			"https://dev.databridges.io/trusted/trusted.lib.client.html",
			"https://github.com/databridges-io/boilerplate.js.webworkers/blob/bee761a0b171e2750585d64771099d0ca78c1a8d/examples/sharedWorkerPlayground/server.js",
		},
		RequiresKey: true,
		KeyDoc:      "the app key, which the request's dbappkey must match",
		Claims: []Claim{
			{Name: "sid", Type: String, Required: true, Param: []string{"sid"},
				Limits: Limits{MaxLen: 128, Chars: printable}, Doc: "the client's dbridge.sessionid"},
			{Name: "cname", Type: String, Required: true, Param: []string{"ch"},
				Limits: Limits{MaxLen: 64, Prefixes: []string{"pvt:", "prs:", "sys:"},
					Chars: NewCharset("letters, digits and . : _ -", "a-zA-Z0-9.:_-", false)},
				Doc: "the channel or RPC server name"},
			{Name: "pub", Type: Bool, Privileged: true, Required: true, Default: []string{"true"}, Doc: "publishing allowed"},
			{Name: "conn_info", Type: Object, Required: true},
			{Name: "conn_info.sysid", Type: String, User: true, Limits: Limits{MaxLen: 256, Chars: printable}},
			{Name: "conn_info.sysinfo", Type: Object, Default: []string{"{}"}},
			{Name: "iat", Type: Time, Gen: GenIssuedAt},
		},
		Finish: databridgesFinish,
		Fields: []RequestField{
			{Name: "dbappkey", Doc: "must equal the config's key (the client sends its app key)"},
			{Name: "act", Doc: "optional; one of " + quoteList(databridgesActions) + "; rpc.* actions take no sys: name"},
		},
		Envelope: databridgesEnvelope,
	})
}
