// Canny and Frill verify SSO tokens on their servers; their docs' samples
// sign with jsonwebtoken under HS256. jose verifies ours the same way (the
// SSO key, HS256 only, exp honoured) and checks the user fields the
// widgets read: id, email and name strings, and Canny's avatarURL a URL.
// Both answer {ssoToken}.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jwtVerify } from 'jose';
import { vectors } from './vectors.mjs';
import { keyFor } from './keyset.mjs';

for (const preset of ['canny', 'frill']) {
  for (const v of vectors(preset)) {
    test(`${preset} ${v.name}: jose verifies it under HS256; the user fields`, async () => {
      const { payload, protectedHeader } = await jwtVerify(v.token, await keyFor(v), {
        algorithms: ['HS256'], requiredClaims: ['id', 'email', 'name', 'iat', 'exp'], currentDate: new Date(v.now * 1000),
      });
      assert.deepEqual(protectedHeader, { alg: 'HS256', typ: 'JWT' });
      for (const k of ['id', 'email', 'name']) assert.equal(payload[k], v.input[k], k);
      if (payload.avatarURL !== undefined) assert.ok(new URL(payload.avatarURL).protocol === 'https:');
      assert.deepEqual(JSON.parse(v.answer), { ssoToken: v.token });
    });
  }
}
