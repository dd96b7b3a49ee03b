using Microsoft.ML.Attention.Core;
using Microsoft.ML.Attention.Training;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Attention;

/// <summary>
/// The settings every component over a pretrained encoder shares (<see cref="PretrainedEncoderEstimator.Options"/>,
/// <see cref="PretrainedTextClassifierTrainer.Options"/>): the model, how texts are read and pooled, what fine-tuning
/// may change, and the fine-tuning recipe's defaults.
/// </summary>
/// <remarks>
/// Training defaults: AdamW, learning rate 1e-4 after 10% warm-up then linear decay, batches of 16, up to 3 epochs,
/// early-stopping patience 1, gradient clipping at norm 1.
/// </remarks>
public abstract class PretrainedModelOptions : AttentionTrainingOptions
{
    // Only this library's Options classes derive from it.
    private protected PretrainedModelOptions() : base(PretrainedEncoderEstimator.Defaults.NumberOfEpochs, PretrainedEncoderEstimator.Defaults.BatchSize,
        PretrainedEncoderEstimator.Defaults.LearningRate, PretrainedEncoderEstimator.Defaults.EarlyStoppingPatience,
        PretrainedEncoderEstimator.Defaults.GradientClipNorm)
    {
    }

    private protected override TrainingDefaults Defaults => PretrainedEncoderEstimator.Defaults.Training;

    /// <summary>The checks of the training settings and of the settings shared here.</summary>
    internal void ValidatePretrained(IHost host)
    {
        ValidateTraining(host);
        host.CheckUserArg(!string.IsNullOrEmpty(ModelPath), nameof(ModelPath), "must name a model folder or an .onnx file");
        host.CheckUserArg(MaximumTokens is null or >= 3, nameof(MaximumTokens), "must be at least 3 for a pretrained encoder ([CLS], one word piece, [SEP])");
    }

    /// <summary>
    /// The pretrained BERT, DistilBERT or XLM-RoBERTa model on local files: a Hugging Face model folder (config.json,
    /// model.safetensors, vocab.txt or sentencepiece.bpe.model, tokenizer_config.json), a sentence-transformers folder,
    /// or an .onnx export with its tokenizer's files beside it (see
    /// <see cref="VocabularyPath"/>). Nothing is downloaded.
    /// </summary>
    /// <remarks>Required.</remarks>
    public string ModelPath { get; set; } = "";

    /// <summary>
    /// The tokenizer's file of an .onnx <see cref="ModelPath"/> when it is not beside the file: a WordPiece vocabulary
    /// (.txt) or a SentencePiece model (.model).
    /// </summary>
    /// <remarks>Default null (vocab.txt or sentencepiece.bpe.model in the model's folder).</remarks>
    public string? VocabularyPath { get; set; }

    /// <summary>Tokens per window, counting the start and end tokens ([CLS] and [SEP], or &lt;s&gt; and &lt;/s&gt;); null takes the model's.</summary>
    /// <remarks>
    /// Default null: sentence-transformers' max_seq_length, else 256 (at most the model's maximum positions). At
    /// least 3 and at most the model's max_position_embeddings. Cost grows with its square.
    /// </remarks>
    public int? MaximumTokens { get; set; }

    /// <summary>What happens to texts longer than <see cref="MaximumTokens"/>.</summary>
    /// <remarks>
    /// Default <see cref="LongTextHandling.HeadAndTail"/> (keeps the first and last word pieces; the log says how
    /// many were dropped). <see cref="LongTextHandling.SlidingWindow"/> encodes windows and averages their vectors.
    /// </remarks>
    public LongTextHandling LongText { get; set; } = PretrainedEncoderEstimator.Defaults.LongText;

    /// <summary>How token states become the text's vector; null takes the model's.</summary>
    /// <remarks>
    /// Default null: a sentence-transformers folder's pooling, otherwise <see cref="PoolingMode.Mean"/> over every
    /// real token ([CLS] and [SEP] included). <see cref="PoolingMode.Attention"/> is learned, so it needs a label to
    /// fine-tune on.
    /// </remarks>
    public PoolingMode? Pooling { get; set; }

    /// <summary>When fine-tuning: keep the whole encoder fixed and train only attention pooling and the head.</summary>
    /// <remarks>
    /// Default false (fine-tune everything). For the encoder's vectors, only useful with <see cref="Pooling"/> =
    /// <see cref="PoolingMode.Attention"/>: the other poolings learn nothing, so the vectors stay the frozen model's. A
    /// classifier then trains its head alone on the frozen vectors.
    /// </remarks>
    public bool FreezeEncoder { get; set; }

    /// <summary>When fine-tuning: keep the encoder's input embeddings (word pieces, positions, token types, their LayerNorm) as in the file.</summary>
    /// <remarks>Default false.</remarks>
    public bool FreezeEmbeddings { get; set; }
}
