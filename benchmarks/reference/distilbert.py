#!/usr/bin/python3
"""PyTorch reference of the DistilBERT family (issue 32): the tiny model and the vectors DistilBertFamilyTests compares against.

Written from DistilBERT's definition (Sanh et al. 2019; Hugging Face's DistilBertModel, model_type "distilbert"), not
from the library's code:
  embeddings  = LayerNorm(word_embeddings[ids] + position_embeddings[0..T-1]), eps 1e-12, no token types
  each block  = h = sa_layer_norm(out_lin(attention(q_lin x, k_lin x, v_lin x)) + x)
                y = output_layer_norm(lin2(activation(lin1 h)) + h)
  attention   = softmax(q / sqrt(head size) . k^T, padding keys filled with the dtype's minimum) . v, per head
  activation  = GELU with erf ("gelu"); LayerNorm eps 1e-12 everywhere
Sentence vectors as sentence-transformers pools them: the mean of the token states over the attention mask ([CLS]
and [SEP] included), and the first token's state ([CLS] pooling).

The model is tiny (width 8, 2 heads, 2 layers, feed-forward 16, 16 positions) with random weights from a fixed seed.
The script writes, into the output folder (tests/Microsoft.ML.Attention.Tests/Pretrained/Data/tiny-distilbert):
  config.json, vocab.txt, tokenizer_config.json, model.safetensors  the model as Hugging Face saves a
      DistilBertForMaskedLM (keys under "distilbert.", plus the masked-language-model head the encoder ignores)
  onnx/model.onnx, onnx/config.json, onnx/vocab.txt                the bare DistilBertModel exported by torch.onnx.export
  reference.json      the texts, their word-piece ids (BERT's basic tokenization and WordPiece over vocab.txt) and the
                      mean-pooled and [CLS] vectors, computed in double precision from the float32 weights
Run (Debian 12: apt-get install python3-torch libopenblas0-pthread python3-onnx):
    /usr/bin/python3 benchmarks/reference/distilbert.py tests/Microsoft.ML.Attention.Tests/Pretrained/Data/tiny-distilbert
"""
import json
import math
import os
import struct
import sys
import unicodedata

import torch
import torch.nn as nn
import torch.nn.functional as F

DIM, HEADS, LAYERS, HIDDEN_DIM, POSITIONS = 8, 2, 2, 16, 16
VOCABULARY = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "cat", "dog", "sat", "ran", "on", "mat", "a", "red",
              "##s", "##ed", "walk", ".", ",", "!", "?"]
TEXTS = ["", "the cat sat on the mat.", "A dog ran, the cats sat!", "zebra walked on a red mat?", "dogs", "Ran RAN ran",
         "the the the the the the the the the the the the the the"]


class Embeddings(nn.Module):
    def __init__(self):
        super().__init__()
        self.word_embeddings = nn.Embedding(len(VOCABULARY), DIM, padding_idx=0)
        self.position_embeddings = nn.Embedding(POSITIONS, DIM)
        self.LayerNorm = nn.LayerNorm(DIM, eps=1e-12)

    def forward(self, ids):
        positions = torch.arange(ids.shape[1], device=ids.device)
        return self.LayerNorm(self.word_embeddings(ids) + self.position_embeddings(positions)[None])


class MultiHeadSelfAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.q_lin, self.k_lin, self.v_lin, self.out_lin = (nn.Linear(DIM, DIM) for _ in range(4))

    def forward(self, x, mask):
        b, t, _ = x.shape
        size = DIM // HEADS

        def heads(y):
            return y.view(b, t, HEADS, size).transpose(1, 2)
        q, k, v = heads(self.q_lin(x)) / math.sqrt(size), heads(self.k_lin(x)), heads(self.v_lin(x))
        scores = q @ k.transpose(2, 3)
        scores = scores.masked_fill((mask == 0).view(b, 1, 1, t), torch.finfo(scores.dtype).min)
        context = F.softmax(scores, dim=-1) @ v
        return self.out_lin(context.transpose(1, 2).reshape(b, t, DIM))


