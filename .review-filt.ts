import { readFileSync } from 'node:fs'
import { FillerFilter } from '/work/main/src/output/filler.ts'
const f = new FillerFilter()
const lines = readFileSync(process.argv[2]!, 'utf8').split('\n')
const from = Number(process.argv[3] ?? 0), to = Number(process.argv[4] ?? lines.length)
lines.forEach((l, i) => { const d = f.isFiller(l); if (i >= from && i < to) console.log((d ? 'DROP ' : 'keep ') + l) })
