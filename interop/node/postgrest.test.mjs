// PostgREST has no verifier on npm and no Debian package here. jose
// verifies ours as PostgREST does (docs/references/auth.rst): HS256 with
// the jwt-secret, the jwt-aud audience, 30 s of clock skew; the role claim
// (jwt-role-claim-key $.role) is the configured one, and the other claims
// reach SQL as request.jwt.claims with their JSON types.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jwtVerify } from 'jose';
import { vectors } from './vectors.mjs';
import { keyFor } from './keyset.mjs';

for (const v of vectors('postgrest')) {
  test(`postgrest ${v.name}: jose verifies it as PostgREST does; role and claims`, async () => {
    const { payload, protectedHeader } = await jwtVerify(v.token, await keyFor(v), {
      algorithms: [v.input.alg], audience: v.input.aud, clockTolerance: 30, requiredClaims: ['role', 'exp'],
      currentDate: new Date(v.now * 1000),
    });
    assert.deepEqual(protectedHeader, { alg: v.input.alg, typ: 'JWT' });
    assert.equal(payload.role, v.input.role);
    assert.equal(payload.sub, 'alice');
    assert.equal(payload.tenant_id, 42);
    assert.deepEqual(JSON.parse(v.answer), { token: v.token });
  });
}
