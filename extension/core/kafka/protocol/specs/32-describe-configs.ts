/** DescribeConfigs v0-v3, as in Kafka's message spec (see ./index.ts). */
import { api, f } from '../spec';

export default api({
  key: 32,
  name: 'DescribeConfigs',
  versions: '0-3',
  request: [
    f('resources', [
      f('resourceType', 'int8'),
      f('resourceName', 'string'),
      f('configurationKeys', '[]string', { nullable: '0+' }),
    ]),
    f('includeSynonyms', 'bool', { v: '1+' }),
    f('includeDocumentation', 'bool', { v: '3+' }),
  ],
  response: [
    f('throttleTimeMs', 'int32'),
    f('results', [
      f('errorCode', 'int16'),
      f('errorMessage', 'string', { nullable: '0+' }),
      f('resourceType', 'int8'),
      f('resourceName', 'string'),
      f('configs', [
        f('name', 'string'),
        f('value', 'string', { nullable: '0+' }),
        f('readOnly', 'bool'),
        f('isDefault', 'bool', { v: '0' }),
        f('configSource', 'int8', { v: '1+', default: -1 }),
        f('isSensitive', 'bool'),
        f(
          'synonyms',
          [
            f('name', 'string', { v: '1+' }),
            f('value', 'string', { v: '1+', nullable: '0+' }),
            f('source', 'int8', { v: '1+' }),
          ],
          { v: '1+' },
        ),
        f('configType', 'int8', { v: '3+' }),
        f('documentation', 'string', { v: '3+', nullable: '0+' }),
      ]),
    ]),
  ],
});
