import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { codeTiming, secondsLeftInStep, totpCode, totpSecretProblem, TotpSource } from '../../src/core/otp';
import { VirtualClock } from '../helpers/sandbox';

describe('TOTP', () => {
  it('matches the RFC 6238 SHA-1 test vectors', () => {
    // RFC 6238 appendix B: the ASCII secret "12345678901234567890", 8 digits.
    const secret = new TextEncoder().encode('12345678901234567890');
    const vectors: [number, string][] = [
      [59, '94287082'],
      [1111111109, '07081804'],
      [1111111111, '14050471'],
      [1234567890, '89005924'],
      [2000000000, '69279037'],
      [20000000000, '65353130'],
    ];
    for (const [t, code] of vectors) assert.equal(totpCode(secret, t, 8), code, `T=${t}`);
  });

  it('accepts cPanel 16-character (10-byte) base32 secrets and gives 6 digits', () => {
    const code = totpCode('QSARBVKLZHYHLJ3M', 1_700_000_000);
    assert.match(code, /^\d{6}$/);
    // Same code whatever the case or spacing an authenticator app shows.
    assert.equal(totpCode('qsar bvkl zhyh lj3m', 1_700_000_000), code);
    // Within one step the code holds; the next step changes it.
    assert.equal(
      totpCode('QSARBVKLZHYHLJ3M', 1_700_000_000 - (1_700_000_000 % 30)),
      totpCode('QSARBVKLZHYHLJ3M', 1_700_000_000 - (1_700_000_000 % 30) + 29),
    );
  });

  it('explains unusable secrets without echoing them', () => {
    assert.equal(totpSecretProblem('QSARBVKLZHYHLJ3M'), undefined);
    const bad = totpSecretProblem('not-base32-1!!');
    assert.ok(bad && /base32/.test(bad) && !bad.includes('not-base32'));
    assert.match(totpSecretProblem('ABCDEFGH') ?? '', /too short/);
  });

  it('waits for the next step instead of sending a code about to expire', async () => {
    const clock = new VirtualClock();
    clock.setIntoStep(28.5); // 1.5 s left, inside the 3 s margin
    const src = new TotpSource('QSARBVKLZHYHLJ3M', clock, 3);
    const before = clock.now();
    const { code } = await src.next();
    assert.equal(clock.sleeps.length, 1);
    assert.ok(clock.sleeps[0]! >= 1500 && clock.sleeps[0]! < 2000, `slept ${clock.sleeps[0]} ms`);
    assert.ok(secondsLeftInStep(clock.now() / 1000) > 29, 'the code comes from the start of a fresh step');
    assert.equal(code, totpCode('QSARBVKLZHYHLJ3M', clock.now() / 1000));
    assert.notEqual(code, totpCode('QSARBVKLZHYHLJ3M', before / 1000));
  });

  it('does not wait when the step has time left', async () => {
    const clock = new VirtualClock();
    clock.setIntoStep(5);
    const src = new TotpSource('QSARBVKLZHYHLJ3M', clock, 3);
    await src.next();
    await src.next();
    assert.deepEqual(clock.sleeps, [], 'header mode may send one code on many requests within a step');
  });

  it('never hands out one step twice for logins', async () => {
    const clock = new VirtualClock();
    clock.setIntoStep(5);
    const src = new TotpSource('QSARBVKLZHYHLJ3M', clock, 3);
    const a = await src.next({ distinctSteps: true });
    const b = await src.next({ distinctSteps: true });
    assert.equal(b.step, a.step + 1);
    assert.equal(clock.sleeps.length, 1);
  });
});

describe('copying a TOTP code near the end of its step', () => {
  it('copies now with 8 s or more left, and otherwise waits for the next step', () => {
    const step = 1_000_000_020; // a multiple of 30: a step starts here
    assert.deepEqual(codeTiming(step + 20), { waitMs: 0, validFor: 10 });
    assert.deepEqual(codeTiming(step + 8), { waitMs: 0, validFor: 22 });
    const late = codeTiming(step + 25.5);
    assert.equal(late.validFor, 29);
    assert.ok(late.waitMs >= 4500 && late.waitMs <= 4600, String(late.waitMs));
  });
});
