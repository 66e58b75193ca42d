// @cubejs-backend/api-gateway wraps jsonwebtoken; jose verifies ours as
// its default checkAuth does: CUBEJS_API_SECRET under HS256, or, with
// CUBEJS_JWK_URL, the key by kid from the JWKS (a kid is required there);
// the payload is the security context, its types as configured.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jwtVerify } from 'jose';
import { vectors } from './vectors.mjs';
import { keyFor } from './keyset.mjs';

for (const v of vectors('cube')) {
  test(`cube ${v.name}: jose verifies it as checkAuth; the security context`, async () => {
    const { payload, protectedHeader } = await jwtVerify(v.token, await keyFor(v), {
      algorithms: [v.input.alg], subject: v.input.sub, currentDate: new Date(v.now * 1000),
    });
    if (!v.input.alg.startsWith('HS')) assert.equal(protectedHeader.kid, v.input.kid);
    for (const [k, want] of Object.entries(v.input.context)) assert.deepEqual(payload[k], want, k);
    assert.deepEqual(JSON.parse(v.answer), { token: v.token });
  });
}
