// Shared by the *.test.mjs checks: the vectors that ../nodevectors minted
// (TOKENMINT_VECTORS names the file; ../run sets it), the keys that signed
// them, and a pinned clock for the SDKs.
import { readFileSync } from 'node:fs';
import { mock } from 'node:test';

const file = process.env.TOKENMINT_VECTORS;
if (!file) {
  throw new Error('TOKENMINT_VECTORS must name the file `go run ./nodevectors -out FILE` wrote; interop/run does both');
}
const doc = JSON.parse(readFileSync(file, 'utf8'));

// keys: rsa_private_pem, rsa_public_pem, ec_private_pem, ec_public_pem
// (PKCS#8 and SPKI), hmac_secret.
export const keys = doc.keys;

// vectors returns a preset's vectors; a preset without any is an error, so
// that a check cannot pass on nothing.
export function vectors(preset) {
  const vs = doc.vectors.filter((v) => v.preset === preset);
  if (vs.length === 0) {
    throw new Error(`no vectors for ${preset}: nodevectors must make some`);
  }
  return vs;
}

function b64url(s) {
  return Buffer.from(s, 'base64url').toString('utf8');
}

// segments returns a JWT's header and payload as text, exactly as signed.
export function segments(token) {
  const [h, p] = token.split('.');
  return { header: b64url(h), payload: b64url(p) };
}

// decode returns a JWT's header and payload, parsed.
export function decode(token) {
  const s = segments(token);
  return { header: JSON.parse(s.header), payload: JSON.parse(s.payload) };
}

// atTime runs fn with Date (Date.now and new Date()) pinned to the Unix
// second now, as the SDKs read the clock; only Date is mocked.
export async function atTime(now, fn) {
  mock.timers.enable({ apis: ['Date'], now: now * 1000 });
  try {
    return await fn();
  } finally {
    mock.timers.reset();
  }
}
