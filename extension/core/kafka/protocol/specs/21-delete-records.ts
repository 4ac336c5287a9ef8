/** DeleteRecords v0-v1, as in Kafka's message spec (see ./index.ts). */
import { api, f } from '../spec';

export default api({
  key: 21,
  name: 'DeleteRecords',
  versions: '0-1',
  request: [
    f('topics', [f('name', 'string'), f('partitions', [f('partitionIndex', 'int32'), f('offset', 'int64')])]),
    f('timeoutMs', 'int32'),
  ],
  response: [
    f('throttleTimeMs', 'int32'),
    f('topics', [
      f('name', 'string'),
      f('partitions', [f('partitionIndex', 'int32'), f('lowWatermark', 'int64'), f('errorCode', 'int16')]),
    ]),
  ],
});
