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
  namespace pidusage {
    function clear(): void
  }
  export default pidusage
}
