"""Verifies tokenmint tokens as a JWKS-verified backend would, with PyJWT.

Usage: pyjwk_verify.py <issuer>   (lines "<name> <token>" on stdin)

Reads the issuer's OpenID discovery document, checks its issuer and
jwks_uri, then verifies each token with PyJWKClient against jwks_uri: the
key is the one the token's kid names, the algorithm must be one the
document lists, iss must be the issuer, and exp and iat are required.
Prints "<name> ok <alg> <kid>" per token, or "<name> FAIL <reason>".
"""
import json
import sys
import urllib.request

import jwt

issuer = sys.argv[1]
with urllib.request.urlopen(issuer + "/.well-known/openid-configuration") as res:
    disc = json.load(res)
if disc.get("issuer") != issuer:
    sys.exit(f"discovery issuer {disc.get('issuer')!r} != {issuer!r}")
if disc.get("jwks_uri") != issuer + "/.well-known/jwks.json":
    sys.exit(f"discovery jwks_uri {disc.get('jwks_uri')!r}")
algs = disc["id_token_signing_alg_values_supported"]

client = jwt.PyJWKClient(disc["jwks_uri"])
for line in sys.stdin:
    name, token = line.split()
    try:
        key = client.get_signing_key_from_jwt(token)
        header = jwt.get_unverified_header(token)
        jwt.decode(token, key.key, algorithms=algs, issuer=issuer,
                   options={"require": ["exp", "iat", "iss"]})
        if header["kid"] != key.key_id:
            raise ValueError(f"kid {header['kid']} verified by key {key.key_id}")
        print(name, "ok", header["alg"], header["kid"])
    except Exception as e:  # report and go on: the Go test counts the oks
        print(name, "FAIL", type(e).__name__, e)
