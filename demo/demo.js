// tokenmint demo page: one card per endpoint of Caddyfile.example. Each
// button sends the request that provider's own front end (or the sample
// its docs point to) sends, and shows the answer with the token decoded.
// No framework, nothing fetched from outside this origin.
'use strict';

// The page knows no secret. /demo/config.json (a Caddy "respond") gives the
// logged-in user and dataBridges' public app key, which the dataBridges
// client sends as "dbappkey" by design.
const config = { user: '', databridges_app_key: '' };

const json = { 'Content-Type': 'application/json' };

// A dataBridges-style session id (the client library makes its own; any
// opaque string works for the demo).
function sessionId() {
	const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
	const bytes = crypto.getRandomValues(new Uint8Array(21));
	return Array.from(bytes, (b) => abc[b % abc.length]).join('');
}

// Each endpoint: what it is, the request its provider's front end sends,
// and where the token is in the answer.
const ENDPOINTS = [
	{
		id: 'hms_app',
		title: '100ms app token',
		about: "As a front end calls the 100ms sample backend's POST /app-token: JSON {room_id, role} " +
			'(it parses JSON bodies only). user_id is the logged-in user; the token goes to ' +
			'hmsActions.join({authToken}).',
		request: () => ({
			method: 'POST', url: '/hms/auth-token', headers: json,
			body: JSON.stringify({ room_id: '633fcdd84208780bf665346a', role: 'guest' }),
		}),
		token: (j) => j && j.token,
	},
	{
		id: 'hms_management',
		title: '100ms management token',
		about: "For your server's calls to the 100ms REST API, not for browsers: keep it on " +
			'your servers. Asked for here (an empty POST) only to show it.',
		request: () => ({ method: 'POST', url: '/hms/management-token' }),
		token: (j) => j && j.token,
	},
	{
		id: 'zoom_video',
		title: 'Zoom Video SDK signature',
		about: "As the Zoom Video SDK UI toolkit sample's getVideoSDKJWT() posts to its auth " +
			'endpoint: JSON {sessionName, role}, here with expirationSeconds from the endpoint ' +
			"sample's documented body. The signature goes to client.join() / uitoolkit.joinSession().",
		request: () => ({
			method: 'POST', url: '/zoom/signature', headers: json,
			body: JSON.stringify({ sessionName: 'Cool Cars', role: 1, expirationSeconds: 3600 }),
		}),
		token: (j) => j && j.signature,
	},
	{
		id: 'viasocket',
		title: 'viaSocket embed token',
		about: "A plain GET; the token goes into the embed script's embedToken attribute. " +
			'org_id and project_id are pinned in the Caddyfile.',
		request: () => ({ method: 'GET', url: '/viasocket/token' }),
		token: (j) => j && j.token,
	},
	{
		id: 'videosdk',
		title: 'VideoSDK.live token',
		about: "As VideoSDK's API server sample is called: GET /get-token?roomId=&peerId=. " +
			'peerId must be the logged-in user (it becomes participantId).',
		request: () => ({
			method: 'GET',
			url: '/videosdk/get-token?' + new URLSearchParams({ roomId: '2kyv-gzay-64pg', peerId: config.user }),
		}),
		token: (j) => j && j.token,
	},
	{
		id: 'databridges',
		title: 'dataBridges trust token',
		about: "As the dataBridges boilerplate's access_token callback posts to /token: JSON " +
			'{ch, sid, dbappkey, act}, with its headers as written there. Always HTTP 200; the ' +
			'outcome is in statuscode.',
		request: () => ({
			method: 'POST', url: '/databridges/token',
			// The boilerplate's headers, its Accept value included.
			headers: { Accept: 'application.json', 'Content-Type': 'application/json' },
			body: JSON.stringify({
				ch: 'prs:lobby', sid: sessionId(), dbappkey: config.databridges_app_key, act: 'channel.subscribe',
			}),
		}),
		token: (j) => j && j.accesskey,
	},
	{
		id: 'app_jwt',
		title: 'Your own JWT (jwt preset)',
		about: 'A GET for a short-lived HS256 token for your own API: sub is the logged-in user, ' +
			'scope an array; the answer carries expires_at.',
		request: () => ({ method: 'GET', url: '/app/token' }),
		token: (j) => j && j.token,
	},
	{
		id: 'inject',
		title: 'Inject mode: /api/whoami',
		about: 'The page sends no token: Caddy mints one and passes the request on to the ' +
			'upstream (the stand-in on :8081) with Authorization: Bearer <token>; the stand-in echoes it.',
		request: () => ({ method: 'GET', url: '/api/whoami' }),
		token: (j, text) => {
			const m = /Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)/.exec(text);
			return m && m[1];
		},
	},
];

