// Zendesk ships no library for messaging JWTs. jose verifies ours under
// HS256 only; the header names the signing key by kid, scope is "user" and
// external_id the user, as Zendesk requires; the answer is the bare token
// that loginUser's jwtCallback hands on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jwtVerify } from 'jose';
import { keys, vectors } from './vectors.mjs';

for (const v of vectors('zendesk')) {
  test(`zendesk ${v.name}: jose verifies it; kid, scope and external_id as Zendesk requires`, async () => {
    const { payload, protectedHeader } = await jwtVerify(v.token, new TextEncoder().encode(keys.hmac_secret), {
      algorithms: ['HS256'], requiredClaims: ['scope', 'external_id', 'exp'], currentDate: new Date(v.now * 1000),
    });
    assert.deepEqual(protectedHeader, { alg: 'HS256', typ: 'JWT', kid: v.input.kid });
    assert.equal(payload.scope, 'user');
    assert.equal(payload.external_id, v.input.external_id);
    assert.ok(payload.external_id.length <= 255);
    if (payload.email_verified !== undefined) assert.equal(typeof payload.email_verified, 'boolean');
    assert.equal(v.answer, v.token);
  });
}
