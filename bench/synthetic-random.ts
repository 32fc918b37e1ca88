/** A deterministic random source for the synthetic archive: the same seed gives the same archive on every machine. */
export type Random = () => number;

/** mulberry32: small, fast, deterministic. */
export function prng(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function hex(rand: Random, length: number): string {
  let out = '';
  while (out.length < length) out += Math.floor(rand() * 0x100000000).toString(16).padStart(8, '0');
  return out.slice(0, length);
}

export function uuid(rand: Random): string {
  const h = hex(rand, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function pick<T>(rand: Random, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)] as T;
}
