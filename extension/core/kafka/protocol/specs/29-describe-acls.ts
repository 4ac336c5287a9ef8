/** DescribeAcls v0-v1, as in Kafka's message spec (see ./index.ts). */
import { api, f } from '../spec';

export default api({
  key: 29,
  name: 'DescribeAcls',
  versions: '0-1',
  request: [
    f('resourceTypeFilter', 'int8'),
    f('resourceNameFilter', 'string', { nullable: '0+' }),
    f('patternTypeFilter', 'int8', { v: '1+', default: 3 }),
    f('principalFilter', 'string', { nullable: '0+' }),
    f('hostFilter', 'string', { nullable: '0+' }),
    f('operation', 'int8'),
    f('permissionType', 'int8'),
  ],
  response: [
    f('throttleTimeMs', 'int32'),
    f('errorCode', 'int16'),
    f('errorMessage', 'string', { nullable: '0+' }),
    f('resources', [
      f('resourceType', 'int8'),
      f('resourceName', 'string'),
      f('patternType', 'int8', { v: '1+', default: 3 }),
      f('acls', [f('principal', 'string'), f('host', 'string'), f('operation', 'int8'), f('permissionType', 'int8')]),
    ]),
  ],
});
