// npm's `edifact` 1.2 parser (UNOC) over a file: the reference of bench/load/edi_vs_node.py.
// Counts segments and components through the parser's events, as Minato's tokenizer walk does,
// and prints one JSON line: bytes, seconds (best of the runs), MB/s, segments, components.
'use strict';
const fs = require('fs');
const Parser = require('edifact/parser.js');
const Validator = require('edifact/validator.js');

const file = process.argv[2];
const runs = Number(process.argv[3] || 3);
const doc = fs.readFileSync(file, 'latin1');
let best = Infinity;
let segments = 0;
let components = 0;
for (let r = 0; r < runs; r++) {
  const parser = new Parser(new Validator());
  parser.encoding('UNOC');
  let s = 0;
  let c = 0;
  parser.on('opensegment', () => { s++; });
  parser.on('component', () => { c++; });
  const t0 = process.hrtime.bigint();
  parser.write(doc);
  parser.end();
  const sec = Number(process.hrtime.bigint() - t0) / 1e9;
  best = Math.min(best, sec);
  segments = s;
  components = c;
}
console.log(JSON.stringify({ bytes: doc.length, seconds: best, mb_per_s: doc.length / best / 1e6,
                             segments, components }));
