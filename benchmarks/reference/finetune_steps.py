#!/usr/bin/python3
"""PyTorch reference of the library's fine-tuning steps (issue 20): the numbers FineTuningStepTests compares against.

The test (tests/Microsoft.ML.Attention.Tests/Pretrained/FineTuningStepTests.cs) writes its inputs when asked to:
a tiny BERT's weights (float32 values, Hugging Face names under "bert."), the word pieces of its texts, the class of
each, the initial head, and the settings. This script redoes the same steps in double precision with PyTorch's own
modules and optimizer, as the standard fine-tuning recipe does them, and writes the inputs with the losses and the
final weights. To regenerate (after a change of the test's inputs or of libtorch's initialization):
    FINETUNE_STEPS_INPUTS=/tmp/finetune-inputs.json dotnet test tests/Microsoft.ML.Attention.Tests \\
        --filter FineTuningStepsEqualPyTorchs    # writes the inputs (the test fails until the reference is written)
    /usr/bin/python3 benchmarks/reference/finetune_steps.py /tmp/finetune-inputs.json \\
        tests/Microsoft.ML.Attention.Tests/Pretrained/Data/finetune-steps-pytorch.json

The recipe, each step on the one batch of every text (the test's batch size): mean pooling over the attention mask
([CLS] and [SEP] included), a linear head, cross-entropy (mean over the batch); torch.optim.AdamW (betas 0.9, 0.999,
eps 1e-8) with weight decay on parameters of two or more dimensions only (Hugging Face's "no decay for biases and
LayerNorm weights"), the head's parameters at head_scale times the rate; clip_grad_norm_ over every parameter;
Hugging Face's get_linear_schedule_with_warmup with ceil(warmup_fraction x steps) warm-up steps (step 0 at rate 0).
Dropout is off (the test's model sets both probabilities to 0). GELU is erf's; padding gets the dtype's minimum
added to its attention scores, as Hugging Face's extended attention mask.
"""
import json
import math
import sys

import torch
import torch.nn.functional as F


def main(inputs_path, output_path):
    with open(inputs_path, encoding="utf-8") as f:
        inputs = json.load(f)
    s = inputs["settings"]
    hidden, heads, layers, eps = s["hidden"], s["heads"], s["layers"], s["epsilon"]
    torch.set_default_dtype(torch.float64)
    params = {name: torch.tensor(w["values"], dtype=torch.float64).reshape(w["shape"]).requires_grad_()
              for name, w in inputs["weights"].items()}
    classes = len(inputs["head_bias"])
    head_w = torch.tensor(inputs["head_weight"]).reshape(classes, hidden).requires_grad_()
    head_b = torch.tensor(inputs["head_bias"]).requires_grad_()
    P = lambda name: params["bert." + name]  # noqa: E731

    ids_list = inputs["ids"]
    length = max(len(i) for i in ids_list)
    ids = torch.zeros(len(ids_list), length, dtype=torch.long)
    mask = torch.zeros(len(ids_list), length)
    for row, pieces in enumerate(ids_list):
        ids[row, : len(pieces)] = torch.tensor(pieces)
        mask[row, : len(pieces)] = 1
    targets = torch.tensor(inputs["targets"], dtype=torch.long)

    def linear(x, name):
        return x @ P(name + ".weight").T + P(name + ".bias")

    def norm(x, name):
        return F.layer_norm(x, (hidden,), P(name + ".weight"), P(name + ".bias"), eps)

    def forward():
        b, t = ids.shape
        x = P("embeddings.word_embeddings.weight")[ids] + P("embeddings.position_embeddings.weight")[:t] + P("embeddings.token_type_embeddings.weight")[0]
        x = norm(x, "embeddings.LayerNorm")
        additive = (1.0 - mask[:, None, None, :]) * torch.finfo(torch.float64).min
        size = hidden // heads
        for l in range(layers):
            p = f"encoder.layer.{l}."
            split = lambda y: y.view(b, t, heads, size).transpose(1, 2)  # noqa: E731
            q, k, v = (split(linear(x, p + "attention.self." + n)) for n in ("query", "key", "value"))
            scores = q @ k.transpose(-1, -2) / math.sqrt(size) + additive
            context = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, t, hidden)
            x = norm(x + linear(context, p + "attention.output.dense"), p + "attention.output.LayerNorm")
            x = norm(x + linear(F.gelu(linear(x, p + "intermediate.dense")), p + "output.dense"), p + "output.LayerNorm")
        share = mask.unsqueeze(-1)
        pooled = (x * share).sum(1) / share.sum(1)
        return pooled @ head_w.T + head_b

    rate = s["learning_rate"]
    def groups(tensors, lr):
        return [{"params": [t for t in tensors if t.dim() >= 2], "weight_decay": s["weight_decay"], "lr": lr},
                {"params": [t for t in tensors if t.dim() < 2], "weight_decay": 0.0, "lr": lr}]
    optimizer = torch.optim.AdamW(groups(list(params.values()), rate) + groups([head_w, head_b], rate * s["head_scale"]),
                                  lr=rate, betas=(0.9, 0.999), eps=1e-8)
    total = s["steps"]
    warmup = max(1, math.ceil(s["warmup_fraction"] * total - 1e-9))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: step / warmup if step < warmup else max(0.0, (total - step) / max(1, total - warmup)))
    everything = list(params.values()) + [head_w, head_b]
    losses = []
    for _ in range(total):
        optimizer.zero_grad()
        loss = F.cross_entropy(forward(), targets)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(everything, s["clip_norm"])
        optimizer.step()
        schedule.step()
        losses.append(loss.item())
    print("losses:", " ".join(f"{v:.8f}" for v in losses))
    result = {"inputs": inputs, "losses": losses,
              "weights": {name: t.detach().reshape(-1).tolist() for name, t in params.items()}}
    with open(output_path, "w", encoding="utf-8") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
