// Tableau has no SDK that makes or checks connected-app tokens (the
// embedding API only passes them on). jose verifies ours under HS256 only,
// with Tableau's audience and the client id as issuer; the header carries
// kid and iss as both official samples write them; exp is at most 10
// minutes ahead, as Tableau requires.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jwtVerify } from 'jose';
import { keys, vectors } from './vectors.mjs';

for (const v of vectors('tableau')) {
  test(`tableau ${v.name}: jose verifies it; header, scopes and lifetime as Tableau requires`, async () => {
    const { payload, protectedHeader } = await jwtVerify(v.token, new TextEncoder().encode(keys.hmac_secret), {
      algorithms: ['HS256'], audience: 'tableau', issuer: v.input.clientId, currentDate: new Date(v.now * 1000),
    });
    assert.deepEqual(protectedHeader, { alg: 'HS256', typ: 'JWT', kid: v.input.secretId, iss: v.input.clientId });
    assert.equal(payload.sub, v.input.sub);
    assert.equal(payload.aud, 'tableau');
    assert.match(payload.jti, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.ok(payload.exp - v.now > 0 && payload.exp - v.now <= 600, `exp - now = ${payload.exp - v.now}`);
    assert.ok(Array.isArray(payload.scp) && payload.scp.every((s) => s.startsWith('tableau:')), `scp ${payload.scp}`);
  });
}
