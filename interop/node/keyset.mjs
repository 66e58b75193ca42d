// Verification keys for the checks of JWKS-verified presets (convex,
// powersync, and hasura, grafana, cube with a key pair): the run's public
// key published as a one-key JWKS under the vector's kid, as the provider
// would fetch it, or the HMAC secret for HS256 vectors.
import { createLocalJWKSet, exportJWK, importSPKI } from 'jose';
import { keys } from './vectors.mjs';

// keyFor returns what jose.jwtVerify takes for vector v (input.alg, and
// input.kid for key pairs): a local JWKS whose key the token's kid picks,
// or the secret.
export async function keyFor(v) {
  const alg = v.input.alg;
  if (alg.startsWith('HS')) {
    return new TextEncoder().encode(keys.hmac_secret);
  }
  const pem = alg.startsWith('ES') ? keys.ec_public_pem : keys.rsa_public_pem;
  const jwk = await exportJWK(await importSPKI(pem, alg));
  return createLocalJWKSet({ keys: [{ ...jwk, kid: v.input.kid, alg, use: 'sig' }] });
}
