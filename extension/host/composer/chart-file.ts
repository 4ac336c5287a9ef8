/** A saved chart's bytes, checked for their format first: a bad message never becomes a broken file. Pure. */
import type { ChartFileFormat } from '../../protocol/messages';
import { isBase64 } from '../../protocol/validate';
import { InvalidInputError } from '../../core/util/errors';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The file's bytes, or an error naming what is wrong with the data. */
export function chartFileBytes(format: ChartFileFormat, data: string): Buffer {
  if (format === 'png') {
    const bytes = isBase64(data) ? Buffer.from(data, 'base64') : Buffer.alloc(0);
    if (!bytes.subarray(0, 8).equals(PNG_SIGNATURE))
      throw new InvalidInputError('The chart image is not a PNG: nothing was saved.');
    return bytes;
  }
  if (format === 'svg' && !/^<svg[\s>]/.test(data))
    throw new InvalidInputError('The chart is not SVG text: nothing was saved.');
  if (format === 'json') {
    try {
      JSON.parse(data);
    } catch {
      throw new InvalidInputError('The chart data is not JSON: nothing was saved.');
    }
  }
  return Buffer.from(data, 'utf8');
}
