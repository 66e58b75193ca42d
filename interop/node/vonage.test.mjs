// Vonage: @vonage/jwt's tokenGenerate rebuilds the application JWT from the
// same application id, sub, acl, ttl and jti (the one thing the SDK makes
// at random), byte for byte, and verifySignature accepts ours under the
// public key. @vonage/video's generateClientToken rebuilds the Video client
// token from the same session, role, data and layout classes, with its
// jti pinned to ours, byte for byte.
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { tokenGenerate, verifySignature } from '@vonage/jwt';
import { Video } from '@vonage/video';
import { keys, vectors, atTime, decode } from './vectors.mjs';

for (const v of vectors('vonage')) {
  test(`vonage ${v.name}: tokenGenerate makes the same token, verifySignature accepts it`, async () => {
    const { sub, acl, ttl } = v.input;
    const token = await atTime(v.now, () => tokenGenerate(v.input.applicationId, keys.rsa_private_pem, { sub, acl, jti: v.jti, ttl }));
    assert.deepEqual(decode(v.token), decode(token));
    assert.equal(v.token, token);
    // verifySignature also checks exp against the clock: the mint time's.
    assert.equal(await atTime(v.now, () => verifySignature(v.token, keys.rsa_public_pem)), true);
    assert.equal(await atTime(v.now, () => verifySignature(v.token.slice(0, -4) + 'AAAA', keys.rsa_public_pem)), false);
    assert.deepEqual(JSON.parse(v.answer), { token: v.token });
  });
}

for (const v of vectors('vonage_video')) {
  test(`vonage_video ${v.name}: generateClientToken makes the same token`, async (t) => {
    // The SDK's jti is uuid's v4, which takes crypto.randomUUID: pinned to ours.
    t.mock.method(globalThis.crypto, 'randomUUID', () => v.jti);
    const video = new Video({ applicationId: v.input.applicationId, privateKey: keys.rsa_private_pem });
    const token = await atTime(v.now, () => video.generateClientToken(v.input.sessionId, v.input.options));
    assert.deepEqual(decode(v.token), decode(token));
    assert.equal(v.token, token);
    assert.equal(await atTime(v.now, () => verifySignature(v.token, keys.rsa_public_pem)), true);
    assert.deepEqual(JSON.parse(v.answer), { applicationId: v.input.applicationId, sessionId: v.input.sessionId, token: v.token });
  });
}
