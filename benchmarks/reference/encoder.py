#!/usr/bin/python3
"""PyTorch reference of the self-attention text featurizer (SelfAttentionFeaturize) at its default settings.

Run with Debian's Python and torch (apt-get install -y python3-torch libopenblas0-pthread):
    /usr/bin/python3 benchmarks/reference/encoder.py [--data benchmarks/data] [--epochs 5]

Same data and tokenization as han.py (sentences flattened into one token sequence). Vocabulary: tokens with count >= 2,
the 30,000 most frequent; ids 0 = <pad>, 1 = <unk>, then words, then <cls> and <mask>.
Model: [CLS] + at most 127 tokens (longer texts keep the first 64 and the last 63), embedding 128 + sinusoidal
positions, dropout 0.1, 2 pre-norm Transformer encoder layers (4 heads, feed-forward 256, GELU), final LayerNorm,
mean pooling over the text's tokens (not [CLS]), linear head to the classes (dropped after training in the C# library).
Training: cross-entropy, Adam lr 5e-4, batch 32, gradient clipping 1.0, batches of length-sorted neighbours in a
shuffled order each epoch. Threads: 2.
Timing: training docs/s = documents x epochs / time in the training loop; featurization docs/s = test documents /
time from raw text to pooled vectors (tokenize + index + forward, batch 256, length-sorted, no_grad);
the featurization is then timed again with batches of 64 and 32 (--score-batches).
"""
import argparse
import math
import os
import random
import sys
import time
from collections import Counter

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from han import blas_check, load, peak_rss_mib, tokenize  # noqa: E402

MAX_TOKENS = 128


def to_ids(text, vocab, cls):
    tokens = [vocab.get(w, 1) for s in tokenize(text) for w in s]
    budget = MAX_TOKENS - 1
    if len(tokens) > budget:
        head = (budget + 1) // 2
        tokens = tokens[:head] + tokens[len(tokens) - (budget - head):]
    return [cls] + tokens


class Encoder(nn.Module):
    def __init__(self, vocab_size, classes, width=128, heads=4, layers=2, ff=256, dropout=0.1):
        super().__init__()
        self.width = width
        self.embedding = nn.Embedding(vocab_size, width, padding_idx=0)
        layer = nn.TransformerEncoderLayer(width, heads, ff, dropout, activation="gelu", batch_first=True, norm_first=True)
        self.layers = nn.TransformerEncoder(layer, layers)
        self.norm = nn.LayerNorm(width)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(width, classes)

    def positions(self, length):
        position = torch.arange(length, dtype=torch.float32).unsqueeze(1)
        frequency = torch.exp(torch.arange(0, self.width, 2, dtype=torch.float32) * (-math.log(10000.0) / self.width))
        table = torch.zeros(length, self.width)
        table[:, 0::2] = torch.sin(position * frequency)
        table[:, 1::2] = torch.cos(position * frequency)
        return table.unsqueeze(0)

    def vectors(self, ids, mask):
        x = self.dropout(self.embedding(ids) + self.positions(ids.size(1)))
        x = self.norm(self.layers(x, src_key_padding_mask=~mask))
        content = mask.clone()
        content[:, 0] = False
        share = content.float().unsqueeze(-1)
        return (x * share).sum(1) / share.sum(1).clamp_min(1)

    def forward(self, ids, mask):
        return self.head(self.vectors(ids, mask))


def batch_tensors(sequences):
    length = max(len(s) for s in sequences)
    ids = torch.zeros(len(sequences), length, dtype=torch.long)
    for i, s in enumerate(sequences):
        ids[i, : len(s)] = torch.tensor(s, dtype=torch.long)
    return ids, ids != 0


def main():
    parser = argparse.ArgumentParser()
    here = os.path.dirname(os.path.abspath(__file__))
    parser.add_argument("--data", default=os.path.join(here, "..", "data"))
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--score-batches", default="256,64,32",
                        help="comma-separated featurization batch sizes to time (the first one gives the accuracy)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, matmul {blas_check():.1f} GFLOP/s", flush=True)

    train, test = load(os.path.join(args.data, "train.jsonl")), load(os.path.join(args.data, "test.jsonl"))
    labels = sorted({d["label"] for d in train})
    label_index = {l: i for i, l in enumerate(labels)}
    counts = Counter(w for d in train for s in tokenize(d["text"]) for w in s)
    words = [w for w, c in sorted(counts.items(), key=lambda p: (-p[1], p[0])) if c >= 2][:30000 - 2]
    vocab = {w: i + 2 for i, w in enumerate(words)}
    cls = len(vocab) + 2
    train_ids = [to_ids(d["text"], vocab, cls) for d in train]
    train_y = torch.tensor([label_index[d["label"]] for d in train])
    model = Encoder(len(vocab) + 4, len(labels))
    optimizer = torch.optim.Adam(model.parameters(), lr=5e-4)
    order = sorted(range(len(train_ids)), key=lambda i: len(train_ids[i]))
    batches = [order[i : i + 32] for i in range(0, len(order), 32)]
    rng = random.Random(args.seed)
    train_seconds = 0.0
    for epoch in range(1, args.epochs + 1):
        model.train()
        rng.shuffle(batches)
        start, total = time.perf_counter(), 0.0
        for batch in batches:
            ids, mask = batch_tensors([train_ids[i] for i in batch])
            loss = F.cross_entropy(model(ids, mask), train_y[batch])
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            total += loss.item() * len(batch)
        elapsed = time.perf_counter() - start
        train_seconds += elapsed
        print(f"epoch {epoch}: loss {total / len(train_ids):.4f}, {len(train_ids) / elapsed:.0f} docs/s", flush=True)

    model.eval()
    timings = []
    for size in [int(b) for b in args.score_batches.split(",")]:
        start = time.perf_counter()
        predictions = [0] * len(test)
        with torch.no_grad():
            test_ids = [to_ids(d["text"], vocab, cls) for d in test]
            order = sorted(range(len(test_ids)), key=lambda i: len(test_ids[i]))
            for i in range(0, len(order), size):
                batch = order[i : i + size]
                ids, mask = batch_tensors([test_ids[j] for j in batch])
                vectors = model.vectors(ids, mask)
                for j, p in zip(batch, model.head(vectors).argmax(1).tolist()):
                    predictions[j] = p
        seconds = time.perf_counter() - start
        timings.append((size, seconds))
        if len(timings) == 1:
            accuracy = sum(int(p == label_index[d["label"]]) for p, d in zip(predictions, test)) / len(test)
    score_seconds = timings[0][1]
    print(f"head accuracy {accuracy:.4f}; training {train_seconds:.1f} s ({len(train) * args.epochs / train_seconds:.0f} docs/s), "
          f"featurization {score_seconds:.1f} s ({len(test) / score_seconds:.0f} docs/s), peak RSS {peak_rss_mib():.0f} MiB")
    for size, seconds in timings[1:]:
        print(f"featurization with batches of {size}: {seconds:.1f} s ({len(test) / seconds:.0f} docs/s)")


if __name__ == "__main__":
    main()
