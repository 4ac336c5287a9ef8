/** FindCoordinator v0-v2, as in Kafka's message spec (see ./index.ts). */
import { api, f } from '../spec';

export default api({
  key: 10,
  name: 'FindCoordinator',
  versions: '0-2',
  request: [f('key', 'string', { v: '0-3' }), f('keyType', 'int8', { v: '1+' })],
  response: [
    f('throttleTimeMs', 'int32', { v: '1+' }),
    f('errorCode', 'int16', { v: '0-3' }),
    f('errorMessage', 'string', { v: '1-3', nullable: '1-3', default: null }),
    f('nodeId', 'int32', { v: '0-3' }),
    f('host', 'string', { v: '0-3' }),
    f('port', 'int32', { v: '0-3' }),
  ],
});
