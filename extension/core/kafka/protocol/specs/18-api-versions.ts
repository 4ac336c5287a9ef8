/** ApiVersions v0-v3, as in Kafka's message spec (see ./index.ts). */
import { api, f } from '../spec';

export default api({
  key: 18,
  name: 'ApiVersions',
  versions: '0-3',
  flexible: 3,
  request: [f('clientSoftwareName', 'string', { v: '3+' }), f('clientSoftwareVersion', 'string', { v: '3+' })],
  response: [
    f('errorCode', 'int16'),
    f('apiKeys', [f('apiKey', 'int16'), f('minVersion', 'int16'), f('maxVersion', 'int16')]),
    f('throttleTimeMs', 'int32', { v: '1+' }),
    f(
      'supportedFeatures',
      [f('name', 'string', { v: '3+' }), f('minVersion', 'int16', { v: '3+' }), f('maxVersion', 'int16', { v: '3+' })],
      { v: '3+', tag: 0, tagged: '3+' },
    ),
    f('finalizedFeaturesEpoch', 'int64', { v: '3+', tag: 1, tagged: '3+', default: -1 }),
    f(
      'finalizedFeatures',
      [
        f('name', 'string', { v: '3+' }),
        f('maxVersionLevel', 'int16', { v: '3+' }),
        f('minVersionLevel', 'int16', { v: '3+' }),
      ],
      { v: '3+', tag: 2, tagged: '3+' },
    ),
    f('zkMigrationReady', 'bool', { v: '3+', tag: 3, tagged: '3+' }),
  ],
});