// ---- decoding --------------------------------------------------------------

function base64urlDecode(s) {
	let b = s.replace(/-/g, '+').replace(/_/g, '/');
	b += '='.repeat((4 - (b.length % 4)) % 4);
	const bin = atob(b);
	return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
}

function decodeJWT(token) {
	const parts = token.split('.');
	if (parts.length !== 3) throw new Error('not a JWT: ' + parts.length + ' parts');
	return { header: JSON.parse(base64urlDecode(parts[0])), claims: JSON.parse(base64urlDecode(parts[1])), parts };
}

const TIME_CLAIMS = ['iat', 'nbf', 'exp'];

// JSON.stringify(v, null, 2), but arrays of scalars on one line: the text
// stays JSON (the browser test parses it) and short claims stay short.
function pretty(v, indent = '') {
	if (Array.isArray(v) && v.every((i) => i === null || typeof i !== 'object')) {
		return '[' + v.map((i) => JSON.stringify(i)).join(', ') + ']';
	}
	if (v === null || typeof v !== 'object') return JSON.stringify(v);
	const inner = indent + '  ';
	const items = Array.isArray(v)
		? v.map((i) => inner + pretty(i, inner))
		: Object.entries(v).map(([k, i]) => inner + JSON.stringify(k) + ': ' + pretty(i, inner));
	if (items.length === 0) return Array.isArray(v) ? '[]' : '{}';
	const [open, close] = Array.isArray(v) ? ['[', ']'] : ['{', '}'];
	return open + '\n' + items.join(',\n') + '\n' + indent + close;
}

function isoDate(secs) {
	return new Date(secs * 1000).toISOString().replace('.000Z', 'Z');
}

function duration(secs) {
	if (secs % 86400 === 0 && secs > 172800) return secs / 86400 + 'd';
	if (secs % 3600 === 0) return secs / 3600 + 'h';
	if (secs % 60 === 0) return secs / 60 + 'm';
	return secs + 's';
}

// ---- rendering -------------------------------------------------------------

function el(tag, attrs, ...children) {
	const e = document.createElement(tag);
	for (const [k, v] of Object.entries(attrs || {})) {
		if (k === 'class') e.className = v;
		else e.setAttribute(k, v);
	}
	for (const c of children) e.append(c);
	return e;
}

function requestText(req) {
	let s = req.method + ' ' + req.url + '\n';
	for (const [k, v] of Object.entries(req.headers || {})) s += k + ': ' + v + '\n';
	if (req.body !== undefined) s += '\n' + req.body;
	return s.trimEnd();
}

function prettyBody(text, contentType) {
	if (/json/.test(contentType || '')) {
		try {
			return pretty(JSON.parse(text));
		} catch (_) { /* show it raw */ }
	}
	return text;
}

function card(ep) {
	const button = el('button', { class: 'call', type: 'button', 'data-preset': ep.id }, 'Call');
	const section = el('section', { class: 'card', id: 'card-' + ep.id, 'data-preset': ep.id, 'data-state': 'idle' },
		el('div', { class: 'card-head' },
			el('h2', {}, ep.title, ' ', el('code', { class: 'name' }, ep.id)),
			button),
		el('p', { class: 'about' }, ep.about),
		el('div', { class: 'cols' },
			el('div', { class: 'col' },
				el('h3', {}, 'Request'),
				el('pre', { class: 'request' }),
				el('h3', {}, 'Response ', el('span', { class: 'status', 'data-status': '' }, 'not called yet')),
				el('pre', { class: 'body' }, '—'),
				el('h3', {}, 'Token'),
				el('pre', { class: 'token' }, '—')),
			el('div', { class: 'col' },
				el('h3', {}, 'Header'),
				el('pre', { class: 'header' }, '—'),
				el('h3', {}, 'Claims'),
				el('pre', { class: 'claims' }, '—'),
				el('h3', {}, 'Times'),
				el('ul', { class: 'times' }, el('li', { class: 'muted' }, '—')))));
	button.addEventListener('click', () => call(ep, section));
	return section;
}

