// Browser test of the demo page (demo/index.html), run by .ci/browser-test,
// which sources demo/demo.env and starts ./xcaddy.sh run first.
//
// Debian's chromium, headless, driven by playwright-core. Driven by
// demo/endpoints.json: it logs in through basic_auth (httpCredentials),
// folds and unfolds a group, calls a group with its button, clicks every
// card of every group and checks each answer as .ci/smoke does (status,
// the token where the entry says, alg, signature with the demo secret or
// the demo key's public half, claims: verify.mjs) and what the page shows
// of it (request, status, body, token, header, claims, times); then the
// page's other promises: same origin only, no secret anywhere, only its own
// files served, the URL-credentials banner, front ends on other origins.
// Saves full-page screenshots to $ARTIFACT_DIR (demo.png: the grouped page).
//
// Ports: DEMO_URL and DEMO_FRONT_URL, or TOKENMINT_PORT and
// TOKENMINT_FRONT_PORT as ./xcaddy.sh run takes them.
import { chromium } from 'playwright-core';
import { isDeepStrictEqual } from 'node:util';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { all, decodeJWT, parse, unfill } from '../endpoints.mjs';
import { Checks, checkAnswer, verifies } from './verify.mjs';

function need(name) {
	const v = process.env[name];
	if (!v) {
		console.error(`browser: ${name} is not set (source demo/demo.env, as .ci/browser-test does)`);
		process.exit(2);
	}
	return v;
}

const HERE = dirname(fileURLToPath(import.meta.url));
const BASE = process.env.DEMO_URL || `http://localhost:${process.env.TOKENMINT_PORT || 8080}/`;
// The front end on another origin that Caddyfile.example serves and lists in
// cors for /cross-origin/hms-token.
const FRONT = process.env.DEMO_FRONT_URL || `http://localhost:${process.env.TOKENMINT_FRONT_PORT || 8082}/`;
const CROSS_DIR = resolve(HERE, '..', 'cross-origin');
const ORIGIN = new URL(BASE).origin;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ARTIFACT_DIR = resolve(process.env.ARTIFACT_DIR || 'artifacts');
const USER = need('TOKENMINT_DEMO_USER');
const PASSWORD = need('TOKENMINT_DEMO_PASSWORD');
const FILE = parse(readFileSync(join(HERE, '..', 'endpoints.json'), 'utf8'));
const ENDPOINTS = all(FILE);
const env = process.env;
// Every secret the demo signs with, and the demo keys: none may reach the page.
const SECRETS = [...new Set([...ENDPOINTS.map((ep) => ep.secret).filter(Boolean), 'APP_SESSION_SECRET'])];
for (const name of [...SECRETS, 'DATABRIDGES_APP_KEY']) need(name);
const KEY_FILES = [...new Set(ENDPOINTS.map((ep) => ep.key).filter(Boolean))].map(need);

const JWT = /^eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

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
		console.log(`FAIL ${name}: ${summary ? summary + ': ' : ''}${x.failures.join('; ')}`);
		if (x.facts.length) console.log(`     (passed: ${x.facts.join(', ')})`);
	}
}

const cardSel = (ep) => `section.card[data-endpoint="${ep.id}"]`;
const calls = (page, ep) => page.locator(cardSel(ep)).getAttribute('data-calls').then(Number);

// waitCalled waits until a card has finished more calls than before.
function waitCalled(page, ep, before) {
	return page.waitForFunction(([sel, n]) => Number(document.querySelector(sel).dataset.calls) > n,
		[cardSel(ep), before], { timeout: 15000 });
}

