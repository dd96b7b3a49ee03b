#!/usr/bin/python3
"""PyTorch reference of the XLM-RoBERTa family and its SentencePiece tokenizer (issue 32): the tiny model, its
tokenizer and the vectors XlmRobertaFamilyTests compares against.

Written from Hugging Face's definitions (models/xlm_roberta/tokenization_xlm_roberta.py, models/roberta/modeling_roberta.py,
model_type "xlm-roberta"), not from the library's code:
  tokenizer   = sentencepiece's own encode (the model's normalization, dummy prefix, whitespace collapsing), then the
                fairseq layout: <s>=0, <pad>=1, </s>=2, <unk>=3, a piece's id is its SentencePiece id + 1, and
                SentencePiece's unknown (id 0) becomes <unk>; a window is <s> pieces </s>; <mask> = pieces + 1
  positions   = padding_idx + 1 + (number of non-pad tokens up to and including this one); pad tokens get padding_idx
  embeddings  = LayerNorm(word_embeddings[ids] + token_type_embeddings[0] + position_embeddings[positions]), eps 1e-5
  each layer  = BERT's post-norm layer: a = LayerNorm(dense(attention(query x, key x, value x)) + x)
                y = LayerNorm(dense(gelu(dense a)) + a)
  attention   = softmax(q . k^T / sqrt(head size) + (1 - mask) * dtype minimum) . v, per head
Sentence vectors as sentence-transformers pools them: the mean of the token states over the attention mask (<s> and
</s> included), and the first token's state (CLS pooling). "bert_mean" are the same weights read as a BERT
(model_type "bert": positions 0..T-1) with the same SentencePiece tokenizer, as BERT-architecture models with an XLM-R
tokenizer (paraphrase-multilingual-MiniLM) are.

The model is tiny (width 8, 2 heads, 2 layers, feed-forward 16, 40 usable positions) with random weights from a fixed
seed; the SentencePiece Unigram model is trained here by `spm_train` over a small multilingual text (Latin with accents,
Cyrillic, Greek, CJK, Arabic, Hindi, emoji, whitespace runs, and the words of the tests' synthetic order task, so that
they are whole pieces). The script writes, into the output folder
(tests/Microsoft.ML.Attention.Tests/Pretrained/Data/tiny-xlmr):
  sentencepiece.bpe.model  the Unigram model (XLM-R's file name)
  config.json, tokenizer_config.json, special_tokens_map.json, model.safetensors  the model as Hugging Face saves an
      XLMRobertaForMaskedLM (keys under "roberta.", plus the masked-language-model head the encoder ignores)
  onnx/model.onnx  the bare XLMRobertaModel (keys without "roberta.") exported by torch.onnx.export, inputs input_ids and
                  attention_mask, output last_hidden_state; the position ids are computed inside the graph
  onnx/config.json, onnx/sentencepiece.bpe.model, onnx/tokenizer_config.json, onnx/special_tokens_map.json  copies
                  beside it, as an ONNX export's folder holds them
  bert-onnx/model.onnx  the same weights exported as a BERT reads them (positions 0..T-1): a BERT-architecture model
                  with XLM-R's tokenizer; the tokenizer's files beside it and no config.json (its shape is in the graph)
  masked-lm-onnx/model.onnx  the whole XLMRobertaForMaskedLM of model.safetensors exported (output logits): the
                  encoder's weights under "roberta.", the masked-language-model head's under "lm_head."; config.json and
                  the tokenizer's files beside it
  reference.json  the texts, their ids, and the mean-pooled, first-token and BERT-read mean vectors, computed in double
                  precision from the float32 weights, on one batch padded with <pad>; the words read as one piece
sentencepiece.bpe.model records the paths spm_train was given (a temporary folder), so it differs from run to run in
those bytes only; its pieces and scores, and every other file, are the same on each run.
Run (Debian 12: apt-get install python3-torch libopenblas0-pthread python3-sentencepiece sentencepiece python3-onnx):
    /usr/bin/python3 benchmarks/reference/xlm_roberta.py tests/Microsoft.ML.Attention.Tests/Pretrained/Data/tiny-xlmr
"""
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import warnings

