/**
 * Confluent's Protobuf compatibility rules, for a reader reading a writer's bytes: the package and syntax stay, no
 * message the writer has disappears, a field number keeps its kind (scalar, enum, message, map) and a scalar type
 * only changes within a wire-compatible group, a named type stays, required fields neither come nor go, and no
 * field leaves or joins a oneof. Field names may change (the wire carries numbers).
 */
import protobuf from 'protobufjs';
import type { ProtobufSchema } from './protobuf';

/** Scalar types whose values read back the same across the change (Confluent's compatible groups). */
const GROUPS = [
  ['int32', 'uint32', 'int64', 'uint64', 'bool'],
  ['sint32', 'sint64'],
  ['fixed32', 'sfixed32'],
  ['fixed64', 'sfixed64'],
  ['string', 'bytes'],
];

function kind(f: protobuf.Field): string {
  if (f.map) return 'map';
  if (f.resolvedType instanceof protobuf.Type) return 'message';
  if (f.resolvedType instanceof protobuf.Enum) return 'enum';
  return 'scalar';
}

function label(f: protobuf.Field): string {
  return f.repeated && !f.map ? 'repeated' : f.required ? 'required' : 'singular';
}

const full = (n: { fullName: string }) => n.fullName.replace(/^\./, '');
const keyType = (f: protobuf.Field) => (f as unknown as protobuf.MapField).keyType;

export function protobufReadProblems(reader: ProtobufSchema, writer: ProtobufSchema): string[] {
  const out: string[] = [];
  if (reader.packageName !== writer.packageName)
    out.push(`PACKAGE_CHANGED: package "${writer.packageName}" became "${reader.packageName}"`);
  if (reader.syntax !== writer.syntax) out.push(`SYNTAX_VERSION_CHANGED: ${writer.syntax} became ${reader.syntax}`);
  const readerNames = new Set(reader.recordNames());
  for (const name of writer.recordNames()) {
    if (!readerNames.has(name)) {
      out.push(`MESSAGE_REMOVED: message ${name}`);
      continue;
    }
    compareMessages(reader.root.lookupType(name), writer.root.lookupType(name), out);
  }
  return out;
}

function compareMessages(r: protobuf.Type, w: protobuf.Type, out: string[]): void {
  const name = full(w);
  const rByNumber = new Map(r.fieldsArray.map((f) => [f.id, f]));
  const wByNumber = new Map(w.fieldsArray.map((f) => [f.id, f]));
  for (const [id, wf] of wByNumber) {
    const rf = rByNumber.get(id);
    const at = `${name}.${wf.name} (field ${id})`;
    if (!rf) {
      if (wf.required) out.push(`REQUIRED_FIELD_REMOVED: ${at}`);
      if (wf.partOf) out.push(`ONEOF_FIELD_REMOVED: ${at} of oneof ${wf.partOf.name}`);
      continue;
    }
    const rk = kind(rf);
    const wk = kind(wf);
    if (rk !== wk) out.push(`FIELD_KIND_CHANGED: ${at} was a ${wk}, is a ${rk}`);
    else if (
      rk === 'scalar' &&
      rf.type !== wf.type &&
      !GROUPS.some((g) => g.includes(rf.type) && g.includes(wf.type))
    ) {
      out.push(`FIELD_SCALAR_KIND_CHANGED: ${at} was ${wf.type}, is ${rf.type}`);
    } else if ((rk === 'message' || rk === 'enum') && full(rf.resolvedType!) !== full(wf.resolvedType!)) {
      out.push(`FIELD_NAMED_TYPE_CHANGED: ${at} was ${full(wf.resolvedType!)}, is ${full(rf.resolvedType!)}`);
    } else if (rk === 'map' && (keyType(rf) !== keyType(wf) || rf.type !== wf.type)) {
      out.push(`FIELD_KIND_CHANGED: ${at} was map<${keyType(wf)}, ${wf.type}>, is map<${keyType(rf)}, ${rf.type}>`);
    }
    if (label(rf) !== label(wf) && (label(rf) === 'required' || label(wf) === 'required'))
      out.push(`${label(rf) === 'required' ? 'REQUIRED_FIELD_ADDED' : 'REQUIRED_FIELD_REMOVED'}: ${at}`);
    else if (label(rf) !== label(wf) && rk !== 'message' && rk !== 'map')
      out.push(`FIELD_LABEL_CHANGED: ${at} was ${label(wf)}, is ${label(rf)}`);
    if (wf.partOf && !rf.partOf) out.push(`ONEOF_FIELD_REMOVED: ${at} left oneof ${wf.partOf.name}`);
    if (
      !wf.partOf &&
      rf.partOf &&
      rf.partOf.fieldsArray.some((o) => o.id !== id && wByNumber.has(o.id) && !wByNumber.get(o.id)!.partOf)
    ) {
      out.push(`MULTIPLE_FIELDS_MOVED_TO_ONEOF: ${at} joined oneof ${rf.partOf.name} with other existing fields`);
    } else if (!wf.partOf && rf.partOf && w.oneofsArray.some((o) => o.name === rf.partOf!.name)) {
      out.push(`FIELD_MOVED_TO_EXISTING_ONEOF: ${at} joined oneof ${rf.partOf.name}`);
    }
  }
  for (const [id, rf] of rByNumber) {
    if (!wByNumber.has(id) && rf.required) out.push(`REQUIRED_FIELD_ADDED: ${name}.${rf.name} (field ${id})`);
  }
}
