import { strict as assert } from 'node:assert';
import {
  errorName,
  isRetriable,
  errorMeaning,
  describeError,
  KAFKA_ERRORS,
  ErrorCode,
} from '../../extension/core/kafka/protocol/errors';

describe('kafka error codes', () => {
  it('names codes as Kafka does', () => {
    assert.equal(errorName(0), 'NONE');
    assert.equal(errorName(6), 'NOT_LEADER_OR_FOLLOWER');
    assert.equal(errorName(43), 'UNSUPPORTED_FOR_MESSAGE_FORMAT');
    assert.equal(errorName(-1), 'UNKNOWN_SERVER_ERROR');
    assert.equal(describeError(19), 'NOT_ENOUGH_REPLICAS (19)');
  });

  it('flags retriable errors as the Java client does', () => {
    for (const code of [2, 3, 5, 6, 7, 13, 14, 15, 16, 19, 20, 41, 51, 56, 74])
      assert.equal(isRetriable(code), true, errorName(code));
    for (const code of [0, 1, 10, 21, 35, 43, 45, 47, 59, 87, 90])
      assert.equal(isRetriable(code), false, errorName(code));
  });

  it('covers every code from -1 to 120 with a name and a meaning', () => {
    for (let code = -1; code <= 120; code++) {
      const info = KAFKA_ERRORS.get(code);
      assert.ok(info, `code ${code}`);
      assert.match(info.name, /^[A-Z_]+$/);
      assert.ok(info.meaning.length > 5);
    }
  });

  it('agrees with kafkajs on the name and retriable flag of every code kafkajs knows', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- kafkajs's internal modules have no type declarations
    const { errorCodes } = require('kafkajs/src/protocol/error.js') as {
      errorCodes: { code: number; type: string; retriable: boolean }[];
    };
    const renamed: Record<number, string> = {
      [-1]: 'UNKNOWN',
      6: 'NOT_LEADER_FOR_PARTITION',
      14: 'GROUP_LOAD_IN_PROGRESS',
      15: 'GROUP_COORDINATOR_NOT_AVAILABLE',
      16: 'NOT_COORDINATOR_FOR_GROUP',
    };
    for (const e of errorCodes) {
      assert.equal(renamed[e.code] ?? errorName(e.code), e.type, `code ${e.code}`);
      assert.equal(isRetriable(e.code), e.retriable, `retriable ${e.code}`);
    }
  });

  it('handles codes it does not know without throwing', () => {
    assert.equal(errorName(9999), 'UNKNOWN_ERROR_CODE_9999');
    assert.equal(isRetriable(9999), false);
    assert.match(errorMeaning(9999), /not known/);
  });

  it('keeps the named constants consistent with the table', () => {
    for (const [name, code] of Object.entries(ErrorCode)) assert.equal(errorName(code), name);
  });
});
