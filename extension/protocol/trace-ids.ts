/**
 * The engine's trace ids as people read them. `p1-b7` is batch 7 of producer 1, `p2-r15` record 15 of producer 2: in
 * the panel "p1" read as "partition 1", so the views spell them out. Exports keep the ids as they are. Imports nothing.
 */

const ID = /^p(\d+)-([br])(\d+)$/;

/** "batch 7 of producer 1" / "record 15 of producer 2"; an id of another shape as it is. */
export function describeTraceId(id: string): string {
  const m = ID.exec(id);
  if (!m) return id;
  return `${m[2] === 'b' ? 'batch' : 'record'} ${m[3]} of producer ${m[1]}`;
}

/** The short form for a table cell: "#7 (producer 1)". */
export function shortTraceId(id: string): string {
  const m = ID.exec(id);
  return m ? `#${m[3]} (producer ${m[1]})` : id;
}
