/** DeleteAcls v0-v1, as in Kafka's message spec (see ./index.ts). */
import { api, f } from '../spec';

export default api({
  key: 31,
  name: 'DeleteAcls',
  versions: '0-1',
  request: [
    f('filters', [
      f('resourceTypeFilter', 'int8'),
      f('resourceNameFilter', 'string', { nullable: '0+' }),
      f('patternTypeFilter', 'int8', { v: '1+', default: 3 }),
      f('principalFilter', 'string', { nullable: '0+' }),
      f('hostFilter', 'string', { nullable: '0+' }),
      f('operation', 'int8'),
      f('permissionType', 'int8'),
    ]),
  ],
  response: [
    f('throttleTimeMs', 'int32'),
    f('filterResults', [
      f('errorCode', 'int16'),
      f('errorMessage', 'string', { nullable: '0+' }),
      f('matchingAcls', [
        f('errorCode', 'int16'),
        f('errorMessage', 'string', { nullable: '0+' }),
        f('resourceType', 'int8'),
        f('resourceName', 'string'),
        f('patternType', 'int8', { v: '1+', default: 3 }),
        f('principal', 'string'),
        f('host', 'string'),
        f('operation', 'int8'),
        f('permissionType', 'int8'),
      ]),
    ]),
  ],
});
