using Microsoft.ML.Attention.Core;
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>
/// A pretrained encoder on disk, of any family in <see cref="ModelFamilies"/>, read: its configuration, weights (Hugging Face names), vocabulary file, lower-casing,
/// and — where the model says so (sentence-transformers) — its pooling, normalization and maximum sequence length.
/// </summary>
/// <remarks>
/// Accepted locations: a Hugging Face folder (config.json, vocab.txt, model.safetensors, tokenizer_config.json); a
/// sentence-transformers folder (modules.json pointing at such a folder, 1_Pooling/config.json,
/// sentence_bert_config.json); an ONNX export (a .onnx file with vocab.txt beside it or named, and optionally
/// config.json and tokenizer_config.json beside it; without config.json the shape is read from the graph).
/// </remarks>
internal sealed record PretrainedModelFiles(
    string Source,
    IEncoderConfig Config,
    IReadOnlyList<WeightTensor> Weights,
    string WeightsPath,
    string VocabularyPath,
    bool LowerCase,
    PoolingMode? Pooling,
    bool Normalize,
    int? MaxSequenceLength)
{
    public const string ConfigFile = "config.json";
    public const string VocabularyFile = "vocab.txt";
    public const string SafetensorsFile = "model.safetensors";
    public const string OnnxFile = "model.onnx";
    private const string PyTorchFile = "pytorch_model.bin";
    private const string TokenizerConfigFile = "tokenizer_config.json";

    /// <summary>
    /// Tokens per window unless the user sets them: sentence-transformers' max_seq_length, capped at the model's
    /// positions; a model that does not say reads at most 256 (all-MiniLM-L6-v2's own choice): fine-tuning at BERT's 512
    /// positions costs over twice the time and activation memory of 256 on a CPU, and longer texts still go through
    /// the long-text rule.
    /// </summary>
    public int DefaultMaximumTokens => Math.Min(MaxSequenceLength ?? UnstatedMaximumTokens, Config.MaxPositions);

    private const int UnstatedMaximumTokens = PretrainedEncoderEstimator.Defaults.MaximumTokens;

    /// <param name="path">A model folder or an .onnx file.</param>
    /// <param name="vocabularyPath">The vocabulary of an .onnx file, when it is not vocab.txt beside it.</param>
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
            var inner = ReadFolder(path, st.TransformerFolder, vocabularyPath);
            return inner with { LowerCase = inner.LowerCase || st.LowerCase, Pooling = st.Pooling, Normalize = st.Normalize, MaxSequenceLength = st.MaxSequenceLength };
        }
        return ReadFolder(path, path, vocabularyPath);
    }

    private static PretrainedModelFiles ReadFolder(string source, string folder, string? vocabularyPath)
    {
        var configPath = Path.Combine(folder, ConfigFile);
        var safetensors = Path.Combine(folder, SafetensorsFile);
        var onnx = new[] { Path.Combine(folder, OnnxFile), Path.Combine(folder, "onnx", OnnxFile) }.FirstOrDefault(File.Exists);
        if (!File.Exists(safetensors) && onnx != null)
            return ReadOnnx(source, onnx, vocabularyPath ?? Path.Combine(folder, VocabularyFile), configPath);
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
        var vocabulary = vocabularyPath ?? Path.Combine(folder, VocabularyFile);
        return new PretrainedModelFiles(source, config, weights, safetensors, vocabulary,
            ReadLowerCase(Path.Combine(folder, TokenizerConfigFile), vocabulary, config.VocabularySize), null, false, null);
    }

    private static PretrainedModelFiles ReadOnnx(string source, string onnxPath, string? vocabularyPath, string? configPath = null)
    {
        var folder = Path.GetDirectoryName(onnxPath)!;
        configPath ??= Path.Combine(folder, ConfigFile);
        var graph = OnnxGraph.Read(onnxPath);
        var weights = OnnxWeights.Named(graph, onnxPath);
        var config = File.Exists(configPath) ? ModelFamilies.Load(configPath)
            : ModelFamilies.InferConfig(graph, weights.ToDictionary(w => w.Name), onnxPath);
        var vocabulary = vocabularyPath ?? Path.Combine(folder, VocabularyFile);
        var tokenizerConfig = Path.Combine(Path.GetDirectoryName(configPath)!, TokenizerConfigFile);
        return new PretrainedModelFiles(source, config, weights, onnxPath, vocabulary, ReadLowerCase(tokenizerConfig, vocabulary, config.VocabularySize), null, false, null);
    }

    // do_lower_case from tokenizer_config.json; without it, a vocabulary without upper-case ASCII letters (besides the
    // bracketed special tokens) is uncased and means lower-casing, as Hugging Face's uncased models were trained
    // (bert-base-uncased's vocabulary keeps a few non-ASCII capitals, so only ASCII letters are counted).
    private static bool ReadLowerCase(string tokenizerConfig, string vocabulary, int expectedSize)
    {
        var entries = PretrainedVocabulary.ReadEntries(vocabulary, expectedSize);
        if (File.Exists(tokenizerConfig) && JsonFields.Read(tokenizerConfig) is JsonObject json && JsonFields.Optional<bool>(json, "do_lower_case", tokenizerConfig) is bool flag)
            return flag;
        return !entries.Any(e => !(e.StartsWith('[') && e.EndsWith(']')) && e.Any(char.IsAsciiLetterUpper));
    }
}
