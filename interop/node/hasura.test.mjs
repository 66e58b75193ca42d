// Hasura ships as a binary: jose verifies ours (HS256 with the key, or
// the public key by kid, as jwk_url does) and the session variables are
// read as graphql-engine reads them (docs/docs/auth/authentication/jwt.mdx):
// the namespace member holds an object (claims_format json) or a JSON
// string of one (stringified_json), with x-hasura-default-role among
// x-hasura-allowed-roles and every value a string or, for the allowed
// roles, an array of strings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jwtVerify } from 'jose';
import { vectors } from './vectors.mjs';
import { keyFor } from './keyset.mjs';

for (const v of vectors('hasura')) {
  test(`hasura ${v.name}: jose verifies it; the session variables as Hasura reads them`, async () => {
    const { payload, protectedHeader } = await jwtVerify(v.token, await keyFor(v), {
      algorithms: [v.input.alg], requiredClaims: [v.input.namespace, 'exp'], currentDate: new Date(v.now * 1000),
    });
    if (v.input.kid) assert.equal(protectedHeader.kid, v.input.kid);
    let ns = payload[v.input.namespace];
    if (v.input.format === 'stringified_json') {
      assert.equal(typeof ns, 'string');
      ns = JSON.parse(ns);
    }
    assert.equal(jsonKind(ns), 'object');
    const vars = Object.fromEntries(Object.entries(ns).map(([k, val]) => [k.toLowerCase(), val]));
    assert.ok(Array.isArray(vars['x-hasura-allowed-roles']) && vars['x-hasura-allowed-roles'].every((r) => typeof r === 'string'));
    assert.ok(vars['x-hasura-allowed-roles'].includes(vars['x-hasura-default-role']));
    assert.equal(vars['x-hasura-user-id'], v.input.user);
    for (const [k, val] of Object.entries(vars)) {
      assert.ok(k.startsWith('x-hasura-'), k);
      if (k !== 'x-hasura-allowed-roles') assert.equal(typeof val, 'string', k);
    }
  });
}

function jsonKind(v) {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}
