import { strict as assert } from 'node:assert';
import type { Producer } from '../../extension/core/engine/types';
import type { Transport } from '../../extension/core/transport/transport';
import { producerConfigKey } from '../../extension/core/kafka/rules';
import { ProducerPool, type PoolTarget } from '../../extension/host/kafka/producer-pool';

/** A stand-in producer and transport that record being closed, in order. */
function pool() {
  const closed: string[] = [];
  let made = 0;
  const p = new ProducerPool((target) => {
    const name = `${target.id}#${++made}`;
    return {
      producer: { name, close: async () => void closed.push(`producer ${name}`) } as unknown as Producer,
      transport: { close: async () => void closed.push(`transport ${name}`) } as unknown as Transport,
    };
  });
  return { p, closed };
}

const target = (id: string): PoolTarget => ({ id, config: { brokers: ['127.0.0.1:9092'] }, autoCreateId: id });
const nameOf = (producer: Producer) => (producer as unknown as { name: string }).name;

describe('host: the one producer pool', () => {
  it('gives the same producer for the same target and configuration, whatever the order of its keys', () => {
    const { p } = pool();
    const a = p.acquire(target('s1'), { acks: 'all', 'linger.ms': 5, 'client.id': 'kafka-workbench' });
    const b = p.acquire(target('s1'), { 'client.id': 'kafka-workbench', 'linger.ms': 5, acks: 'all' });
    assert.equal(a.created, true);
    assert.equal(b.created, false);
    assert.equal(b.producer, a.producer);
    assert.equal(producerConfigKey({ b: 1, a: 2 }), producerConfigKey({ a: 2, b: 1 }));
    assert.notEqual(p.acquire(target('s1'), { acks: '1' }).producer, a.producer, 'other settings, another producer');
    assert.notEqual(
      p.acquire(target('s2'), { acks: 'all', 'linger.ms': 5, 'client.id': 'kafka-workbench' }).producer,
      a.producer,
      'another target, another producer',
    );
  });

  it("closes one target's producers (producer, then its transport) and keeps the others", async () => {
    const { p, closed } = pool();
    const s1 = p.acquire(target('s1'), {}).producer;
    const s2 = p.acquire(target('s2'), {}).producer;
    assert.ok(p.owns('s1', s1) && !p.owns('s1', s2));
    await p.close('s1');
    assert.deepEqual(closed, ['producer s1#1', 'transport s1#1']);
    assert.ok(!p.owns('s1', s1), "a closed producer is no longer the target's");
    assert.notEqual(p.acquire(target('s1'), {}).producer, s1, 'the next send gets a new producer');
    assert.equal(p.acquire(target('s2'), {}).producer, s2);
    await p.closeAll();
    assert.deepEqual(
      closed.slice(2).sort(),
      ['producer s1#3', 'producer s2#2', 'transport s1#3', 'transport s2#2'].sort(),
    );
    assert.equal(nameOf(s2), 's2#2');
  });
});
