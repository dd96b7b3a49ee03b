// Usage: node score.js MODEL.onnx INPUTS.json OUTPUTS.json
// INPUTS.json: {"<graph input>": {"dims": [rows, width], "data": [values, row after row], "type": "float32"}, ...};
// type is float32 (the default; NaN written "NaN"), int64 (token ids), string or bool.
// Writes the float, uint32, string and bool outputs the same way ({"<graph output>": {"dims": [...], "data": [...]}}),
// NaN as "NaN".
'use strict';
const fs = require('fs');
const ort = require('onnxruntime-node');

const number = (v) => (v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v);
const text = (v) => (Number.isNaN(v) ? 'NaN' : v === Infinity ? 'Infinity' : v === -Infinity ? '-Infinity' : v);

function tensor({ dims, data, type = 'float32' }) {
  switch (type) {
    case 'float32': return new ort.Tensor('float32', Float32Array.from(data.map(number)), dims);
    case 'int64': return new ort.Tensor('int64', BigInt64Array.from(data.map(BigInt)), dims);
    case 'string': return new ort.Tensor('string', data, dims);
    case 'bool': return new ort.Tensor('bool', Uint8Array.from(data.map((v) => (v ? 1 : 0))), dims);
    default: throw new Error(`unknown input type ${type}`);
  }
}

async function main() {
  const [modelPath, inputsPath, outputsPath] = process.argv.slice(2);
  const session = await ort.InferenceSession.create(modelPath, { intraOpNumThreads: 1 });
  const given = JSON.parse(fs.readFileSync(inputsPath, 'utf8'));
  const feeds = {};
  for (const [name, input] of Object.entries(given)) {
    feeds[name] = tensor(input);
  }
  const results = await session.run(feeds);
  const outputs = {};
  for (const [name, result] of Object.entries(results)) {
    if (result.type === 'float32' || result.type === 'uint32') {
      outputs[name] = { dims: result.dims, data: Array.from(result.data, (v) => text(Number(v))) };
    } else if (result.type === 'string') {
      outputs[name] = { dims: result.dims, data: Array.from(result.data) };
    } else if (result.type === 'bool') {
      outputs[name] = { dims: result.dims, data: Array.from(result.data, (v) => Boolean(v)) };
    }
  }
  fs.writeFileSync(outputsPath, JSON.stringify(outputs));
}

main().catch((error) => {
  console.error(error && error.stack ? error.stack : String(error));
  process.exit(1);
});
