'use strict';
// Row c of bench/run: the 100ms Node sample's app token code ("Sample app token
// generation code", Node.js, in the 100ms auth docs) behind express, answering
// as the 100ms sample backend's /auth-token does. The signing call is the
// sample's own: async jwt.sign with a callback, HS256, expiresIn '24h', a
// UUIDv4 jwtid (crypto.randomUUID stands in for the uuid4 package).
// The claims are fixed to what row b's Caddyfile pins, so both rows mint the
// same payload. One process: Node runs JavaScript on one thread.
const express = require('express');
const jwt = require('jsonwebtoken');
const { randomUUID } = require('crypto');

const app_access_key = process.env.BENCH_HMS_ACCESS_KEY;
const app_secret = process.env.BENCH_HMS_SECRET;
const port = Number(process.env.BENCH_NODE_PORT || 3000);
if (!app_access_key || !app_secret) {
  console.error('BENCH_HMS_ACCESS_KEY and BENCH_HMS_SECRET must be set');
  process.exit(2);
}

const app = express();

function authToken(req, res) {
  const payload = {
    access_key: app_access_key,
    room_id: '633fcdd84208780bf665346a',
    user_id: 'bench-user',
    role: 'guest',
    type: 'app',
    version: 2,
    iat: Math.floor(Date.now() / 1000),
    nbf: Math.floor(Date.now() / 1000),
  };
  jwt.sign(
    payload,
    app_secret,
    {
      algorithm: 'HS256',
      expiresIn: '24h',
      jwtid: randomUUID(),
    },
    function (err, token) {
      if (err) {
        res.status(500).json({ msg: 'Failed to generate token', success: false });
        return;
      }
      res.json({ token: token, msg: 'Token generated successfully!', success: true });
    },
  );
}

app.get('/auth-token', authToken);
app.post('/auth-token', authToken);

app.listen(port, '127.0.0.1', () => {
  console.log(`node sample listening on http://127.0.0.1:${port} (pid ${process.pid})`);
});
