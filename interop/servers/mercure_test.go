//go:build linux

package servers

import (
	"bufio"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestMercure runs the Mercure hub inside tokenmint's own Caddy (one
// xcaddy build with both modules) over HTTPS from Caddy's internal CA.
// A publisher token from tokenmint publishes private updates; the cookie
// answer (mercureAuthorization, HttpOnly and Secure) lets an EventSource
// receive the user's own private update and not another user's. The hub
// refuses a wrong key and an expired token, for subscribers and
// publishers. Run once with RS256/ES256 keys and once with HMAC secrets.
func TestMercure(t *testing.T) {
	for _, tc := range []struct {
		name string
		// hub's publisher_jwt and subscriber_jwt, tokenmint's signing
		// lines for the publisher, subscriber and wrong-key routes, and
		// the keys that sign expired copies.
		setup func(t *testing.T, dir string) mercureKeys
	}{
		{"RS256 publisher, ES256 subscriber", func(t *testing.T, dir string) mercureKeys {
			pub, sub, other := newKey(t, dir, "rsa"), newKey(t, dir, "ec"), newKey(t, dir, "ec-other")
			return mercureKeys{
				hubPublisher:  "{file." + writeFile(t, dir, "publisher.pub.pem", pub.public) + "} RS256",
				hubSubscriber: "{file." + writeFile(t, dir, "subscriber.pub.pem", sub.public) + "} ES256",
				publisher:     "signing_key " + pub.private, subscriber: "signing_key " + sub.private,
				wrongKey:     "signing_key " + other.private,
				publisherKey: pub.key, subscriberKey: sub.key,
			}
		}},
		{"HS256", func(t *testing.T, dir string) mercureKeys {
			pub, sub, other := randomSecret(t), randomSecret(t), randomSecret(t)
			return mercureKeys{
				env:          []string{"MERCURE_PUBLISHER_KEY=" + pub, "MERCURE_SUBSCRIBER_KEY=" + sub, "OTHER_KEY=" + other},
				hubPublisher: "{env.MERCURE_PUBLISHER_KEY}", hubSubscriber: "{env.MERCURE_SUBSCRIBER_KEY}",
				publisher: "secret {env.MERCURE_PUBLISHER_KEY}", subscriber: "secret {env.MERCURE_SUBSCRIBER_KEY}",
				wrongKey:     "secret {env.OTHER_KEY}",
				publisherKey: pub, subscriberKey: sub,
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			keys := tc.setup(t, dir)
			subscribe := `claim mercure.subscribe https://example.com/users/{http.auth.user.id}/\{resource\}
			claim mercure.payload ` + "`" + `\{"user": "https://example.com/users/{http.auth.user.id}"\}` + "`"
			tm := startTokenmint(t, dir, keys.env, true, `
https://127.0.0.1:{HTTPS_PORT} {
	tls internal
	`+basicAuth(t, "/mercure/*")+`
	handle /mercure/login {
		provider_token mercure {
			`+keys.subscriber+`
			`+subscribe+`
			cookie mercureAuthorization path /.well-known/mercure
		}
	}
	handle /mercure/token {
		provider_token mercure {
			`+keys.subscriber+`
			`+subscribe+`
		}
	}
	handle /mercure/wrong-key-login {
		provider_token mercure {
			`+keys.wrongKey+`
			`+subscribe+`
			cookie mercureAuthorization path /.well-known/mercure
		}
	}
	handle /mercure/publisher {
		provider_token mercure {
			`+keys.publisher+`
			claim mercure.publish https://example.com/users/\{user\}/\{resource\}
		}
	}
	handle /mercure/wrong-key-publisher {
		provider_token mercure {
			`+keys.wrongKey+`
			claim mercure.publish *
		}
	}
	mercure {
		publisher_jwt  `+keys.hubPublisher+`
		subscriber_jwt `+keys.hubSubscriber+`
		transport local
	}
}
`)
			hub := tm.base + "/.well-known/mercure"
			publisher := tm.token(t, "alice", "/mercure/publisher", "", 200, "token")
			publish := func(t *testing.T, token, topic, data string) (int, string) {
				t.Helper()
				form := url.Values{"topic": {topic}, "data": {data}, "private": {"on"}}
				req, _ := http.NewRequest("POST", hub, strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("Authorization", "Bearer "+token)
				resp, err := tm.client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b := new(strings.Builder)
				_, _ = bufio.NewReader(resp.Body).WriteTo(b)
				return resp.StatusCode, b.String()
			}
			// login is a browser tab of user: POST /mercure/login sets the
			// cookie (204), which the tab then sends to the hub.
			login := func(t *testing.T, user, path string) *http.Client {
				t.Helper()
				tab := tm.withJar(t)
				if status, body := tm.call(t, tab, user, "POST", path, ""); status != 204 || len(body) != 0 {
					t.Fatalf("POST %s as %s: %d %s, want 204 and the cookie", path, user, status, body)
				}
				return tab
			}
			// Topics under users/{user}/{resource}: a subscriber may ask for
			// all of them; the hub sends each their own private updates.
			topics := "https://example.com/users/{user}/{resource}"

			t.Run("cookie answer: own private updates only", func(t *testing.T) {
				alice := openEventSource(t, login(t, "alice", "/mercure/login"), hub, topics, "")
				bob := openEventSource(t, login(t, "bob", "/mercure/login"), hub, topics, "")
				// bob's update goes first: had alice been sent it, it would
				// be the first event she reads.
				for _, u := range []struct{ topic, data string }{
					{"https://example.com/users/bob/inbox", "for bob"},
					{"https://example.com/users/alice/inbox", "for alice"},
				} {
					if status, body := publish(t, publisher, u.topic, u.data); status != 200 || !strings.HasPrefix(body, "urn:uuid:") {
						t.Fatalf("publish %s: %d %s, want 200 and the update's id", u.topic, status, body)
					}
				}
				if got := alice.next(t); got != "for alice" {
					t.Errorf("alice's first event %q, want her own update (not bob's)", got)
				}
				if got := bob.next(t); got != "for bob" {
					t.Errorf("bob's first event %q, want his own update", got)
				}
			})

			t.Run("subscriber refusals", func(t *testing.T) {
				token := tm.token(t, "alice", "/mercure/token", "", 200, "token")
				if status := subscribeStatus(t, tm.client, hub, topics, token); status != 200 {
					t.Fatalf("control: the Bearer token from /mercure/token: status %d, want 200", status)
				}
				if status := subscribeStatus(t, tm.client, hub, topics, expired(t, token, keys.subscriberKey)); status != 401 {
					t.Errorf("expired token: status %d, want 401", status)
				}
				if status := subscribeStatus(t, login(t, "alice", "/mercure/wrong-key-login"), hub, topics, ""); status != 401 {
					t.Errorf("cookie signed with another key: status %d, want 401", status)
				}
				if status := subscribeStatus(t, tm.withJar(t), hub, topics, ""); status != 401 {
					t.Errorf("no cookie: status %d, want 401", status)
				}
			})

			t.Run("publisher refusals", func(t *testing.T) {
				for _, p := range []struct{ name, token string }{
					{"wrong key", tm.token(t, "alice", "/mercure/wrong-key-publisher", "", 200, "token")},
					{"expired", expired(t, publisher, keys.publisherKey)},
				} {
					if status, body := publish(t, p.token, "https://example.com/users/alice/inbox", "x"); status != 401 {
						t.Errorf("publish with a %s token: %d %s, want 401", p.name, status, body)
					}
				}
				// The publish claim's template binds the topics.
				if status, _ := publish(t, publisher, "https://example.com/admin/broadcast", "x"); status != 401 {
					t.Errorf("publish outside the token's topics: %d, want 401", status)
				}
			})
		})
	}
}

type mercureKeys struct {
	env                             []string
	hubPublisher, hubSubscriber     string
	publisher, subscriber, wrongKey string
	publisherKey, subscriberKey     any
}

// eventSource reads a hub's server-sent events as a browser's EventSource.
type eventSource struct {
	r *bufio.Reader
}

// openEventSource subscribes to topic through client (whose jar holds the
// cookie), or with a Bearer token, and waits for the hub's 200.
func openEventSource(t *testing.T, client *http.Client, hub, topic, token string) *eventSource {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", hub+"?topic="+url.QueryEscape(topic), nil)
	req.Header.Set("Accept", "text/event-stream")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	sse := *client
	sse.Timeout = 0 // the stream stays open; ctx bounds it
	resp, err := sse.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != 200 {
		t.Fatalf("subscribe: status %d, want 200", resp.StatusCode)
	}
	return &eventSource{r: bufio.NewReader(resp.Body)}
}

// next is the data of the next event (comments and other fields skipped).
func (es *eventSource) next(t *testing.T) string {
	t.Helper()
	var data []string
	for {
		line, err := es.r.ReadString('\n')
		if err != nil {
			t.Fatalf("event stream: %v", err)
		}
		line = strings.TrimRight(line, "\r\n")
		switch {
		case line == "":
			if data != nil {
				return strings.Join(data, "\n")
			}
		case strings.HasPrefix(line, "data:"):
			data = append(data, strings.TrimPrefix(strings.TrimPrefix(line, "data:"), " "))
		}
	}
}

// subscribeStatus is the hub's status for a subscription request.
func subscribeStatus(t *testing.T, client *http.Client, hub, topic, token string) int {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", hub+"?topic="+url.QueryEscape(topic), nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	sse := *client
	sse.Timeout = 0
	resp, err := sse.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
