using System.Globalization;
using System.IO;
using Microsoft.ML;
using Microsoft.ML.Attention;

namespace AttentionBenchmarks;

/// <summary>
/// This library's hierarchical attention network with the PyTorch reference's settings (benchmarks/reference/han.py):
/// paper sizes, no dropout, Adam 1e-3, batch 64, 5 epochs, clipping 5, 30 sentences x 50 words, minimum count 2,
/// all training documents (no validation hold-out), 2 threads.
/// </summary>
public sealed class HanSystem : PipelineSystem
{
    private readonly int _epochs;

    public HanSystem(int epochs = 5) => _epochs = epochs;

    public override string Name => _epochs == 5 ? "han" : $"han-{_epochs}epoch";

    protected override int Epochs => _epochs;

    protected override string Notes => string.Create(CultureInfo.InvariantCulture,
        $"emb 200, BiGRU 50+50, attention 100, Adam 1e-3, batch 64, {_epochs} epochs, no dropout, 2 threads");

    protected override IEstimator<ITransformer> Pipeline(MLContext ml, TextWriter log)
        => ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.HierarchicalAttention(new HierarchicalAttentionTrainer.Options
            {
                EmbeddingSize = 200,
                WordHiddenSize = 50,
                SentenceHiddenSize = 50,
                AttentionSize = 100,
                Dropout = 0,
                LearningRate = 1e-3,
                BatchSize = 64,
                NumberOfEpochs = _epochs,
                GradientClipNorm = 5,
                MaximumSentences = 30,
                MaximumWordsPerSentence = 50,
                MinimumWordCount = 2,
                ValidationFraction = 0,
                NumberOfThreads = 2,
            }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedText", "PredictedLabel"));
}
