// Prosody's token plugin comes from Jitsi's own apt repository, not
// reachable here. jose verifies ours as luajwtjitsi and token/util.lib.lua
// do: typ exactly "JWT", alg the configured one (RS256 with kid for
// ASAP), iss the app id, aud accepted, room (or "*") and sub present, nbf
// and exp with no clock skew, context.user's fields strings. The answer's
// url opens the room with ?jwt=.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jwtVerify } from 'jose';
import { vectors } from './vectors.mjs';
import { keyFor } from './keyset.mjs';

for (const v of vectors('jitsi')) {
  test(`jitsi ${v.name}: jose verifies it as Prosody does; the meeting URL`, async () => {
    const { payload, protectedHeader } = await jwtVerify(v.token, await keyFor(v), {
      algorithms: [v.input.alg], issuer: v.input.iss, audience: v.input.aud, typ: 'JWT',
      requiredClaims: ['room', 'sub', 'exp', 'nbf'], currentDate: new Date(v.now * 1000),
    });
    assert.equal(protectedHeader.typ, 'JWT');
    if (v.input.kid) assert.equal(protectedHeader.kid, v.input.kid);
    assert.equal(payload.room, v.input.room);
    assert.ok(payload.nbf <= v.now, 'nbf is not in the future');
    for (const [k, val] of Object.entries(payload.context.user)) assert.equal(typeof val, 'string', `context.user.${k}`);
    assert.equal(payload.context.user.id, v.input.user);
    const answer = JSON.parse(v.answer);
    assert.equal(answer.token, v.token);
    if (v.input.url && v.input.room !== '*') {
      assert.equal(answer.url, `${v.input.url}/${encodeURIComponent(v.input.room)}?jwt=${v.token}`);
    } else {
      assert.equal(answer.url, undefined);
    }
  });
}
