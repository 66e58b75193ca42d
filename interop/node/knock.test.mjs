// Knock: @knocklabs/node's signUserToken rebuilds each token from the same
// user, grants (made with buildUserTokenGrant) and lifetime, byte for byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signUserToken, buildUserTokenGrant } from '@knocklabs/node';
import { keys, vectors, atTime, decode } from './vectors.mjs';

for (const v of vectors('knock')) {
  test(`knock ${v.name}: signUserToken makes the same token`, async () => {
    const grants = v.input.grants?.map((g) => buildUserTokenGrant({ type: g.type, id: g.id }, g.grants));
    const token = await atTime(v.now, () =>
      signUserToken(v.input.userId, { signingKey: keys.rsa_private_pem, expiresInSeconds: v.input.expiresInSeconds, grants }));
    assert.deepEqual(decode(v.token), decode(token));
    assert.equal(v.token, token);
    assert.deepEqual(JSON.parse(v.answer), { error: null, userToken: v.token });
  });
}
