/** DescribeLogDirs v0-v1, as in Kafka's message spec (see ./index.ts). */
import { api, f } from '../spec';

export default api({
  key: 35,
  name: 'DescribeLogDirs',
  versions: '0-1',
  request: [f('topics', [f('topic', 'string'), f('partitions', '[]int32')], { nullable: '0+' })],
  response: [
    f('throttleTimeMs', 'int32'),
    f('results', [
      f('errorCode', 'int16'),
      f('logDir', 'string'),
      f('topics', [
        f('name', 'string'),
        f('partitions', [
          f('partitionIndex', 'int32'),
          f('partitionSize', 'int64'),
          f('offsetLag', 'int64'),
          f('isFutureKey', 'bool'),
        ]),
      ]),
    ]),
  ],
});
