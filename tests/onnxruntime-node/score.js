// Usage: node score.js MODEL.onnx INPUTS.json OUTPUTS.json
// INPUTS.json: {"<graph input>": {"dims": [rows, width], "data": [floats, row after row]}, ...}; NaN is written "NaN".
// Writes the float and uint32 outputs the same way ({"<graph output>": {"dims": [...], "data": [...]}}), NaN as "NaN".
'use strict';
const fs = require('fs');
const ort = require('onnxruntime-node');

const number = (v) => (v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v);
const text = (v) => (Number.isNaN(v) ? 'NaN' : v === Infinity ? 'Infinity' : v === -Infinity ? '-Infinity' : v);

async function main() {
  const [modelPath, inputsPath, outputsPath] = process.argv.slice(2);
  const session = await ort.InferenceSession.create(modelPath, { intraOpNumThreads: 1 });
  const given = JSON.parse(fs.readFileSync(inputsPath, 'utf8'));
  const feeds = {};
  for (const [name, { dims, data }] of Object.entries(given)) {
    feeds[name] = new ort.Tensor('float32', Float32Array.from(data.map(number)), dims);
  }
  const results = await session.run(feeds);
  const outputs = {};
  for (const [name, tensor] of Object.entries(results)) {
    if (tensor.type === 'float32' || tensor.type === 'uint32') {
      outputs[name] = { dims: tensor.dims, data: Array.from(tensor.data, (v) => text(Number(v))) };
    }
  }
  fs.writeFileSync(outputsPath, JSON.stringify(outputs));
}

main().catch((error) => {
  console.error(error && error.stack ? error.stack : String(error));
  process.exit(1);
});
