import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deflateRawSync } from 'node:zlib';
import { checkZipDirectory } from './file-check.ts';

/** A one-part zip whose directory may lie about how big the part unpacks to. */
function zip(content: Buffer, declaredSize = content.length): Uint8Array {
  const name = Buffer.from('xl/sharedStrings.xml');
  const data = deflateRawSync(content);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(declaredSize, 22);
  local.writeUInt16LE(name.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(declaredSize, 24);
  central.writeUInt16LE(name.length, 28);
  central.writeUInt32LE(0, 42);
  const directoryOffset = local.length + name.length + data.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + name.length, 12);
  end.writeUInt32LE(directoryOffset, 16);
  return new Uint8Array(Buffer.concat([local, name, data, central, name, end]));
}

describe('the zip check before a workbook is unpacked', () => {
  const limits = { maxUnpackedBytes: 1024 * 1024, maxEntries: 50 };
  it('accepts an honest small workbook part', () => {
    assert.doesNotThrow(() => checkZipDirectory(zip(Buffer.from('<sst>hello</sst>')), limits));
  });
  it('refuses a part that unpacks past the allowance even when the directory claims it is tiny', () => {
    const bomb = zip(Buffer.alloc(5 * 1024 * 1024, 0x61), 1000);
    assert.ok(bomb.length < 20_000, 'the bomb itself is small');
    assert.throws(() => checkZipDirectory(bomb, limits), /would unpack to more than/);
  });
  it('refuses a part whose real size does not match what the directory says', () => {
    assert.throws(() => checkZipDirectory(zip(Buffer.from('<sst>hello</sst>'), 3), limits), /damaged or incomplete/);
  });
});
