// Mux: @mux/mux-node's jwt.signPlaybackId rebuilds each token from the same
// playback id, key, type, expiration and params, byte for byte (RS256 is
// deterministic), and the same answer: the preset's body is the SDK's
// multi-type result for the route's one type.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Mux from '@mux/mux-node';
import { keys, vectors, atTime, decode } from './vectors.mjs';

for (const v of vectors('mux')) {
  test(`mux ${v.name}: signPlaybackId makes the same token and answer`, async () => {
    const mux = new Mux({ tokenId: 'unused', tokenSecret: 'unused', jwtSigningKey: v.input.keyId, jwtPrivateKey: keys.rsa_private_pem });
    const opts = { expiration: v.input.expiration, params: v.input.params };
    const token = await atTime(v.now, () => mux.jwt.signPlaybackId(v.input.playbackId, { ...opts, type: v.input.type }));
    assert.deepEqual(decode(v.token), decode(token));
    assert.equal(v.token, token);
    const multi = await atTime(v.now, () => mux.jwt.signPlaybackId(v.input.playbackId, { ...opts, type: [v.input.type] }));
    assert.equal(v.answer, JSON.stringify(multi));
  });
}
