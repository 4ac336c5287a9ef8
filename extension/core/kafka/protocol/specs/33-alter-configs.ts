/** AlterConfigs v0-v1, as in Kafka's message spec (see ./index.ts). */
import { api, f } from '../spec';

export default api({
  key: 33,
  name: 'AlterConfigs',
  versions: '0-1',
  request: [
    f('resources', [
      f('resourceType', 'int8'),
      f('resourceName', 'string'),
      f('configs', [f('name', 'string'), f('value', 'string', { nullable: '0+' })]),
    ]),
    f('validateOnly', 'bool'),
  ],
  response: [
    f('throttleTimeMs', 'int32'),
    f('responses', [
      f('errorCode', 'int16'),
      f('errorMessage', 'string', { nullable: '0+' }),
      f('resourceType', 'int8'),
      f('resourceName', 'string'),
    ]),
  ],
});
