// Tiptap's SDKs that check tokens are on its private registry; jose
// verifies ours under HS256 only, as the docs' samples sign them, and the
// document lists are arrays of names (never omitted: that would open every
// document).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jwtVerify } from 'jose';
import { keys, vectors } from './vectors.mjs';

for (const v of vectors('tiptap')) {
  test(`tiptap ${v.name}: jose verifies it; document lists as documented`, async () => {
    const { payload, protectedHeader } = await jwtVerify(v.token, new TextEncoder().encode(keys.hmac_secret), {
      algorithms: ['HS256'], subject: v.input.sub, requiredClaims: ['allowedDocumentNames', 'iat', 'exp'],
      currentDate: new Date(v.now * 1000),
    });
    assert.deepEqual(protectedHeader, { alg: 'HS256', typ: 'JWT' });
    assert.deepEqual(payload.allowedDocumentNames, v.input.allowedDocumentNames);
    for (const name of ['readonlyDocumentNames', 'commentDocumentNames']) {
      if (payload[name] !== undefined) assert.ok(payload[name].every((d) => typeof d === 'string'), name);
    }
  });
}
