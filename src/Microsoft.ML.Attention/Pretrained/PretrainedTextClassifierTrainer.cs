using Microsoft.ML.Attention.Classification;
using Microsoft.ML.Attention.Infrastructure;
using Microsoft.ML.Attention.Pretrained;
using Microsoft.ML.Attention.Text;
using Microsoft.ML.Attention.Training;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Attention;

/// <summary>
/// Fine-tunes a pretrained BERT, DistilBERT or XLM-RoBERTa encoder (read from local files) for text classification and keeps the
/// classification head it was fine-tuned with. Create it with
/// <c>mlContext.MulticlassClassification.Trainers.PretrainedTextClassifier(...)</c> or
/// <c>mlContext.BinaryClassification.Trainers.PretrainedTextClassifier(...)</c>.
/// </summary>
/// <remarks>
/// <para>Input columns: the text (String; null or empty text is a valid row) and the label: a key for multiclass
/// classification (use <c>MapValueToKey</c>), a Boolean for binary classification.</para>
/// <para>Output columns: ML.NET's standard ones, so <c>Evaluate</c>, cross-validation and <c>PredictionEngine</c>
/// work unchanged. Multiclass: <c>Score</c> (class probabilities) and <c>PredictedLabel</c>. Binary: <c>Score</c>,
/// <c>Probability</c> and <c>PredictedLabel</c>.</para>
/// <para>Fine-tuning is exactly <c>ApplyPretrainedEncoder</c>'s with a label (same options, defaults and recipe: AdamW
/// after warm-up, early stopping on the held-out <see cref="AttentionTrainingOptions.ValidationFraction"/>); where
/// <c>ApplyPretrainedEncoder</c> drops its head and outputs vectors, this trainer keeps the head as the classifier.</para>
/// </remarks>
public sealed class PretrainedTextClassifierTrainer : IEstimator<PretrainedTextClassifierTransformer>
{
    /// <summary>The defaults of <see cref="Options"/> and of the catalog's short overloads (training: <see cref="PretrainedModelOptions"/>).</summary>
    internal static class Defaults
    {
        public const string LabelColumnName = DefaultColumnNames.Label;
        public const string TextColumnName = "Text";

        // The fine-tuned head is over-confident on every corpus measured, and scaling never changes a predicted label.
        public const bool ScaleTemperature = true;
    }

    /// <summary>Settings of <see cref="PretrainedTextClassifierTrainer"/>: the model and fine-tuning (see <see cref="PretrainedModelOptions"/>), the columns and temperature scaling.</summary>
    public sealed class Options : PretrainedModelOptions
    {
        /// <summary>Default settings; set <see cref="PretrainedModelOptions.ModelPath"/>.</summary>
        public Options()
        {
        }

        /// <summary>Name of the label column: a key (multiclass) or a Boolean (binary).</summary>
        /// <remarks>Default "Label".</remarks>
        public string LabelColumnName { get; set; } = PretrainedTextClassifierTrainer.Defaults.LabelColumnName;

        /// <summary>Name of the text column.</summary>
        /// <remarks>Default "Text". A String column.</remarks>
        public string TextColumnName { get; set; } = PretrainedTextClassifierTrainer.Defaults.TextColumnName;

        /// <summary>
        /// After fine-tuning, fit one temperature on the validation rows that divides the logits before the softmax (Guo
        /// et al. 2017), so that the probabilities' confidence matches how often the classifier is right: scores change,
        /// predicted labels do not. Saved with the model.
        /// </summary>
        /// <remarks>
        /// Default true. Needs validation rows (<see cref="AttentionTrainingOptions.ValidationFraction"/> above 0): without
        /// them the temperature stays 1, with a warning only when this option was set explicitly.
        /// </remarks>
        public bool ScaleTemperature { get => _scaleTemperature ?? PretrainedTextClassifierTrainer.Defaults.ScaleTemperature; set => _scaleTemperature = value; }

        private bool? _scaleTemperature;

        // Whether the user asked for scaling, rather than relying on the default.
        internal bool ScaleTemperatureSet => _scaleTemperature.HasValue;
    }

    private readonly IHost _host;
    private readonly Options _options;
    private readonly ClassificationTask _task;

    internal PretrainedTextClassifierTrainer(IHostEnvironment env, Options options, ClassificationTask task)
    {
        Contracts.CheckValue(env, nameof(env));
        _host = env.Register(nameof(PretrainedTextClassifierTrainer));
        _host.CheckValue(options, nameof(options));
        options.ValidatePretrained(_host);
        _host.CheckNonEmpty(options.LabelColumnName, nameof(options.LabelColumnName));
        _host.CheckNonEmpty(options.TextColumnName, nameof(options.TextColumnName));
        _options = options;
        _task = task;
    }

    /// <summary>
    /// Reads the pretrained model and the labelled texts, fine-tunes the encoder with a classification head (holding out
    /// <see cref="AttentionTrainingOptions.ValidationFraction"/> for early stopping and temperature scaling), and returns
    /// the encoder with its head.
    /// </summary>
    /// <param name="input">Training data with the text and label columns.</param>
    public PretrainedTextClassifierTransformer Fit(IDataView input)
    {
        _host.CheckValue(input, nameof(input));
        var o = _options;
        var text = TextColumn.Find(_host, input.Schema, o.TextColumnName);
        var label = ClassifierLabel.Find(_host, input.Schema, o.LabelColumnName, _task);
        var teacher = TeacherScores.Find(_host, input.Schema, o.TeacherScoreColumnName, label);
        var classes = ClassifierLabel.Classes(label, _task);
        using var run = TrainingRun.Begin(_host, o);
        using var channel = _host.Start("Training pretrained text classifier");
        // The head reads the pooled vector before normalization, as it learned: the encoder is kept unnormalized.
        var fit = PretrainedEncoderFit.Fit(_host, channel, o, o.TextColumnName, normalizeOption: false, keepHead: true, input, text, label, run.Seed, teacher);
        var transformer = new PretrainedTextClassifierTransformer(_host, _task, o.TextColumnName, ClassifierColumns.Default, classes,
            fit.Encoder, fit.Head!, new ClassifierHeadArchitecture(fit.Encoder.Dimension, classes.Count))
        {
            OutputCacheMegabytes = o.OutputCacheMegabytes,
        };
        if (o.ScaleTemperature)
            transformer.ScaleTemperature(channel, fit.ValidationTexts!, fit.ValidationLabels!, warnWithoutRows: o.ScaleTemperatureSet);
        return transformer;
    }

    /// <summary>The schema after the transformer: the input columns plus the classifier's outputs.</summary>
    /// <param name="inputSchema">Shape of the input data.</param>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        _host.CheckValue(inputSchema, nameof(inputSchema));
        TextColumn.Check(_host, inputSchema, _options.TextColumnName);
        ClassifierLabel.Check(_host, inputSchema, _options.LabelColumnName, _task);
        TeacherScores.Check(_host, inputSchema, _options.TeacherScoreColumnName, _options.LabelColumnName);
        return OutputShape.With(inputSchema, ClassifierColumns.Default.OutputColumns(_task, ClassifierLabel.ShapeClasses(_task)));
    }
}
