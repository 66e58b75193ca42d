// tokenmint demo page: a card per entry of endpoints.json (demo/README.md),
// in collapsible groups. Each card sends the request that provider's own
// front end (or the sample its docs point to) sends, and shows the answer
// with the token decoded. endpoints.mjs builds the requests and finds the
// tokens, for this page and for the checks alike. No framework, nothing
// fetched from outside this origin.
import { decodeJWT, parse, place, request, sessionId, tokenIn } from './endpoints.mjs';

// The page knows no secret. /demo/config.json (a Caddy "respond") gives the
// logged-in user and dataBridges' public app key, which the dataBridges
// client sends as "dbappkey" by design.
const config = { user: '', databridges_app_key: '' };

// ---- the URL-credentials case --------------------------------------------------

// Opened as http://user:pw@host/, the document's URL keeps the login, and
// fetch() refuses every request whose URL (relative ones included) holds
// credentials: say so, and link to the address without them. Chrome hides
// the login from location.href, so the first failed fetch() tells too.
function credentialsInURL() {
	return [location.href, document.baseURI].some((href) => {
		const u = new URL(href);
		return u.username !== '' || u.password !== '';
	});
}

function isCredentialsError(err) {
	return err instanceof TypeError && /credentials/i.test(err.message);
}

function showCredentialsBanner(how) {
	const u = new URL(location.href);
	u.username = '';
	u.password = '';
	u.hash = '';
	document.getElementById('credentials-url').textContent = `${u.protocol}//user:password@${u.host}${u.pathname}`;
	const link = document.getElementById('credentials-link');
	link.href = u.href;
	link.textContent = u.href;
	document.getElementById('credentials').hidden = false;
	document.getElementById('call-all').disabled = true;
	document.body.dataset.credentials = how; // 'address' or 'fetch': how the page found out
}

// ---- decoding and formatting -----------------------------------------------------

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

function prettyBody(text, contentType) {
	if (/json/.test(contentType || '')) {
		try {
			return pretty(JSON.parse(text));
		} catch (_) { /* show it raw */ }
	}
	return text;
}

// ---- rendering -----------------------------------------------------------------

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

function vars() {
	return { user: config.user, databridges_app_key: config.databridges_app_key, origin: location.origin, sid: sessionId() };
}

function card(ep) {
	const button = el('button', { class: 'call', type: 'button', 'data-endpoint': ep.id }, 'Call');
	const section = el('section', {
		class: 'card', id: 'card-' + ep.id, 'data-endpoint': ep.id, 'data-preset': ep.preset,
		'data-state': 'idle', 'data-calls': '0',
	},
	el('div', { class: 'card-head' },
		el('h3', {}, ep.title, ' ', el('code', { class: 'name' }, ep.preset)),
		button),
	el('p', { class: 'about' }, ep.about),
	el('p', { class: 'expect' }, `Expects ${ep.status}, the token in ${place(ep)}, ${ep.alg}.`),
	el('div', { class: 'cols' },
		el('div', { class: 'col' },
			el('h4', {}, 'Request'),
			el('pre', { class: 'request' }),
			el('h4', {}, 'Response ', el('span', { class: 'status', 'data-status': '' }, 'not called yet')),
			el('pre', { class: 'body' }, '—'),
			el('h4', {}, 'Token'),
			el('pre', { class: 'token' }, '—')),
		el('div', { class: 'col' },
			el('h4', {}, 'Header'),
			el('pre', { class: 'header' }, '—'),
			el('h4', {}, 'Claims'),
			el('pre', { class: 'claims' }, '—'),
			el('h4', {}, 'Times'),
			el('ul', { class: 'times' }, el('li', { class: 'muted' }, '—')))));
	button.addEventListener('click', () => call(ep, section));
	showRequest(ep, section, request(ep, vars()));
	return section;
}

function group(g, cards) {
	const callAll = el('button', { class: 'call-group', type: 'button', 'data-group': g.id },
		`Call every endpoint (${cards.length})`);
	callAll.addEventListener('click', (e) => {
		e.preventDefault(); // a button in a summary: calling must not fold the group
		for (const c of cards) c.querySelector('button.call').click();
	});
	return el('details', { class: 'group', id: 'group-' + g.id, 'data-group': g.id, open: '' },
		el('summary', {},
			el('h2', {}, g.title),
			el('span', { class: 'count' }, `${cards.length} endpoint${cards.length === 1 ? '' : 's'}`),
			el('span', { class: 'progress' }),
			callAll),
		...cards);
}

