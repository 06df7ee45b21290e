#!/usr/bin/env node
// Runs an ONNX model with ONNX Runtime (onnxruntime-node), the reference
// oracle for tessera's end-to-end tests and benchmarks.
//
//   node ort_run.js MODEL.onnx OUT_DIR [--ort-dir DIR] [--threads N]
//                   [--bench N] [--warmup N] [--json] NAME=FILE.npy ...
//
// Inputs are .npy files (v1/v2/v3 headers, little-endian, C order; float16,
// float32, float64, int8/16/32/64, uint8/16/32/64, bool). Every graph input
// must be given. Each output is written to OUT_DIR/<sanitized name>.npy, where
// characters outside [A-Za-z0-9_.-] become '_' (OUT_DIR is created if needed).
//
// Options:
//   --ort-dir DIR  the onnxruntime-node package directory (default:
//                  <repo>/build/ort/node_modules/onnxruntime-node, resolved
//                  relative to this script)
//   --threads N    intra-op threads (default 1); inter-op threads are 1 and
//                  execution is sequential, graph optimization level 'all'
//   --bench N      after writing the outputs, time N more runs (after
//                  --warmup runs, default 10) and print
//                  {"median_ms":..,"min_ms":..,"mean_ms":..,"runs":N} as the
//                  last stdout line
//   --json         print one JSON object on stdout instead of text:
//                  {"outputs":[{"name","dtype","shape","file"}],
//                   "load_ms":.., "bench":{..} (with --bench)}
//
// Errors go to stderr and exit with status 1.
'use strict';

const fs = require('fs');
const path = require('path');

function die(msg) {
  process.stderr.write('ort_run: ' + msg + '\n');
  process.exit(1);
}

// ---------------------------------------------------------------- .npy I/O

// numpy descr (without byte-order char) <-> ORT tensor type + element size.
const DESCR_TO_TYPE = {
  f2: ['float16', 2], f4: ['float32', 4], f8: ['float64', 8],
  i1: ['int8', 1], i2: ['int16', 2], i4: ['int32', 4], i8: ['int64', 8],
  u1: ['uint8', 1], u2: ['uint16', 2], u4: ['uint32', 4], u8: ['uint64', 8],
  b1: ['bool', 1],
};
const TYPE_TO_DESCR = {};
for (const [d, [t]] of Object.entries(DESCR_TO_TYPE)) {
  TYPE_TO_DESCR[t] = (d[1] === '1' ? '|' : '<') + d;
}
const TYPE_TO_ARRAY = {
  float16: Uint16Array, float32: Float32Array, float64: Float64Array,
  int8: Int8Array, int16: Int16Array, int32: Int32Array, int64: BigInt64Array,
  uint8: Uint8Array, uint16: Uint16Array, uint32: Uint32Array,
  uint64: BigUint64Array, bool: Uint8Array,
};

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  die('big-endian hosts are not supported');
}

