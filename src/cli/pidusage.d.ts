// pidusage 4 ships no types; the part bgbash uses.
declare module 'pidusage' {
  interface Stat {
    /** Percent of one core, averaged since the previous call for this pid (or since it started). */
    cpu: number
    /** Resident memory in bytes. */
    memory: number
    pid: number
    ppid: number
    elapsed: number
  }
  function pidusage(pid: number): Promise<Stat>
  /** Every pid's stat; a pid that is gone has none (the call fails only when all are gone). */
  function pidusage(pids: number[]): Promise<Record<number, Stat | undefined>>
  namespace pidusage {
    function clear(): void
  }
  export default pidusage
}
