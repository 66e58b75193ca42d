// @metabase/embedding-sdk-react only fetches. jose verifies ours as
// Metabase's JWT SSO does (enterprise .../sso/integrations/jwt.clj):
// HS256 with the JWT signing key, maxTokenAge 180 s from iat; the email is
// the account's key, groups an array of names. The SDK's ?response=json
// gets {"jwt"}; a browser gets the /auth/sso URL with return_to.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jwtVerify } from 'jose';
import { vectors } from './vectors.mjs';
import { keyFor } from './keyset.mjs';

for (const v of vectors('metabase_sso')) {
  test(`metabase_sso ${v.name}: jose verifies it as Metabase; the answer`, async () => {
    const { payload } = await jwtVerify(v.token, await keyFor(v), {
      algorithms: ['HS256'], maxTokenAge: 180, requiredClaims: ['email', 'iat', 'exp'], currentDate: new Date(v.now * 1000),
    });
    assert.equal(payload.email, v.input.email);
    if (payload.groups !== undefined) assert.ok(payload.groups.every((g) => typeof g === 'string'));
    const answer = JSON.parse(v.answer);
    if (v.input.answer === 'json') {
      assert.deepEqual(answer, { jwt: v.token });
    } else {
      const u = new URL(answer.url);
      assert.equal(u.origin + u.pathname, `${v.input.site_url}/auth/sso`);
      assert.equal(u.searchParams.get('jwt'), v.token);
      assert.equal(u.searchParams.get('return_to'), v.input.return_to);
    }
  });
}
