/** SaslAuthenticate v0-v1, as in Kafka's message spec (see ./index.ts). */
import { api, f } from '../spec';

export default api({
  key: 36,
  name: 'SaslAuthenticate',
  versions: '0-1',
  request: [f('authBytes', 'bytes')],
  response: [
    f('errorCode', 'int16'),
    f('errorMessage', 'string', { nullable: '0+' }),
    f('authBytes', 'bytes'),
    f('sessionLifetimeMs', 'int64', { v: '1+' }),
  ],
});
