/** Produce v0-v8, as in Kafka's message spec (see ./index.ts). */
import { api, f } from '../spec';

export default api({
  key: 0,
  name: 'Produce',
  versions: '0-8',
  clientThrottle: 6,
  request: [
    f('transactionalId', 'string', { v: '3+', nullable: '3+', default: null }),
    f('acks', 'int16'),
    f('timeoutMs', 'int32'),
    f('topicData', [
      f('name', 'string'),
      f('partitionData', [f('index', 'int32'), f('records', 'records', { nullable: '0+' })]),
    ]),
  ],
  response: [
    f('responses', [
      f('name', 'string'),
      f('partitionResponses', [
        f('index', 'int32'),
        f('errorCode', 'int16'),
        f('baseOffset', 'int64'),
        f('logAppendTimeMs', 'int64', { v: '2+', default: -1 }),
        f('logStartOffset', 'int64', { v: '5+', default: -1 }),
        f(
          'recordErrors',
          [
            f('batchIndex', 'int32', { v: '8+' }),
            f('batchIndexErrorMessage', 'string', { v: '8+', nullable: '8+', default: null }),
          ],
          { v: '8+' },
        ),
        f('errorMessage', 'string', { v: '8+', nullable: '8+', default: null }),
      ]),
    ]),
    f('throttleTimeMs', 'int32', { v: '1+' }),
  ],
});