class FFN(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin1, self.lin2 = nn.Linear(DIM, HIDDEN_DIM), nn.Linear(HIDDEN_DIM, DIM)

    def forward(self, x):
        return self.lin2(F.gelu(self.lin1(x)))


class TransformerBlock(nn.Module):
    def __init__(self):
        super().__init__()
        self.attention = MultiHeadSelfAttention()
        self.sa_layer_norm = nn.LayerNorm(DIM, eps=1e-12)
        self.ffn = FFN()
        self.output_layer_norm = nn.LayerNorm(DIM, eps=1e-12)

    def forward(self, x, mask):
        h = self.sa_layer_norm(self.attention(x, mask) + x)
        return self.output_layer_norm(self.ffn(h) + h)


class Transformer(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer = nn.ModuleList(TransformerBlock() for _ in range(LAYERS))

    def forward(self, x, mask):
        for block in self.layer:
            x = block(x, mask)
        return x


class DistilBertModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.embeddings = Embeddings()
        self.transformer = Transformer()

    def forward(self, input_ids, attention_mask):
        return self.transformer(self.embeddings(input_ids), attention_mask)


def word_pieces(text):
    """BERT's uncased basic tokenization (lower-case, accents stripped, punctuation split off), then greedy WordPiece."""
    text = unicodedata.normalize("NFD", text.lower())
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    words, word = [], ""
    for c in text:
        if c.isspace() or unicodedata.category(c).startswith("P"):
            if word:
                words.append(word)
            word = ""
            if not c.isspace():
                words.append(c)
        else:
            word += c
    if word:
        words.append(word)
    ids = []
    for w in words:
        pieces, start = [], 0
        while start < len(w):
            end = len(w)
            while end > start and (("##" if start else "") + w[start:end]) not in VOCABULARY:
                end -= 1
            if end == start:
                pieces = [VOCABULARY.index("[UNK]")]
                break
            pieces.append(VOCABULARY.index(("##" if start else "") + w[start:end]))
            start = end
        ids.extend(pieces)
    return [VOCABULARY.index("[CLS]")] + ids + [VOCABULARY.index("[SEP]")]


def write_safetensors(path, tensors):
    header, offset, blobs = {}, 0, []
    for name, tensor in tensors.items():
        data = tensor.detach().to(torch.float32).contiguous().numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensor.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def main(folder):
    torch.manual_seed(32)
    model = DistilBertModel()
    with torch.no_grad():
        # Weights well away from zero and LayerNorm gains away from one, so that any misplaced term shows in the vectors.
        for name, p in model.named_parameters():
            p.copy_(torch.rand_like(p) - 0.5 + (1.0 if "LayerNorm.weight" in name or "layer_norm.weight" in name else 0.0))
    model.eval()

    config = {"model_type": "distilbert", "architectures": ["DistilBertForMaskedLM"], "activation": "gelu",
              "vocab_size": len(VOCABULARY), "dim": DIM, "n_layers": LAYERS, "n_heads": HEADS, "hidden_dim": HIDDEN_DIM,
              "max_position_embeddings": POSITIONS, "dropout": 0.1, "attention_dropout": 0.1, "sinusoidal_pos_embds": False,
              "pad_token_id": 0}
    os.makedirs(os.path.join(folder, "onnx"), exist_ok=True)
    for sub in ("", "onnx"):
        with open(os.path.join(folder, sub, "config.json"), "w", encoding="utf-8") as f:
            json.dump(config, f, indent=2)
        with open(os.path.join(folder, sub, "vocab.txt"), "w", encoding="utf-8") as f:
            f.write("\n".join(VOCABULARY) + "\n")
    with open(os.path.join(folder, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump({"do_lower_case": True, "tokenizer_class": "DistilBertTokenizer"}, f)

    tensors = {"distilbert." + k: v for k, v in model.state_dict().items()}
    generator = torch.Generator().manual_seed(5)
    for name, shape in [("vocab_transform.weight", (DIM, DIM)), ("vocab_transform.bias", (DIM,)), ("vocab_layer_norm.weight", (DIM,)),
                        ("vocab_layer_norm.bias", (DIM,)), ("vocab_projector.weight", (len(VOCABULARY), DIM)),
                        ("vocab_projector.bias", (len(VOCABULARY),))]:
        tensors[name] = torch.rand(shape, generator=generator) - 0.5
    write_safetensors(os.path.join(folder, "model.safetensors"), tensors)

    ids = [word_pieces(t) for t in TEXTS]
    length = max(len(i) for i in ids)
    batch = torch.zeros(len(ids), length, dtype=torch.long)
    mask = torch.zeros(len(ids), length, dtype=torch.long)
    for row, pieces in enumerate(ids):
        batch[row, :len(pieces)] = torch.tensor(pieces)
        mask[row, :len(pieces)] = 1

    torch.onnx.export(model, (batch, mask), os.path.join(folder, "onnx", "model.onnx"), input_names=["input_ids", "attention_mask"],
                      output_names=["last_hidden_state"], opset_version=14, do_constant_folding=True,
                      dynamic_axes={"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"}})

    double = DistilBertModel().double()
    double.load_state_dict({k: v.double() for k, v in model.state_dict().items()})
    double.eval()
    with torch.no_grad():
        states = double(batch, mask)
        weights = mask.unsqueeze(-1).double()
        mean = (states * weights).sum(1) / weights.sum(1)
        first = states[:, 0]
    reference = {
        "source": "benchmarks/reference/distilbert.py (PyTorch %s, float64 from the float32 weights)" % torch.__version__,
        "texts": TEXTS,
        "ids": ids,
        "mean": [[float(v) for v in row] for row in mean],
        "cls": [[float(v) for v in row] for row in first],
    }
    with open(os.path.join(folder, "reference.json"), "w", encoding="utf-8") as f:
        json.dump(reference, f, indent=1)
    print("wrote", folder, "ids", ids)


if __name__ == "__main__":
    main(sys.argv[1])
