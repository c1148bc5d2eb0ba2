"""Cost of translating page texts in the browser (issue 14): 2,500 catalog lookups, as a 500-card board with five
texts per card would make, against plain strings, in Node. Prints the medians of 200 runs and the catalog's size.

    python benchmarks/bench_page_texts.py
"""
from __future__ import annotations

import gzip
import subprocess
import tempfile
from pathlib import Path

from practice.page_catalogs import module_source

BENCH = """
import { practiceT } from "./practice_i18n.mjs";
const texts = ["Accounts", "Due {date}", "Open", "Tasks", "Reject"];
function render(fn) {
  const out = [];
  for (let c = 0; c < 500; c++) for (const m of texts) out.push(fn(m));
  return out.length;
}
const plain = (m) => m;
const viaT = (m) => practiceT("fr", m, m.includes("{") ? { date: "15 avr." } : undefined);
function median(fn) {
  const runs = [];
  for (let i = 0; i < 200; i++) { const t0 = performance.now(); render(fn); runs.push(performance.now() - t0); }
  runs.sort((a, b) => a - b); return runs[100];
}
for (let w = 0; w < 3; w++) { median(plain); median(viaT); }
const a = median(plain), b = median(viaT);
console.log(`2,500 texts: plain ${a.toFixed(3)} ms, practiceT ${b.toFixed(3)} ms (median of 200)`);
"""


def main() -> None:
    source = module_source()
    print(f"catalog module: {len(source.encode()) / 1024:.1f} KB, {len(gzip.compress(source.encode())) / 1024:.1f} KB gzipped")
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "practice_i18n.mjs").write_text(source.replace("window.localStorage", "globalThis.localStorage"))
        Path(folder, "bench.mjs").write_text(BENCH)
        subprocess.run(["node", "bench.mjs"], cwd=folder, check=True)


if __name__ == "__main__":
    main()
