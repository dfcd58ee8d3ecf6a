#!/usr/bin/env bash
# Reproduces the corpus: runs real tools into failure and success and keeps what they printed
# (stdout and stderr interleaved). Needs node/npm, python3 + pytest, cargo, go, make + gcc, git and
# the docker client. Scratch projects live in $WORK (default /tmp/bgbash-corpus), never in the repo.
#   bash test/corpus/capture.sh            # every capture
#   bash test/corpus/capture.sh tsc-pretty # only the named ones
# Each capture NAME writes NAME.log (gzipped to NAME.log.gz past 1 MB) and a line in manifest.tsv:
# name, exit code, tool version, command. The NAME.must.txt sidecars are written by hand.
set -u
OUT="$(cd "$(dirname "$0")" && pwd)"
WORK="${WORK:-/tmp/bgbash-corpus}"
JS="$WORK/js"
mkdir -p "$WORK"
ONLY=("$@")

wanted() {
  [ ${#ONLY[@]} -eq 0 ] && return 0
  local n
  for n in "${ONLY[@]}"; do [ "$n" = "$1" ] && return 0; done
  return 1
}

# cap NAME DIR VERSION COMMAND: runs COMMAND with bash in DIR, output to NAME.log.
cap() {
  local name="$1" dir="$2" version="$3" cmd="$4"
  wanted "$name" || return 0
  rm -f "$OUT/$name.log" "$OUT/$name.log.gz"
  (cd "$dir" && bash -c "$cmd") >"$OUT/$name.log" 2>&1
  local code=$?
  if [ "$(stat -c %s "$OUT/$name.log")" -gt 1048576 ]; then gzip -9 -n -f "$OUT/$name.log"; fi
  touch "$OUT/manifest.tsv"
  grep -v "^$name	" "$OUT/manifest.tsv" >"$OUT/manifest.tsv.new" || true
  printf "%s\t%s\t%s\t%s\n" "$name" "$code" "$version" "${cmd//$'\n'/ }" >>"$OUT/manifest.tsv.new"
  sort "$OUT/manifest.tsv.new" >"$OUT/manifest.tsv" && rm "$OUT/manifest.tsv.new"
  echo "$name: exit $code"
}

# --- JavaScript scratch project: vitest, jest, eslint, tsc, biome installed locally ----------------
if [ ! -d "$JS/node_modules/vitest" ]; then
  mkdir -p "$JS"
  cat >"$JS/package.json" <<'EOF'
{ "name": "corpus-js", "version": "1.0.0", "private": true, "type": "module",
  "scripts": { "build": "tsc -p .", "lint": "eslint src" } }
EOF
  (cd "$JS" && npm install --no-audit --no-fund -D vitest@3 jest@30 eslint@9 @eslint/js@9 \
    typescript@5.9.3 @biomejs/biome@2.5.15)
fi
mkdir -p "$JS/src" "$JS/test" "$JS/jest"
cat >"$JS/tsconfig.json" <<'EOF'
{ "compilerOptions": { "strict": true, "noEmit": true, "target": "ES2022", "module": "NodeNext" },
  "include": ["src"] }
EOF
cat >"$JS/src/cart.ts" <<'EOF'
export interface Item { name: string; price: number; qty: number }

export function total(items: Item[]): number {
  return items.reduce((sum, item) => sum + item.price * item.qty, 0)
}

export function label(item: Item): string {
  const price: number = item.name
  return `${item.name}: ${price.toFixed(2)}`
}

export function discount(items: Item[], code: string): number {
  const rates = { SPRING: 0.1, VIP: 0.2 }
  return total(items) * (1 - rates[code])
}
EOF
cat >"$JS/src/user.ts" <<'EOF'
import { total } from './cart.js'

export function greet(user: { name: string }): string {
  return 'Hello ' + user.nmae
}

export const sum: string = total([])
EOF
cat >"$JS/src/legacy.js" <<'EOF'
var count = 0
function unused(a, b) {
  return a
}
export function bump(x) {
  if (x == null) { count++ }
  debugger
  return undefinedThing + count
}
EOF
cat >"$JS/eslint.config.js" <<'EOF'
import js from '@eslint/js'
export default [js.configs.recommended, { rules: { eqeqeq: 'error', 'no-var': 'error' } }]
EOF
cat >"$JS/test/math.test.js" <<'EOF'
import { describe, expect, it } from 'vitest'

const add = (a, b) => a + b
const parse = (s) => JSON.parse(s)

describe('math', () => {
  it('adds small numbers', () => expect(add(1, 2)).toBe(3))
  it('adds floats exactly', () => expect(add(0.1, 0.2)).toBe(0.3))
  it('keeps objects equal', () => expect({ a: 1, b: [1, 2] }).toEqual({ a: 1, b: [1, 3] }))
})

describe('parse', () => {
  it('parses json', () => expect(parse('{"x":1}')).toEqual({ x: 1 }))
  it('throws on bad json', () => expect(parse('{x:1}')).toEqual({ x: 1 }))
})
EOF
cat >"$JS/jest/cart.test.cjs" <<'EOF'
const total = (items) => items.reduce((s, i) => s + i.price * i.qty, 0)

describe('cart', () => {
  test('totals one item', () => { expect(total([{ price: 2, qty: 3 }])).toBe(6) })
  test('totals with tax', () => { expect(total([{ price: 10, qty: 1 }]) * 1.2).toBe(12.5) })
  test('rejects negative quantity', () => {
    expect(() => total([{ price: 1, qty: -1 }])).toThrow('negative quantity')
  })
  test('empty cart is zero', () => { expect(total([])).toBe(0) })
})
EOF
cat >"$JS/jest.config.cjs" <<'EOF'
module.exports = { testMatch: ['**/jest/**/*.test.cjs'] }
EOF
cat >"$JS/biome.json" <<'EOF'
{ "linter": { "rules": { "recommended": true } }, "files": { "includes": ["src/**"] } }
EOF

V_NPM="npm $(npm --version)"
V_TSC="tsc $(cd "$JS" && npx tsc --version | cut -d' ' -f2)"
V_NODE="node $(node --version)"

# npm: a package that does not exist, a script that fails, a clean install with warnings.
mkdir -p "$WORK/npm-e404" "$WORK/npm-run"
echo '{"name":"e404","version":"1.0.0"}' >"$WORK/npm-e404/package.json"
cap npm-install-e404 "$WORK/npm-e404" "$V_NPM" \
  'npm install --no-audit --no-fund left-pad-does-not-exist-bgbash-zz9'
cat >"$WORK/npm-run/package.json" <<'EOF'
{ "name": "npm-run", "version": "1.0.0",
  "scripts": { "build": "node build.js" } }
EOF
cat >"$WORK/npm-run/build.js" <<'EOF'
const fs = require('node:fs')
console.log('building 3 bundles')
console.log('bundle app.js ok')
fs.readFileSync('./config/missing.json', 'utf8')
EOF
cap npm-run-fail "$WORK/npm-run" "$V_NPM" 'npm run build'

# pnpm and yarn through npx.
mkdir -p "$WORK/pnpm" "$WORK/yarn"
echo '{"name":"p","version":"1.0.0"}' >"$WORK/pnpm/package.json"
echo '{"name":"y","version":"1.0.0"}' >"$WORK/yarn/package.json"
cap pnpm-add-404 "$WORK/pnpm" "pnpm 9.15.9" 'npx -y pnpm@9.15.9 add no-such-package-bgbash-zz9'
cap yarn-add-404 "$WORK/yarn" "yarn 1.22.22" 'npx -y yarn@1.22.22 add no-such-package-bgbash-zz9'

# tsc: the same errors pretty (colours, code frames) and plain.
cap tsc-pretty "$JS" "$V_TSC" 'npx tsc -p . --pretty true'
cap tsc-plain "$JS" "$V_TSC" 'npx tsc -p . --pretty false'

# node:test: failing with the spec reporter in colour, TAP, and a passing run.
mkdir -p "$WORK/nodetest"
cat >"$WORK/nodetest/orders.test.mjs" <<'EOF'
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

const price = (qty, unit) => Math.round(qty * unit * 100) / 100
describe('orders', () => {
  for (let i = 1; i <= 12; i++) it(`prices order ${i}`, () => assert.equal(price(i, 2.5), i * 2.5))
  it('applies the bulk discount', () => assert.equal(price(100, 1) * 0.9, 91))
  it('rounds half up', () => assert.deepEqual({ total: price(1, 1.005) }, { total: 1.01 }))
  it('rejects an empty order', async () => {
    await assert.rejects(async () => price(0, 1), /empty order/)
  })
})
describe('customers', () => {
  it('finds a customer', () => assert.ok(true))
  it('greets by name', () => { throw new TypeError("Cannot read properties of undefined (reading 'name')") })
})
EOF
cat >"$WORK/nodetest/pass.test.mjs" <<'EOF'
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

describe('strings', () => {
  for (let i = 0; i < 40; i++) it(`pads value ${i}`, () => assert.equal(String(i).padStart(3, '0').length, 3))
})
EOF
cap node-test-fail-spec "$WORK/nodetest" "$V_NODE" \
  'FORCE_COLOR=1 node --test --test-reporter=spec orders.test.mjs'
cap node-test-fail-tap "$WORK/nodetest" "$V_NODE" 'node --test --test-reporter=tap orders.test.mjs'
cap node-test-pass "$WORK/nodetest" "$V_NODE" 'node --test --test-reporter=spec pass.test.mjs'

# vitest and jest failing, in colour.
cap vitest-fail "$JS" "vitest $(cd "$JS" && npx vitest --version | cut -d' ' -f1 | cut -d/ -f2)" \
  'FORCE_COLOR=1 npx vitest run test/math.test.js'
cap jest-fail "$JS" "jest $(cd "$JS" && npx jest --version)" 'npx jest --colors'

# eslint and biome lint errors.
cap eslint-errors "$JS" "eslint $(cd "$JS" && npx eslint --version)" 'npx eslint src/legacy.js'
cap biome-lint "$JS" "biome 2.5.15" 'npx biome lint src'

# pytest: failing (colour, tracebacks), passing, and a long verbose run with failures in the middle.
mkdir -p "$WORK/py"
cat >"$WORK/py/test_inventory.py" <<'EOF'
import pytest


def restock(stock, n):
    if n < 0:
        raise ValueError("cannot restock a negative amount")
    return stock + n


def test_restock_adds():
    assert restock(3, 4) == 7


def test_restock_zero():
    assert restock(3, 0) == 4


def test_restock_negative_message():
    with pytest.raises(ValueError, match="negative"):
        restock(1, -1)


def test_lookup_sku():
    skus = {"A1": 3, "B2": 0}
    assert skus["C3"] == 1


@pytest.mark.parametrize("n", [1, 2, 3])
def test_restock_many(n):
    assert restock(0, n) == n
EOF
cat >"$WORK/py/test_pass.py" <<'EOF'
import pytest


@pytest.mark.parametrize("n", range(30))
def test_square(n):
    assert n * n >= 0
EOF
cat >"$WORK/py/test_many.py" <<'EOF'
import pytest


@pytest.mark.parametrize("n", range(60000))
def test_checksum(n):
    if n in (31337, 47011):
        assert (n * 7) % 10 == 0, f"checksum of record {n} is off"
    assert n >= 0
EOF
V_PYTEST="$(cd "$WORK/py" && python3 -m pytest --version 2>&1)"
cap pytest-fail "$WORK/py" "$V_PYTEST" 'python3 -m pytest --color=yes -p no:cacheprovider test_inventory.py'
cap pytest-pass "$WORK/py" "$V_PYTEST" 'python3 -m pytest -p no:cacheprovider test_pass.py'
cap pytest-verbose-60k "$WORK/py" "$V_PYTEST" 'python3 -m pytest -v -p no:cacheprovider test_many.py'

# cargo: a type error, a failing test (colours forced).
if [ ! -d "$WORK/rs" ]; then (cd "$WORK" && cargo new --lib -q rs); fi
cat >"$WORK/rs/src/lib.rs" <<'EOF'
pub fn parse_port(s: &str) -> Result<u16, std::num::ParseIntError> {
    s.trim().parse::<u16>()
}

pub fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_port() {
        assert_eq!(parse_port(" 8080 ").unwrap(), 8080);
    }

    #[test]
    fn rejects_a_big_port() {
        assert!(parse_port("70000").is_ok(), "70000 should not parse");
    }

    #[test]
    fn mean_of_three() {
        assert_eq!(mean(&[1.0, 2.0, 4.0]), 2.0);
    }
}
EOF
cp -r "$WORK/rs" "$WORK/rs-broken" 2>/dev/null || true
cat >"$WORK/rs-broken/src/lib.rs" <<'EOF'
pub fn parse_port(s: &str) -> u16 {
    let port: u16 = s.trim().parse();
    port
}

pub fn label(port: u16) -> String {
    format!("port {}", prot)
}
EOF
V_CARGO="$(cargo --version | cut -d' ' -f1-2)"
cap cargo-build-error "$WORK/rs-broken" "$V_CARGO" 'cargo build --color always'
cap cargo-test-fail "$WORK/rs" "$V_CARGO" 'cargo test --color always'

# go: a failing test and a build error.
mkdir -p "$WORK/go"
cat >"$WORK/go/go.mod" <<'EOF'
module example.com/shop

go 1.19
EOF
cat >"$WORK/go/shop.go" <<'EOF'
package shop

import "strings"

func Slug(s string) string { return strings.ToLower(strings.ReplaceAll(s, " ", "_")) }

func Cents(euros float64) int { return int(euros * 100) }
EOF
cat >"$WORK/go/shop_test.go" <<'EOF'
package shop

import "testing"

func TestSlug(t *testing.T) {
	if got := Slug("Blue Shirt"); got != "blue-shirt" {
		t.Errorf("Slug(%q) = %q, want %q", "Blue Shirt", got, "blue-shirt")
	}
}

func TestCents(t *testing.T) {
	cases := []struct{ in float64; want int }{{1, 100}, {0.29, 29}, {2.5, 250}}
	for _, c := range cases {
		if got := Cents(c.in); got != c.want {
			t.Errorf("Cents(%v) = %d, want %d", c.in, got, c.want)
		}
	}
}

func TestEmpty(t *testing.T) {
	if Slug("") != "" {
		t.Fatal("empty slug")
	}
}
EOF
mkdir -p "$WORK/go-broken"
cp "$WORK/go/go.mod" "$WORK/go-broken/"
cat >"$WORK/go-broken/main.go" <<'EOF'
package main

import (
	"fmt"
	"os"
)

func main() {
	var n int = "three"
	fmt.Println(n, undefinedName)
}
EOF
V_GO="$(go version | cut -d' ' -f3)"
cap go-test-fail "$WORK/go" "$V_GO" 'go test -v ./...'
cap go-build-error "$WORK/go-broken" "$V_GO" 'go build ./...'

# make + gcc: a compile error in the second of three files.
mkdir -p "$WORK/c"
cat >"$WORK/c/Makefile" <<'EOF'
CFLAGS = -Wall -Wextra -O2
OBJS = main.o util.o net.o

app: $(OBJS)
	$(CC) -o $@ $(OBJS)

%.o: %.c
	$(CC) $(CFLAGS) -c $< -o $@
EOF
printf '#include <stdio.h>\nint add(int, int);\nint main(void) { printf("%%d\\n", add(1, 2)); return 0; }\n' >"$WORK/c/main.c"
cat >"$WORK/c/util.c" <<'EOF'
#include <string.h>

int add(int a, int b) {
    int unused;
    return a + b
}

char *copy(const char *s) {
    return strdup(s, 10);
}
EOF
printf 'int net_port(void) { return 8080; }\n' >"$WORK/c/net.c"
cap make-gcc-error "$WORK/c" "$(make --version | head -1), gcc $(gcc -dumpfullversion)" \
  'rm -f ./*.o app; make CFLAGS="-Wall -Wextra -O2 -fdiagnostics-color=always"'

# git: a merge conflict, and a clone with its progress redraws (\r).
rm -rf "$WORK/git" && mkdir -p "$WORK/git"
cap git-merge-conflict "$WORK/git" "$(git --version)" 'git init -q -b main repo && cd repo && git config user.email a@b.c && git config user.name corpus && printf "port = 80\nhost = a\n" >app.conf && git add . && git commit -qm base && git checkout -qb feature && printf "port = 8080\nhost = a\n" >app.conf && git commit -qam feature && git checkout -q main && printf "port = 443\nhost = a\n" >app.conf && git commit -qam main && git merge feature'
rm -rf "$WORK/git-src" "$WORK/git-clone"
(cd "$WORK" && git init -q -b main git-src && cd git-src && git config user.email a@b.c &&
  git config user.name corpus && for i in $(seq 1 400); do head -c 20000 /dev/urandom >"f$i.bin"; done &&
  git add . && git commit -qm blobs)
cap git-clone-progress "$WORK" "$(git --version)" \
  'git clone --progress --no-local git-src git-clone'

# docker build: only the client is installed, no engine runs on this machine.
mkdir -p "$WORK/docker"
printf 'FROM node:20-alpine\nWORKDIR /app\nCOPY . .\nRUN npm ci\n' >"$WORK/docker/Dockerfile"
cap docker-build-no-daemon "$WORK/docker" "$(docker --version | cut -d, -f1)" 'docker build -t corpus-app .'

# A long passing run over 5 MB: node:test TAP with 60,000 tests.
cat >"$WORK/nodetest/many.test.mjs" <<'EOF'
import assert from 'node:assert/strict'
import { test } from 'node:test'

for (let i = 0; i < 60000; i++) test(`record ${i} round-trips through JSON`, () => {
  assert.deepEqual(JSON.parse(JSON.stringify({ i })), { i })
})
EOF
cap node-test-pass-60k "$WORK/nodetest" "$V_NODE" 'node --test --test-reporter=tap many.test.mjs'

# Progress redraws: a cargo build of a small workspace in a pseudo-terminal (script(1)).
if [ ! -d "$WORK/rs-ws" ]; then
  mkdir -p "$WORK/rs-ws" && cd "$WORK/rs-ws" &&
    printf '[workspace]\nmembers = [%s]\nresolver = "2"\n' "$(for i in $(seq 1 12); do printf '"c%s",' "$i"; done | sed 's/,$//')" >Cargo.toml &&
    for i in $(seq 1 12); do cargo new --lib -q "c$i" 2>/dev/null; done
  cd "$OUT" || exit 1
fi
cap cargo-build-tty "$WORK/rs-ws" "$V_CARGO" \
  'cargo clean -q; script -qec "cargo build --release" /dev/null'

# vitest's verbose reporter over 400 passing tests and two failures.
cat >"$JS/test/bulk.test.js" <<'EOF2'
import { describe, expect, it } from 'vitest'

const slug = (s) => s.toLowerCase().replace(/\s+/g, '-')
describe('slug', () => {
  for (let i = 0; i < 400; i++) it(`slugs title ${i}`, () => expect(slug(`Title ${i}`)).toBe(`title-${i}`))
  it('trims the ends', () => expect(slug(' Hello World ')).toBe('hello-world'))
  it('drops punctuation', () => expect(slug('Hello, World!')).toBe('hello-world'))
})
EOF2
cap vitest-verbose-fail "$JS" "vitest $(cd "$JS" && npx vitest --version | cut -d' ' -f1 | cut -d/ -f2)" \
  'npx vitest run --reporter=verbose test/bulk.test.js'

# tsc over a generated module with 150 type errors (pretty, colours, code frames).
mkdir -p "$WORK/tsc-many/src"
cat >"$WORK/tsc-many/tsconfig.json" <<'EOF2'
{ "compilerOptions": { "strict": true, "noEmit": true, "target": "ES2022" }, "include": ["src"] }
EOF2
for f in $(seq 1 5); do
  for i in $(seq 1 30); do
    printf 'export const value%s: number = "v%s"\n' "$i" "$i"
  done >"$WORK/tsc-many/src/gen$f.ts"
done
cap tsc-many-errors "$WORK/tsc-many" "$V_TSC" "$JS/node_modules/.bin/tsc -p . --pretty true"

# make -k over 40 C files full of warnings, one of which does not compile.
mkdir -p "$WORK/c-many"
for i in $(seq 1 40); do
  printf 'int f%s(int a, int b) {\n    int unused%s;\n    return a;\n}\n' "$i" "$i" >"$WORK/c-many/m$i.c"
done
printf 'int f41(int a) {\n    return a * missing_factor;\n}\n' >"$WORK/c-many/m41.c"
printf 'SRCS = $(wildcard m*.c)\nlib.a: $(SRCS:.c=.o)\n\tar rcs $@ $^\n%%.o: %%.c\n\t$(CC) -Wall -Wextra -c $< -o $@\n' \
  >"$WORK/c-many/Makefile"
cap make-many-warnings "$WORK/c-many" "$(make --version | head -1), gcc $(gcc -dumpfullversion)" \
  'rm -f ./*.o lib.a; make -k'

# README.md: the table below is rebuilt from manifest.tsv on every run.
{
  cat <<'EOF2'
# Output corpus

Real outputs of the usual developer tools, captured on the project's machine (Debian, Node 20) by
`capture.sh` in this folder: stdout and stderr interleaved (`2>&1`), colours where the tool was
asked for them, carriage-return redraws where the tool draws progress (git clone; cargo in a
pseudo-terminal). `test/output/corpus.test.ts` builds every view of every file at the budgets that
apply (success: 1 KiB completion, 8 KiB status, 16 KiB foreground; failure: 4 KiB completion,
8 KiB, 16 KiB) and checks that each line of `NAME.must.txt` (ANSI-stripped, exact substrings, what a
developer must see: failing tests and their assertion, `file:line` errors, the summary) is kept.
Files over 1 MB are stored gzipped (`NAME.log.gz`); `manifest.tsv` holds each capture's exit code.

Not captured: a real `docker build` (only the docker client is installed, no engine runs here, so
the capture is what the client prints without a daemon).

| file | tool + version | command (in its scratch project) | result |
| --- | --- | --- | --- |
EOF2
  while IFS=$'\t' read -r name code version cmd; do
    file="$name.log"
    [ -f "$OUT/$name.log.gz" ] && file="$name.log.gz"
    result="success (exit 0)"
    [ "$code" != 0 ] && result="failure (exit $code)"
    printf '| %s | %s | `%s` | %s |\n' "$file" "$version" "${cmd//|/\\|}" "$result"
  done <"$OUT/manifest.tsv"
} >"$OUT/README.md"
