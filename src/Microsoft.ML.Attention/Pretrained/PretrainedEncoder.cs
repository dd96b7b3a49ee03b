using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.ML;
using Microsoft.ML.Attention.Core;
using Microsoft.ML.Attention.Infrastructure;
using Microsoft.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>What a pretrained encoder reads texts with, beyond its family's configuration and its tokenizer; saved with the model.</summary>
internal sealed record PretrainedTextSettings(PoolingMode Pooling, bool Normalize, int MaximumTokens, LongTextHandling LongText)
{
    public const string Part = "pretrained encoder settings";
}

/// <summary>The settings as models saved before 0x00010004 wrote them, with their WordPiece tokenizer's lower-casing.</summary>
internal sealed record PretrainedTextSettingsWithLowerCase(bool LowerCase, PoolingMode Pooling, bool Normalize, int MaximumTokens, LongTextHandling LongText)
{
    public PretrainedTextSettings Settings => new(Pooling, Normalize, MaximumTokens, LongText);
}

/// <summary>
/// A pretrained encoder of any family (<see cref="ModelFamilies"/>) ready to turn texts into sentence vectors: its tokenizer (<see cref="SubwordTokenizers"/>), the long-text rule,
/// the encoder, pooling and (if the model asks for it) L2 normalization. <see cref="Encode(IReadOnlyList{string})"/> is
/// frozen inference: eval mode, no gradients, length-sorted groups, every batch inside a dispose scope. The pretrained
/// encoder's transformer keeps one and saves it whole (configuration, tokenizer, weights) into the model zip.
/// </summary>
internal sealed class PretrainedEncoder : ITextEncoder, IDisposable
{
    // Padded tokens (rows x longest window) of one forward pass; a window of 256 tokens then goes 4 to a group. Smaller
    // groups keep a layer's activations in cache and use less memory, at no cost in speed (docs/benchmarks.md,
    // "Measurements behind the code").
    private const int TokenBudget = 1024;

    private const string ModuleStream = "PretrainedEncoder";

    public PretrainedEncoder(PretrainedTextModel model, SubwordTokenizer tokenizer, PretrainedTextSettings settings)
    {
        if (settings.MaximumTokens < 3 || settings.MaximumTokens > model.Config.MaxPositions)
            throw new ArgumentOutOfRangeException(nameof(settings), settings.MaximumTokens,
                $"The maximum tokens per window must be in [3, {model.Config.MaxPositions}] (the model's maximum positions).");
        Model = model;
        Tokenizer = new PretrainedTokenizer(tokenizer, settings.MaximumTokens, settings.LongText);
        Settings = settings;
        Model.eval();
    }

    public PretrainedTextModel Model { get; }

    /// <summary>The text front end (the model's tokenizer, windows, long-text rule), which the ONNX export's users tokenize with too.</summary>
    public PretrainedTokenizer Tokenizer { get; }

    public PretrainedTextSettings Settings { get; }

    public PoolingMode Pooling => Settings.Pooling;

    public bool Normalize => Settings.Normalize;

    public int MaxTokens => Settings.MaximumTokens;

    public int Dimension => Model.Config.HiddenSize;

    torch.nn.Module ITextEncoder.Module => Model;

    int ITextEncoder.OutputSize => Dimension;

    /// <summary>
    /// Loads a model folder or .onnx file (<see cref="PretrainedModelFiles"/>). The model's own settings (a
    /// sentence-transformers folder's pooling, normalization and maximum sequence length) win over the fallbacks;
    /// <paramref name="maxTokens"/>, when given, must not exceed the model's maximum positions.
    /// </summary>
    public static PretrainedEncoder Load(string path, PoolingMode fallbackPooling = PoolingMode.Mean, bool fallbackNormalize = false,
        int? maxTokens = null, LongTextHandling longText = LongTextHandling.HeadAndTail, string? vocabularyPath = null)
    {
        var files = PretrainedModelFiles.Read(path, vocabularyPath);
        // sentence-transformers caps max_seq_length at the model's positions too; an explicit value beyond them is refused.
        return Create(files, files.Pooling ?? fallbackPooling, files.Pooling is null ? fallbackNormalize : files.Normalize,
            maxTokens ?? files.DefaultMaximumTokens, longText);
    }