async function checkEndpoint(page, ep, seenBodies) {
	const card = page.locator(cardSel(ep));
	const before = await calls(page, ep);
	const pathname = ep.path.split('?')[0];
	const [resp] = await Promise.all([
		page.waitForResponse((r) => new URL(r.url()).pathname === pathname && r.request().method() === ep.method, { timeout: 15000 }),
		card.locator('button.call').click(),
	]);
	await waitCalled(page, ep, before);
	const req = resp.request();
	const reqHeaders = await req.allHeaders();
	const respText = await resp.text();
	seenBodies.push(respText);
	const cookies = (await resp.headersArray()).filter((h) => h.name.toLowerCase() === 'set-cookie').map((h) => h.value);
	const shown = await card.evaluate((c) => {
		const t = (s) => c.querySelector(s).textContent;
		return {
			state: c.dataset.state, status: c.querySelector('.status').dataset.status,
			request: t('.request'), body: c.querySelector('.body').dataset.raw, token: t('.token'),
			cookie: c.querySelector('.token').dataset.cookie,
			header: t('.header'), claims: t('.claims'), times: t('.times'),
		};
	});

	// The request is the entry's, with the page's values in its placeholders.
	const x = new Checks();
	const url = new URL(req.url());
	const sentPath = url.pathname + url.search;
	const postData = req.postData() ?? undefined;
	const pathVars = unfill(ep, 'path', sentPath);
	const bodyVars = ep.body === undefined ? {} : unfill(ep, 'body', postData ?? '');
	x.ok('sent the entry\'s path', pathVars !== null, `sent ${sentPath}, entry ${ep.path}`);
	if (ep.body === undefined) x.ok('no body', !postData, `sent ${JSON.stringify(postData)}`);
	else x.ok('sent the entry\'s body', bodyVars !== null, `sent ${postData}, entry ${ep.body}`);
	const vars = { ...pathVars, ...bodyVars };
	if ('user' in vars) x.eq('{{user}}', vars.user, USER);
	if ('databridges_app_key' in vars) x.eq('{{databridges_app_key}}', vars.databridges_app_key, env.DATABRIDGES_APP_KEY);
	if ('origin' in vars) x.eq('{{origin}}', vars.origin, ORIGIN);
	if ('sid' in vars) x.ok('{{sid}} is fresh', /^[A-Za-z0-9]{21}$/.test(vars.sid), vars.sid);
	for (const [k, v] of Object.entries(ep.headers || {})) x.eq(k, reqHeaders[k.toLowerCase()], v);
	const shownReq = `${req.method()} ${sentPath}`;
	x.ok('page shows the request', shown.request.startsWith(shownReq + '\n') || shown.request === shownReq,
		`page shows ${JSON.stringify(shown.request.split('\n')[0])}, sent ${JSON.stringify(shownReq)}`);
	if (postData) x.ok('page shows the body sent', shown.request.endsWith('\n\n' + postData));

	// The answer, checked as .ci/smoke checks it.
	const answer = { status: resp.status(), text: respText, json: parseJSON(respText), cookies };
	const { x: a, token, jwt } = checkAnswer(ep, answer, { user: USER, origin: ORIGIN, ...vars }, env);
	x.facts.push(...a.facts);
	x.failures.push(...a.failures);

	// What the page made of it.
	x.eq('status shown', shown.status, String(ep.status));
	x.eq('card state', shown.state, 'done');
	x.ok('page shows the body', shown.body === respText);
	if (ep.token.startsWith('cookie:')) {
		const name = ep.token.slice('cookie:'.length);
		x.eq('page says the token is in the cookie', shown.cookie, name);
		x.ok('and shows no token', !JWT.test(shown.token.trim()) && shown.claims === '—', shown.token);
		const stored = (await page.context().cookies(BASE)).concat(await page.context().cookies(new URL(pathForCookie(cookies, name), BASE).href));
		x.ok(`the browser keeps the ${name} cookie`, stored.some((c) => c.name === name && c.value === token && c.httpOnly), JSON.stringify(stored.map((c) => c.name)));
	} else if (jwt) {
		x.ok('page .token is the JWT', shown.token === token, `page shows ${JSON.stringify(shown.token.slice(0, 40))}…`);
		x.ok('page header = decoded', isDeepStrictEqual(parseJSON(shown.header), jwt.header), shown.header);
		x.ok('page claims = decoded', isDeepStrictEqual(parseJSON(shown.claims), jwt.claims), shown.claims);
		for (const name of ['iat', 'nbf', 'exp']) {
			if (typeof jwt.claims[name] === 'number') {
				x.ok(`${name} shown as ${isoDate(jwt.claims[name])}`, shown.times.includes(isoDate(jwt.claims[name])), shown.times);
			}
		}
	}
	report(`${ep.group}/${ep.id}`, x, `${req.method()} ${sentPath} -> ${resp.status()}${token ? `, ${token.length}-char ${ep.alg} JWT` : ''}`);
}

// pathForCookie is the Path attribute of the named Set-Cookie, or /.
function pathForCookie(setCookies, name) {
	const c = setCookies.find((s) => s.startsWith(name + '='));
	const m = c && /;\s*Path=([^;]+)/i.exec(c);
	return m ? m[1] : '/';
}

