import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { encode } from 'gpt-tokenizer/encoding/o200k_base'
import { matrixScenario } from '../scenarios.js'
import { sdkDriver } from './driver.js'

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bgbash-sdk-try-'))
const home = path.join(root, 'store')
const cwd = path.join(root, 'project')
fs.mkdirSync(cwd)
try {
  const result = await sdkDriver(process.argv.slice(2))({
    scenario: matrixScenario(home),
    home,
    cwd,
    harnessHome: root,
  })
  let total = 0
  for (const seen of result.seen) {
    const tokens = encode(seen.text).length
    total += tokens
    console.log(
      `--- ${seen.step} (${seen.tool}${seen.isError ? ', error' : ''}): ${tokens} tokens\n${seen.text}`,
    )
  }
  console.log(
    `=== results ${total} tokens; definitions ${encode(JSON.stringify(result.toolDefinitions)).length} tokens`,
  )
} finally {
  fs.rmSync(root, { recursive: true, force: true })
}
