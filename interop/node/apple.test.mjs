// Apple ships no library that makes MapKit JS or WeatherKit tokens. jose
// verifies ours under ES256 only with the key's public half; ES256
// signatures are randomized, so the header and claims are compared instead
// of bytes: MapKit's header alg, kid, typ; WeatherKit's alg, kid and id,
// with iss and sub the two halves of id.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jwtVerify, importSPKI } from 'jose';
import { keys, vectors, segments } from './vectors.mjs';

const key = () => importSPKI(keys.ec_public_pem, 'ES256');

for (const v of vectors('mapkit')) {
  test(`mapkit ${v.name}: jose verifies it; header and claims as Apple documents`, async () => {
    const { payload, protectedHeader } = await jwtVerify(v.token, await key(), {
      algorithms: ['ES256'], issuer: v.input.iss, currentDate: new Date(v.now * 1000),
    });
    assert.deepEqual(protectedHeader, { alg: 'ES256', kid: v.input.kid, typ: 'JWT' });
    assert.deepEqual(Object.keys(payload), ['iss', 'iat', 'exp', 'origin']);
    assert.equal(payload.origin, v.input.origin);
    assert.equal(payload.iat, v.now);
    assert.equal(v.answer, v.token); // the bare token, for authorizationCallback's done()
  });
}

for (const v of vectors('weatherkit')) {
  test(`weatherkit ${v.name}: jose verifies it; header alg, kid and id only`, async () => {
    const { payload, protectedHeader } = await jwtVerify(v.token, await key(), {
      algorithms: ['ES256'], issuer: v.input.iss, subject: v.input.sub, currentDate: new Date(v.now * 1000),
    });
    assert.equal(segments(v.token).header, JSON.stringify({ alg: 'ES256', id: `${v.input.iss}.${v.input.sub}`, kid: v.input.kid }));
    assert.deepEqual(protectedHeader, { alg: 'ES256', kid: v.input.kid, id: `${v.input.iss}.${v.input.sub}` });
    assert.deepEqual(Object.keys(payload), ['iss', 'iat', 'exp', 'sub']);
  });
}