// A group folds and unfolds by its summary; its button calls every card in
// it without folding it.
async function groups(page) {
	const x = new Checks();
	const g = FILE.groups.find((gr) => gr.endpoints.length > 1);
	const details = page.locator(`details.group[data-group="${g.id}"]`);
	const firstCard = page.locator(cardSel(g.endpoints[0]));
	x.ok('open at first', await details.evaluate((d) => d.open));
	x.ok('its cards visible', await firstCard.isVisible());
	await details.locator('summary h2').click();
	x.ok('folded by a click on its title', !(await details.evaluate((d) => d.open)));
	x.ok('its cards hidden', !(await firstCard.isVisible()));
	x.ok('the other groups still open', await page.locator('details.group:not([open])').count() === 1);
	await details.locator('summary h2').click();
	x.ok('unfolded by a second click', await details.evaluate((d) => d.open));
	x.ok('its cards visible again', await firstCard.isVisible());

	const before = await Promise.all(g.endpoints.map((ep) => calls(page, ep)));
	const paths = new Set(g.endpoints.map((ep) => ep.path.split('?')[0]));
	let answered = 0;
	const count = (r) => { if (paths.has(new URL(r.url()).pathname)) answered++; };
	page.on('response', count);
	await details.locator('button.call-group').click();
	await Promise.all(g.endpoints.map((ep, i) => waitCalled(page, ep, before[i])));
	page.off('response', count);
	x.ok('the group button leaves it open', await details.evaluate((d) => d.open));
	x.eq(`answers to the group's ${g.endpoints.length} cards`, answered, g.endpoints.length);
	const states = await Promise.all(g.endpoints.map((ep) => page.locator(cardSel(ep)).getAttribute('data-state')));
	x.eq('all done', states, g.endpoints.map(() => 'done'));
	x.eq('progress shown', await details.locator('.progress').textContent(), `${g.endpoints.length} as expected`);
	report(`group "${g.title}"`, x);
}