import sentencepiece
import torch
import torch.nn as nn
import torch.nn.functional as F

from distilbert import write_safetensors  # the same safetensors writer, beside this script

DIM, HEADS, LAYERS, INTERMEDIATE, PAD = 8, 2, 2, 16, 1
POSITIONS = 40 + PAD + 1  # max_position_embeddings: positions start at padding_idx + 1
PIECES = 320
FAIRSEQ = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3}
OFFSET = 1

CORPUS = """The quick brown fox jumps over the lazy dog. Invoices are paid within thirty days.
Le café est très chaud, mais le thé est déjà froid. Où est la gare ? Élève, garçon, naïve, cœur.
Der Kunde möchte die Rechnung für März überprüfen. Größe, Straße, Übung, schön.
El niño pidió una piña y un jalapeño. ¿Dónde está la biblioteca? Mañana será otro día.
Клиент хочет вернуть товар. Спасибо за быструю доставку! Москва, Санкт-Петербург, Новосибирск.
Ο πελάτης θέλει επιστροφή χρημάτων. Καλημέρα σας.
客户希望退货。谢谢您的快速交货！北京、上海和广州。我们明天见。
お客様は返品を希望しています。ありがとうございます。東京と大阪。
고객이 환불을 원합니다. 감사합니다. 서울과 부산.
العميل يريد استرداد المبلغ. شكرا على التوصيل السريع! القاهرة والرياض ودبي.
ग्राहक पैसे वापस चाहता है। धन्यवाद।
Great service 😀 fast delivery 🚚 five stars ⭐⭐⭐ thanks 👍 love it ❤️
Numbers 12345 and 3.14, prices $20 and €15, dates 2024-06-01, e-mail a.b@example.com.
Tabs\tand  double  spaces   and line
breaks are whitespace.
"""

# The words of the tests' synthetic order task (OrderTask.cs), trained as whole pieces.
ORDER_TASK = """red green blue river stone cloud table window paper music alpha beta
lamp garden bridge coffee winter pencil forest mirror ladder candle beta alpha
"""

TEXTS = [
    "",
    "The quick brown fox jumps over the lazy dog.",
    "Le café est très chaud, l'élève est naïve.",
    "Клиент хочет вернуть товар!",
    "客户希望退货。谢谢！",
    "العميل يريد استرداد المبلغ",
    "Great service 😀 🚚 👍",
    "  spaces   before,\tafter\nand   between  ",
    "ＦＵＬＬＷＩＤＴＨ ｆｏｒｍｓ ①②③ and ﬁ ligature",
    "Unknown: 🦜 ♞ Ꙭ 𝔘",
    "Straße Größe, Ελλάδα, 東京, 서울, ग्राहक.",
    "e\u0301le\u0300ve (decomposed accents)",
]


class Embeddings(nn.Module):
    def __init__(self):
        super().__init__()
        self.word_embeddings = nn.Embedding(PIECES + OFFSET + 1, DIM, padding_idx=PAD)
        self.position_embeddings = nn.Embedding(POSITIONS, DIM, padding_idx=PAD)
        self.token_type_embeddings = nn.Embedding(1, DIM)
        self.LayerNorm = nn.LayerNorm(DIM, eps=1e-5)

    def forward(self, ids, bert_positions=False):
        if bert_positions:
            positions = torch.arange(ids.shape[1]).expand_as(ids)
        else:
            # Hugging Face's create_position_ids_from_input_ids.
            real = ids.ne(PAD).int()
            positions = (torch.cumsum(real, dim=1).type_as(real) * real).long() + PAD
        types = torch.zeros_like(ids)
        return self.LayerNorm(self.word_embeddings(ids) + self.token_type_embeddings(types) + self.position_embeddings(positions))


class SelfAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.query, self.key, self.value = (nn.Linear(DIM, DIM) for _ in range(3))

    def forward(self, x, mask):
        b, t, _ = x.shape
        size = DIM // HEADS

        def heads(y):
            return y.view(b, t, HEADS, size).transpose(1, 2)
        scores = heads(self.query(x)) @ heads(self.key(x)).transpose(2, 3) / math.sqrt(size)
        scores = scores + (1.0 - mask[:, None, None, :].to(scores.dtype)) * torch.finfo(scores.dtype).min
        context = F.softmax(scores, dim=-1) @ heads(self.value(x))
        return context.transpose(1, 2).reshape(b, t, DIM)


class Output(nn.Module):
    def __init__(self, inputs):
        super().__init__()
        self.dense = nn.Linear(inputs, DIM)
        self.LayerNorm = nn.LayerNorm(DIM, eps=1e-5)

    def forward(self, x, residual):
        return self.LayerNorm(self.dense(x) + residual)


class Attention(nn.Module):
    def __init__(self):
        super().__init__()
        self.self = SelfAttention()
        self.output = Output(DIM)

    def forward(self, x, mask):
        return self.output(self.self(x, mask), x)


class Intermediate(nn.Module):
    def __init__(self):
        super().__init__()
        self.dense = nn.Linear(DIM, INTERMEDIATE)

    def forward(self, x):
        return F.gelu(self.dense(x))


class Layer(nn.Module):
    def __init__(self):
        super().__init__()
        self.attention = Attention()
        self.intermediate = Intermediate()
        self.output = Output(INTERMEDIATE)

    def forward(self, x, mask):
        a = self.attention(x, mask)
        return self.output(self.intermediate(a), a)


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer = nn.ModuleList(Layer() for _ in range(LAYERS))

    def forward(self, x, mask):
        for layer in self.layer:
            x = layer(x, mask)
        return x


class XLMRobertaModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.embeddings = Embeddings()
        self.encoder = Encoder()

    def forward(self, input_ids, attention_mask, bert_positions=False):
        return self.encoder(self.embeddings(input_ids, bert_positions), attention_mask)


class BertReading(XLMRobertaModel):
    """The same modules read as BERT reads them (positions 0..T-1), for the export of a BERT with XLM-R's tokenizer."""
    def forward(self, input_ids, attention_mask):
        return super().forward(input_ids, attention_mask, bert_positions=True)


class LMHead(nn.Module):
    """RobertaLMHead: decoder(layer_norm(gelu(dense x))), the decoder's bias shared as lm_head.bias."""
    def __init__(self, vocabulary):
        super().__init__()
        self.dense = nn.Linear(DIM, DIM)
        self.layer_norm = nn.LayerNorm(DIM, eps=1e-5)
        self.decoder = nn.Linear(DIM, vocabulary)
        self.bias = self.decoder.bias

    def forward(self, x):
        return self.decoder(self.layer_norm(F.gelu(self.dense(x))))


class XLMRobertaForMaskedLM(nn.Module):
    """The task model Hugging Face saves (the encoder under "roberta.", the head under "lm_head."), giving logits."""
    def __init__(self, vocabulary):
        super().__init__()
        self.roberta = XLMRobertaModel()
        self.lm_head = LMHead(vocabulary)

    def forward(self, input_ids, attention_mask):
        return self.lm_head(self.roberta(input_ids, attention_mask))


def export_onnx(model, batch, mask, folder, output="last_hidden_state"):
    """torch.onnx.export of the model into folder/model.onnx: input_ids and attention_mask in, one output."""
    os.makedirs(folder, exist_ok=True)
    with warnings.catch_warnings():
        # The tracer warns that the Python flag bert_positions is taken as a constant, which is what is meant.
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        torch.onnx.export(model, (batch, mask), os.path.join(folder, "model.onnx"), input_names=["input_ids", "attention_mask"],
                          output_names=[output], opset_version=14, do_constant_folding=True,
                          dynamic_axes={"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"}})


