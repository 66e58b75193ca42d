// Supabase has no offline verifier on npm (auth-js getClaims needs the
// project's JWKS endpoint or a network call). jose verifies ours under the
// vector's algorithm only, with Auth's audience; the payload must pass
// Auth's MinimumViableTokenSchema (supabase/auth internal/tokens/
// service.go, the schema Auth applies to custom access token hooks: the
// claims PostgREST and the RLS helpers read), and the answer is Auth's
// token-response shape, so supabase-js's accessToken can return
// body.access_token.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jwtVerify } from 'jose';
import { vectors } from './vectors.mjs';
import { keyFor } from './keyset.mjs';

// MinimumViableTokenSchema, as Auth declares it (JSON Schema draft-07).
const schema = {
  type: 'object',
  properties: {
    aud: { type: ['string', 'array'] }, exp: { type: 'integer' }, jti: { type: 'string' }, iat: { type: 'integer' },
    iss: { type: 'string' }, nbf: { type: 'integer' }, sub: { type: 'string' }, email: { type: 'string' },
    phone: { type: 'string' }, app_metadata: { type: 'object' }, user_metadata: { type: 'object' },
    role: { type: 'string' }, aal: { type: 'string' }, amr: { type: 'array', items: { type: 'object' } },
    session_id: { type: 'string' }, client_id: { type: 'string' },
  },
  required: ['aud', 'exp', 'iat', 'sub', 'email', 'phone', 'role', 'aal', 'session_id', 'is_anonymous'],
};

// jsonType names a value's JSON Schema type.
function jsonType(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

// validate applies the schema's required, type and items keywords, the
// only ones it uses.
function validate(payload) {
  const errors = [];
  for (const name of schema.required) {
    if (!(name in payload)) errors.push(`${name} is required`);
  }
  for (const [name, rule] of Object.entries(schema.properties)) {
    if (!(name in payload)) continue;
    const types = [rule.type].flat();
    if (!types.includes(jsonType(payload[name]))) errors.push(`${name} is ${jsonType(payload[name])}, want ${types}`);
    if (rule.items && Array.isArray(payload[name])) {
      payload[name].forEach((it, i) => {
        if (jsonType(it) !== rule.items.type) errors.push(`${name}[${i}] is ${jsonType(it)}`);
      });
    }
  }
  return errors;
}

test('the schema check refuses what Auth refuses', () => {
  assert.deepEqual(validate({ aud: 'a', exp: 1, iat: 1, sub: 's', email: '', phone: '', role: 'r', aal: 'aal1', session_id: 's', is_anonymous: false }), []);
  assert.ok(validate({ aud: 'a', exp: 1.5, iat: 1, sub: 's', email: '', phone: '', role: 'r', aal: 'aal1', is_anonymous: false }).length === 2);
  assert.ok(validate({ amr: ['password'] }).some((e) => e.startsWith('amr[0]')));
});

for (const v of vectors('supabase')) {
  test(`supabase ${v.name}: jose verifies it; MinimumViableTokenSchema holds; Auth's answer shape`, async () => {
    const { payload, protectedHeader } = await jwtVerify(v.token, await keyFor(v), {
      algorithms: [v.input.alg], audience: 'authenticated', subject: v.input.sub, currentDate: new Date(v.now * 1000),
    });
    const header = { alg: v.input.alg, typ: 'JWT' };
    if (v.input.kid) header.kid = v.input.kid;
    assert.deepEqual(protectedHeader, header);
    assert.deepEqual(validate(payload), []);
    assert.equal(payload.role, 'authenticated'); // never service_role by default
    assert.equal(payload.session_id, '00000000-0000-0000-0000-000000000000'); // Auth skips the nil session
    const answer = JSON.parse(v.answer);
    assert.deepEqual(Object.keys(answer), ['access_token', 'token_type', 'expires_in', 'expires_at']);
    assert.equal(answer.access_token, v.token);
    assert.equal(answer.token_type, 'bearer');
    assert.equal(answer.expires_at, payload.exp);
    assert.equal(answer.expires_in, payload.exp - v.now);
  });
}