// Opened as http://user:pw@host/, fetch() refuses every call: the page
// says so, and links to the address without the login.
async function urlCredentials(browser) {
	const x = new Checks();
	const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
	try {
		const page = await ctx.newPage();
		const u = new URL(BASE);
		u.username = USER;
		u.password = PASSWORD;
		const r = await page.goto(u.href);
		x.eq('page status (the login in the URL)', r.status(), 200);
		await page.waitForSelector('body[data-ready="true"]');
		x.ok('the banner shows', await page.locator('#credentials').isVisible());
		x.ok(`found out by: ${await page.getAttribute('body', 'data-credentials')}`,
			['address', 'fetch'].includes(await page.getAttribute('body', 'data-credentials')));
		const text = (await page.locator('#credentials').textContent()).replace(/\s+/g, ' ').trim();
		x.ok('it names the refusal', text.includes('Request cannot be constructed from a URL that includes credentials'), text);
		x.eq('it links to the address without the login', await page.getAttribute('#credentials-link', 'href'), BASE);
		x.ok('it does not show the password', !text.includes(PASSWORD));
		x.eq('no cards', await page.locator('section.card').count(), 0);
		x.ok('"Call every endpoint" disabled', await page.locator('#call-all').isDisabled());
		// And the page really cannot fetch: the reason for the banner.
		const err = await page.evaluate(() => fetch('/endpoints.json').then(() => 'fetched', (e) => `${e.name}: ${e.message}`));
		x.ok('fetch() from this page fails', /^TypeError: .*credentials/.test(err), err);
		await page.screenshot({ path: join(ARTIFACT_DIR, 'credentials.png') });
		await page.click('#credentials-link');
		await page.waitForSelector('body[data-ready="true"]');
		x.eq('the link opens the page without the login', page.url(), BASE);
		x.eq('where every card is back', await page.locator('section.card').count(), ENDPOINTS.length);
	} finally {
		await ctx.close();
	}
	report('URL with credentials', x, `http://${USER}:…@${new URL(BASE).host}/`);
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
				x.ok('HS256 signature verifies with $HMS_SECRET', verifies(jwt, { alg: 'HS256', secret: 'HMS_SECRET' }, process.env));
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
	console.log(`browser: ${CHROMIUM} (headless) via playwright-core, ${BASE}, ${ENDPOINTS.length} endpoints in ${FILE.groups.length} groups`);
	mkdirSync(ARTIFACT_DIR, { recursive: true });
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
			x.eq('groups', await page.locator('details.group summary h2').allTextContents(), FILE.groups.map((g) => g.title));
			for (const g of FILE.groups) {
				x.eq(`cards in ${g.id}`, await page.locator(`details.group[data-group="${g.id}"] section.card`).evaluateAll(
					(cs) => cs.map((c) => c.dataset.endpoint)), g.endpoints.map((ep) => ep.id));
			}
			x.ok('no banner', !(await page.locator('#credentials').isVisible()));
			report('log in and load the page', x, `${ENDPOINTS.length} cards in ${FILE.groups.length} groups`);
		}

		// 3. Groups fold, and call their cards.
		await groups(page);

		// 4. Every card of every group.
		const seenBodies = [];
		for (const ep of ENDPOINTS) {
			try {
				await checkEndpoint(page, ep, seenBodies);
			} catch (err) {
				failed++;
				console.log(`FAIL ${ep.group}/${ep.id}: ${err.message.split('\n')[0]}`);
			}
		}

		// 5. "Call every endpoint" calls them all.
		{
			const x = new Checks();
			const before = await Promise.all(ENDPOINTS.map((ep) => calls(page, ep)));
			await page.click('#call-all');
			await Promise.all(ENDPOINTS.map((ep, i) => waitCalled(page, ep, before[i])));
			const states = await page.locator('section.card').evaluateAll((cs) => cs.map((c) => `${c.dataset.endpoint}:${c.dataset.state}`));
			x.eq('every card done', states, ENDPOINTS.map((ep) => `${ep.id}:done`));
			x.eq('summary', await page.textContent('#summary'), `${ENDPOINTS.length} endpoints: ${ENDPOINTS.length} as expected`);
			report('call every endpoint', x);
		}

		// 6. Offline: the page asked nothing of any other origin, and logged no error.
		{
			const x = new Checks();
			const foreign = requested.filter((u) => new URL(u).origin !== ORIGIN);
			x.ok(`${requested.length} requests, all to ${ORIGIN}`, foreign.length === 0, foreign.join(' '));
			x.ok('no console or page errors', pageErrors.length === 0, pageErrors.join(' | '));
			report('same origin only', x);
		}
		// 7. No secret on the page, in its config or in any answer; only the
		// page's own files are served from demo/.
		{
			const x = new Checks();
			const cfg = await page.evaluate(async () => (await fetch('/demo/config.json')).text());
			x.eq('config keys', Object.keys(parseJSON(cfg) || {}).sort(), ['databridges_app_key', 'user']);
			const listed = await page.evaluate(async () => (await fetch('/endpoints.json')).text());
			const everything = [await page.content(), cfg, listed, ...seenBodies].join('\n');
			for (const name of SECRETS) x.ok(`no $${name}`, !everything.includes(env[name]));
			// The password as a word of its own (the demo's is also a part of
			// Firebase's demo client email), and the login as basic auth sends it.
			const login = `${USER}:${PASSWORD}`;
			const word = new RegExp(`(?<![\\w.@-])${PASSWORD.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w@-])`);
			x.ok('no password', !word.test(everything) && !everything.includes(login) &&
				!everything.includes(Buffer.from(login).toString('base64')));
			for (const path of KEY_FILES) {
				const pem = readFileSync(path, 'utf8').split('\n').find((l) => l.length > 40);
				x.ok(`no line of ${path.split('/').pop()}`, !everything.includes(pem));
			}
			for (const path of ['/demo.env', '/test/browser.mjs', '/test/smoke.mjs', '/test/package.json', '/endpoints/main.go',
				'/genkey/main.go', '/README.md', '/.gitignore']) {
				const st = await page.evaluate(async (p) => (await fetch(p)).status, path);
				x.eq(`${path} status`, st, 404);
			}
			report('no secret exposed', x);
		}

		// 8. Opened with the login in its URL.
		await urlCredentials(browser);

		// 9. Front ends on other origins: the listed one reads its token, an
		// unlisted one is blocked by the browser itself.
		await crossOrigin(browser);
	} catch (err) {
		failed++;
		console.log(`FAIL browser run: ${err.message.split('\n')[0]}`);
	} finally {
		if (page) {
			const x = new Checks();
			try {
				// Every card, open; then the groups folded: the overview.
				const file = join(ARTIFACT_DIR, 'demo.png');
				await page.evaluate(() => window.scrollTo(0, 0));
				await page.screenshot({ path: file, fullPage: true });
				const size = statSync(file).size;
				x.ok(`${file} (${Math.round(size / 1024)} KiB)`, size > 10000, `only ${size} bytes`);
				await page.evaluate(() => document.querySelectorAll('details.group').forEach((d) => { d.open = false; }));
				const folded = join(ARTIFACT_DIR, 'demo-groups.png');
				await page.screenshot({ path: folded, fullPage: true });
				x.ok(`${folded} (the groups folded)`, statSync(folded).size > 10000);
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
