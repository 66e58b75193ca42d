// Unit tests of the checkers' logic, with no server:
// node --test demo/test/unit.test.mjs
// (.ci/smoke runs them first). Each case is one the checks could get wrong.
import assert from 'node:assert/strict';
import { generateKeyPairSync, createHmac, sign } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeJWT, mismatches, request, tokenIn, unfill } from '../endpoints.mjs';
import { curlLines, words } from './readme.mjs';
import { checkAnswer, verifies } from './verify.mjs';

const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');

function hs256(claims, secret, header = { alg: 'HS256', typ: 'JWT' }) {
	const input = `${b64(header)}.${b64(claims)}`;
	return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

const entry = {
	id: 't', method: 'POST', path: '/t?u={{user}}', headers: { 'Content-Type': 'application/json' },
	body: '{"user":"{{user}}","sid":"{{sid}}"}', status: 200, token: 'json:data.token', alg: 'HS256', secret: 'T_SECRET',
	claims: { sub: '{{user}}', scope: ['a', 'b'], ctx: { sid: '{{sid}}' }, exp2: null }, lifetime: 60, answer: { ok: true },
};

test('request fills placeholders: URL-encoded in the path, JSON-escaped in a JSON body', () => {
	const r = request(entry, { user: 'a b"c', sid: 's' });
	assert.equal(r.url, '/t?u=a%20b%22c');
	assert.equal(r.body, '{"user":"a b\\"c","sid":"s"}');
	assert.deepEqual(JSON.parse(r.body), { user: 'a b"c', sid: 's' });
	assert.throws(() => request(entry, { user: 'x' }), /no value for \{\{sid\}\}/);
});

test('unfill reads the values back, and refuses a text that is not the template', () => {
	const vars = { user: 'a b"c', sid: 's1' };
	const r = request(entry, vars);
	assert.deepEqual({ ...unfill(entry, 'path', r.url), ...unfill(entry, 'body', r.body) }, vars);
	assert.equal(unfill(entry, 'body', '{"user":"x","sid":"y","extra":1}'), null);
	assert.equal(unfill(entry, 'path', '/other?u=x'), null);
	const twice = { path: '/{{user}}/{{user}}' };
	assert.deepEqual(unfill(twice, 'path', '/a/a'), { user: 'a' });
	assert.equal(unfill(twice, 'path', '/a/b'), null);
});

test('tokenIn finds the token where the entry says, and only a JWT', () => {
	const jwt = hs256({ sub: 'x' }, 'k');
	assert.equal(tokenIn(entry, { json: { data: { token: jwt } } }).token, jwt);
	assert.match(tokenIn(entry, { json: { token: jwt } }).why, /no string at data.token/);
	assert.equal(tokenIn({ token: 'text' }, { text: jwt + '\n' }).token, jwt);
	assert.match(tokenIn({ token: 'text' }, { text: 'hello' }).why, /not a JWT/);
	const cookie = { token: 'cookie:auth' };
	assert.equal(tokenIn(cookie, { cookies: ['other=1', `auth=${jwt}; Path=/; HttpOnly`] }).token, jwt);
	assert.match(tokenIn(cookie, { cookies: ['authx=1'] }).why, /no Set-Cookie auth/);
	assert.equal(tokenIn(cookie, { cookies: null }).unreadable, true);
	assert.equal(tokenIn({ token: 'echo' }, { text: `upstream got Authorization: Bearer ${jwt} (expires 1)` }).token, jwt);
});

test('mismatches: listed members must match, unlisted ones are free, null means absent', () => {
	const vars = { user: 'u', sid: 's' };
	const claims = { sub: 'u', scope: ['a', 'b'], ctx: { sid: 's', more: 1 }, extra: true };
	assert.deepEqual(mismatches(claims, entry.claims, vars), []);
	assert.deepEqual(mismatches({ ...claims, exp2: 5 }, entry.claims, vars), ['exp2: got 5, want it absent']);
	assert.deepEqual(mismatches({ ...claims, exp2: null }, entry.claims, vars), []);
	assert.deepEqual(mismatches({ ...claims, scope: ['a', 'b', 'c'] }, entry.claims, vars), ['scope: got ["a","b","c"], want ["a","b"]']);
	assert.deepEqual(mismatches({ ...claims, ctx: { sid: 't' } }, entry.claims, vars), ['ctx.sid: got "t", want "s"']);
	assert.deepEqual(mismatches({ ...claims, sub: 'v' }, entry.claims, vars), ['sub: got "v", want "u"']);
	assert.deepEqual(mismatches({ ...claims, ctx: 'x' }, entry.claims, vars), ['ctx: got "x", want an object']);
	assert.deepEqual(mismatches({ n: 2 }, { n: '2' }, vars), ['n: got 2, want "2"']);
});

test('verifies: HMAC, RSA and EC signatures, and refuses a wrong secret or key', () => {
	const env = { T_SECRET: 'secret-1' };
	const jwt = decodeJWT(hs256({ sub: 'x' }, 'secret-1'));
	assert.equal(verifies(jwt, { alg: 'HS256', secret: 'T_SECRET' }, env), true);
	assert.equal(verifies(jwt, { alg: 'HS256', secret: 'T_SECRET' }, { T_SECRET: 'secret-2' }), false);
	assert.throws(() => verifies(jwt, { alg: 'HS256', secret: 'UNSET' }, env), /\$UNSET is not set/);

	const dir = mkdtempSync(join(tmpdir(), 'verify-'));
	for (const [alg, type, opts, signOpts] of [
		['RS256', 'rsa', { modulusLength: 2048 }, {}],
		['ES256', 'ec', { namedCurve: 'P-256' }, { dsaEncoding: 'ieee-p1363' }],
	]) {
		const { privateKey } = generateKeyPairSync(type, opts);
		const path = join(dir, `${type}.pem`);
		writeFileSync(path, privateKey.export({ type: 'pkcs8', format: 'pem' }));
		const input = `${b64({ alg, typ: 'JWT' })}.${b64({ sub: 'x' })}`;
		const sig = sign('sha256', Buffer.from(input), { key: privateKey, ...signOpts }).toString('base64url');
		const t = decodeJWT(`${input}.${sig}`);
		const e = { [`K_${type}`]: path };
		assert.equal(verifies(t, { alg, key: `K_${type}` }, e), true, alg);
		const other = generateKeyPairSync(type, opts).privateKey;
		writeFileSync(path + '.other', other.export({ type: 'pkcs8', format: 'pem' }));
		assert.equal(verifies(t, { alg, key: 'O' }, { O: path + '.other' }), false, `${alg} with another key`);
	}
	assert.throws(() => verifies(decodeJWT(hs256({}, 'x', { alg: 'ES256' })), { alg: 'ES256', key: 'K' }, { K: join(dir, 'rsa.pem') }),
		/holds a rsa key, which cannot verify ES256/);
});

test('checkAnswer passes a right answer and names what is wrong in others', () => {
	const now = 1_800_000_000;
	const env = { T_SECRET: 'secret-1' };
	const vars = { user: 'u', sid: 's' };
	const claims = { sub: 'u', scope: ['a', 'b'], ctx: { sid: 's' }, iat: now, exp: now + 60 };
	const answer = (c, over = {}) => ({ status: 200, json: { ok: true, data: { token: hs256(c, 'secret-1') } }, text: '', cookies: [], ...over });
	const good = checkAnswer(entry, answer(claims), vars, env, now).x;
	assert.deepEqual(good.failures, []);
	assert.ok(good.facts.length >= 7, good.facts.join(', '));
	const fails = (a) => checkAnswer(entry, a, vars, env, now).x.failures.join('; ');
	assert.match(fails(answer(claims, { status: 201 })), /status: got 201, want 200/);
	assert.match(fails(answer({ ...claims, exp: now + 61 })), /exp-iat: got 61, want 60/);
	assert.match(fails(answer({ ...claims, iat: now - 500, exp: now - 440 })), /iat is now/);
	assert.match(fails(answer({ ...claims, sub: 'v' })), /claims .*sub: got "v"/);
	assert.match(fails({ ...answer(claims), json: { ok: false, data: { token: hs256(claims, 'secret-1') } } }), /answer holds ok: ok: got false/);
	assert.match(fails({ ...answer(claims), json: { ok: true, data: { token: hs256(claims, 'secret-2') } } }), /HS256 signature verifies with \$T_SECRET(;|$)/);
	assert.match(fails({ ...answer(claims), json: { ok: true, data: { token: hs256(claims, 'secret-1', { alg: 'HS384' }) } } }), /alg: got "HS384"/);
	assert.match(fails({ ...answer(claims), json: { ok: true } }), /a token in JSON member data.token: no string/);
});

test('words splits a plain curl line as a shell does, and refuses shell syntax', () => {
	assert.deepEqual(words(`curl -u demo:pw -X POST localhost:8080/x -H 'Content-Type: application/json' -d '{"a":"b c"}'  # note`),
		['curl', '-u', 'demo:pw', '-X', 'POST', 'localhost:8080/x', '-H', 'Content-Type: application/json', '-d', '{"a":"b c"}']);
	assert.deepEqual(words(`curl "a \\"b\\"" c\\ d 'it'\\''s' x#y`), ['curl', 'a "b"', 'c d', "it's", 'x#y']);
	assert.throws(() => words('curl localhost:8080/x | jq .'), /shell syntax \|/);
	assert.throws(() => words('curl -H "Authorization: Bearer $TOKEN" localhost:8080/x'), /uses \$/);
	assert.throws(() => words('curl localhost:8080/x > out'), /shell syntax >/);
	assert.throws(() => words(`curl 'open`), /unclosed/);
});

test('curlLines finds curl commands in sh blocks with the status on the next line', () => {
	const md = [
		'```sh',
		'curl -u demo:pw localhost:8080/a',
		'# → 200',
		'$ curl -u demo:pw -X POST localhost:8080/b \\',
		"  -d '{}'",
		'# -> 403',
		'curl localhost:8080/c',
		'echo curl localhost:8080/d',
		'```',
		'',
		'```caddyfile',
		'curl localhost:8080/e',
		'# → 200',
		'```',
		'```console',
		'$ curl -s localhost:2019/metrics',
		'```',
		'curl localhost:8080/f (prose)',
	].join('\n');
	assert.deepEqual(curlLines(md), [
		{ line: 2, cmd: 'curl -u demo:pw localhost:8080/a', status: 200 },
		{ line: 4, cmd: "curl -u demo:pw -X POST localhost:8080/b  -d '{}'", status: 403 },
		{ line: 7, cmd: 'curl localhost:8080/c', status: null },
		{ line: 16, cmd: 'curl -s localhost:2019/metrics', status: null },
	]);
});
