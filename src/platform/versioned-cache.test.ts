import assert from 'node:assert/strict';
import { it } from 'node:test';
import { VersionedCache } from './versioned-cache.ts';

it('keeps the most recently used entries up to its size', () => {
  const cache = new VersionedCache<number>(2);
  cache.set('a', 1);
  cache.set('b', 2);
  assert.equal(cache.get('a'), 1);
  cache.set('c', 3);
  assert.equal(cache.get('b'), undefined, 'b was least recently used');
  assert.equal(cache.get('a'), 1);
  assert.equal(cache.get('c'), 3);
  assert.equal(cache.size, 2);
});