def train_sentencepiece(folder):
    with tempfile.TemporaryDirectory() as work:
        corpus = os.path.join(work, "corpus.txt")
        with open(corpus, "w", encoding="utf-8") as f:
            # A few shuffled copies, so that the Unigram trainer sees each sentence more than once.
            lines = CORPUS.strip("\n").split("\n")
            for k in range(4):
                f.write("\n".join(lines[k:] + lines[:k]) + "\n")
            f.write(ORDER_TASK * 12)
        prefix = os.path.join(work, "sentencepiece")
        subprocess.run(["spm_train", f"--input={corpus}", f"--model_prefix={prefix}", "--model_type=unigram",
                        f"--vocab_size={PIECES}", "--character_coverage=0.9995", "--num_threads=1", "--seed_sentencepiece_size=100000",
                        "--hard_vocab_limit=true", "--minloglevel=2"], check=True)
        with open(prefix + ".model", "rb") as f:
            data = f.read()
    with open(os.path.join(folder, "sentencepiece.bpe.model"), "wb") as f:
        f.write(data)
    processor = sentencepiece.SentencePieceProcessor()
    processor.LoadFromSerializedProto(data)
    assert len(processor) == PIECES
    return processor


def xlmr_ids(processor, text):
    """XLMRobertaTokenizer: sentencepiece's pieces, each mapped by _convert_token_to_id, inside <s> ... </s>."""
    ids = []
    for piece in processor.encode(text, out_type=str):
        spm_id = processor.PieceToId(piece)
        ids.append(FAIRSEQ[piece] if piece in FAIRSEQ else spm_id + OFFSET if spm_id else FAIRSEQ["<unk>"])
    return [FAIRSEQ["<s>"]] + ids + [FAIRSEQ["</s>"]]


