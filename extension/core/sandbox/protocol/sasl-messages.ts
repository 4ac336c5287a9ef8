/**
 * SaslHandshake (17) and SaslAuthenticate (36), v0-v1, from the apache/kafka message specs. Both are
 * non-flexible at these versions, so responses use response header v0 (just the correlation id). Kept apart from
 * the schema codec because only a listener's SASL gate speaks them, never the cluster.
 */
import { Reader } from '../../kafka/protocol/reader';
import { Writer } from '../../kafka/protocol/writer';

/** SaslHandshakeRequest v0-1: the mechanism the client wants. */
export function decodeSaslHandshake(frame: Buffer, bodyOffset: number): { mechanism: string } {
  return { mechanism: new Reader(frame, bodyOffset).string(false) as string };
}

/** SaslAuthenticateRequest v0-1: one SASL token. */
export function decodeSaslAuthenticate(frame: Buffer, bodyOffset: number): { authBytes: Buffer } {
  return { authBytes: new Reader(frame, bodyOffset).bytes(false) as Buffer };
}

function finish(w: Writer): Buffer {
  const frame = w.toBuffer();
  frame.writeInt32BE(frame.length - 4, 0);
  return frame;
}

export function encodeSaslHandshakeResponse(correlationId: number, errorCode: number, mechanisms: readonly string[]): Buffer {
  const w = new Writer().int32(0).int32(correlationId).int16(errorCode).int32(mechanisms.length);
  for (const m of mechanisms) w.string(m);
  return finish(w);
}

export function encodeSaslAuthenticateResponse(
  correlationId: number,
  version: number,
  r: { errorCode: number; errorMessage: string | null; authBytes: Buffer },
): Buffer {
  const w = new Writer().int32(0).int32(correlationId).int16(r.errorCode).string(r.errorMessage).bytes(r.authBytes);
  if (version >= 1) w.int64(0); // sessionLifetimeMs: 0 = the session never expires
  return finish(w);
}

/** After a v0 handshake, tokens travel bare: a size prefix and the token, no Kafka header. */
export function encodeRawSaslToken(token: Buffer): Buffer {
  return finish(new Writer().int32(0).raw(token));
}
