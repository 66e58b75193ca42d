// Reading demo/endpoints.json (described in demo/README.md): the one list
// of the demo's requests. The demo page, .ci/smoke (demo/test/smoke.mjs)
// and the browser test (demo/test/browser.mjs) all build their requests
// and find the token in the answer with these functions, so what the page
// sends is what the checks check. Plain functions, no DOM and no Node API:
// the page imports this file as a module, Node imports it from disk.

const PLACEHOLDER = /\{\{([a-z_]+)\}\}/g;

// The values a {{name}} placeholder can take. The page fills user and
// databridges_app_key from /demo/config.json, origin with its own, and
// makes a fresh sid per call.
export const VARS = ['user', 'sid', 'databridges_app_key', 'origin'];

// A fresh dataBridges-style session id (its client library makes its own;
// any opaque string works for the demo).
export function sessionId() {
	const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
	const bytes = crypto.getRandomValues(new Uint8Array(21));
	return Array.from(bytes, (b) => abc[b % abc.length]).join('');
}

function contentType(ep) {
	const name = Object.keys(ep.headers || {}).find((k) => k.toLowerCase() === 'content-type');
	return name ? ep.headers[name] : '';
}

// How a value is written where its placeholder stands: URL-encoded in the
// path, as JSON string content in a JSON body, as it is elsewhere.
function encoders(ep) {
	const inBody = /json/.test(contentType(ep)) ? (v) => JSON.stringify(String(v)).slice(1, -1) : String;
	return { path: encodeURIComponent, body: inBody, header: String };
}

export function fill(text, vars, encode = String) {
	return text.replace(PLACEHOLDER, (_, name) => {
		if (!(name in vars)) throw new Error(`no value for {{${name}}}`);
		return encode(vars[name]);
	});
}

// request builds an entry's request: {method, url (path and query),
// headers, body}.
export function request(ep, vars) {
	const enc = encoders(ep);
	const headers = {};
	for (const [k, v] of Object.entries(ep.headers || {})) headers[k] = fill(v, vars, enc.header);
	const req = { method: ep.method, url: fill(ep.path, vars, enc.path), headers };
	if (ep.body !== undefined) req.body = fill(ep.body, vars, enc.body);
	return req;
}

// unfill matches a text sent against an entry's template (its path or
// body) and returns the values its placeholders took, or null when the text
// is not the template's.
export function unfill(ep, part, text) {
	const template = ep[part] || '';
	const decode = part === 'path' ? decodeURIComponent
		: /json/.test(contentType(ep)) ? (s) => JSON.parse(`"${s}"`) : (s) => s;
	const names = [];
	const source = template.split(PLACEHOLDER).map((piece, i) => {
		if (i % 2 === 1) {
			names.push(piece);
			return '(.*?)';
		}
		return piece.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
	}).join('');
	const m = new RegExp(`^${source}$`, 's').exec(text);
	if (!m) return null;
	const vars = {};
	for (const [i, name] of names.entries()) {
		const v = decode(m[i + 1]);
		if (name in vars && vars[name] !== v) return null;
		vars[name] = v;
	}
	return vars;
}

const JWT_TEXT = /^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

// tokenIn finds the token where the entry says it is. answer is
// {text, json (parsed, or undefined), cookies (the Set-Cookie values, or
// null where they cannot be read, as in a page)}. It returns {token} or
// {token: null, why}; {token: null, unreadable: true} for a cookie the
// caller cannot see.
export function tokenIn(ep, answer) {
	const [kind, arg] = splitWhere(ep.token);
	let token;
	switch (kind) {
	case 'json': {
		let v = answer.json;
		for (const member of arg.split('.')) v = v !== null && typeof v === 'object' ? v[member] : undefined;
		token = typeof v === 'string' ? v : undefined;
		if (token === undefined) return { token: null, why: `no string at ${arg} in the JSON answer` };
		break;
	}
	case 'text':
		token = answer.text.trim();
		break;
	case 'cookie': {
		if (answer.cookies === null) return { token: null, unreadable: true, why: `the ${arg} cookie is HttpOnly` };
		const c = answer.cookies.find((s) => s.startsWith(arg + '='));
		if (!c) return { token: null, why: `no Set-Cookie ${arg}` };
		token = c.slice(arg.length + 1).split(';')[0];
		break;
	}
	case 'echo': {
		const m = /Bearer (\S+)/.exec(answer.text);
		if (!m) return { token: null, why: 'no "Bearer <token>" in the echo' };
		token = m[1];
		break;
	}
	default:
		return { token: null, why: `unknown token place ${ep.token}` };
	}
	if (!JWT_TEXT.test(token)) return { token: null, why: `not a JWT: ${JSON.stringify(token.slice(0, 40))}` };
	return { token };
}

function splitWhere(where) {
	const i = where.indexOf(':');
	return i < 0 ? [where, ''] : [where.slice(0, i), where.slice(i + 1)];
}

// place says in words where an entry's token is.
export function place(ep) {
	const [kind, arg] = splitWhere(ep.token);
	return {
		json: `JSON member ${arg}`,
		text: 'the whole body',
		cookie: `Set-Cookie ${arg}`,
		echo: "the upstream's echo of Authorization",
	}[kind] || ep.token;
}

function base64urlDecode(s) {
	let b = s.replace(/-/g, '+').replace(/_/g, '/');
	b += '='.repeat((4 - (b.length % 4)) % 4);
	const bin = atob(b);
	return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
}

export function decodeJWT(token) {
	const parts = token.split('.');
	if (parts.length !== 3) throw new Error('not a JWT: ' + parts.length + ' parts');
	return { header: JSON.parse(base64urlDecode(parts[0])), claims: JSON.parse(base64urlDecode(parts[1])), parts };
}

// mismatches compares got with want as the entries' claims, header and
// answer mean it: every member want lists must be in got with that value;
// objects are compared member by member (members want does not list are
// free), arrays and other values exactly; null means "absent or null";
// {{name}} in a string is vars' value. Returns a list of "path: got X,
// want Y".
export function mismatches(got, want, vars, path = '') {
	if (want === null) return got === undefined || got === null ? [] : [`${path}: got ${JSON.stringify(got)}, want it absent`];
	if (typeof want === 'object' && !Array.isArray(want)) {
		if (got === null || typeof got !== 'object' || Array.isArray(got)) {
			return [`${path || '.'}: got ${JSON.stringify(got)}, want an object`];
		}
		return Object.entries(want).flatMap(([k, w]) => mismatches(got[k], w, vars, path ? `${path}.${k}` : k));
	}
	const expected = filled(want, vars);
	return JSON.stringify(got) === JSON.stringify(expected) ? [] : [`${path}: got ${JSON.stringify(got)}, want ${JSON.stringify(expected)}`];
}

function filled(v, vars) {
	if (typeof v === 'string') return fill(v, vars);
	if (Array.isArray(v)) return v.map((x) => filled(x, vars));
	if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, filled(x, vars)]));
	return v;
}

// parse reads endpoints.json's text (the Go program demo/endpoints and
// its test check the file in depth).
export function parse(text) {
	const file = JSON.parse(text);
	if (!Array.isArray(file.groups)) throw new Error('endpoints.json: no groups');
	return file;
}

// all lists every endpoint, each with its group's id.
export function all(file) {
	return file.groups.flatMap((g) => g.endpoints.map((ep) => ({ ...ep, group: g.id })));
}
