import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ProcStat } from '../../src/proc/procfs.js'
import { ProcessSnapshot } from '../../src/proc/snapshot.js'
import { type Counters, ProcessTable } from '../../src/proc/table.js'
import { collectTaskProcesses, type TaskRoot } from '../../src/proc/tree.js'

// Which processes are a task's, decided over a made-up machine whose pid numbers and /proc
// readings the test controls: pids above any real pid_max, so no real process is read.

const BASE = 5_000_000

interface FakeProcess {
  stat: ProcStat
  taskId?: string
}

class FakeMachine {
  readonly processes = new Map<number, FakeProcess>()
  /** What /proc/loadavg and /proc/stat say; moved by spawns, or by hand to fool the table. */
  counters: Counters = { lastPid: BASE, forks: 0, threads: 100 }
  private clock = 1000
  readonly table = new ProcessTable({
    counters: () => this.counters,
    list: () => [...this.processes.keys()],
    stat: (pid) => {
      const proc = this.processes.get(pid)
      return proc ? { ...proc.stat } : undefined
    },
    taskId: (pid) => this.processes.get(pid)?.taskId,
    pidMax: () => BASE + 1_000_000,
  })

  /** Starts a process at the next pid (or `pid`): in its parent's group and session unless told. */
  spawn(
    comm: string,
    options: { ppid?: number; pgrp?: number; session?: number; taskId?: string; pid?: number } = {},
  ): number {
    const pid = options.pid ?? this.counters.lastPid + 1
    const parent = options.ppid === undefined ? undefined : this.processes.get(options.ppid)?.stat
    this.counters = { ...this.counters, lastPid: pid, forks: this.counters.forks + 1 }
    this.processes.set(pid, {
      taskId: options.taskId,
      stat: {
        pid,
        comm,
        state: 'S',
        ppid: options.ppid ?? 1,
        pgrp: options.pgrp ?? parent?.pgrp ?? pid,
        session: options.session ?? parent?.session ?? pid,
        startTime: this.clock++,
        threads: 1,
        utime: 0,
        stime: 0,
        rss: 0,
        exitSignal: 17,
      },
    })
    return pid
  }

  exit(pid: number): void {
    this.processes.delete(pid)
    // Its children go to init.
    for (const proc of this.processes.values()) if (proc.stat.ppid === pid) proc.stat.ppid = 1
  }

  look(): ProcessSnapshot {
    return new ProcessSnapshot(this.table)
  }

  /** A task's wrapper: leader of its own group and session, carrying the task's id. */
  wrapper(taskId: string): TaskRoot {
    const pid = this.spawn('sh', { ppid: 1, taskId })
    const stat = this.processes.get(pid)!.stat
    this.processes.get(pid)!.stat.pgrp = pid
    this.processes.get(pid)!.stat.session = pid
    return { taskId, pid, pgid: pid, startTime: stat.startTime }
  }
}

function pidsOf(root: TaskRoot, machine: FakeMachine): number[] {
  return collectTaskProcesses(root, machine.look())
    .map((proc) => proc.pid)
    .sort()
}

test('a task is its wrapper, its descendants, its group and session, and escapees carrying its id', () => {
  const machine = new FakeMachine()
  const unrelated = machine.spawn('bash')
  const root = machine.wrapper('bgb-a')
  const child = machine.spawn('node', { ppid: root.pid, taskId: 'bgb-a' })
  // Its own group (job control), still in the session; and a child with its environment cleared.
  const job = machine.spawn('make', { ppid: child, taskId: 'bgb-a' })
  machine.processes.get(job)!.stat.pgrp = job
  const cleared = machine.spawn('cc', { ppid: job })
  // setsid and double fork: another session, parent init, found by its id only.
  const escapee = machine.spawn('server', { ppid: 1, pgrp: 0, session: 0, taskId: 'bgb-a' })
  machine.processes.get(escapee)!.stat.pgrp = escapee
  machine.processes.get(escapee)!.stat.session = escapee
  const other = machine.wrapper('bgb-b')
  assert.deepEqual(pidsOf(root, machine), [root.pid, child, job, cleared, escapee].sort())
  assert.ok(!pidsOf(root, machine).includes(unrelated))
  assert.deepEqual(pidsOf(other, machine), [other.pid])
})

test('a wrapper pid handed to an unrelated process: neither it nor its children are the task, even when the table missed it', () => {
  const machine = new FakeMachine()
  const root = machine.wrapper('bgb-a')
  const child = machine.spawn('sleep', { ppid: root.pid, taskId: 'bgb-a' })
  assert.deepEqual(pidsOf(root, machine), [root.pid, child])
  machine.exit(child)
  machine.exit(root.pid)
  // The pid is handed out again (ns_last_pid set by hand) to a session leader, then the counter
  // moves on past the last look's: the table reads the child's pid, not the reused one, which
  // keeps the wrapper's old reading.
  const reuser = machine.spawn('sshd', { pid: root.pid, ppid: 1, pgrp: root.pid, session: root.pid })
  const itsChild = machine.spawn('bash', { pid: root.pid + 50, ppid: reuser })
  const look = machine.look()
  assert.ok(
    look.stats.some((stat) => stat.pid === itsChild),
    'the child was read',
  )
  assert.ok(
    look.stats.some((stat) => stat.pid === root.pid && stat.startTime === root.startTime),
    'the reused pid still holds the wrapper as once read',
  )
  assert.deepEqual(collectTaskProcesses(root, look), [])
  // And with everything read afresh: the group and session of that number are not the task's.
  machine.counters = { ...machine.counters, forks: machine.counters.forks + 10_000_000 }
  assert.deepEqual(pidsOf(root, machine), [])
})

test('with the wrapper gone, a process carrying the task id holds its group: the group is the task', () => {
  const machine = new FakeMachine()
  const root = machine.wrapper('bgb-a')
  const leftover = machine.spawn('sleep', { ppid: root.pid, taskId: 'bgb-a' })
  const cleared = machine.spawn('worker', { ppid: leftover })
  machine.exit(root.pid)
  assert.deepEqual(pidsOf(root, machine), [leftover, cleared])
  // Once the last process carrying the id is gone, nothing proves the number is still the task's.
  machine.exit(leftover)
  assert.deepEqual(pidsOf(root, machine), [])
})

test('a process the table read earlier that has exited since is not taken', () => {
  const machine = new FakeMachine()
  const root = machine.wrapper('bgb-a')
  const child = machine.spawn('sleep', { ppid: root.pid, taskId: 'bgb-a' })
  machine.look()
  // Gone with no fork since: the table has nothing new to read, and holds its old reading.
  machine.processes.delete(child)
  const look = machine.look()
  assert.ok(look.stats.some((stat) => stat.pid === child))
  assert.deepEqual(
    collectTaskProcesses(root, look).map((proc) => proc.pid),
    [root.pid],
  )
})
