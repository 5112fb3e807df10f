import { backoffDelay } from './backoff';

const policy = { baseMs: 1000, capMs: 60_000 };

it('draws each delay between zero and the capped exponential', () => {
  expect(backoffDelay(1, policy, () => 0.999)).toBe(999);
  expect(backoffDelay(4, policy, () => 0.999)).toBe(7992);
  expect(backoffDelay(30, policy, () => 0.999)).toBe(59_940);
  expect(backoffDelay(30, policy, () => 0)).toBe(0);
});

it('never retries sooner than Retry-After', () => {
  expect(backoffDelay(1, policy, () => 0.5, 30_000)).toBe(30_000);
  expect(backoffDelay(10, policy, () => 0.9, 1000)).toBe(54_000);
});