def main(folder):
    os.makedirs(folder, exist_ok=True)
    processor = train_sentencepiece(folder)
    torch.manual_seed(39)
    model = XLMRobertaModel()
    with torch.no_grad():
        # Weights well away from zero and LayerNorm gains away from one, so that any misplaced term shows in the vectors.
        for name, p in model.named_parameters():
            p.copy_(torch.rand_like(p) - 0.5 + (1.0 if "LayerNorm.weight" in name else 0.0))
    model.eval()

    vocabulary = PIECES + OFFSET + 1
    config = {"model_type": "xlm-roberta", "architectures": ["XLMRobertaForMaskedLM"], "hidden_act": "gelu",
              "vocab_size": vocabulary, "hidden_size": DIM, "num_hidden_layers": LAYERS, "num_attention_heads": HEADS,
              "intermediate_size": INTERMEDIATE, "max_position_embeddings": POSITIONS, "type_vocab_size": 1,
              "layer_norm_eps": 1e-5, "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
              "position_embedding_type": "absolute", "pad_token_id": PAD, "bos_token_id": 0, "eos_token_id": 2}
    with open(os.path.join(folder, "config.json"), "w", encoding="utf-8") as f:
        json.dump(config, f, indent=2)
    mask_token = {"content": "<mask>", "lstrip": True, "normalized": True, "rstrip": False, "single_word": False, "special": True}
    with open(os.path.join(folder, "special_tokens_map.json"), "w", encoding="utf-8") as f:
        json.dump({"bos_token": "<s>", "cls_token": "<s>", "eos_token": "</s>", "mask_token": mask_token,
                   "pad_token": "<pad>", "sep_token": "</s>", "unk_token": "<unk>"}, f, indent=2)
    added = {str(i): {"content": t, "lstrip": False, "normalized": False, "rstrip": False, "single_word": False, "special": True}
             for t, i in FAIRSEQ.items()}
    added[str(vocabulary - 1)] = mask_token
    with open(os.path.join(folder, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump({"tokenizer_class": "XLMRobertaTokenizer", "model_max_length": POSITIONS - PAD - 1, "added_tokens_decoder": added,
                   "bos_token": "<s>", "cls_token": "<s>", "eos_token": "</s>", "mask_token": "<mask>", "pad_token": "<pad>",
                   "sep_token": "</s>", "unk_token": "<unk>"}, f, indent=2)

    tensors = {"roberta." + k: v for k, v in model.state_dict().items()}
    generator = torch.Generator().manual_seed(5)
    for name, shape in [("lm_head.dense.weight", (DIM, DIM)), ("lm_head.dense.bias", (DIM,)), ("lm_head.layer_norm.weight", (DIM,)),
                        ("lm_head.layer_norm.bias", (DIM,)), ("lm_head.decoder.weight", (vocabulary, DIM)), ("lm_head.bias", (vocabulary,))]:
        tensors[name] = torch.rand(shape, generator=generator) - 0.5
    write_safetensors(os.path.join(folder, "model.safetensors"), tensors)

    ids = [xlmr_ids(processor, t) for t in TEXTS]
    assert max(len(i) for i in ids) <= POSITIONS - PAD - 1, [len(i) for i in ids]
    length = max(len(i) for i in ids)
    batch = torch.full((len(ids), length), PAD, dtype=torch.long)
    mask = torch.zeros(len(ids), length, dtype=torch.long)
    for row, pieces in enumerate(ids):
        batch[row, :len(pieces)] = torch.tensor(pieces)
        mask[row, :len(pieces)] = 1

    onnx_folder, bert_folder = os.path.join(folder, "onnx"), os.path.join(folder, "bert-onnx")
    export_onnx(model, batch, mask, onnx_folder)
    bert = BertReading()
    bert.load_state_dict(model.state_dict())
    bert.eval()
    export_onnx(bert, batch, mask, bert_folder)
    masked = XLMRobertaForMaskedLM(vocabulary)
    masked.load_state_dict({k: tensors["lm_head.bias" if k == "lm_head.decoder.bias" else k] for k in masked.state_dict()})
    masked.eval()
    masked_folder = os.path.join(folder, "masked-lm-onnx")
    export_onnx(masked, batch, mask, masked_folder, output="logits")
    for name in ("config.json", "sentencepiece.bpe.model", "tokenizer_config.json", "special_tokens_map.json"):
        for target in (onnx_folder, masked_folder) + ((bert_folder,) if name != "config.json" else ()):
            shutil.copyfile(os.path.join(folder, name), os.path.join(target, name))

    double = XLMRobertaModel().double()
    double.load_state_dict({k: v.double() for k, v in model.state_dict().items()})
    double.eval()
    weights = mask.unsqueeze(-1).double()
    with torch.no_grad():
        states = double(batch, mask)
        mean = (states * weights).sum(1) / weights.sum(1)
        first = states[:, 0]
        bert_states = double(batch, mask, bert_positions=True)
        bert_mean = (bert_states * weights).sum(1) / weights.sum(1)
    reference = {
        "source": "benchmarks/reference/xlm_roberta.py (PyTorch %s, sentencepiece %s, float64 from the float32 weights)"
                  % (torch.__version__, sentencepiece.__version__),
        "texts": TEXTS,
        "pieces": [processor.encode(t, out_type=str) for t in TEXTS],
        "ids": ids,
        "mean": [[float(v) for v in row] for row in mean],
        "cls": [[float(v) for v in row] for row in first],
        "bert_mean": [[float(v) for v in row] for row in bert_mean],
        # Lower-case ASCII words the model reads as one piece: fillers of the tests' fine-tuning task, as BERT's
        # stand-in vocabulary holds its task's words whole.
        "single_piece_words": sorted({w for w in (processor.IdToPiece(i)[1:] for i in range(len(processor)))
                                     if len(w) >= 2 and w.isascii() and w.isalpha() and w.islower()
                                     and processor.encode(w, out_type=str) == ["\u2581" + w]}),
    }
    with open(os.path.join(folder, "reference.json"), "w", encoding="utf-8") as f:
        json.dump(reference, f, indent=1, ensure_ascii=False)
    for text, pieces in zip(TEXTS, reference["pieces"]):
        print(repr(text), pieces)


if __name__ == "__main__":
    main(sys.argv[1])
