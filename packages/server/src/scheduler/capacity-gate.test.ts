import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CapacityGate } from './capacity-gate.js';

const never = new AbortController().signal;

describe('CapacityGate', () => {
  it('grants at most `capacity` slots and hands a released slot to the next waiter', async () => {
    const gate = new CapacityGate(2);
    const a = await gate.acquire('run-a', never);
    await gate.acquire('run-a', never);
    let third = false;
    const pending = gate.acquire('run-a', never).then((release) => {
      third = true;
      return release;
    });
    await Promise.resolve();
    assert.equal(third, false);
    assert.equal(gate.inUse, 2);
    a();
    (await pending)();
    assert.equal(third, true);
  });

  it('serves waiting owners in turn, so a big run cannot starve a small one', async () => {
    const gate = new CapacityGate(1);
    const hold = await gate.acquire('big', never);
    const order: string[] = [];
    const queue = (owner: string, label: string) =>
      gate.acquire(owner, never).then((release) => {
        order.push(label);
        return release;
      });
    const b1 = queue('big', 'b1');
    const b2 = queue('big', 'b2');
    const b3 = queue('big', 'b3');
    const s1 = queue('small', 's1');
    hold();
    (await b1)();
    (await s1)();
    (await b2)();
    (await b3)();
    assert.deepEqual(order, ['b1', 's1', 'b2', 'b3']);
  });

  it('releasing twice frees one slot only', async () => {
    const gate = new CapacityGate(1);
    const release = await gate.acquire('x', never);
    release();
    release();
    assert.equal(gate.inUse, 0);
    await gate.acquire('x', never);
    assert.equal(gate.inUse, 1);
  });

  it('an aborted waiter leaves the queue and is refused', async () => {
    const gate = new CapacityGate(1);
    const hold = await gate.acquire('x', never);
    const controller = new AbortController();
    const waiting = gate.acquire('y', controller.signal);
    assert.equal(gate.waiting, 1);
    controller.abort(new Error('stop'));
    await assert.rejects(waiting, /stop/);
    assert.equal(gate.waiting, 0);
    hold();
    assert.equal(gate.inUse, 0);
  });

  it('rejects a capacity that is not a positive integer', () => {
    assert.throws(() => new CapacityGate(0), RangeError);
  });

  it('tells an owner its place among the waiting, and how many slots it holds', async () => {
    const gate = new CapacityGate(1);
    let changes = 0;
    gate.onChange(() => (changes += 1));
    const a = await gate.acquire('a', never);
    const b = gate.acquire('b', never);
    const c = gate.acquire('c', never);
    assert.equal(gate.heldBy('a'), 1);
    assert.equal(gate.positionOf('b'), 1);
    assert.equal(gate.positionOf('c'), 2);
    assert.equal(gate.positionOf('a'), 0);
    a();
    (await b)();
    assert.equal(gate.positionOf('c'), 0, 'c got the slot');
    (await c)();
    assert.ok(changes >= 4);
  });
});
