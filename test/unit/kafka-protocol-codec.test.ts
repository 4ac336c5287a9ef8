import { strict as assert } from 'node:assert';
import {
  ApiKey,
  ProtocolError,
  decodeRequestBody,
  decodeRequestHeader,
  decodeResponse,
  encodeRequest,
  encodeRequestBody,
  encodeResponse,
  requestHeaderVersion,
  responseHeaderVersion,
} from '../../extension/core/kafka/protocol';

/** Hex bytes; on each line, the words after the last hex group are a comment. */
const hex = (s: string): Buffer =>
  Buffer.from(
    s
      .split('\n')
      .map((line) => {
        const words = line.trim().split(/\s+/);
        const end = words.findIndex((w) => !/^[0-9a-f]+$/i.test(w));
        return (end < 0 ? words : words.slice(0, end)).join('');
      })
      .join(''),
    'hex',
  );

describe('kafka protocol codec: flexible versions', () => {
  it('writes InitProducerId v2 with request header v2 and compact fields, byte for byte as the spec lays it out', () => {
    const frame = encodeRequest(
      ApiKey.InitProducerId,
      2,
      { correlationId: 5, clientId: 'ab' },
      { transactionalId: 'tx', transactionTimeoutMs: 1000 },
    );
    assert.deepEqual(
      frame,
      hex(`
      00000015          size 21
      0016 0002 00000005 0002 6162   key 22, v2, correlation id 5, client id 'ab' (a classic string even in header v2)
      00                header tagged fields: none
      03 7478           transactionalId: compact string, length 2 + 1
      000003e8          transactionTimeoutMs 1000
      00                body tagged fields: none`),
    );
    assert.equal(requestHeaderVersion(ApiKey.InitProducerId, 2), 2);
    assert.equal(requestHeaderVersion(ApiKey.InitProducerId, 1), 1);
    const header = decodeRequestHeader(frame.subarray(4));
    assert.deepEqual({ ...header }, { apiKey: 22, apiVersion: 2, correlationId: 5, clientId: 'ab', bodyOffset: 13 });
    const body = decodeRequestBody(ApiKey.InitProducerId, 2, frame.subarray(4), header.bodyOffset);
    assert.equal(body.transactionalId, 'tx');
    assert.equal(body.transactionTimeoutMs, 1000);
  });

  it('writes a null compact string as 0 and reads it back as null', () => {
    const body = encodeRequestBody(ApiKey.InitProducerId, 2, { transactionalId: null, transactionTimeoutMs: 1 });
    assert.deepEqual(Buffer.concat(body.chunks), hex('00 00000001 00'));
  });

  it('answers InitProducerId v2 with response header v1 (tagged fields after the correlation id)', () => {
    assert.equal(responseHeaderVersion(ApiKey.InitProducerId, 2), 1);
    const frame = encodeResponse(ApiKey.InitProducerId, 2, 9, {
      throttleTimeMs: 0,
      errorCode: 0,
      producerId: 4096,
      producerEpoch: 3,
    });
    assert.deepEqual(frame, hex('00000016 00000009 00 00000000 0000 0000000000001000 0003 00'));
    const decoded = decodeResponse(ApiKey.InitProducerId, 2, frame.subarray(8));
    assert.deepEqual({ ...decoded }, { throttleTimeMs: 0, errorCode: 0, producerId: 4096, producerEpoch: 3 });
  });

  it('keeps ApiVersions v3 responses on header v0 (KIP-511) while the body is flexible', () => {
    assert.equal(responseHeaderVersion(ApiKey.ApiVersions, 3), 0);
    const frame = encodeResponse(ApiKey.ApiVersions, 3, 1, {
      errorCode: 0,
      apiKeys: [{ apiKey: 0, minVersion: 0, maxVersion: 7 }],
      throttleTimeMs: 0,
      supportedFeatures: [],
      finalizedFeaturesEpoch: -1,
      finalizedFeatures: [],
      zkMigrationReady: false,
    });
    // correlation id, errorCode, compact array of 1 (2), one entry with its empty tagged fields, throttle, no tagged fields
    assert.deepEqual(frame.subarray(4), hex('00000001 0000 02 0000 0000 0007 00 00000000 00'));
  });

  it('writes tagged fields only when they differ from their default, in tag order, and reads them back', () => {
    const body = {
      errorCode: 0,
      apiKeys: [],
      throttleTimeMs: 0,
      supportedFeatures: [{ name: 'mv', minVersion: 1, maxVersion: 2 }],
      finalizedFeaturesEpoch: 7,
      finalizedFeatures: [],
      zkMigrationReady: false,
    };
    const frame = encodeResponse(ApiKey.ApiVersions, 3, 1, body);
    assert.deepEqual(
      frame.subarray(8),
      hex(`
      0000 01 00000000
      02                  two tagged fields
      00 09 02 03 6d76 0001 0002 00     tag 0, 9 bytes: supportedFeatures [{ 'mv', 1, 2 }]
      01 08 0000000000000007            tag 1, 8 bytes: finalizedFeaturesEpoch 7`),
    );
    assert.deepEqual(JSON.parse(JSON.stringify(decodeResponse(ApiKey.ApiVersions, 3, frame.subarray(8)))), body);
  });

  it('skips tagged fields it does not know, and refuses one that runs past its declared size', () => {
    const unknownTag = hex('0000 01 00000000 01 05 02 abcd');
    assert.equal(decodeResponse(ApiKey.ApiVersions, 3, unknownTag).finalizedFeaturesEpoch, -1);
    const overlong = hex('0000 01 00000000 01 01 04 00000000000000');
    assert.throws(() => decodeResponse(ApiKey.ApiVersions, 3, overlong), ProtocolError);
  });
});
