package tokens

import (
	_ "embed"
	"time"
)

// Tiptap Collaboration (Tiptap Cloud, or an on-premises document server)
// JWT (Sources below). Tiptap's authentication docs: HS256 with the app's
// secret; sub the user; allowedDocumentNames the documents the token may
// open, with trailing * wildcards ("project-alpha/*"); omitted means every
// document, [] none; readonlyDocumentNames and commentDocumentNames; the
// docs' sample is jsonwebtoken.sign(data, secret), so header
// {"alg":"HS256","typ":"JWT"} and an iat. The replit sample signs with
// jose's setIssuedAt. The provider's token is a string or a function that
// returns one, which the client calls to fetch a fresh token.
//
// Our choices, where the sources leave room:
//   - allowedDocumentNames is required: a token without it opens every
//     document, so a config must name them. A request may name documents
//     (documents, an array) only among the values allow lists, compared
//     exactly: the allow list is not matched against wildcards.
//   - readonlyDocumentNames and commentDocumentNames are config only.
//   - exp is always set (whether Tiptap enforces it is unconfirmed; the
//     safe reading is to send it): 1h by default, 1m..24h.
//   - The answer is {"token"} (the docs name no shape).

//go:embed guides/tiptap.md
var tiptapGuide string

func init() {
	docs := Limits{MaxLen: 512, Chars: printable, MaxItems: 100}
	Register(&Preset{
		Name:    "tiptap",
		Summary: "Tiptap Collaboration JWT (document server), with the documents it may open",
		Guide:   tiptapGuide,
		Sources: []string{
			"https://tiptap.dev/docs/collaboration/getting-started/authenticate",
			"https://github.com/ueberdosis/tiptap-docs/blob/23a3a93b/src/content/collaboration/getting-started/authenticate.mdx",
			"https://github.com/ueberdosis/tiptap-collab-replit/blob/0d273d86/src/pages/Collab.vue",
			"https://github.com/ueberdosis/hocuspocus/blob/00098082/packages/provider/src/TiptapCollabProvider.ts",
			"https://www.npmjs.com/package/@hocuspocus/provider/v/4.8.0",
		},
		Claims: []Claim{
			{Name: "sub", Type: String, User: true, Limits: Limits{MaxLen: 256, Chars: printable},
				Doc: "the user, shown in history and comments"},
			{Name: "allowedDocumentNames", Type: Strings, Privileged: true, Required: true, Param: []string{"documents"},
				Limits: docs, Doc: `the documents the token opens; a trailing * matches a prefix ("org-42/*"); required, since omitting it opens every document`},
			{Name: "readonlyDocumentNames", Type: Strings, Privileged: true, Limits: docs,
				Doc: "documents opened read-only"},
			{Name: "commentDocumentNames", Type: Strings, Privileged: true, Limits: docs,
				Doc: "documents where the user may only comment"},
			{Name: "iat", Type: Time, Gen: GenIssuedAt},
			{Name: "exp", Type: Time, Gen: GenExpiry},
		},
		TTL:      TTL{Default: time.Hour, Min: time.Minute, Max: 24 * time.Hour},
		Envelope: Envelope{Token: TokenJSON("token")},
	})
}
