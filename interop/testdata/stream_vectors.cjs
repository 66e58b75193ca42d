// Makes the golden tokens of stream_test.go with Stream's own SDKs.
// Not run by the tests (they must not need Node); to refresh the vectors:
//
//   npm install @stream-io/node-sdk@0.7.64 stream-chat@9.53.0
//   node stream_vectors.cjs
//
// and paste the output into stream_test.go.
const { StreamClient } = require('@stream-io/node-sdk');
const { StreamChat } = require('stream-chat');

const key = 'stream-api-key';
const secret = 'stream-interop-secret-0123456789abcdef';
const iat = 1763999999; // tokenmint's iat at 1764000000: a second back, as the SDK's default

const video = new StreamClient(key, secret);
const chat = new StreamChat(key, secret);
console.log(JSON.stringify({
  // generateUserToken({user_id, iat}): exp = iat + 3600.
  user: video.generateUserToken({ user_id: 'john', iat }),
  // generateCallToken({user_id, call_cids, iat}).
  call: video.generateCallToken({ user_id: 'john', call_cids: ['default:call1', 'livestream:main'], iat }),
  // stream-chat's createToken(userID, exp, iat): the same claims, another order.
  chat: chat.createToken('john', iat + 3600, iat),
}, null, 2));
