using Microsoft.ML.Attention.Core;
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>
/// A pretrained encoder on disk, of any family in <see cref="ModelFamilies"/>, read: its configuration, weights (Hugging Face names),
/// its tokenizer (any of <see cref="SubwordTokenizers"/>, chosen from its files), and — where the model says so (sentence-transformers) — its pooling, normalization and maximum sequence length.
/// </summary>
/// <remarks>
/// Accepted locations: a Hugging Face folder (config.json, model.safetensors, the tokenizer's files: vocab.txt or
/// sentencepiece.bpe.model, tokenizer_config.json, special_tokens_map.json); a sentence-transformers folder
/// (modules.json pointing at such a folder, 1_Pooling/config.json, sentence_bert_config.json); an ONNX export (a .onnx
/// file with the tokenizer's files beside it or its file named, and optionally config.json beside it; without
/// config.json the shape is read from the graph).
/// </remarks>
internal sealed record PretrainedModelFiles(
    string Source,
    IEncoderConfig Config,
    IReadOnlyList<WeightTensor> Weights,
    string WeightsPath,
    SubwordTokenizer Tokenizer,
    PoolingMode? Pooling,
    bool Normalize,
    int? MaxSequenceLength)
{
    public const string ConfigFile = "config.json";
    public const string SafetensorsFile = "model.safetensors";
    public const string OnnxFile = "model.onnx";
    private const string PyTorchFile = "pytorch_model.bin";

    /// <summary>
    /// Tokens per window unless the user sets them: sentence-transformers' max_seq_length, capped at the model's
    /// positions; a model that does not say reads at most 256 (all-MiniLM-L6-v2's own choice): fine-tuning at BERT's 512
    /// positions costs over twice the time and activation memory of 256 on a CPU, and longer texts still go through
    /// the long-text rule.
    /// </summary>
    public int DefaultMaximumTokens => Math.Min(MaxSequenceLength ?? UnstatedMaximumTokens, Config.MaxPositions);

    private const int UnstatedMaximumTokens = PretrainedEncoderEstimator.Defaults.MaximumTokens;

    /// <param name="path">A model folder or an .onnx file.</param>
    /// <param name="vocabularyPath">The tokenizer's file (vocab.txt, a SentencePiece .model) of an .onnx file, when it is not beside it.</param>
    public static PretrainedModelFiles Read(string path, string? vocabularyPath = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        path = Path.GetFullPath(path);
        if (File.Exists(path))
        {
            if (!path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
                throw CheckpointErrors.Invalid(path, "a pretrained model is a model folder (config.json, vocab.txt, model.safetensors) or an .onnx file.");
            return ReadOnnx(path, path, vocabularyPath);
        }
        if (!Directory.Exists(path))
            throw CheckpointErrors.Missing(path, "a pretrained model folder or .onnx file was expected there.");

        if (File.Exists(Path.Combine(path, "modules.json")))
        {
            var st = SentenceTransformerSettings.Read(path);
            var inner = ReadFolder(path, st.TransformerFolder, vocabularyPath, st.LowerCase);
            return inner with { Pooling = st.Pooling, Normalize = st.Normalize, MaxSequenceLength = st.MaxSequenceLength };
        }
        return ReadFolder(path, path, vocabularyPath, false);
    }

    private static PretrainedModelFiles ReadFolder(string source, string folder, string? vocabularyPath, bool lowerCaseText)
    {
        var configPath = Path.Combine(folder, ConfigFile);
        var safetensors = Path.Combine(folder, SafetensorsFile);
        var onnx = new[] { Path.Combine(folder, OnnxFile), Path.Combine(folder, "onnx", OnnxFile) }.FirstOrDefault(File.Exists);
        if (!File.Exists(safetensors) && onnx != null)
            return ReadOnnx(source, onnx, vocabularyPath, folder, lowerCaseText);
        if (!File.Exists(configPath))
            throw CheckpointErrors.Missing(configPath, $"a Hugging Face model folder holds config.json (model_type {ModelFamilies.ModelTypes}).");
        var config = ModelFamilies.Load(configPath);
        if (!File.Exists(safetensors))
        {
            if (File.Exists(Path.Combine(folder, PyTorchFile)))
                throw CheckpointErrors.Invalid(Path.Combine(folder, PyTorchFile), "PyTorch pickle checkpoints are not read; convert the weights to model.safetensors "
                    + "(in Python: safetensors.torch.save_file(torch.load('pytorch_model.bin'), 'model.safetensors')).");
            throw CheckpointErrors.Missing(safetensors, "the model's weights were expected in model.safetensors (or model.onnx).");
        }
        var weights = SafetensorsReader.Read(safetensors);
        var tokenizer = SubwordTokenizers.Read(new TokenizerFiles(folder, vocabularyPath, lowerCaseText, config.VocabularySize));
        return new PretrainedModelFiles(source, config, weights, safetensors, tokenizer, null, false, null);
    }

    // folder: where config.json and the tokenizer's files are (the model folder of an onnx/model.onnx).
    private static PretrainedModelFiles ReadOnnx(string source, string onnxPath, string? vocabularyPath, string? folder = null, bool lowerCaseText = false)
    {
        folder ??= Path.GetDirectoryName(onnxPath)!;
        var configPath = Path.Combine(folder, ConfigFile);
        var graph = OnnxGraph.Read(onnxPath);
        var weights = OnnxWeights.Named(graph, onnxPath);
        var config = File.Exists(configPath) ? ModelFamilies.Load(configPath)
            : ModelFamilies.InferConfig(graph, weights.ToDictionary(w => w.Name), onnxPath);
        var tokenizer = SubwordTokenizers.Read(new TokenizerFiles(folder, vocabularyPath, lowerCaseText, config.VocabularySize));
        return new PretrainedModelFiles(source, config, weights, onnxPath, tokenizer, null, false, null);
    }
}
