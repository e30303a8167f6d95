import assert from 'node:assert/strict';
import { it } from 'node:test';
import { safeReturnPath } from './routes.ts';

it('follows only paths on this site after sign-in', () => {
  assert.equal(safeReturnPath('/register?provision=E'), '/register?provision=E');
  for (const hostile of ['//evil.example', '/\\evil.example', '/\t/evil.example', '/\n/evil.example', '/%0d%0aSet-Cookie:x', 'https://evil.example', 'evil', '']) {
    const result = safeReturnPath(hostile);
    assert.ok(result === undefined || new URL(result, 'http://senco.invalid').origin === 'http://senco.invalid', JSON.stringify(hostile));
  }
  assert.equal(safeReturnPath('/\t/evil.example'), undefined);
  assert.equal(safeReturnPath('/\\evil.example'), undefined);
});
