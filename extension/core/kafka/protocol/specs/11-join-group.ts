/** JoinGroup v0-v3, as in Kafka's message spec (see ./index.ts). */
import { api, f } from '../spec';

export default api({
  key: 11,
  name: 'JoinGroup',
  versions: '0-3',
  request: [
    f('groupId', 'string'),
    f('sessionTimeoutMs', 'int32'),
    f('rebalanceTimeoutMs', 'int32', { v: '1+', default: -1 }),
    f('memberId', 'string'),
    f('protocolType', 'string'),
    f('protocols', [f('name', 'string'), f('metadata', 'bytes')]),
  ],
  response: [
    f('throttleTimeMs', 'int32', { v: '2+' }),
    f('errorCode', 'int16'),
    f('generationId', 'int32', { default: -1 }),
    f('protocolName', 'string'),
    f('leader', 'string'),
    f('memberId', 'string'),
    f('members', [f('memberId', 'string'), f('metadata', 'bytes')]),
  ],
});
