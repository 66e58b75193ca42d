// Grafana (AGPL) is not used here, and nothing on npm checks its tokens.
// jose verifies ours as [auth.jwt] does with jwk_set_url: the key by kid
// from the JWKS, exp/iat validated, expect_claims matched exactly; sub
// present (tokens without one are not handled), a login or an email, and
// the role one of Grafana's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jwtVerify } from 'jose';
import { vectors } from './vectors.mjs';
import { keyFor } from './keyset.mjs';

for (const v of vectors('grafana')) {
  test(`grafana ${v.name}: jose verifies it with the JWKS; expect_claims and identity`, async () => {
    const { payload, protectedHeader } = await jwtVerify(v.token, await keyFor(v), {
      algorithms: [v.input.alg], subject: v.input.sub, currentDate: new Date(v.now * 1000),
    });
    assert.equal(protectedHeader.kid, v.input.kid);
    for (const [k, want] of Object.entries(v.input.expect_claims)) assert.equal(payload[k], want, k);
    assert.ok(payload.login || payload.email, 'a login or an email');
    assert.ok(['None', 'Viewer', 'Editor', 'Admin', 'GrafanaAdmin'].includes(payload.role), payload.role);
    assert.ok(payload.groups.every((g) => typeof g === 'string'));
    assert.deepEqual(JSON.parse(v.answer), { token: v.token });
  });
}
