/** SaslHandshake v0-v1, as in Kafka's message spec (see ./index.ts). */
import { api, f } from '../spec';

export default api({
  key: 17,
  name: 'SaslHandshake',
  versions: '0-1',
  request: [f('mechanism', 'string')],
  response: [f('errorCode', 'int16'), f('mechanisms', '[]string')],
});
