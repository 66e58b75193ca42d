// Checking an answer against its entry in demo/endpoints.json, in Node:
// the status, the token where the entry says, its alg and header, its
// signature (the HMAC secret or the demo key's public half, named by the
// entry and read from the environment demo/demo.env sets), its claims and
// lifetime, and the rest of the answer. .ci/smoke (smoke.mjs) and the
// browser test (browser.mjs) share it.
import { constants, createHmac, createPublicKey, timingSafeEqual, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { decodeJWT, mismatches, place, tokenIn } from '../endpoints.mjs';

// A list of named assertions: each records a fact checked or a failure.
export class Checks {
	constructor() { this.facts = []; this.failures = []; }
	eq(label, got, want) {
		if (isDeepStrictEqual(got, want)) this.facts.push(`${label}=${JSON.stringify(want)}`);
		else this.failures.push(`${label}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
	}
	ok(label, cond, why = '') {
		if (cond) this.facts.push(label);
		else this.failures.push(label + (why ? `: ${why}` : ''));
	}
	none(label, problems) {
		if (problems.length === 0) this.facts.push(label);
		else this.failures.push(`${label}: ${problems.join('; ')}`);
	}
}

const HASH = { 256: 'sha256', 384: 'sha384', 512: 'sha512' };
const KEY_TYPE = { RS: ['rsa'], PS: ['rsa', 'rsa-pss'], ES: ['ec'], Ed: ['ed25519', 'ed448'] };

function need(env, name) {
	const v = env[name];
	if (!v) throw new Error(`$${name} is not set (source demo/demo.env, as .ci/smoke and .ci/browser-test do)`);
	return v;
}

const publicKeys = new Map();
// publicKey reads the PEM file $name names (a private key, as
// ./xcaddy.sh run's demo/genkey writes it) and returns its public half.
function publicKey(env, name) {
	const path = need(env, name);
	if (!publicKeys.has(path)) publicKeys.set(path, createPublicKey(readFileSync(path)));
	return publicKeys.get(path);
}

// verifies checks a JWT's signature for the entry's alg with its secret or
// key. It throws when the key is missing or of the wrong kind.
export function verifies(jwt, ep, env, signature = jwt.parts[2]) {
	const input = Buffer.from(`${jwt.parts[0]}.${jwt.parts[1]}`);
	const sig = Buffer.from(signature, 'base64url');
	const fam = ep.alg.slice(0, 2);
	const hash = HASH[ep.alg.slice(2)];
	if (fam === 'HS') {
		const mac = createHmac(hash, need(env, ep.secret)).update(input).digest();
		return mac.length === sig.length && timingSafeEqual(mac, sig);
	}
	const key = publicKey(env, ep.key);
	if (!KEY_TYPE[fam]?.includes(key.asymmetricKeyType)) {
		throw new Error(`$${ep.key} holds a ${key.asymmetricKeyType} key, which cannot verify ${ep.alg}`);
	}
	switch (fam) {
	case 'RS': return verify(hash, input, key, sig);
	case 'PS': return verify(hash, input, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, sig);
	case 'ES': return verify(hash, input, { key, dsaEncoding: 'ieee-p1363' }, sig);
	default: return verify(null, input, key, sig); // EdDSA
	}
}

// tampered is a signature with its first byte changed: a check that
// verifies it is broken.
function tampered(sig) {
	const b = Buffer.from(sig, 'base64url');
	b[0] ^= 1;
	return b.toString('base64url');
}

// checkAnswer checks answer ({status, text, json, cookies}) against the
// entry. vars are the request's placeholder values. Returns the checks, and
// the token and its decoding when one was found.
export function checkAnswer(ep, answer, vars, env, now = Math.floor(Date.now() / 1000)) {
	const x = new Checks();
	x.eq('status', answer.status, ep.status);
	if (ep.answer) x.none('answer holds ' + Object.keys(ep.answer).join(', '), mismatches(answer.json, ep.answer, vars));
	const found = tokenIn(ep, answer);
	if (!found.token) {
		x.ok(`a token in ${place(ep)}`, false, found.why);
		return { x };
	}
	let jwt;
	try {
		jwt = decodeJWT(found.token);
	} catch (err) {
		x.ok('a decodable JWT', false, err.message);
		return { x };
	}
	x.ok(`token in ${place(ep)}`, true);
	x.eq('alg', jwt.header.alg, ep.alg);
	if (ep.header) x.none('header holds ' + Object.keys(ep.header).join(', '), mismatches(jwt.header, ep.header, vars));
	const by = ep.secret ? `$${ep.secret}` : `the public half of $${ep.key}`;
	try {
		x.ok(`${ep.alg} signature verifies with ${by}`, verifies(jwt, ep, env));
		x.ok('and a tampered one does not', !verifies(jwt, ep, env, tampered(jwt.parts[2])));
	} catch (err) {
		x.ok(`${ep.alg} signature verifies with ${by}`, false, err.message);
	}
	const c = jwt.claims;
	x.none(`claims ${Object.keys(ep.claims || {}).join(', ')}`, mismatches(c, ep.claims || {}, vars));
	if (typeof c.iat === 'number') x.ok('iat is now', Math.abs(c.iat - now) < 120, `iat ${c.iat}, now ${now}`);
	if (ep.lifetime) {
		if (typeof c.iat === 'number') x.eq('exp-iat', c.exp - c.iat, ep.lifetime);
		else x.ok(`exp is now+${ep.lifetime}s`, typeof c.exp === 'number' && Math.abs(c.exp - now - ep.lifetime) < 120, `exp ${c.exp}, now ${now}`);
	}
	return { x, token: found.token, jwt };
}
