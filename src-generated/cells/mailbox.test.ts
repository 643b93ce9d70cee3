// generated from docs/cells/mailbox.lit.md by weft — edit the source, not this file
import { describe, expect, it } from 'vitest';
import { Mailbox } from './mailbox.js';

const letter = (n: number) => ({ n });

describe('Mailbox', () => {
  it('hands out messages first in, first out', async () => {
    const mailbox = new Mailbox<{ n: number }>({ depth: 3, whenFull: 'reject', maxWaitMs: 10 });
    for (const n of [1, 2, 3]) await mailbox.offer(letter(n));
    expect([await mailbox.take(), await mailbox.take(), await mailbox.take()]).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
  });

  it('hands a message straight to a waiting consumer', async () => {
    const mailbox = new Mailbox<{ n: number }>({ depth: 1, whenFull: 'reject', maxWaitMs: 10 });
    const taken = mailbox.take();
    await expect(mailbox.offer(letter(1))).resolves.toBe('accepted');
    await expect(taken).resolves.toEqual({ n: 1 });
    expect(mailbox.size).toBe(0);
  });

  it('refuses at once when full and set to reject', async () => {
    const mailbox = new Mailbox<{ n: number }>({ depth: 2, whenFull: 'reject', maxWaitMs: 10 });
    expect([await mailbox.offer(letter(1)), await mailbox.offer(letter(2)), await mailbox.offer(letter(3))]).toEqual([
      'accepted',
      'accepted',
      'full',
    ]);
    expect(mailbox.size).toBe(2);
  });

  it('lets a waiting sender in when a take makes room', async () => {
    const mailbox = new Mailbox<{ n: number }>({ depth: 1, whenFull: 'wait', maxWaitMs: 1000 });
    await mailbox.offer(letter(1));
    const waiting = mailbox.offer(letter(2));
    expect(mailbox.waitingSenders).toBe(1);
    await expect(mailbox.take()).resolves.toEqual({ n: 1 });
    await expect(waiting).resolves.toBe('accepted');
    await expect(mailbox.take()).resolves.toEqual({ n: 2 });
  });

  it('refuses a waiting sender after maxWaitMs', async () => {
    const mailbox = new Mailbox<{ n: number }>({ depth: 1, whenFull: 'wait', maxWaitMs: 5 });
    await mailbox.offer(letter(1));
    await expect(mailbox.offer(letter(2))).resolves.toBe('timed-out');
    expect(mailbox.waitingSenders).toBe(0);
    expect(mailbox.size).toBe(1);
  });

  it('bounds the waiting line by the depth', async () => {
    const mailbox = new Mailbox<{ n: number }>({ depth: 1, whenFull: 'wait', maxWaitMs: 1000 });
    await mailbox.offer(letter(1));
    const waiting = mailbox.offer(letter(2));
    await expect(mailbox.offer(letter(3))).resolves.toBe('full');
    mailbox.close();
    await expect(waiting).resolves.toBe('closed');
  });

  it('refuses offers once closed but keeps what it queued', async () => {
    const mailbox = new Mailbox<{ n: number }>({ depth: 2, whenFull: 'reject', maxWaitMs: 10 });
    await mailbox.offer(letter(1));
    mailbox.close();
    await expect(mailbox.offer(letter(2))).resolves.toBe('closed');
    await expect(mailbox.take()).resolves.toEqual({ n: 1 });
    await expect(mailbox.take()).resolves.toBeUndefined();
  });

  it('wakes a pending take without a message when interrupted', async () => {
    const mailbox = new Mailbox<{ n: number }>({ depth: 1, whenFull: 'reject', maxWaitMs: 10 });
    const taken = mailbox.take();
    mailbox.interrupt();
    await expect(taken).resolves.toBeUndefined();
  });
});
//# sourceMappingURL=mailbox.test.ts.map
