/**
 * Sends from VS Code never create a topic by accident (a typo, "order" for "orders"): a topic that does not exist is
 * created only when the user says so, with the partitions and replication factor they choose, unless they turned
 * auto-create on for that connection (then the broker creates it, as Java's producer lets it). Callers without a UI
 * (tests, scripts) pass their answer instead of being asked.
 */
import * as vscode from 'vscode';
import { InvalidInputError } from '../../core/util/errors';
import type { ClusterAdmin } from './core';

export interface TopicPlan {
  partitions: number;
  replicationFactor: number;
}

/**
 * What to do with missing topics, given up front: true = create them with the defaults, a plan = create them so,
 * 'auto' = turn auto-create on for the connection, false = refuse. Undefined = ask the user.
 */
export type CreateTopicsAnswer = boolean | TopicPlan | 'auto';

/** The cluster a send goes to, as the question needs it. */
export interface TopicTarget {
  admin: Pick<ClusterAdmin, 'metadata' | 'createTopic'>;
  /** "Local sandbox", "dev (environment)". */
  name: string;
  autoCreate: boolean;
  setAutoCreate(on: boolean): Promise<void>;
}

/** A refusal the composer shows next to its topic field. */
export class MissingTopicError extends InvalidInputError {
  readonly field = 'topic';
}

/**
 * Makes sure every fixed topic (no `{{`) exists on the target, asking (or using `answer`) before creating any.
 * Returns the topics it created; throws MissingTopicError when the user says no.
 */
export async function ensureTopics(
  topics: readonly string[],
  target: TopicTarget,
  answer: CreateTopicsAnswer | undefined,
  log: (msg: string) => void,
): Promise<string[]> {
  const fixed = [...new Set(topics.filter((t) => t && !t.includes('{{')))];
  if (!fixed.length || target.autoCreate) return [];
  const metadata = await target.admin.metadata();
  const missing = fixed.filter((t) => !metadata.topics.some((x) => x.name === t));
  if (!missing.length) return [];
  const defaults = defaultPlan(
    metadata.topics.map((t) => t.partitions.length),
    metadata.brokers.length,
  );
  const decision =
    answer === undefined
      ? await ask(missing, target.name, defaults, metadata.brokers.length)
      : answer === true
        ? defaults
        : answer;
  const names = missing.map((t) => `"${t}"`).join(', ');
  if (!decision) {
    throw new MissingTopicError(
      `Not sent: topic${missing.length === 1 ? '' : 's'} ${names} ${missing.length === 1 ? 'does' : 'do'} not exist on "${target.name}" and nothing was created. Check the name, or create it ("Kafka: Create Topic").`,
    );
  }
  if (decision === 'auto') {
    await target.setAutoCreate(true);
    log(`auto-create turned on for "${target.name}": the broker creates missing topics (${names}) on send`);
    return [];
  }
  for (const t of missing) {
    await target.admin.createTopic(t, decision.partitions, decision.replicationFactor);
    log(
      `created topic ${t} on "${target.name}" (${decision.partitions} partitions, replication factor ${decision.replicationFactor}) before sending`,
    );
  }
  return missing;
}

/** The partition count most topics of the cluster have (3 on an empty one), and up to 3 replicas. */
function defaultPlan(partitionCounts: number[], brokers: number): TopicPlan {
  const counts = new Map<number, number>();
  for (const n of partitionCounts) if (n > 0) counts.set(n, (counts.get(n) ?? 0) + 1);
  const partitions = [...counts].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0]?.[0] ?? 3;
  return { partitions, replicationFactor: Math.max(1, Math.min(3, brokers)) };
}

async function ask(
  missing: string[],
  cluster: string,
  defaults: TopicPlan,
  brokers: number,
): Promise<TopicPlan | 'auto' | undefined> {
  const one = missing.length === 1;
  const names = missing.map((t) => `"${t}"`).join(', ');
  const create = `Create with ${defaults.partitions} Partition${defaults.partitions === 1 ? '' : 's'}, RF ${defaults.replicationFactor}`;
  const choose = 'Choose Partitions…';
  const auto = 'Always Let the Broker Create Topics Here';
  const picked = await vscode.window.showWarningMessage(
    `Topic${one ? '' : 's'} ${names} ${one ? 'does' : 'do'} not exist on "${cluster}".`,
    {
      modal: true,
      detail: `Nothing has been sent. Create ${one ? 'it' : 'them'} now (${defaults.partitions} partitions, replication factor ${defaults.replicationFactor}), or cancel and check the name: a typo would otherwise become a new topic. "${auto}" turns auto-create on for "${cluster}" (turn it off again from the connection's menu in the Clusters view).`,
    },
    create,
    choose,
    auto,
  );
  if (picked === create) return defaults;
  if (picked === auto) return 'auto';
  if (picked !== choose) return undefined;
  const partitions = await askNumber(`Partitions for ${names}`, defaults.partitions, 1, 1000);
  if (partitions === undefined) return undefined;
  const replicationFactor = await askNumber(
    `Replication factor for ${names} (the cluster has ${brokers} broker${brokers === 1 ? '' : 's'})`,
    defaults.replicationFactor,
    1,
    Math.max(1, brokers),
  );
  return replicationFactor === undefined ? undefined : { partitions, replicationFactor };
}

async function askNumber(title: string, value: number, min: number, max: number): Promise<number | undefined> {
  const text = await vscode.window.showInputBox({
    title,
    value: String(value),
    ignoreFocusOut: true,
    validateInput: (v) =>
      /^\d+$/.test(v) && Number(v) >= min && Number(v) <= max ? null : `Type a whole number from ${min} to ${max}`,
  });
  return text === undefined ? undefined : Number(text);
}
