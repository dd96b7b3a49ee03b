#!/usr/bin/python3
"""PyTorch reference: hierarchical attention network (Yang et al., 2016) on the benchmark corpus.

Run with Debian's Python and torch (apt-get install -y python3-torch libopenblas0-pthread):
    /usr/bin/python3 benchmarks/reference/han.py [--data benchmarks/data] [--epochs 5]

Input: <data>/train.jsonl and test.jsonl written by benchmarks/AttentionBenchmarks (one JSON object per line,
{"label": ..., "id": ..., "text": ...}; '\n' in text is a hard sentence boundary).

Tokenization (the C# tokenizer follows the same rules):
  * sentences: the text is split at every '\n', then each line at whitespace that follows '.', '!' or '?'
    (regex (?<=[.!?])\s+); empty sentences are dropped;
  * words: lower-cased; a token is a maximal run of Unicode letters/digits ([^\W_]+), or any single other
    non-space character (punctuation, symbols, '_'), which is kept as its own token;
  * sentences with no token are dropped; at most the first 30 sentences of a document and the first 50 tokens of a
    sentence are kept; a document with no token at all becomes one sentence with the single token <unk>.
Vocabulary: tokens with count >= 2 in the (truncated) training documents; index 0 = <pad>, 1 = <unk>.

Model (paper sizes): embedding 200 (random init, N(0,1) as torch's default), word BiGRU 50 per direction, word
attention u = tanh(W h + b), score = u . u_w, softmax over the sentence's words (padding masked); sentence BiGRU 50 per
direction, sentence attention of the same form (hidden 100); linear 100 -> classes.
Training: cross-entropy, Adam lr 1e-3, batch 64, 5 epochs, gradient clipping by global L2 norm 5
(clip_grad_norm_). Batches are length-sorted: documents sorted by (sentence count, longest sentence), cut into
consecutive batches of 64; the batch order is shuffled each epoch (seeded). All sentences of a batch are encoded
together through pack_padded_sequence; documents' sentence sequences are packed as well.
Threads: torch.set_num_threads(2).
Timing: training docs/s = training documents x epochs / time in the training loop (tokenization excluded, reported
separately); scoring docs/s = test documents / time from raw text (tokenize + index + batch 256 forward, no_grad).
Peak memory: ru_maxrss of this process.
"""
import argparse
import json
import os
import random
import re
import resource
import sys
import time
from collections import Counter

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

MAX_SENTENCES = 30
MAX_WORDS = 50
SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+")
TOKEN = re.compile(r"[^\W_]+|[^\w\s]|_")
PAD, UNK = 0, 1


def tokenize(text):
    sentences = []
    for line in text.split("\n"):
        for piece in SENTENCE_SPLIT.split(line):
            words = TOKEN.findall(piece.lower())
            if words:
                sentences.append(words[:MAX_WORDS])
                if len(sentences) == MAX_SENTENCES:
                    return sentences
    return sentences


