// Intercom has no SDK that makes or checks Messenger JWTs (its JS package
// only loads the widget). jose verifies ours under HS256 only, as the
// install guide's check does, and the claims are the guide's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jwtVerify } from 'jose';
import { keys, vectors } from './vectors.mjs';

for (const v of vectors('intercom')) {
  test(`intercom ${v.name}: jose verifies it; user_id and signed attributes`, async () => {
    const { payload, protectedHeader } = await jwtVerify(v.token, new TextEncoder().encode(keys.hmac_secret), {
      algorithms: ['HS256'], requiredClaims: ['user_id', 'exp'], currentDate: new Date(v.now * 1000),
    });
    assert.deepEqual(protectedHeader, { alg: 'HS256', typ: 'JWT' });
    assert.equal(payload.user_id, v.input.user_id);
    assert.equal(payload.email, v.input.email);
    assert.equal(payload.exp - payload.iat, 7200);
    assert.deepEqual(JSON.parse(v.answer), { token: v.token });
  });
}
