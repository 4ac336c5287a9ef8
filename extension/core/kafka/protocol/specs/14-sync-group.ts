/** SyncGroup v0-v2, as in Kafka's message spec (see ./index.ts). */
import { api, f } from '../spec';

export default api({
  key: 14,
  name: 'SyncGroup',
  versions: '0-2',
  request: [
    f('groupId', 'string'),
    f('generationId', 'int32'),
    f('memberId', 'string'),
    f('assignments', [f('memberId', 'string'), f('assignment', 'bytes')]),
  ],
  response: [f('throttleTimeMs', 'int32', { v: '1+' }), f('errorCode', 'int16'), f('assignment', 'bytes')],
});
