import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { findProjectRoot } from '../../src/engine/project.js'
import { useTestStore } from '../helpers/store.js'

test('findProjectRoot: the git repository around a directory (a .git directory or file), else the directory', async (t) => {
  const { scratch } = await useTestStore(t)
  const root = fs.realpathSync(scratch)
  const repo = path.join(root, 'repo')
  const deep = path.join(repo, 'packages', 'web', 'src')
  fs.mkdirSync(deep, { recursive: true })
  fs.mkdirSync(path.join(repo, '.git'))
  const worktree = path.join(root, 'worktree')
  fs.mkdirSync(worktree)
  fs.writeFileSync(path.join(worktree, '.git'), 'gitdir: ../repo/.git/worktrees/w\n')
  const plain = path.join(root, 'plain', 'sub')
  fs.mkdirSync(plain, { recursive: true })
  const link = path.join(root, 'link')
  fs.symlinkSync(deep, link)
  assert.equal(findProjectRoot(repo), repo)
  assert.equal(findProjectRoot(deep), repo)
  assert.equal(findProjectRoot(link), repo, 'symlinks resolved first')
  assert.equal(findProjectRoot(worktree), worktree, 'a worktree (.git file) is its own project')
  assert.equal(findProjectRoot(plain), plain, 'no repository: the directory itself')
})
