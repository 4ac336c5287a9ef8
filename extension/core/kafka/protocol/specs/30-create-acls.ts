/** CreateAcls v0-v1, as in Kafka's message spec (see ./index.ts). */
import { api, f } from '../spec';

export default api({
  key: 30,
  name: 'CreateAcls',
  versions: '0-1',
  request: [
    f('creations', [
      f('resourceType', 'int8'),
      f('resourceName', 'string'),
      f('resourcePatternType', 'int8', { v: '1+', default: 3 }),
      f('principal', 'string'),
      f('host', 'string'),
      f('operation', 'int8'),
      f('permissionType', 'int8'),
    ]),
  ],
  response: [
    f('throttleTimeMs', 'int32'),
    f('results', [f('errorCode', 'int16'), f('errorMessage', 'string', { nullable: '0+' })]),
  ],
});
