// The endpoint part of .ci/smoke, against ./xcaddy.sh run's server:
//
//   node smoke.mjs --base http://localhost:8080 --banner LOG --readme README.md [--readme docs/x.md ...]
//
// 1. banner: ./xcaddy.sh run's output (LOG) says where it serves and lists
//    every endpoint of demo/endpoints.json as a curl line on that origin;
// 2. endpoints: every entry's request, as the page sends it, gets the
//    entry's status and a token where it says, whose alg, signature, claims
//    and lifetime are checked (verify.mjs);
// 3. readme: every curl line of README (and of docs/) that calls the demo
//    runs, and gets the status documented beside it (the convention is in
//    .ci/smoke).
// Needs the environment of demo/demo.env. Node 20, no npm package.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { all, parse, request, sessionId } from '../endpoints.mjs';
import { Checks, checkAnswer } from './verify.mjs';
import { curlLines, quote, words } from './readme.mjs';

const { values: opt } = parseArgs({
	options: {
		base: { type: 'string', default: 'http://localhost:8080' },
		banner: { type: 'string' },
		readme: { type: 'string', multiple: true, default: [] },
	},
});
const BASE = opt.base.replace(/\/$/, '');
const PORT = new URL(BASE).port;
const env = process.env;
for (const name of ['TOKENMINT_DEMO_USER', 'TOKENMINT_DEMO_PASSWORD']) {
	if (!env[name]) {
		console.error(`smoke.mjs: $${name} is not set (source demo/demo.env)`);
		process.exit(2);
	}
}
const USER = env.TOKENMINT_DEMO_USER;
const AUTH = 'Basic ' + Buffer.from(`${USER}:${env.TOKENMINT_DEMO_PASSWORD}`).toString('base64');
const file = parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'endpoints.json'), 'utf8'));
const endpoints = all(file);
// README lines that do not document their status fail only when strict.
const STRICT = env.TOKENMINT_README_STRICT === '1';

let passed = 0;
let failed = 0;
let undocumented = 0;
function report(name, x, summary = '') {
	if (x.failures.length === 0) {
		passed++;
		console.log(`ok   ${name}: ${summary ? summary + '; ' : ''}${x.facts.join(', ')}`);
	} else {
		failed++;
		console.log(`FAIL ${name}: ${summary ? summary + ': ' : ''}${x.failures.join('; ')}`);
	}
}

function bannerCheck(log) {
	const x = new Checks();
	x.ok(`says it serves ${BASE}/`, log.includes(`tokenmint demo on ${BASE}/`));
	const curls = log.split('\n').filter((l) => /^\s+curl /.test(l));
	for (const ep of endpoints) {
		const url = BASE + request(ep, { user: USER, sid: 's1', databridges_app_key: env.DATABRIDGES_APP_KEY || '', origin: BASE }).url;
		x.ok(`curl ${ep.id}`, curls.some((l) => l.includes(url)), `no curl line with ${url}`);
	}
	x.eq('curl lines', curls.length, endpoints.length);
	report('banner', x, `${curls.length} curl lines`);
}

async function call(ep) {
	const vars = { user: USER, sid: sessionId(), databridges_app_key: env.DATABRIDGES_APP_KEY, origin: BASE };
	const req = request(ep, vars);
	const res = await fetch(BASE + req.url, {
		method: req.method,
		headers: { ...req.headers, Authorization: AUTH },
		body: req.body,
		redirect: 'manual',
		signal: AbortSignal.timeout(15000),
	});
	const text = await res.text();
	let json;
	try { json = JSON.parse(text); } catch { /* text or empty */ }
	const { x } = checkAnswer(ep, { status: res.status, text, json, cookies: res.headers.getSetCookie() }, vars, env);
	report(`${ep.group}/${ep.id}`, x, `${req.method} ${req.url} -> ${res.status}`);
}

// ---- README curl lines -------------------------------------------------------

// The demo's host in a README URL, with or without http://.
const DEMO_URL = /^(http:\/\/)?(localhost|127\.0\.0\.1):8080(?=[/?#]|$)/;

function readme(path) {
	const text = readFileSync(path, 'utf8');
	const name = path;
	let other = 0;
	for (const c of curlLines(text)) {
		const where = `${name}:${c.line}`;
		let args;
		try {
			args = words(c.cmd).slice(1);
		} catch (err) {
			if (!DEMO_URL.test(c.cmd.split(/\s+/).find((w) => /localhost:8080|127\.0\.0\.1:8080/.test(w)) || '')) {
				other++;
				console.log(`skip ${where}: not a plain curl line of the demo (${err.message}): ${c.cmd}`);
				continue;
			}
			failed++;
			console.log(`FAIL ${where}: cannot run it as written (${err.message}): ${c.cmd}`);
			continue;
		}
		const urls = args.filter((a) => DEMO_URL.test(a));
		if (urls.length === 0) {
			other++;
			const host = args.find((a) => /^(https?:\/\/|[\w.-]+:\d+)/.test(a)) || '(no URL)';
			console.log(`skip ${where}: ${host} is not the demo (localhost:8080): ${c.cmd}`);
			continue;
		}
		// Moved to this server's port; the status alone is compared.
		const run = args.map((a) => (DEMO_URL.test(a) ? a.replace(DEMO_URL, `http://localhost:${PORT}`) : a));
		const r = spawnSync('curl', [...run, '-s', '-S', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '15'], { encoding: 'utf8' });
		const got = Number(r.stdout.trim().slice(-3)) || 0;
		const shown = ['curl', ...run].map(quote).join(' ');
		if (c.status === null) {
			if (STRICT) {
				failed++;
				console.log(`FAIL ${where}: got ${got}, and no "# → status" line documents what it should get: ${shown}`);
			} else {
				undocumented++;
				console.log(`note ${where}: got ${got}; no "# → status" line after it, so nothing is checked: ${shown}`);
			}
		} else if (got === c.status) {
			passed++;
			console.log(`ok   ${where}: ${got} as documented: ${shown}`);
		} else {
			failed++;
			console.log(`FAIL ${where}: got ${got}, documented ${c.status}${r.stderr ? ` (${r.stderr.trim()})` : ''}: ${shown}`);
		}
	}
	return other;
}

async function main() {
	if (opt.banner) bannerCheck(readFileSync(opt.banner, 'utf8'));
	for (const ep of endpoints) {
		try {
			await call(ep);
		} catch (err) {
			failed++;
			console.log(`FAIL ${ep.group}/${ep.id}: ${err.message}`);
		}
	}
	let other = 0;
	for (const path of opt.readme) other += readme(path);
	const notes = opt.readme.length ? `; ${opt.readme.length} markdown files: ${undocumented} curl lines of the demo without a documented status${STRICT ? '' : ' (TOKENMINT_README_STRICT=1 fails them)'}, ${other} for other hosts` : '';
	console.log(`smoke.mjs: ${passed} passed, ${failed} failed${notes}`);
	process.exit(failed === 0 ? 0 : 1);
}

main().catch((err) => {
	console.log(`FAIL smoke.mjs: ${err.stack || err}`);
	process.exit(1);
});
