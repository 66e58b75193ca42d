// Browser test of the demo page (demo/index.html), run by .ci/browser-test,
// which sources demo/demo.env and starts ./xcaddy.sh run first.
//
// Debian's chromium, headless, driven by playwright-core: log in through
// basic_auth (httpCredentials), click every endpoint's button, and check
// what the page shows against the network and against the tokens' HS256
// signatures, verified here with the demo secrets from the environment.
// Saves a full-page screenshot to $ARTIFACT_DIR/demo.png.
import { chromium } from 'playwright-core';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

function need(name) {
	const v = process.env[name];
	if (!v) {
		console.error(`browser: ${name} is not set (source demo/demo.env, as .ci/browser-test does)`);
		process.exit(2);
	}
	return v;
}

const BASE = process.env.DEMO_URL || 'http://localhost:8080/';
// The front end on another origin that Caddyfile.example serves and lists in
// cors for /cross-origin/hms-token.
const FRONT = process.env.DEMO_FRONT_URL || 'http://localhost:8082/';
const CROSS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'cross-origin');
const ORIGIN = new URL(BASE).origin;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ARTIFACT_DIR = resolve(process.env.ARTIFACT_DIR || 'artifacts');
const USER = need('TOKENMINT_DEMO_USER');
const PASSWORD = need('TOKENMINT_DEMO_PASSWORD');
// Every secret the demo signs with; none may reach the page.
const SECRETS = ['HMS_SECRET', 'ZOOM_SDK_SECRET', 'VIASOCKET_ACCESS_KEY', 'VIDEOSDK_SECRET',
	'DATABRIDGES_APP_SECRET', 'APP_JWT_SECRET', 'APP_SESSION_SECRET'];
const env = Object.fromEntries([...SECRETS, 'HMS_ACCESS_KEY', 'ZOOM_SDK_KEY', 'VIDEOSDK_API_KEY',
	'DATABRIDGES_APP_KEY'].map((n) => [n, need(n)]));

const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const JWT = /^eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