def load(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def index(doc_tokens, vocab):
    if not doc_tokens:
        return [[UNK]]
    return [[vocab.get(w, UNK) for w in s] for s in doc_tokens]


class Attention(nn.Module):
    """u = tanh(W h + b); score = u . context; softmax over unmasked positions."""

    def __init__(self, size):
        super().__init__()
        self.proj = nn.Linear(size, size)
        self.context = nn.Parameter(torch.empty(size).uniform_(-0.1, 0.1))

    def forward(self, h, mask):  # h: (N, T, size), mask: (N, T) bool
        scores = torch.tanh(self.proj(h)) @ self.context
        scores = scores.masked_fill(~mask, float("-inf"))
        weights = torch.softmax(scores, dim=1)
        return (weights.unsqueeze(-1) * h).sum(1), weights


class HAN(nn.Module):
    def __init__(self, vocab_size, classes, emb=200, hidden=50):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, emb, padding_idx=PAD)
        self.word_rnn = nn.GRU(emb, hidden, batch_first=True, bidirectional=True)
        self.word_attention = Attention(2 * hidden)
        self.sentence_rnn = nn.GRU(2 * hidden, hidden, batch_first=True, bidirectional=True)
        self.sentence_attention = Attention(2 * hidden)
        self.output = nn.Linear(2 * hidden, classes)

    def forward(self, words, word_lengths, sentence_counts):
        # words: (S_total, W) all sentences of the batch; word_lengths: (S_total,); sentence_counts: (B,)
        packed = pack_padded_sequence(self.embedding(words), word_lengths, batch_first=True, enforce_sorted=False)
        h, _ = pad_packed_sequence(self.word_rnn(packed)[0], batch_first=True)
        word_mask = torch.arange(h.size(1)).unsqueeze(0) < word_lengths.unsqueeze(1)
        sentence_vectors, _ = self.word_attention(h, word_mask)  # (S_total, 100)

        per_doc = torch.split(sentence_vectors, sentence_counts.tolist())
        padded = nn.utils.rnn.pad_sequence(per_doc, batch_first=True)  # (B, S_max, 100)
        packed = pack_padded_sequence(padded, sentence_counts, batch_first=True, enforce_sorted=False)
        h, _ = pad_packed_sequence(self.sentence_rnn(packed)[0], batch_first=True)
        sentence_mask = torch.arange(h.size(1)).unsqueeze(0) < sentence_counts.unsqueeze(1)
        doc_vectors, _ = self.sentence_attention(h, sentence_mask)
        return self.output(doc_vectors)


def make_batch(docs):
    """docs: list of lists of index lists -> (words, word_lengths, sentence_counts) tensors."""
    sentences = [s for d in docs for s in d]
    lengths = torch.tensor([len(s) for s in sentences], dtype=torch.long)
    words = torch.zeros(len(sentences), int(lengths.max()), dtype=torch.long)
    for i, s in enumerate(sentences):
        words[i, : len(s)] = torch.tensor(s, dtype=torch.long)
    counts = torch.tensor([len(d) for d in docs], dtype=torch.long)
    return words, lengths, counts


def length_sorted_batches(docs, size):
    order = sorted(range(len(docs)), key=lambda i: (len(docs[i]), max(len(s) for s in docs[i])))
    return [order[i : i + size] for i in range(0, len(order), size)]


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def blas_check():
    a, b = torch.randn(1024, 1024), torch.randn(1024, 1024)
    for _ in range(3):
        a @ b
    n, start = 20, time.perf_counter()
    for _ in range(n):
        a @ b
    elapsed = time.perf_counter() - start
    return 2 * 1024 ** 3 * n / elapsed / 1e9


