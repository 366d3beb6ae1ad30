/**
 * Top self-time functions of a V8 .cpuprofile (as written by `node --cpu-prof`):
 *   node --import tsx packages/api/bench/profile-top.ts FILE.cpuprofile [N]
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }
  children?: number[]
}
interface Profile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
  startTime: number
  endTime: number
}

export interface TopEntry {
  name: string
  where: string
  selfMs: number
  share: number
}

export function topSelf(file: string, limit = 25): { totalMs: number; idleMs: number; top: TopEntry[] } {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const self = new Map<number, number>()
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0))
  }
  const grouped = new Map<string, { name: string; where: string; us: number }>()
  let total = 0
  let idle = 0
  for (const [id, us] of self) {
    const f = byId.get(id)!.callFrame
    total += us
    if (f.functionName === '(idle)') idle += us
    const where = f.url ? `${f.url.replace(/^file:\/\//, '').replace(/^.*\/(node_modules|packages)\//, '$1/')}:${f.lineNumber + 1}` : ''
    const name = f.functionName || '(anonymous)'
    const key = `${name} ${where}`
    const g = grouped.get(key) ?? { name, where, us: 0 }
    g.us += us
    grouped.set(key, g)
  }
  const busy = total - idle
  const top = [...grouped.values()]
    .filter((g) => g.name !== '(idle)')
    .sort((a, b) => b.us - a.us)
    .slice(0, limit)
    .map((g) => ({ name: g.name, where: g.where, selfMs: g.us / 1000, share: g.us / busy }))
  return { totalMs: total / 1000, idleMs: idle / 1000, top }
}

export function formatTop(file: string, limit = 25): string {
  const { totalMs, idleMs, top } = topSelf(file, limit)
  const lines = [`${file}: ${(totalMs / 1000).toFixed(1)} s sampled, ${(((totalMs - idleMs) / totalMs) * 100).toFixed(0)} % busy; top self time (share of busy):`]
  for (const t of top) lines.push(`  ${(t.share * 100).toFixed(1).padStart(5)} %  ${t.selfMs.toFixed(0).padStart(7)} ms  ${t.name}  ${t.where}`)
  return lines.join('\n')
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [file, n] = process.argv.slice(2)
  if (!file) {
    console.error('usage: profile-top.ts FILE.cpuprofile [N]')
    process.exit(2)
  }
  console.log(formatTop(file, n ? Number(n) : 25))
}

/** Inclusive (total) time per function: each sample counts once for every distinct function on its stack. */
export function topTotal(file: string, limit = 40): { name: string; where: string; totalMs: number; share: number }[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const label = (n: ProfileNode) => {
    const f = n.callFrame
    const where = f.url ? `${f.url.replace(/^file:\/\//, '').replace(/^.*\/(node_modules|packages)\//, '$1/')}:${f.lineNumber + 1}` : ''
    return `${f.functionName || '(anonymous)'} ${where}`
  }
  const total = new Map<string, number>()
  let busy = 0
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i] ?? 0
    let id: number | undefined = profile.samples[i]!
    if (byId.get(id)!.callFrame.functionName === '(idle)') continue
    busy += dt
    const seen = new Set<string>()
    while (id !== undefined) {
      const l = label(byId.get(id)!)
      if (!seen.has(l)) {
        seen.add(l)
        total.set(l, (total.get(l) ?? 0) + dt)
      }
      id = parent.get(id)
    }
  }
  return [...total.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([l, us]) => {
      const i = l.indexOf(' ')
      return { name: l.slice(0, i), where: l.slice(i + 1), totalMs: us / 1000, share: us / busy }
    })
}
