/** The composer's key encodings (for the partition preview) and its producer settings as producer config. */
import type { ProducerConfigInput } from '../../core/engine/config';
import type { DraftProducerSettings, KeyFormat } from '../../protocol/messages';

export function encodeKey(format: KeyFormat, key: string): string | Buffer | null {
  switch (format) {
    case 'none':
      return null;
    case 'string':
      return key;
    // JSON keys are sent as their compact text, so equal objects hash to the same partition.
    case 'json':
      return JSON.stringify(JSON.parse(key));
    case 'base64':
      return Buffer.from(key.replace(/\s+/g, ''), 'base64');
    // Encoded by its schema when sent (draft-schemas.ts); until then the text stands in.
    case 'schema':
      return key;
  }
}

export function settingsToConfig(s: DraftProducerSettings, clientId: string): ProducerConfigInput {
  return { ...s, 'client.id': clientId };
}
