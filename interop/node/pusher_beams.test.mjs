// Pusher Beams: @pusher/push-notifications-server's generateToken(userId)
// makes the same token, byte for byte, and the same answer: the Beams
// auth endpoint's {"token"} is the SDK's return value as JSON.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import PushNotifications from '@pusher/push-notifications-server';
import { keys, vectors, atTime } from './vectors.mjs';

for (const v of vectors('pusher_beams')) {
  test(`pusher_beams ${v.name}: generateToken makes the same token and answer`, async () => {
    const beams = new PushNotifications({ instanceId: v.input.instanceId, secretKey: keys.hmac_secret });
    const answer = await atTime(v.now, () => beams.generateToken(v.input.userId));
    assert.equal(v.token, answer.token);
    assert.equal(v.answer, JSON.stringify(answer));
  });
}
