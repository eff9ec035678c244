/** Types for `cluster-key-slot` (ioredis' CRC16 slot function; the package ships none). */
declare module 'cluster-key-slot' {
  /** The Redis Cluster slot (0-16383) of a key, hash tag rules included. */
  function calculateSlot(key: string | Buffer): number;
  namespace calculateSlot {
    /** The one slot all keys share, or -1 when they do not share one. */
    function generateMulti(keys: Array<string | Buffer>): number;
  }
  export = calculateSlot;
}
