// @powersync/service-core is not installable here; jose verifies ours as
// its KeyStore.verifyJwt does (packages/service-core/src/auth/KeyStore.ts):
// the key of the token's kid from the JWKS, requiredClaims aud, sub, iat
// and exp, the instance URL among the audiences, 60 s of clock tolerance,
// exp - iat at most token_max_expiration (1 day), parameters an object.
// The answer is what fetchCredentials() returns, {endpoint, token}.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jwtVerify } from 'jose';
import { vectors } from './vectors.mjs';
import { keyFor } from './keyset.mjs';

for (const v of vectors('powersync')) {
  test(`powersync ${v.name}: jose verifies it as KeyStore.verifyJwt; fetchCredentials' answer`, async () => {
    const { payload, protectedHeader } = await jwtVerify(v.token, await keyFor(v), {
      algorithms: [v.input.alg], audience: [v.input.endpoint], subject: v.input.sub, clockTolerance: 60,
      requiredClaims: ['aud', 'sub', 'iat', 'exp'], currentDate: new Date(v.now * 1000),
    });
    assert.equal(protectedHeader.kid, v.input.kid);
    assert.ok(payload.exp - payload.iat <= 86400, `exp - iat = ${payload.exp - payload.iat}`);
    if (payload.parameters !== undefined) {
      assert.ok(payload.parameters !== null && typeof payload.parameters === 'object' && !Array.isArray(payload.parameters));
    }
    assert.deepEqual(JSON.parse(v.answer), { endpoint: v.input.endpoint, token: v.token });
  });
}