// What each card must send (as its provider's front end does) and what the
// token it gets must hold. x.sent is the request body as sent (parsed), or
// the query parameters; x.body the parsed answer.
const ENDPOINTS = [
	{
		id: 'hms_app', method: 'POST', path: '/hms/auth-token', contentType: 'application/json',
		sentKeys: ['role', 'room_id'], secret: 'HMS_SECRET', token: (b) => b.token,
		expect(c, x) {
			x.eq('user_id', c.user_id, USER);
			x.eq('role', c.role, 'guest');
			x.eq('type', c.type, 'app');
			x.eq('version', c.version, 2);
			x.eq('room_id', c.room_id, x.sent.room_id);
			x.eq('access_key', c.access_key, env.HMS_ACCESS_KEY);
			x.ok('jti UUIDv4', UUID4.test(c.jti));
			x.eq('nbf', c.nbf, c.iat);
			x.eq('exp-iat', c.exp - c.iat, 86400);
			x.eq('success', x.body.success, true);
		},
	},
	{
		id: 'hms_management', method: 'POST', path: '/hms/management-token', contentType: null,
		sentKeys: null, secret: 'HMS_SECRET', token: (b) => b.token,
		expect(c, x) {
			x.eq('type', c.type, 'management');
			x.eq('version', c.version, 2);
			x.eq('access_key', c.access_key, env.HMS_ACCESS_KEY);
			x.ok('no user_id', !('user_id' in c));
			x.ok('jti UUIDv4', UUID4.test(c.jti));
			x.eq('exp-iat', c.exp - c.iat, 3600);
		},
	},
	{
		id: 'zoom_video', method: 'POST', path: '/zoom/signature', contentType: 'application/json',
		sentKeys: ['expirationSeconds', 'role', 'sessionName'], secret: 'ZOOM_SDK_SECRET', token: (b) => b.signature,
		expect(c, x) {
			x.eq('tpc', c.tpc, x.sent.sessionName);
			x.eq('user_identity', c.user_identity, USER);
			x.eq('role_type', c.role_type, x.sent.role);
			x.eq('app_key', c.app_key, env.ZOOM_SDK_KEY);
			x.eq('version', c.version, 1);
			x.eq('exp-iat', c.exp - c.iat, x.sent.expirationSeconds);
			x.eq('answer keys', Object.keys(x.body), ['signature']);
		},
	},
	{
		id: 'viasocket', method: 'GET', path: '/viasocket/token', contentType: null,
		sentKeys: null, secret: 'VIASOCKET_ACCESS_KEY', token: (b) => b.token,
		expect(c, x) {
			x.eq('user_id', c.user_id, USER);
			x.eq('org_id', c.org_id, '8069');
			x.eq('project_id', c.project_id, 'projmdFTEvPR');
			x.eq('exp-iat', c.exp - c.iat, 86400);
		},
	},
	{
		id: 'videosdk', method: 'GET', path: '/videosdk/get-token', contentType: null,
		sentKeys: null, query: ['peerId', 'roomId'], secret: 'VIDEOSDK_SECRET', token: (b) => b.token,
		expect(c, x) {
			x.eq('roomId', c.roomId, x.sent.roomId);
			x.eq('roomId', c.roomId, '2kyv-gzay-64pg');
			x.eq('participantId', c.participantId, USER);
			x.eq('apikey', c.apikey, env.VIDEOSDK_API_KEY);
			x.eq('permissions', c.permissions, ['allow_join']);
			x.eq('roles', c.roles, ['rtc']);
			x.eq('version', c.version, 2);
			x.eq('exp-iat', c.exp - c.iat, 7200);
		},
	},
	{
		id: 'databridges', method: 'POST', path: '/databridges/token', contentType: 'application/json',
		sentKeys: ['act', 'ch', 'dbappkey', 'sid'], secret: 'DATABRIDGES_APP_SECRET', token: (b) => b.accesskey,
		expect(c, x) {
			x.eq('dbappkey sent', x.sent.dbappkey, env.DATABRIDGES_APP_KEY);
			x.eq('statuscode', x.body.statuscode, 0);
			x.eq('error_message', x.body.error_message, '');
			x.eq('sid', c.sid, x.sent.sid);
			x.eq('cname', c.cname, x.sent.ch);
			x.eq('pub', c.pub, true);
			x.eq('conn_info.sysid', c.conn_info && c.conn_info.sysid, USER);
			x.ok('no exp', !('exp' in c));
		},
	},
	{
		id: 'app_jwt', method: 'GET', path: '/app/token', contentType: null,
		sentKeys: null, secret: 'APP_JWT_SECRET', token: (b) => b.token,
		expect(c, x) {
			x.eq('sub', c.sub, USER);
			x.eq('scope', c.scope, ['read', 'write']);
			x.eq('expires_at', x.body.expires_at, c.exp);
			x.eq('exp-iat', c.exp - c.iat, 900);
		},
	},
	{
		id: 'inject', method: 'GET', path: '/api/whoami', contentType: null,
		sentKeys: null, secret: 'APP_JWT_SECRET', text: true,
		token: (_, text) => (/Bearer (eyJ[A-Za-z0-9_.-]+)/.exec(text) || [])[1],
		expect(c, x) {
			x.ok('answer shows "Bearer eyJ"', x.text.includes('upstream got Authorization: Bearer eyJ'));
			x.eq('sub', c.sub, USER);
			x.eq('exp-iat', c.exp - c.iat, 60);
			x.ok('X-Token-Expires = exp', x.text.includes(`(expires ${c.exp})`));
		},
	},
];

