// @superset-ui/embedded-sdk only decodes exp. jose verifies ours as
// Superset's parse_jwt_guest_token does (superset/security/manager.py):
// GUEST_TOKEN_JWT_SECRET under GUEST_TOKEN_JWT_ALGO, the configured
// audience; then the claims get_guest_user_from_request needs: user,
// resources and rls_rules present, type "guest"; each resource a
// {type: "dashboard", id} whose str(id) has_guest_access compares; each
// rule a {clause, dataset?}. The REST endpoint answers {token}.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jwtVerify } from 'jose';
import { vectors } from './vectors.mjs';
import { keyFor } from './keyset.mjs';

for (const v of vectors('superset_guest')) {
  test(`superset_guest ${v.name}: jose verifies it as Superset; the guest claims`, async () => {
    const { payload, protectedHeader } = await jwtVerify(v.token, await keyFor(v), {
      algorithms: [v.input.alg], audience: v.input.aud, requiredClaims: ['user', 'resources', 'rls_rules', 'iat', 'exp'],
      currentDate: new Date(v.now * 1000),
    });
    assert.deepEqual(protectedHeader, { alg: v.input.alg, typ: 'JWT' });
    assert.equal(payload.type, 'guest');
    assert.equal(payload.user.username, v.input.username);
    assert.deepEqual(payload.resources, [{ type: 'dashboard', id: v.input.dashboard }]);
    assert.ok(Array.isArray(payload.rls_rules));
    for (const r of payload.rls_rules) {
      assert.equal(typeof r.clause, 'string');
      assert.deepEqual(Object.keys(r).filter((k) => k !== 'clause' && k !== 'dataset'), []);
    }
    assert.deepEqual(JSON.parse(v.answer), { token: v.token });
  });
}