function readNpy(file) {
  let buf;
  try {
    buf = fs.readFileSync(file);
  } catch (e) {
    die(`cannot read ${file}: ${e.message}`);
  }
  const magic = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]);  // \x93NUMPY
  if (buf.length < 10 || !buf.subarray(0, 6).equals(magic)) {
    die(`${file}: not a .npy file`);
  }
  const major = buf[6];
  let hlen, hstart;
  if (major === 1) {
    hlen = buf.readUInt16LE(8);
    hstart = 10;
  } else if (major === 2 || major === 3) {
    hlen = buf.readUInt32LE(8);
    hstart = 12;
  } else {
    die(`${file}: unsupported .npy version ${major}.${buf[7]}`);
  }
  const header = buf.toString(major === 3 ? 'utf8' : 'latin1', hstart, hstart + hlen);
  const descrM = header.match(/['"]descr['"]\s*:\s*['"]([^'"]*)['"]/);
  const fortranM = header.match(/['"]fortran_order['"]\s*:\s*(True|False)/);
  const shapeM = header.match(/['"]shape['"]\s*:\s*\(([^)]*)\)/);
  if (!descrM || !fortranM || !shapeM) die(`${file}: malformed .npy header: ${header}`);
  if (fortranM[1] === 'True') die(`${file}: fortran_order arrays are not supported`);
  const descr = descrM[1];
  const order = descr[0];
  const key = descr.slice(1);
  if (!(key in DESCR_TO_TYPE) || !('<|='.includes(order)) ||
      (order === '|' && key[1] !== '1')) {
    die(`${file}: unsupported dtype '${descr}'`);
  }
  const [type, size] = DESCR_TO_TYPE[key];
  const dims = shapeM[1].split(',').map((s) => s.trim()).filter((s) => s.length)
    .map((s) => {
      const n = Number(s.replace(/L$/, ''));
      if (!Number.isInteger(n) || n < 0) die(`${file}: bad shape '${shapeM[1]}'`);
      return n;
    });
  const count = dims.reduce((a, b) => a * b, 1);
  const start = hstart + hlen;
  if (buf.length < start + count * size) {
    die(`${file}: truncated data (${buf.length - start} bytes, need ${count * size})`);
  }
  // Copy into a fresh, aligned ArrayBuffer.
  const ab = new ArrayBuffer(count * size);
  new Uint8Array(ab).set(buf.subarray(start, start + count * size));
  return { type, dims, data: new TYPE_TO_ARRAY[type](ab) };
}

function writeNpy(file, type, dims, data) {
  const descr = TYPE_TO_DESCR[type];
  if (!descr) die(`cannot write output of type '${type}' to ${file}`);
  const shape = dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  // Pad (with spaces, then '\n') so the data starts on a 64-byte boundary.
  let pre = 10;
  let total = pre + header.length + 1;
  if (total + ((64 - (total % 64)) % 64) - pre > 0xffff) pre = 12;
  total = pre + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const head = Buffer.alloc(pre);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]).copy(head, 0);
  if (pre === 10) {
    head[6] = 1; head[7] = 0; head.writeUInt16LE(header.length, 8);
  } else {
    head[6] = 2; head[7] = 0; head.writeUInt32LE(header.length, 8);
  }
  let bytes;
  if (type === 'bool' && !(data instanceof Uint8Array)) {
    bytes = Buffer.from(Uint8Array.from(data, (v) => (v ? 1 : 0)));
  } else {
    bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  }
  fs.writeFileSync(file, Buffer.concat([head, Buffer.from(header, 'latin1'), bytes]));
}

function sanitize(name) {
  return name.replace(/[^A-Za-z0-9_.-]/g, '_');
}

// ---------------------------------------------------------------- arguments

function usage() {
  process.stderr.write(
    'usage: node ort_run.js MODEL.onnx OUT_DIR [--ort-dir DIR] [--threads N]\n' +
    '                       [--bench N] [--warmup N] [--json] NAME=FILE.npy ...\n');
  process.exit(1);
}

function parseArgs(argv) {
  const opts = {
    ortDir: path.resolve(__dirname, '..', '..', 'build', 'ort', 'node_modules',
                         'onnxruntime-node'),
    threads: 1, bench: 0, warmup: 10, json: false, feeds: [], positional: [],
  };
  const intArg = (flag, v, min) => {
    const n = Number(v);
    if (v === undefined || !Number.isInteger(n) || n < min) die(`${flag} needs an integer >= ${min}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--ort-dir') opts.ortDir = path.resolve(argv[++i] || usage());
    else if (a === '--threads') opts.threads = intArg(a, argv[++i], 1);
    else if (a === '--bench') opts.bench = intArg(a, argv[++i], 1);
    else if (a === '--warmup') opts.warmup = intArg(a, argv[++i], 0);
    else if (a === '--json') opts.json = true;
    else if (a === '-h' || a === '--help') usage();
    else if (a.startsWith('--')) die(`unknown option ${a}`);
    else if (opts.positional.length < 2) opts.positional.push(a);
    else {
      const eq = a.indexOf('=');
      if (eq <= 0) die(`expected NAME=FILE.npy, got '${a}'`);
      opts.feeds.push([a.slice(0, eq), a.slice(eq + 1)]);
    }
  }
  if (opts.positional.length !== 2) usage();
  return opts;
}

// ---------------------------------------------------------------- main

function nowMs() {
  return Number(process.hrtime.bigint()) / 1e6;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const [modelPath, outDir] = opts.positional;

  let ort;
  try {
    ort = require(opts.ortDir);
  } catch (e) {
    die(`cannot load onnxruntime-node from ${opts.ortDir}: ${e.message}\n` +
        '(install it with scripts/install-ort.sh)');
  }

  const t0 = nowMs();
  let session;
  try {
    session = await ort.InferenceSession.create(modelPath, {
      graphOptimizationLevel: 'all',
      intraOpNumThreads: opts.threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      executionProviders: ['cpu'],
      logSeverityLevel: 3,
    });
  } catch (e) {
    die(`cannot load ${modelPath}: ${e.message}`);
  }
  const loadMs = nowMs() - t0;

  const feeds = {};
  for (const [name, file] of opts.feeds) {
    if (!session.inputNames.includes(name)) {
      die(`model has no input '${name}' (inputs: ${session.inputNames.join(', ')})`);
    }
    if (name in feeds) die(`input '${name}' given twice`);
    const { type, dims, data } = readNpy(file);
    feeds[name] = new ort.Tensor(type, data, dims);
  }
  const missing = session.inputNames.filter((n) => !(n in feeds));
  if (missing.length) die(`missing input(s): ${missing.join(', ')}`);

  let results;
  try {
    results = await session.run(feeds);
  } catch (e) {
    die(`run failed: ${e.message}`);
  }

  fs.mkdirSync(outDir, { recursive: true });
  const outputs = [];
  const used = new Set();
  for (const name of session.outputNames) {
    const t = results[name];
    let base = sanitize(name);
    if (used.has(base)) die(`two outputs sanitize to the same file name '${base}'`);
    used.add(base);
    const file = path.join(outDir, base + '.npy');
    writeNpy(file, t.type, t.dims, t.data);
    outputs.push({ name, dtype: t.type, shape: Array.from(t.dims), file });
  }

  let bench = null;
  if (opts.bench > 0) {
    for (let i = 0; i < opts.warmup; i++) await session.run(feeds);
    const times = [];
    for (let i = 0; i < opts.bench; i++) {
      const s = nowMs();
      await session.run(feeds);
      times.push(nowMs() - s);
    }
    times.sort((a, b) => a - b);
    const n = times.length;
    const median = n % 2 ? times[(n - 1) / 2] : (times[n / 2 - 1] + times[n / 2]) / 2;
    bench = {
      median_ms: median,
      min_ms: times[0],
      mean_ms: times.reduce((a, b) => a + b, 0) / n,
      runs: n,
    };
  }

  if (opts.json) {
    const obj = { outputs, load_ms: loadMs };
    if (bench) obj.bench = bench;
    process.stdout.write(JSON.stringify(obj) + '\n');
  } else {
    for (const o of outputs) {
      process.stdout.write(`${o.name}: ${o.dtype} [${o.shape.join('x')}] -> ${o.file}\n`);
    }
    if (bench) process.stdout.write(JSON.stringify(bench) + '\n');
  }
  if (session.release) await session.release();
}

main().catch((e) => die(e && e.stack ? e.stack : String(e)));
