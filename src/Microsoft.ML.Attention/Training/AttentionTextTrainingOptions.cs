using Microsoft.ML.Runtime;

namespace Microsoft.ML.Attention;

/// <summary>
/// The text front end the hierarchical attention network and the self-attention featurizer share: how words are read,
/// which enter the vocabulary, and optional pretrained word vectors; plus the shared training settings.
/// </summary>
public abstract class AttentionTextTrainingOptions : AttentionTrainingOptions
{
    // Only this library's Options classes derive from it; the defaults are theirs.
    private protected AttentionTextTrainingOptions(int numberOfEpochs, int batchSize, double learningRate,
        int earlyStoppingPatience, double gradientClipNorm, int maximumVocabularySize)
        : base(numberOfEpochs, batchSize, learningRate, earlyStoppingPatience, gradientClipNorm)
    {
        MaximumVocabularySize = maximumVocabularySize;
    }

    /// <summary>Lower-case words before looking them up.</summary>
    /// <remarks>Default true. Set false when case carries meaning (codes, names).</remarks>
    public bool LowerCase { get; set; } = true;

    /// <summary>Keep punctuation marks as tokens.</summary>
    /// <remarks>Default true. Set false when punctuation is noise in your texts.</remarks>
    public bool KeepPunctuation { get; set; } = true;

    /// <summary>Words seen fewer times than this in the training data map to the unknown word.</summary>
    /// <remarks>Default 2. Typical range 1–5; 1 for very small corpora. At least 1.</remarks>
    public int MinimumWordCount { get; set; } = 2;

    /// <summary>Largest vocabulary (most frequent words first), 0 for no limit.</summary>
    /// <remarks>Typical range 10,000–100,000; 0 for no limit.</remarks>
    public int MaximumVocabularySize { get; set; }

    /// <summary>
    /// Optional local file of pretrained word vectors (GloVe, word2vec text or fastText .vec). Nothing is downloaded.
    /// The hierarchical attention network takes its dimension as the embedding size; the featurizer needs it to equal its width.
    /// </summary>
    /// <remarks>
    /// Default null: embeddings learned from scratch, unless the training view's text column carries a teacher's word
    /// vectors (<c>mlContext.Data.AugmentForDistillation</c> attaches them), which the network then starts from, reduced
    /// to its own embedding size. A path set here wins over them.
    /// </remarks>
    public string? PretrainedVectorsPath { get; set; }

    /// <summary>Keep pretrained vectors fixed during training (true) or fine-tune them (false).</summary>
    /// <remarks>Default false. Set true for small training sets with good vectors.</remarks>
    public bool FreezePretrainedVectors { get; set; }

    /// <summary>Checks the shared training and text settings; the component checks its own.</summary>
    internal void ValidateTextTraining(IExceptionContext host)
    {
        ValidateTraining(host);
        host.CheckUserArg(MinimumWordCount >= 1, nameof(MinimumWordCount), "must be at least 1");
        host.CheckUserArg(MaximumVocabularySize >= 0, nameof(MaximumVocabularySize), "must be 0 (no limit) or positive");
    }
}