function showRequest(ep, section, req) {
	section.querySelector('.request').textContent = requestText(req);
	section.querySelector('.call').textContent = 'Call ' + req.method + ' ' + req.url.split('?')[0];
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

function clearToken(q, text) {
	q('.token').textContent = text;
	q('.token').classList.add('note');
	q('.header').textContent = q('.claims').textContent = '—';
	q('.times').replaceChildren(el('li', { class: 'muted' }, '—'));
}

async function call(ep, section) {
	const q = (s) => section.querySelector(s);
	const req = request(ep, vars()); // each call builds its request afresh (a new dataBridges sid)
	showRequest(ep, section, req);
	section.dataset.state = 'pending';
	q('.status').textContent = 'calling…';
	q('.status').className = 'status';
	q('.status').dataset.status = '';
	try {
		const res = await fetch(req.url, { method: req.method, headers: req.headers, body: req.body });
		const text = await res.text();
		let json;
		try { json = JSON.parse(text); } catch (_) { /* text: Ably's token, the inject echo */ }
		const expected = res.status === ep.status;
		q('.status').textContent = res.status + ' ' + res.statusText;
		q('.status').dataset.status = String(res.status);
		q('.status').className = 'status ' + (expected ? 'ok' : 'bad');
		q('.body').textContent = text === '' ? '(empty)' : prettyBody(text, res.headers.get('Content-Type'));
		q('.body').dataset.raw = text;
		// A page cannot read Set-Cookie: fetch() hides it.
		const found = tokenIn(ep, { text, json, cookies: null });
		if (found.unreadable) {
			clearToken(q, `In the cookie ${ep.token.slice('cookie:'.length)} (Set-Cookie, HttpOnly): the browser keeps it ` +
				'and sends it where its Path says, but no script can read it, this page included. That is the point.');
			q('.token').dataset.cookie = ep.token.slice('cookie:'.length);
			section.dataset.state = expected ? 'done' : 'error';
			return;
		}
		if (!found.token) {
			clearToken(q, `(no token in the answer: ${found.why})`);
			section.dataset.state = 'error';
			return;
		}
		const jwt = decodeJWT(found.token);
		q('.token').classList.remove('note');
		showToken(q('.token'), jwt.parts);
		q('.header').textContent = pretty(jwt.header);
		q('.claims').textContent = pretty(jwt.claims);
		showTimes(q('.times'), jwt.claims);
		section.dataset.state = expected ? 'done' : 'error';
	} catch (err) {
		if (isCredentialsError(err)) showCredentialsBanner('fetch');
		q('.status').textContent = 'failed: ' + err.message;
		q('.status').className = 'status bad';
		section.dataset.state = 'error';
	} finally {
		section.dataset.calls = String(Number(section.dataset.calls) + 1);
		progress();
	}
}

// progress counts the cards that answered as their entry expects, per
// group and in all.
function progress() {
	const count = (root) => {
		const cards = [...root.querySelectorAll('section.card')];
		const done = cards.filter((c) => c.dataset.state === 'done').length;
		const bad = cards.filter((c) => c.dataset.state === 'error').length;
		return { total: cards.length, done, bad };
	};
	const text = ({ done, bad }) => (done + bad === 0 ? '' : `${done} as expected${bad ? `, ${bad} not` : ''}`);
	for (const g of document.querySelectorAll('details.group')) {
		g.querySelector('.progress').textContent = text(count(g));
	}
	const t = count(document);
	document.getElementById('summary').textContent = `${t.total} endpoints` + (text(t) ? `: ${text(t)}` : '');
}

async function main() {
	const groups = document.getElementById('groups');
	if (credentialsInURL()) {
		showCredentialsBanner('address');
		document.body.dataset.ready = 'true';
		return;
	}
	let file;
	try {
		const res = await fetch('/endpoints.json', { cache: 'no-store' });
		if (!res.ok) throw new Error(`/endpoints.json: ${res.status} ${res.statusText}`);
		file = parse(await res.text());
	} catch (err) {
		if (isCredentialsError(err)) showCredentialsBanner('fetch');
		else groups.append(el('p', { class: 'banner' }, 'Cannot load the endpoints: ' + err.message));
		document.body.dataset.ready = 'true';
		return;
	}
	try {
		const res = await fetch('/demo/config.json', { cache: 'no-store' });
		Object.assign(config, await res.json());
	} catch (err) {
		console.warn('demo config:', err);
	}
	document.getElementById('user').textContent = config.user || '(unknown)';
	for (const g of file.groups) groups.append(group(g, g.endpoints.map(card)));
	document.getElementById('call-all').addEventListener('click', () => {
		for (const b of document.querySelectorAll('button.call')) b.click();
	});
	progress();
	document.body.dataset.ready = 'true';
}

main();
