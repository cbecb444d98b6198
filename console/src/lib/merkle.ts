// RFC 9162 inclusion proofs checked in the browser (WebCrypto SHA-256): from an event's leaf
// hash and its audit path, the root of the first `size` events — which must equal the root of
// a signed checkpoint of that size. The auditor need not trust the server's word for it.
function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function unhex(text: string): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(new ArrayBuffer(text.length / 2));
  for (let i = 0; i < out.length; ++i) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

async function node(left: Uint8Array, right: Uint8Array): Promise<Uint8Array> {
  const buf = new Uint8Array(new ArrayBuffer(1 + left.length + right.length));
  buf[0] = 0x01;
  buf.set(left, 1);
  buf.set(right, 1 + left.length);
  return new Uint8Array(await crypto.subtle.digest('SHA-256', buf));
}

// The root (hex) that `path` proves for the leaf at 1-based `seq` in a tree of `size`
// leaves, or '' when the path does not fit the tree.
export async function rootFromInclusion(
  seq: number,
  size: number,
  leafHex: string,
  path: string[],
): Promise<string> {
  if (seq < 1 || seq > size) return '';
  let fn = seq - 1;
  let sn = size - 1;
  let r: Uint8Array = unhex(leafHex);
  for (const p of path) {
    if (sn === 0) return '';
    const sibling = unhex(p);
    if ((fn & 1) === 1 || fn === sn) {
      r = await node(sibling, r);
      if ((fn & 1) === 0) {
        while ((fn & 1) === 0 && fn !== 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = await node(r, sibling);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn === 0 ? hex(r) : '';
}
