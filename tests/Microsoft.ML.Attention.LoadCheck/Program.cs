// Usage: LoadCheck <model.zip> <rows.idv> <sequence|document|binary-document> <column> [<column> ...]
// Loads the model in this fresh process, scores the rows (saved in ML.NET's binary format, read as the row kind's class)
// through Transform and through a PredictionEngine, and prints every value of the named columns (see ScoreDump).
// Or: LoadCheck fuzz <kind> <folder> [<first case>]: loads and scores every damaged input of a folder (FuzzCases).
// Or: LoadCheck tokenize <han|featurizer|pretrained> <tokenizer> <texts.json> <model.onnx>: token ids of a saved HanTokenizer,
// FeaturizerTokenizer or PretrainedTokenizer, the exported HAN's scores or encoder's vectors in ONNX Runtime, and whether
// TorchSharp was loaded (TokenizerCheck).
// Or: LoadCheck mmap-threshold <finetune|pooling|none>: prints where a fresh process's 6 MiB blocks come from (MmapThresholdProbe).
using System;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Attention.Tests;
using Microsoft.ML.Attention.Tests.Infrastructure;

// First, and in a method of its own: this process must not load TorchSharp before the tokenizer check looks.
if (args is ["tokenize", var tokenizerKind, var tokenizerPath, var textsPath, var onnxPath])
{
    foreach (var line in Microsoft.ML.Attention.Tests.Onnx.TokenizerCheck.Run(tokenizerKind, tokenizerPath, textsPath, onnxPath))
        Console.WriteLine(line);
    return;
}

if (args is ["mmap-threshold", var mode])
{
    foreach (var line in MmapThresholdProbe.Run(mode))
        Console.WriteLine(line);
    return;
}

if (args is ["fuzz", var kind, var folder, ..])
{
    FuzzCases.Run(kind, folder, args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 0);
    return;
}

var ml = new MLContext(seed: 123);
var model = ml.Model.Load(args[0], out _);
// The test's libtorch thread count (see FreshProcess): set after Load, which is what must work without any registration.
if (int.TryParse(Environment.GetEnvironmentVariable("ML_ATTENTION_CHECK_THREADS"), out var threads))
    SetThreads(threads);
var data = ml.Data.LoadFromBinary(args[1]);
var columns = args.Skip(3).ToArray();
ScoreDump.Lines(args[2], ml, model, data, columns).ForEach(Console.WriteLine);

// A method of its own, so that compiling the program's entry point does not load TorchSharp (see "tokenize").
static void SetThreads(int threads) => TorchSharp.torch.set_num_threads(threads);