function showRequest(ep, section) {
	ep.current = ep.request();
	section.querySelector('.request').textContent = requestText(ep.current);
	section.querySelector('.call').textContent = 'Call ' + ep.current.method + ' ' + ep.current.url.split('?')[0];
}

function showToken(pre, parts) {
	pre.replaceChildren(
		el('span', { class: 't-h' }, parts[0]), '.',
		el('span', { class: 't-p' }, parts[1]), '.',
		el('span', { class: 't-s' }, parts[2]));
}

function showTimes(ul, claims) {
	const items = [];
	for (const name of TIME_CLAIMS) {
		if (typeof claims[name] === 'number') {
			items.push(el('li', { 'data-claim': name }, el('code', {}, name), ' ' + claims[name] + ' = ',
				el('time', { datetime: isoDate(claims[name]) }, isoDate(claims[name]))));
		}
	}
	if (typeof claims.exp === 'number' && typeof claims.iat === 'number') {
		items.push(el('li', { class: 'muted' }, 'valid for ' + duration(claims.exp - claims.iat) + ' (exp − iat)'));
	}
	if (typeof claims.exp !== 'number') items.push(el('li', { class: 'muted' }, 'no exp: this token does not expire'));
	ul.replaceChildren(...items);
}

async function call(ep, section) {
	const q = (s) => section.querySelector(s);
	showRequest(ep, section); // each call builds its request afresh (a new dataBridges sid)
	section.dataset.state = 'pending';
	q('.status').textContent = 'calling…';
	q('.status').dataset.status = '';
	try {
		const req = ep.current;
		const res = await fetch(req.url, { method: req.method, headers: req.headers, body: req.body });
		const text = await res.text();
		const ct = res.headers.get('Content-Type') || '';
		let parsed = null;
		try { parsed = JSON.parse(text); } catch (_) { /* not JSON: the inject echo */ }
		q('.status').textContent = res.status + ' ' + res.statusText;
		q('.status').dataset.status = String(res.status);
		q('.status').className = 'status ' + (res.ok ? 'ok' : 'bad');
		q('.body').textContent = prettyBody(text, ct);
		q('.body').dataset.raw = text;
		const token = ep.token(parsed, text);
		if (!token) {
			q('.token').textContent = '(no token in the answer)';
			q('.header').textContent = q('.claims').textContent = '—';
			q('.times').replaceChildren(el('li', { class: 'muted' }, '—'));
			section.dataset.state = 'error';
			return;
		}
		const jwt = decodeJWT(token);
		showToken(q('.token'), jwt.parts);
		q('.header').textContent = pretty(jwt.header);
		q('.claims').textContent = pretty(jwt.claims);
		showTimes(q('.times'), jwt.claims);
		section.dataset.state = res.ok ? 'done' : 'error';
	} catch (err) {
		q('.status').textContent = 'failed: ' + err.message;
		q('.status').className = 'status bad';
		section.dataset.state = 'error';
	}
}

async function main() {
	try {
		const res = await fetch('/demo/config.json', { cache: 'no-store' });
		Object.assign(config, await res.json());
	} catch (err) {
		console.warn('demo config:', err);
	}
	document.getElementById('user').textContent = config.user || '(unknown)';
	const cards = document.getElementById('cards');
	for (const ep of ENDPOINTS) {
		const section = card(ep);
		showRequest(ep, section);
		cards.append(section);
	}
	document.getElementById('call-all').addEventListener('click', () => {
		for (const b of document.querySelectorAll('button.call')) b.click();
	});
	document.body.dataset.ready = 'true';
}

main();