def main():
    parser = argparse.ArgumentParser()
    here = os.path.dirname(os.path.abspath(__file__))
    parser.add_argument("--data", default=os.path.join(here, "..", "data"))
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--eval-batch", type=int, default=256)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--limit-train", type=int, default=0, help="use only the first N training documents (smoke test)")
    parser.add_argument("--limit-test", type=int, default=0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--eval-every-epoch", action="store_true", help="score the test set after every epoch")
    parser.add_argument("--blas-check-only", action="store_true")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    random.seed(args.seed)
    print(f"torch {torch.__version__}, python {sys.version.split()[0]}, threads {torch.get_num_threads()}, "
          f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE')}, OPENBLAS_L2_SIZE={os.environ.get('OPENBLAS_L2_SIZE')}")
    print(f"matmul 1024x1024 float32: {blas_check():.1f} GFLOP/s", flush=True)
    if args.blas_check_only:
        return

    train = load(os.path.join(args.data, "train.jsonl"))
    test = load(os.path.join(args.data, "test.jsonl"))
    if args.limit_train:
        train = train[: args.limit_train]
    if args.limit_test:
        test = test[: args.limit_test]
    labels = sorted({d["label"] for d in train} | {d["label"] for d in test})
    label_index = {l: i for i, l in enumerate(labels)}

    start = time.perf_counter()
    train_tokens = [tokenize(d["text"]) for d in train]
    counts = Counter(w for d in train_tokens for s in d for w in s)
    vocab = {w: i + 2 for i, w in enumerate(sorted(w for w, c in counts.items() if c >= 2))}
    train_docs = [index(t, vocab) for t in train_tokens]
    train_y = torch.tensor([label_index[d["label"]] for d in train], dtype=torch.long)
    prep_seconds = time.perf_counter() - start
    print(f"{len(train)} train / {len(test)} test docs, {len(labels)} classes, vocabulary {len(vocab) + 2} "
          f"(count >= 2); tokenization + indexing of training set {prep_seconds:.1f} s", flush=True)

    model = HAN(len(vocab) + 2, len(labels))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    batches = length_sorted_batches(train_docs, args.batch)
    rng = random.Random(args.seed)
    train_seconds = 0.0
    for epoch in range(1, args.epochs + 1):
        model.train()
        rng.shuffle(batches)
        total_loss, seen, epoch_start = 0.0, 0, time.perf_counter()
        for b, batch in enumerate(batches, 1):
            words, lengths, sentence_counts = make_batch([train_docs[i] for i in batch])
            logits = model(words, lengths, sentence_counts)
            loss = F.cross_entropy(logits, train_y[batch])
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimizer.step()
            total_loss += loss.item() * len(batch)
            seen += len(batch)
            if b % 100 == 0:
                rate = seen / (time.perf_counter() - epoch_start)
                print(f"  epoch {epoch} batch {b}/{len(batches)} loss {total_loss / seen:.4f} ({rate:.0f} docs/s)", flush=True)
        elapsed = time.perf_counter() - epoch_start
        train_seconds += elapsed
        print(f"epoch {epoch}: loss {total_loss / seen:.4f}, {elapsed:.1f} s, {seen / elapsed:.0f} docs/s, "
              f"peak RSS {peak_rss_mib():.0f} MiB", flush=True)
        if args.eval_every_epoch:  # scoring time is not part of train_seconds
            report(epoch, train, test, train_seconds, *evaluate(model, test, vocab, label_index, args.eval_batch))

    if not args.eval_every_epoch:
        report(args.epochs, train, test, train_seconds, *evaluate(model, test, vocab, label_index, args.eval_batch))


def evaluate(model, test, vocab, label_index, eval_batch):
    """Scoring from raw text: tokenize + index + forward in length-sorted batches, no_grad. Returns (acc, macro, seconds)."""
    model.eval()
    predictions = [0] * len(test)
    start = time.perf_counter()
    with torch.no_grad():
        test_docs = [index(tokenize(d["text"]), vocab) for d in test]
        for batch in length_sorted_batches(test_docs, eval_batch):
            words, lengths, sentence_counts = make_batch([test_docs[i] for i in batch])
            for i, p in zip(batch, model(words, lengths, sentence_counts).argmax(1).tolist()):
                predictions[i] = p
    score_seconds = time.perf_counter() - start
    gold = [label_index[d["label"]] for d in test]
    per_class = {}
    for p, g in zip(predictions, gold):
        c, t = per_class.get(g, (0, 0))
        per_class[g] = (c + int(p == g), t + 1)
    accuracy = sum(int(p == g) for p, g in zip(predictions, gold)) / len(gold)
    macro = sum(c / t for c, t in per_class.values()) / len(per_class)
    return accuracy, macro, score_seconds


def report(epochs_done, train, test, train_seconds, accuracy, macro, score_seconds):
    train_rate = len(train) * epochs_done / train_seconds
    score_rate = len(test) / score_seconds
    print(f"after epoch {epochs_done}: test accuracy {accuracy:.4f}, macro accuracy {macro:.4f}; training {train_seconds:.1f} s "
          f"({train_rate:.1f} docs/s), scoring {score_seconds:.1f} s ({score_rate:.1f} docs/s), peak RSS {peak_rss_mib():.0f} MiB")
    print(f"| pytorch-han | debian | {len(train)}/{len(test)} | {accuracy:.1%} | {macro:.1%} | {train_seconds:.1f} | "
          f"{train_rate:.0f} | {score_rate:.0f} | – | {peak_rss_mib():.0f} | torch {torch.__version__}, {epochs_done} epochs |", flush=True)


if __name__ == "__main__":
    main()
