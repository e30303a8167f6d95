import assert from 'node:assert/strict';
import { it } from 'node:test';
import { countText, governorCount } from './figures.ts';

it('shows governors 0, hides 1 to 4, and rounds the rest to the nearest 5 so a hidden cell cannot be worked out', () => {
  assert.deepEqual(governorCount(0), { count: 0, suppressed: false, rounded: false });
  assert.deepEqual(governorCount(3), { count: null, suppressed: true, rounded: false });
  assert.deepEqual(governorCount(52), { count: 50, suppressed: false, rounded: true });
  assert.deepEqual(governorCount(53), { count: 55, suppressed: false, rounded: true });
  assert.equal(countText(3, true), 'fewer than 5');
  assert.equal(countText(1234, true), '1,235');
  assert.equal(countText(1234, false), '1,234');
});
