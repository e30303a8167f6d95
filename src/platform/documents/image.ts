import type { DocumentLogo } from './model.ts';

export interface ImageSize {
  width: number;
  height: number;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * The pixel size of a PNG or JPEG logo, read from its header. Throws a TypeError when the bytes are
 * not the image type declared (a school's upload must not reach a renderer as something else).
 */
export function logoSize(logo: DocumentLogo): ImageSize {
  const data = logo.data;
  if (logo.type === 'png') {
    if (data.length < 24 || !PNG_SIGNATURE.every((byte, index) => data[index] === byte)) {
      throw new TypeError('The logo is not a PNG image');
    }
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    return positive({ width: view.getUint32(16), height: view.getUint32(20) });
  }
  if (logo.type === 'jpeg') {
    if (data.length < 4 || data[0] !== 0xff || data[1] !== 0xd8) throw new TypeError('The logo is not a JPEG image');
    let offset = 2;
    while (offset + 9 < data.length) {
      if (data[offset] !== 0xff) {
        offset += 1;
        continue;
      }
      const marker = data[offset + 1]!;
      if (marker === 0xff) {
        offset += 1;
        continue;
      }
      if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
        offset += 2;
        continue;
      }
      const length = (data[offset + 2]! << 8) | data[offset + 3]!;
      // Start-of-frame markers (baseline, progressive, …) carry the size; 0xC4, 0xC8 and 0xCC do not.
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return positive({ height: (data[offset + 5]! << 8) | data[offset + 6]!, width: (data[offset + 7]! << 8) | data[offset + 8]! });
      }
      if (length < 2) break;
      offset += 2 + length;
    }
    throw new TypeError('The logo is not a readable JPEG image');
  }
  throw new TypeError('The logo must be a PNG or a JPEG');
}

function positive(size: ImageSize): ImageSize {
  if (!(size.width > 0 && size.height > 0)) throw new TypeError('The logo has no size');
  return size;
}

/** The largest size with the image's proportions that fits in the box. */
export function fitWithin(size: ImageSize, maxWidth: number, maxHeight: number): ImageSize {
  const scale = Math.min(maxWidth / size.width, maxHeight / size.height);
  return { width: size.width * scale, height: size.height * scale };
}