// A list of named assertions: each records a fact checked or a failure.
class Checks {
	constructor() { this.facts = []; this.failures = []; }
	eq(label, got, want) {
		if (isDeepStrictEqual(got, want)) this.facts.push(`${label}=${JSON.stringify(want)}`);
		else this.failures.push(`${label}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
	}
	ok(label, cond, why = '') {
		if (cond) this.facts.push(label);
		else this.failures.push(label + (why ? `: ${why}` : ''));
	}
}

function decodeJWT(token) {
	const [h, p, s] = token.split('.');
	return {
		header: JSON.parse(Buffer.from(h, 'base64url').toString('utf8')),
		claims: JSON.parse(Buffer.from(p, 'base64url').toString('utf8')),
		signingInput: `${h}.${p}`,
		signature: Buffer.from(s, 'base64url'),
	};
}

function hs256Verifies(jwt, secret) {
	const mac = createHmac('sha256', secret).update(jwt.signingInput).digest();
	return mac.length === jwt.signature.length && timingSafeEqual(mac, jwt.signature);
}

function parseJSON(text) {
	try { return JSON.parse(text); } catch { return undefined; }
}

const isoDate = (secs) => new Date(secs * 1000).toISOString().replace('.000Z', 'Z');

let passed = 0;
let failed = 0;
function report(name, x, summary) {
	if (x.failures.length === 0) {
		passed++;
		console.log(`ok   ${name}: ${summary ? summary + '; ' : ''}${x.facts.join(', ')}`);
	} else {
		failed++;
		console.log(`FAIL ${name}: ${x.failures.join('; ')}`);
		if (x.facts.length) console.log(`     (passed: ${x.facts.join(', ')})`);
	}
}

async function checkEndpoint(page, ep, seenBodies) {
	const x = new Checks();
	const card = page.locator(`section.card[data-preset="${ep.id}"]`);
	const [resp] = await Promise.all([
		page.waitForResponse((r) => new URL(r.url()).pathname === ep.path, { timeout: 15000 }),
		card.locator('button.call').click(),
	]);
	await page.waitForSelector(
		`section.card[data-preset="${ep.id}"][data-state="done"], section.card[data-preset="${ep.id}"][data-state="error"]`,
		{ timeout: 15000 });
	const req = resp.request();
	const reqHeaders = await req.allHeaders();
	const respText = await resp.text();
	seenBodies.push(respText);
	const shown = await card.evaluate((c) => {
		const t = (s) => c.querySelector(s).textContent;
		return {
			state: c.dataset.state, status: c.querySelector('.status').dataset.status,
			request: t('.request'), body: c.querySelector('.body').dataset.raw, token: t('.token'),
			header: t('.header'), claims: t('.claims'), times: t('.times'),
		};
	});

	// The request, as the provider's front end sends it.
	const url = new URL(req.url());
	x.eq('method', req.method(), ep.method);
	x.eq('path', url.pathname, ep.path);
	const ct = reqHeaders['content-type'];
	if (ep.contentType) x.eq('Content-Type', ct, ep.contentType);
	else x.ok('no body', !req.postData(), `sent ${JSON.stringify(req.postData())}`);
	let sent = {};
	if (ep.sentKeys) {
		sent = parseJSON(req.postData() || '') || {};
		x.eq('body keys', Object.keys(sent).sort(), ep.sentKeys);
	}
	if (ep.query) {
		sent = Object.fromEntries(url.searchParams);
		x.eq('query keys', Object.keys(sent).sort(), ep.query);
	}
	const shownReq = `${req.method()} ${url.pathname}${url.search}`;
	x.ok('page shows the request', shown.request.startsWith(shownReq + '\n') || shown.request === shownReq,
		`page shows ${JSON.stringify(shown.request.split('\n')[0])}, sent ${JSON.stringify(shownReq)}`);
	if (req.postData()) x.ok('page shows the body sent', shown.request.endsWith('\n\n' + req.postData()));

	// The answer, and what the page made of it.
	x.eq('HTTP status', resp.status(), 200);
	x.eq('status shown', shown.status, '200');
	x.eq('card state', shown.state, 'done');
	x.ok('page shows the body', shown.body === respText);
	const body = ep.text ? {} : parseJSON(respText);
	if (!body) {
		x.ok('answer is JSON', false, respText.slice(0, 200));
		report(ep.id, x);
		return;
	}
	const token = ep.token(body, respText);
	if (!token || !JWT.test(token)) {
		x.ok('a JWT in the answer', false, respText.slice(0, 200));
		report(ep.id, x);
		return;
	}
	x.ok('page .token is the JWT', shown.token === token,
		`page shows ${JSON.stringify(shown.token.slice(0, 40))}…`);
	const jwt = decodeJWT(token);
	x.eq('alg', jwt.header.alg, 'HS256');
	x.eq('typ', jwt.header.typ, 'JWT');
	x.ok('page header = decoded', isDeepStrictEqual(parseJSON(shown.header), jwt.header), shown.header);
	x.ok('page claims = decoded', isDeepStrictEqual(parseJSON(shown.claims), jwt.claims), shown.claims);
	const sigOK = hs256Verifies(jwt, env[ep.secret]);
	x.ok(`HS256 signature verifies with $${ep.secret}`, sigOK);
	x.ok('and not with a wrong secret', !hs256Verifies(jwt, env[ep.secret] + 'x'));
	const c = jwt.claims;
	const now = Math.floor(Date.now() / 1000);
	x.ok('iat is now', typeof c.iat === 'number' && Math.abs(c.iat - now) < 120, `iat ${c.iat}, now ${now}`);
	for (const name of ['iat', 'nbf', 'exp']) {
		if (typeof c[name] === 'number') {
			x.ok(`${name} shown as ${isoDate(c[name])}`, shown.times.includes(isoDate(c[name])), shown.times);
		}
	}
	ep.expect(c, Object.assign(x, { sent, body, text: respText }));
	report(ep.id, x, `${req.method()} ${url.pathname}${url.search} -> ${resp.status()}, ${token.length}-char JWT`);
}

// A third origin that the endpoint does not list, serving the same page:
// a tiny static server on a free loopback port, whose /session hands out a
// valid session (taken from the listed front end's stand-in login), so
// that only the origin differs.
function startUnlistedOrigin(session) {
	const files = { '/': 'index.html', '/index.html': 'index.html', '/app.js': 'app.js' };
	const types = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8' };
	const api = new URL(BASE).origin;
	const server = createServer((req, res) => {
		const path = new URL(req.url, 'http://x').pathname;
		if (path === '/config.json') return res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ api }));
		if (path === '/session') return res.writeHead(200, { 'Content-Type': 'application/json' }).end(session);
		if (path === '/demo.css') return res.writeHead(200, { 'Content-Type': 'text/css' }).end(readFileSync(join(CROSS_DIR, '..', 'demo.css')));
		const f = files[path];
		if (!f) return res.writeHead(404).end();
		res.writeHead(200, { 'Content-Type': types[f.split('.').pop()] }).end(readFileSync(join(CROSS_DIR, f)));
	});
	return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server)));
}

async function crossOrigin(browser) {
	const front = new URL(FRONT).origin;
	const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
	try {
		// The listed origin: preflight answered, token readable.
		{
			const x = new Checks();
			const page = await ctx.newPage();
			const calls = [];
			page.on('response', (r) => calls.push(r));
			const r = await page.goto(FRONT);
			x.eq('front-end page status', r.status(), 200);
			await page.waitForSelector('body[data-ready="true"]');
			await page.click('#call');
			await page.waitForSelector('#result[data-state="done"], #result[data-state="blocked"]', { timeout: 15000 });
			x.eq('card state', await page.getAttribute('#result', 'data-state'), 'done');
			const api = calls.find((c) => c.url().endsWith('/cross-origin/hms-token') && c.request().method() === 'POST');
			x.ok('the page called the endpoint on the other origin', !!api && new URL(api.url()).origin !== front,
				calls.map((c) => c.url()).join(' '));
			if (api) {
				const h = await api.allHeaders();
				const sent = await api.request().allHeaders();
				x.eq('status', api.status(), 200);
				x.eq('Access-Control-Allow-Origin', h['access-control-allow-origin'], front);
				x.ok('sent with a Bearer session', /^Bearer eyJ/.test(sent.authorization || ''));
				x.eq('sent as JSON', sent['content-type'], 'application/json');
				x.eq('sent from', sent.origin, front);
			}
			const token = (await page.textContent('#token')).trim();
			x.ok('the page shows a JWT', JWT.test(token), token.slice(0, 40));
			if (JWT.test(token)) {
				const jwt = decodeJWT(token);
				x.ok('HS256 signature verifies with $HMS_SECRET', hs256Verifies(jwt, env.HMS_SECRET));
				x.eq('user_id is the session\'s sub', jwt.claims.user_id, 'cross-origin-visitor');
				x.eq('role', jwt.claims.role, 'guest');
				x.ok('page claims = decoded', isDeepStrictEqual(parseJSON(await page.textContent('#claims')), jwt.claims));
			}
			mkdirSync(ARTIFACT_DIR, { recursive: true });
			await page.screenshot({ path: join(ARTIFACT_DIR, 'cross-origin.png'), fullPage: true });
			report('cross-origin: a listed origin calls the endpoint', x, `${front} -> ${BASE}cross-origin/hms-token`);
			await page.close();
		}
		// An unlisted origin: the same page, the same valid session; the
		// browser blocks the call.
		{
			const x = new Checks();
			const session = await (await fetch(new URL('/session', FRONT))).text();
			x.ok('a valid session for the unlisted origin', JSON.parse(session).token?.startsWith('eyJ'), session);
			const server = await startUnlistedOrigin(session);
			const unlisted = `http://127.0.0.1:${server.address().port}`;
			const page = await ctx.newPage();
			const consoleErrors = [];
			page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
			try {
				await page.goto(unlisted + '/');
				await page.waitForSelector('body[data-ready="true"]');
				await page.click('#call');
				await page.waitForSelector('#result[data-state="done"], #result[data-state="blocked"]', { timeout: 15000 });
				x.eq('card state', await page.getAttribute('#result', 'data-state'), 'blocked');
				const status = await page.textContent('#status');
				x.ok('fetch() rejected with a TypeError', /^blocked: TypeError/.test(status), status);
				x.ok('the browser says CORS blocked it', consoleErrors.some((e) => /blocked by CORS policy/.test(e)),
					consoleErrors.join(' | '));
				x.eq('no token on the page', (await page.textContent('#token')).trim(), '');
				await page.screenshot({ path: join(ARTIFACT_DIR, 'cross-origin-blocked.png'), fullPage: true });
			} finally {
				server.close();
				await page.close();
			}
			report('cross-origin: an unlisted origin is blocked by the browser', x, unlisted);
		}
	} finally {
		await ctx.close();
	}
}

