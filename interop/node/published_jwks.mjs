// Verifies tokens with jose against the JWKS tokenmint publishes
// (provider_token_jwks), fetched over HTTP as the providers fetch it:
// createRemoteJWKSet(jwks_uri) picks the key by the token's kid. Run by
// caddymodule's TestJWKSVerifiedPresets (from .ci/issuer-test, after
// interop/run's npm ci): argv[2] is the JWKS URL, stdin a JSON object
// {name: {token, issuer?, audience?, algorithms}}. Prints one line per
// token and exits 1 if any fails.
import { createRemoteJWKSet, jwtVerify, decodeProtectedHeader } from 'jose';

const jwks = createRemoteJWKSet(new URL(process.argv[2]));
let input = '';
for await (const chunk of process.stdin) input += chunk;
let failed = 0;
for (const [name, c] of Object.entries(JSON.parse(input))) {
	try {
		const { payload, protectedHeader } = await jwtVerify(c.token, jwks, {
			issuer: c.issuer, audience: c.audience, algorithms: c.algorithms,
		});
		console.log(`ok   ${name}: kid ${protectedHeader.kid}, sub ${payload.sub}`);
	} catch (err) {
		failed++;
		let kid = '';
		try { kid = decodeProtectedHeader(c.token).kid; } catch { /* not a JWT */ }
		console.log(`FAIL ${name}: ${err.code || err.name}: ${err.message} (kid ${kid})`);
	}
}
process.exit(failed ? 1 : 0);