    public static PretrainedEncoder Create(PretrainedModelFiles files, PoolingMode pooling, bool normalize, int maxTokens, LongTextHandling longText)
    {
        var byName = FamilyCheckpoint.ByName(files.Config.Family, files.Weights, files.WeightsPath);
        FamilyCheckpoint.CheckConfig(files.Config, name => byName.GetValueOrDefault(name)?.Shape, files.WeightsPath);
        var model = FitGenerator.Draw(() => new PretrainedTextModel(files.Config, pooling));
        try
        {
            FamilyCheckpoint.Load(model.Encoder, files.Weights, files.WeightsPath);
            return new PretrainedEncoder(model, files.Tokenizer, new PretrainedTextSettings(pooling, normalize, maxTokens, longText));
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    // *** Binary format ***
    // the tokenizer (see TokenizerStream; before 0x00010004, stream "WordPieceVocabulary")
    // stream "PretrainedEncoder": the module checkpoint (see ModuleCheckpoint) whose architecture block is the
    //   model's config.json (string, see IEncoderConfig.ToJson; its model_type names the family) and the text settings
    //   (see PretrainedTextSettings; before 0x00010004, PretrainedTextSettingsWithLowerCase); weights by Hugging Face name under the family's task-model prefix ("bert.",
    //   "distilbert.") and "pooling_attention." for attention pooling
    public void Save(ModelSaveContext ctx)
    {
        TokenizerStream.Save(ctx, Tokenizer.Subword);
        ModuleCheckpoint.Save(ctx, ModuleStream, Model, writer =>
        {
            writer.Write(Model.Config.ToJson());
            ModelFormat.WriteConfig(writer, Settings);
        });
    }

    public static PretrainedEncoder Load(ModelLoadContext ctx)
    {
        bool kinds = ctx.Header.ModelVerWritten >= ModelFormat.PretrainedTokenizerKind;
        var tokenizer = kinds ? TokenizerStream.Load(ctx) : null;
        PretrainedTextSettings? settings = null;
        bool lowerCase = false;
        const string source = "the model's saved config.json";
        var model = ModuleCheckpoint.Load(ctx, ModuleStream, (reader, shapes) =>
        {
            var config = ModelFamilies.Parse(reader.ReadString(), source);
            FamilyCheckpoint.CheckConfig(config, name => shapes.Shape(PretrainedTextModel.EncoderPrefix(config) + name), source);
            if (kinds)
                settings = ModelFormat.ReadConfig<PretrainedTextSettings>(reader, PretrainedTextSettings.Part);
            else
                (lowerCase, settings) = ModelFormat.ReadConfig<PretrainedTextSettingsWithLowerCase>(reader, PretrainedTextSettings.Part) is var old ? (old.LowerCase, old.Settings) : default;
            return new PretrainedTextModel(config, settings.Pooling);
        });
        try
        {
            tokenizer ??= TokenizerStream.LoadWordPiece(ctx, lowerCase);
            // Ids beyond the model's word embeddings would fail at the first text scored.
            tokenizer.CheckVocabularySize(model.Config.VocabularySize, $"the model's {tokenizer.Kind.Name} tokenizer");
            return new PretrainedEncoder(model, tokenizer, settings!);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The windows of a text; null or empty text is one window of the start and end ids ([CLS] [SEP]).</summary>
    public PretrainedTokens Tokenize(string? text) => Tokenizer.Tokenize(text);

    /// <summary>The pieces of a text's windows, without the start and end, as the tokenizer's files write them ("##s", "▁chat").</summary>
    public string[] TokensRead(string? text)
        => Tokenize(text).Windows.SelectMany(w => w[1..^1]).Select(Tokenizer.Subword.Piece).ToArray();

    /// <summary>One vector of <see cref="Dimension"/> floats per text.</summary>
    public float[][] Encode(IReadOnlyList<string?> texts) => Encode(TokenizeAll(texts), null).Vectors;

    public (float[][] Vectors, float[][]? TokenWeights) Encode(IReadOnlyList<string?> texts, TokenAttentionSource? tokenWeights)
        => Encode(TokenizeAll(texts), tokenWeights);

    // Tokenizing a scoring batch on one thread left the other cores idle for a few percent of frozen scoring; a batch
    // is tokenized on as many threads as libtorch may use. Small batches (a PredictionEngine's row) stay on the caller.
    private PretrainedTokens[] TokenizeAll(IReadOnlyList<string?> texts)
    {
        var tokens = new PretrainedTokens[texts.Count];
        int threads = torch.get_num_threads();
        if (texts.Count < 64 || threads <= 1)
        {
            for (int i = 0; i < tokens.Length; i++)
                tokens[i] = Tokenize(texts[i]);
            return tokens;
        }
        Parallel.For(0, tokens.Length, new ParallelOptions { MaxDegreeOfParallelism = threads },
            i => tokens[i] = Tokenize(texts[i]));
        return tokens;
    }

    /// <summary>
    /// Vectors of tokenized texts and, when <paramref name="tokenWeights"/> is given, the attention each word piece
    /// received (averaged over heads and real queries, and over all layers or the last one), in order, [CLS] and [SEP]
    /// left out; without it attention runs in libtorch's fused kernel. A long text's window vectors are averaged
    /// before normalization.
    /// </summary>
    public (float[][] Vectors, float[][]? TokenWeights) Encode(IReadOnlyList<PretrainedTokens> texts, TokenAttentionSource? tokenWeights)
    {
        Model.eval();
        return WindowEncoding.Encode(texts.Select(t => t.Windows).ToArray(), Dimension, TokenBudget, Tokenizer.Subword.PaddingId,
            (batch, needWeights) =>
            {
                var (states, layerWeights) = Model.Forward(batch.Ids, batch.Mask, needWeights);
                return (Model.Pool(states, batch.Mask), layerWeights);
            },
            tokenWeights, leading: 1, trailing: 1, Normalize ? VectorNormalization.Normalize : null, NonFiniteVector);
    }

    /// <summary>
    /// Throws, naming <paramref name="component"/> and the option, when the encoder's scoring has no exact ONNX graph:
    /// a long text read in several windows (<see cref="LongTextHandling.SlidingWindow"/>) is the average of several
    /// forward passes, which a graph over one row of token ids per text does not express.
    /// </summary>
    public void CheckOnnxExport(IExceptionContext ectx, string component)
    {
        if (Settings.LongText != LongTextHandling.HeadAndTail)
            throw ectx.Except($"{component} cannot be exported to ONNX: it reads long texts with LongTextHandling.{Settings.LongText} "
                + $"(several windows averaged), which its graph over one row of token ids per text does not express. Fit it with "
                + $"LongTextHandling.{LongTextHandling.HeadAndTail} (the default) to export it.");
    }

    /// <summary>
    /// The scoring computation in an exported graph: token ids int64 [B, T] as <see cref="PretrainedTokenizer"/> makes
    /// them (one window per text, rows padded with any negative id) → the text vectors [B, hidden], pooled and, when the
    /// model asks for it, normalized, as <see cref="Encode(IReadOnlyList{string})"/> gives them; with
    /// <paramref name="tokenWeights"/>, also the attention each word piece received [B, T - 2], in the order of the ids
    /// without [CLS] and [SEP], 0 after a text's last piece.
    /// </summary>
    public (string Vectors, string? TokenWeights) Export(ExportGraph g, string tokenIds, TokenAttentionSource? tokenWeights = null)
    {
        var zero = g.Constant(new[] { 0L });
        var mask = g.Unary("Not", g.Op("Less", new[] { tokenIds, zero }));
        var (pooled, layerWeights) = Model.Export(g, g.Where(mask, tokenIds, zero), mask);
        var vectors = Normalize ? VectorNormalization.Export(g, pooled) : pooled;
        if (tokenWeights is null)
            return (vectors, null);
        var received = ReceivedAttention.Export(g, tokenWeights == TokenAttentionSource.LastLayer ? new[] { layerWeights[^1] } : layerWeights, mask);
        // Position t + 1 holds piece t; it is a piece when position t + 2 is still a real token (the last real one is [SEP]).
        string From(string x, long start) => g.Op("Slice", new[] { x, g.Constant(new[] { start }, 1), g.Constant(new[] { long.MaxValue }, 1), g.Constant(new[] { 1L }, 1) });
        var pieces = g.Op("Slice", new[] { received, g.Constant(new[] { 1L }, 1), g.Constant(new[] { -1L }, 1), g.Constant(new[] { 1L }, 1) });
        return (vectors, g.Where(From(mask, 2), pieces, g.Scalar(0f)));
    }

    // Finite weights can still overflow float32 arithmetic (a flipped exponent bit in a file makes a weight 1e30):
    // such a model is refused when it first scores, instead of handing NaN to the next trainer.
    private static InvalidOperationException NonFiniteVector(int text, float value)
        => new($"The pretrained encoder computed {value} in the vector of text {text}: its weights overflow float32 arithmetic "
            + "(a damaged or edited model file?). Load the model again from its original files.");

    /// <summary>
    /// Window vectors [windows, hidden] → text vectors [texts, hidden]: the windows of one text are averaged, then
    /// normalized when asked for. Differentiable, so fine-tuning trains through it.
    /// </summary>
    public static Tensor TextVectors(Tensor pooled, IReadOnlyList<PretrainedTokens> texts, bool normalize)
    {
        using var scope = torch.NewDisposeScope();
        var perText = WindowEncoding.Average(pooled, texts.Select(t => t.Windows.Length).ToArray());
        if (normalize)
            perText = VectorNormalization.Normalize(perText);
        return scope.MoveToOuter(perText);
    }

    public void Dispose()
    {
        InferenceLinear.Release(Model);
        Model.Dispose();
    }
}
