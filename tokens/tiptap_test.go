package tokens

import (
	"net/http"
	"strings"
	"testing"
)

func TestTiptapGolden(t *testing.T) {
	for _, tc := range []struct {
		name   string
		cfg    Config
		params map[string]Value
		want   string
	}{
		{"the docs' example", Config{Claims: map[string][]string{
			"allowedDocumentNames": {"org-42/*"}, "readonlyDocumentNames": {"org-42/handbook"}}}, nil,
			`{"sub":"user_1","allowedDocumentNames":["org-42/*"],"readonlyDocumentNames":["org-42/handbook"],"iat":1764000000,"exp":1764003600}`},
		{"per-user documents from a placeholder, comment-only ones", Config{Claims: map[string][]string{
			"allowedDocumentNames": {"user-{user}/*", "shared/faq"}, "commentDocumentNames": {"shared/faq"}}}, nil,
			`{"sub":"user_1","allowedDocumentNames":["user-user_1/*","shared/faq"],"commentDocumentNames":["shared/faq"],"iat":1764000000,"exp":1764003600}`},
		{"the request narrows to allowed documents", Config{
			Claims: map[string][]string{"allowedDocumentNames": {"doc-a", "doc-b"}},
			Allow:  map[string][]string{"allowedDocumentNames": {"doc-a", "doc-b"}}},
			map[string]Value{"documents": L("doc-b")},
			`{"sub":"user_1","allowedDocumentNames":["doc-b"],"iat":1764000000,"exp":1764003600}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := compile(t, "tiptap", tc.cfg)
			in := bodyInput("user_1", tc.params)
			in.Request.(*fakeRequest).vars = map[string]string{"user": "user_1"}
			m := golden(t, tmpl, in, hs256Header, tc.want)
			if got := rawPayload(t, m.Token); got != tc.want {
				t.Errorf("raw payload:\n got %s\nwant %s", got, tc.want)
			}
			wantAnswer(t, tmpl, &m, 200, "application/json", `{"token":"`+m.Token+`"}`)
		})
	}
}

func TestTiptapRefusals(t *testing.T) {
	pinned := compile(t, "tiptap", Config{Claims: map[string][]string{"allowedDocumentNames": {"org-42/*"}}})
	allowed := compile(t, "tiptap", Config{Claims: map[string][]string{"allowedDocumentNames": {"doc-a"}},
		Allow: map[string][]string{"allowedDocumentNames": {"doc-a", "doc-b"}}})
	for _, tc := range []struct {
		name   string
		tmpl   *Template
		in     Input
		status int
		field  string
	}{
		{"no user", pinned, bodyInput("", nil), http.StatusUnauthorized, ""},
		{"documents without allow", pinned, bodyInput("u", map[string]Value{"documents": L("org-42/x")}), http.StatusForbidden, "documents"},
		{"a wildcard the config does not list", allowed, bodyInput("u", map[string]Value{"documents": L("*")}), http.StatusForbidden, "documents"},
		{"one allowed and one not", allowed, bodyInput("u", map[string]Value{"documents": L("doc-a", "doc-c")}), http.StatusForbidden, "documents"},
		{"an empty list", allowed, bodyInput("u", map[string]Value{"documents": L()}), http.StatusBadRequest, "documents"},
	} {
		t.Run(tc.name, func(t *testing.T) { refusal(t, tc.tmpl, tc.in, tc.status, tc.field) })
	}
	p, _ := Lookup("tiptap")
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"no documents: every document would open", Config{}, "needs `claim allowedDocumentNames <value>`"},
		{"RS256", Config{Signer: mustAsym(t, "RS256", testRSAKey()), Claims: map[string][]string{"allowedDocumentNames": {"a"}}}, "signed with HS256"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.cfg.Signer == nil {
				tc.cfg.Signer = mustHMAC(t, "HS256", testSecret)
			}
			if _, err := Compile(p, tc.cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Compile: %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
