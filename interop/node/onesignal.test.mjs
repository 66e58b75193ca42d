// @onesignal/node-onesignal is a REST client. jose verifies ours as the
// identity verification docs require: ES256 only, with the public half of
// the key pair, iss the App ID; identity.external_id the user;
// subscriptions entries {type: Email|SMS, token}. The sample server
// answers {jwt}.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jwtVerify, importSPKI } from 'jose';
import { keys, vectors } from './vectors.mjs';

for (const v of vectors('onesignal')) {
  test(`onesignal ${v.name}: jose verifies it under ES256; identity and subscriptions`, async () => {
    const { payload, protectedHeader } = await jwtVerify(v.token, await importSPKI(keys.ec_public_pem, 'ES256'), {
      algorithms: ['ES256'], issuer: v.input.appId, requiredClaims: ['exp', 'identity'], currentDate: new Date(v.now * 1000),
    });
    assert.deepEqual(protectedHeader, { alg: 'ES256', typ: 'JWT' });
    assert.equal(payload.identity.external_id, v.input.externalId);
    for (const s of payload.subscriptions ?? []) {
      assert.deepEqual(Object.keys(s).sort(), ['token', 'type']);
      assert.ok(['Email', 'SMS'].includes(s.type), s.type);
    }
    assert.deepEqual(JSON.parse(v.answer), { jwt: v.token });
  });
}
