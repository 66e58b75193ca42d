package caddymodule

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestTiptapContract: the user's own documents by a pattern, shared ones
// that a request may narrow to within allow; a document outside is 403.
func TestTiptapContract(t *testing.T) {
	tester := serve(t, `
http://localhost:9080 {
	basic_auth {
		alice `+aliceHash+`
	}
	handle /collab/token {
		provider_token tiptap {
			secret {env.TM_SECRET}
			claim  allowedDocumentNames user-{http.auth.user.id}/* shared/handbook
			claim  readonlyDocumentNames shared/handbook
			allow  allowedDocumentNames user-{http.auth.user.id}/* shared/handbook shared/faq
		}
	}
}
`)
	start := time.Now()
	r := call(t, tester, "GET", "/collab/token", "", alice...)
	wantStatus(t, r, 200)
	_, c := claims(t, r.json(t)["token"].(string), "HS256", testSecret)
	if c["sub"] != "alice" || !reflect.DeepEqual(c["allowedDocumentNames"], []any{"user-alice/*", "shared/handbook"}) ||
		!reflect.DeepEqual(c["readonlyDocumentNames"], []any{"shared/handbook"}) {
		t.Errorf("claims = %v", c)
	}
	lifetime(t, c, start, 3600)

	r = call(t, tester, "POST", "/collab/token", `{"documents":["shared/faq"]}`, alice...)
	wantStatus(t, r, 200)
	_, c = claims(t, r.json(t)["token"].(string), "HS256", testSecret)
	if !reflect.DeepEqual(c["allowedDocumentNames"], []any{"shared/faq"}) {
		t.Errorf("allowedDocumentNames = %v, want the request's allowed one", c["allowedDocumentNames"])
	}

	for _, tc := range []struct{ name, body string }{
		{"a document outside allow", `{"documents":["user-bob/*"]}`},
		{"every document", `{"documents":["*"]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, tester, "POST", "/collab/token", tc.body, alice...)
			wantStatus(t, r, 403)
			if b := r.json(t); b["error"] != "forbidden" || b["field"] != "documents" {
				t.Errorf("body %s, want forbidden on documents", r.body)
			}
			noToken(t, r.body)
		})
	}
	t.Run("no documents: refused at load", func(t *testing.T) {
		_, err := adapt(t, site("provider_token tiptap {\n\tsecret x\n}"))
		if err == nil || !strings.Contains(err.Error(), "needs `claim allowedDocumentNames <value>`") {
			t.Fatalf("adapt: %v, want the missing claim named", err)
		}
	})
}
