// Convex verifies custom JWTs in its hosted backend, not in the `convex`
// client. jose verifies ours as the customJwt provider does
// (docs.convex.dev/auth/advanced/custom-jwt): the public key from the
// provider's JWKS, picked by kid; RS256 or ES256; iss the issuer and aud
// the applicationID, exactly; header kid, alg and typ; sub, iss, exp and
// the iat clients refresh by. fetchAccessToken gets {token}, or the bare
// token with answer text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jwtVerify } from 'jose';
import { vectors } from './vectors.mjs';
import { keyFor } from './keyset.mjs';

for (const v of vectors('convex')) {
  test(`convex ${v.name}: jose verifies it with the JWKS, as a customJwt provider`, async () => {
    const { payload, protectedHeader } = await jwtVerify(v.token, await keyFor(v), {
      algorithms: ['RS256', 'ES256'], issuer: v.input.issuer, audience: v.input.applicationID, subject: v.input.sub,
      requiredClaims: ['iat', 'exp'], currentDate: new Date(v.now * 1000),
    });
    assert.deepEqual(protectedHeader, { alg: v.input.alg, kid: v.input.kid, typ: 'JWT' });
    assert.equal(typeof payload.aud, 'string');
    const token = v.answer.startsWith('{') ? JSON.parse(v.answer).token : v.answer;
    assert.equal(token, v.token);
  });
}
