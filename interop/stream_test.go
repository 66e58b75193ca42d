package interop

import (
	"reflect"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/tokenmint/caddy-tokenmint/tokens"
)

// Stream has no Go verifier here. These tokens were made by Stream's own
// Node SDKs, @stream-io/node-sdk 0.7.64 and stream-chat 9.53.0, with
// testdata/stream_vectors.cjs (secret streamSecret, iat 1763999999).
const (
	streamSecret = "stream-interop-secret-0123456789abcdef"
	// StreamClient.generateUserToken({user_id: 'john', iat})
	streamUserToken = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VyX2lkIjoiam9obiIsImlhdCI6MTc2Mzk5OTk5OSwiZXhwIjoxNzY0MDAzNTk5fQ.kiIgXuyVucEwNfU76ZkxBzgUftD0iwyaeBMJuR1VgRg"
	// StreamClient.generateCallToken({user_id: 'john', call_cids: ['default:call1', 'livestream:main'], iat})
	streamCallToken = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VyX2lkIjoiam9obiIsImNhbGxfY2lkcyI6WyJkZWZhdWx0OmNhbGwxIiwibGl2ZXN0cmVhbTptYWluIl0sImlhdCI6MTc2Mzk5OTk5OSwiZXhwIjoxNzY0MDAzNTk5fQ._XQMEpshton7-aw8QYYtdcKBMHn0Sf64tX36MfOaAJM"
	// StreamChat.createToken('john', iat + 3600, iat): the same claims in another order.
	streamChatToken = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VyX2lkIjoiam9obiIsImV4cCI6MTc2NDAwMzU5OSwiaWF0IjoxNzYzOTk5OTk5fQ.jeQmNMMJstZKNMp9L57FgqBYTaXtOveNjpdYrY7PmEw"
)

// streamNow is the minting time that gives iat 1763999999: the preset
// back-dates iat by a second, as the Node SDK does by default.
var streamNow = time.Unix(1764000000, 0)

// TestStreamSameBytesAsNodeSDK: for the same user, call ids, secret and
// time, tokenmint's token is byte for byte the Node SDK's.
func TestStreamSameBytesAsNodeSDK(t *testing.T) {
	user := mint(t, "stream", streamSecret, tokens.Config{}, streamNow, "john", nil)
	if user.Token != streamUserToken {
		t.Errorf("user token:\n got  %s\n want %s (generateUserToken)", user.Token, streamUserToken)
	}
	cfg := tokens.Config{Allow: map[string][]string{"call_cids": {"default:call1", "livestream:main"}},
		Claims: map[string][]string{"call_cids": {"default:call1"}}}
	call := mint(t, "stream", streamSecret, cfg, streamNow, "john",
		body{"call_cids": tokens.L("default:call1", "livestream:main")})
	if call.Token != streamCallToken {
		t.Errorf("call token:\n got  %s\n want %s (generateCallToken)", call.Token, streamCallToken)
	}
}

// TestStreamClaimsAsChatSDK: stream-chat orders exp before iat, so the
// bytes differ; the header and claims are the same, and both tokens verify
// under the secret.
func TestStreamClaimsAsChatSDK(t *testing.T) {
	ours := mint(t, "stream", streamSecret, tokens.Config{}, streamNow, "john", nil)
	for _, tok := range []string{ours.Token, streamChatToken} {
		_, err := jwt.Parse(tok, func(*jwt.Token) (any, error) { return []byte(streamSecret), nil },
			jwt.WithValidMethods([]string{"HS256"}), jwt.WithTimeFunc(func() time.Time { return streamNow }))
		if err != nil {
			t.Fatalf("%s: %v", tok, err)
		}
	}
	oh, op := segments(t, ours.Token)
	ch, cp := segments(t, streamChatToken)
	if !reflect.DeepEqual(oh, ch) || !reflect.DeepEqual(op, cp) {
		t.Errorf("ours %v %v, stream-chat's %v %v", oh, op, ch, cp)
	}
}
