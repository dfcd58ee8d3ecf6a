// usage: node --import tsx .review-view2.ts <cap> <projectDir> <failed 0|1> [outprefix]
import { readFileSync, writeFileSync } from 'node:fs'
import { countTokens } from 'gpt-tokenizer'
import * as OLD from '/tmp/viewreview2/old/src/output/index.ts'
import * as NEW from '/work/main/src/output/index.ts'
const [file, rel, f, out] = process.argv.slice(2)
const failed = f === '1'
const raw = readFileSync(file, 'utf8')
const budgetBytes = failed ? 4096 : 1024
const focus = failed ? ('problems' as const) : ('ends' as const)
const o = OLD.buildView(raw, { budgetBytes, focus, readHint: 'read it with bash_output X' })
const n = NEW.buildView(raw, { budgetBytes, focus, terse: true, relativeTo: rel, readHint: 'read it with bash_output X' })
console.log(`${file.replace('/tmp/viewreview2/', '')}: raw ${countTokens(raw)} tok/${Buffer.byteLength(raw)}B; old ${countTokens(o.text)} tok/${Buffer.byteLength(o.text)}B -> new ${countTokens(n.text)} tok/${Buffer.byteLength(n.text)}B`)
if (out) { writeFileSync(out + '.old.txt', o.text); writeFileSync(out + '.new.txt', n.text) }
