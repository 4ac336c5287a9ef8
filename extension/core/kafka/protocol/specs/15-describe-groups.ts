/** DescribeGroups v0-v2, as in Kafka's message spec (see ./index.ts). */
import { api, f } from '../spec';

export default api({
  key: 15,
  name: 'DescribeGroups',
  versions: '0-2',
  request: [f('groups', '[]string')],
  response: [
    f('throttleTimeMs', 'int32', { v: '1+' }),
    f('groups', [
      f('errorCode', 'int16'),
      f('groupId', 'string'),
      f('groupState', 'string'),
      f('protocolType', 'string'),
      f('protocolData', 'string'),
      f('members', [
        f('memberId', 'string'),
        f('clientId', 'string'),
        f('clientHost', 'string'),
        f('memberMetadata', 'bytes'),
        f('memberAssignment', 'bytes'),
      ]),
    ]),
  ],
});
