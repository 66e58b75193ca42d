// Cloudflare Stream has no SDK that signs or checks these tokens offline
// (its API signs its own). jose verifies ours with the key as the JWK that
// Cloudflare hands out, under RS256 only; the header is the docs' Worker
// sample's, exactly; the claims follow the documented schema.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { jwtVerify, importJWK } from 'jose';
import { keys, vectors, segments } from './vectors.mjs';

for (const v of vectors('cloudflare_stream')) {
  test(`cloudflare_stream ${v.name}: jose verifies it with the JWK; header and claims as documented`, async () => {
    const jwk = { ...createPublicKey(keys.rsa_public_pem).export({ format: 'jwk' }), alg: 'RS256', kid: v.input.kid };
    const key = await importJWK(jwk, 'RS256');
    const { payload } = await jwtVerify(v.token, key, { algorithms: ['RS256'], currentDate: new Date(v.now * 1000) });
    assert.equal(segments(v.token).header, JSON.stringify({ alg: 'RS256', kid: v.input.kid }));
    assert.deepEqual(Object.keys(payload).slice(0, 3), ['sub', 'kid', 'exp']);
    assert.equal(payload.sub, v.input.sub);
    assert.equal(payload.kid, v.input.kid);
    assert.ok(Number.isInteger(payload.exp) && payload.exp > v.now && payload.exp - v.now <= 86400, `exp ${payload.exp}`);
    assert.equal(payload.iat, undefined);
    if (payload.downloadable !== undefined) assert.equal(typeof payload.downloadable, 'boolean');
    if (payload.accessRules !== undefined) {
      assert.ok(Array.isArray(payload.accessRules) && payload.accessRules.length <= 5);
      for (const r of payload.accessRules) {
        assert.ok(['any', 'ip.src', 'ip.geoip.country'].includes(r.type), r.type);
        assert.ok(['allow', 'block'].includes(r.action), r.action);
      }
    }
    assert.deepEqual(Object.keys(JSON.parse(v.answer)), ['token']);
  });
}