async function main() {
	const started = Date.now();
	console.log(`browser: ${CHROMIUM} (headless) via playwright-core, ${BASE}`);
	const browser = await chromium.launch({
		executablePath: CHROMIUM,
		headless: true,
		// A fresh profile is playwright's own temporary --user-data-dir.
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
			'--disable-background-networking', '--disable-component-update', '--disable-sync'],
		timeout: 60000,
	});
	console.log(`browser: launched Chromium ${browser.version()}`);
	let page;
	try {
		// 1. Without a login, Caddy's basic_auth refuses the page.
		{
			const x = new Checks();
			const ctx = await browser.newContext();
			const r = await ctx.request.get(BASE, { failOnStatusCode: false });
			x.eq('status without login', r.status(), 401);
			x.ok('WWW-Authenticate Basic', /^Basic /.test(r.headers()['www-authenticate'] || ''));
			// In the browser, a login prompt nobody answers: headless
			// Chromium cancels it, and the page does not load.
			const p = await ctx.newPage();
			let nav = '';
			try {
				const pr = await p.goto(BASE);
				nav = `status ${pr.status()}`;
			} catch (err) {
				nav = err.message.split('\n')[0];
			}
			x.ok('the browser gets no page', /ERR_INVALID_AUTH_CREDENTIALS|status 401/.test(nav), nav);
			x.ok('and no card', (await p.locator('section.card').count()) === 0);
			await ctx.close();
			report('login required', x);
		}

		// 2. Log in (the browser's basic-auth prompt, answered by httpCredentials).
		const ctx = await browser.newContext({
			httpCredentials: { username: USER, password: PASSWORD },
			viewport: { width: 1280, height: 900 },
		});
		page = await ctx.newPage();
		page.setDefaultTimeout(15000);
		const requested = [];
		const pageErrors = [];
		page.on('request', (r) => requested.push(r.url()));
		page.on('console', (m) => {
			if (m.type() === 'error') pageErrors.push(`console: ${m.text()} (${m.location().url})`);
		});
		page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
		{
			const x = new Checks();
			const r = await page.goto(BASE);
			x.eq('page status', r.status(), 200);
			await page.waitForSelector('body[data-ready="true"]');
			x.eq('user shown', await page.textContent('#user'), USER);
			x.eq('cards', await page.locator('section.card').count(), ENDPOINTS.length);
			report('log in and load the page', x);
		}

		// 3. Every endpoint's button.
		const seenBodies = [];
		for (const ep of ENDPOINTS) {
			try {
				await checkEndpoint(page, ep, seenBodies);
			} catch (err) {
				failed++;
				console.log(`FAIL ${ep.id}: ${err.message.split('\n')[0]}`);
			}
		}

		// 4. Offline: the page asked nothing of any other origin, and logged no error.
		{
			const x = new Checks();
			const foreign = requested.filter((u) => new URL(u).origin !== ORIGIN);
			x.ok(`${requested.length} requests, all to ${ORIGIN}`, foreign.length === 0, foreign.join(' '));
			x.ok('no console or page errors', pageErrors.length === 0, pageErrors.join(' | '));
			report('same origin only', x);
		}
		// 5. No secret on the page, in its config or in any answer; only the
		// page's own files are served from demo/.
		{
			const x = new Checks();
			const cfg = await page.evaluate(async () => (await fetch('/demo/config.json')).text());
			x.eq('config keys', Object.keys(parseJSON(cfg) || {}).sort(), ['databridges_app_key', 'user']);
			const everything = [await page.content(), cfg, ...seenBodies].join('\n');
			for (const name of [...SECRETS, 'TOKENMINT_DEMO_PASSWORD']) {
				const v = name === 'TOKENMINT_DEMO_PASSWORD' ? PASSWORD : env[name];
				x.ok(`no $${name}`, !everything.includes(v));
			}
			for (const path of ['/demo.env', '/test/browser.mjs', '/test/package.json', '/.gitignore']) {
				const st = await page.evaluate(async (p) => (await fetch(p)).status, path);
				x.eq(`${path} status`, st, 404);
			}
			report('no secret exposed', x);
		}

		// 6. Front ends on other origins: the listed one reads its token, an
		// unlisted one is blocked by the browser itself.
		await crossOrigin(browser);
	} catch (err) {
		failed++;
		console.log(`FAIL browser run: ${err.message.split('\n')[0]}`);
	} finally {
		if (page) {
			const x = new Checks();
			try {
				mkdirSync(ARTIFACT_DIR, { recursive: true });
				const file = join(ARTIFACT_DIR, 'demo.png');
				await page.screenshot({ path: file, fullPage: true });
				const size = statSync(file).size;
				x.ok(`${file} (${Math.round(size / 1024)} KiB)`, size > 10000, `only ${size} bytes`);
			} catch (err) {
				x.ok('screenshot', false, err.message.split('\n')[0]);
			}
			report('screenshot', x);
		}
		await browser.close();
	}
	console.log(`browser: took ${((Date.now() - started) / 1000).toFixed(1)}s`);
	console.log(`browser: ${passed} passed, ${failed} failed`);
	process.exit(failed === 0 && passed > 0 ? 0 : 1);
}

main().catch((err) => {
	console.error(`browser: ${err.stack || err}`);
	console.log(`browser: ${passed} passed, ${failed + 1} failed`);
	process.exit(1);
});
