using System.Collections.Generic;
using System.Text.Json.Nodes;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>
/// A family of pretrained encoders (BERT, DistilBERT, ...): how its config.json reads, which torch modules it builds
/// and how its checkpoints name their weights. Each family lives in its own folder under <c>Families/</c> and is
/// listed once in <see cref="ModelFamilies"/>; the rest of the pretrained encoder sees only this class,
/// <see cref="IEncoderConfig"/> and <see cref="EncoderModule"/>.
/// </summary>
/// <remarks>
/// The saved kind is config.json's model_type: a model zip stores the family's config.json (<see cref="IEncoderConfig.ToJson"/>),
/// and loading reads model_type back to choose the family, so zips saved before families existed (model_type "bert")
/// load unchanged.
/// </remarks>
internal abstract class ModelFamily
{
    /// <summary>config.json's model_type ("bert").</summary>
    public abstract string ModelType { get; }

    /// <summary>What the family covers, for errors ("BERT-family encoders such as MiniLM").</summary>
    public abstract string Description { get; }

    /// <summary>
    /// Hugging Face's base_model_prefix ("bert"): task models (…ForSequenceClassification) hold the encoder's weights
    /// under it, and <see cref="PretrainedTextModel"/> registers the encoder under the same name in a saved model.
    /// </summary>
    public abstract string TaskModelPrefix { get; }

    /// <summary>Checkpoint parts the encoder does not use (task heads, poolers), by name prefix after <see cref="TaskModelPrefix"/>.</summary>
    public abstract IReadOnlyList<string> UnusedPrefixes { get; }

    /// <summary>Checkpoint tensors the encoder does not use, by exact name (buffers such as position ids).</summary>
    public virtual IReadOnlyList<string> UnusedNames { get; } = new[] { "embeddings.position_ids" };

    /// <summary>A weight name of the family's encoder, shown in errors as an example of what was expected.</summary>
    public abstract string ExampleKey { get; }

    /// <summary>
    /// Reads config.json (<paramref name="json"/>, whose model_type is <see cref="ModelType"/>); <paramref name="path"/>
    /// names its source in errors.
    /// </summary>
    public abstract IEncoderConfig ReadConfig(JsonObject json, string path);

    /// <summary>Builds the family's encoder, with untrained weights, for a configuration this family read.</summary>
    public abstract EncoderModule CreateEncoder(IEncoderConfig config);

    /// <summary>
    /// Whether an ONNX export without config.json is this family's, from its graph and its weights (by Hugging Face
    /// name); see <see cref="ModelFamilies.All"/> for which family is asked first.
    /// </summary>
    public abstract bool RecognizesExport(OnnxGraph graph, IReadOnlyDictionary<string, WeightTensor> weights);

    /// <summary>The configuration of an ONNX export that came without config.json, read from its graph and weights.</summary>
    public abstract IEncoderConfig InferConfig(OnnxGraph graph, IReadOnlyDictionary<string, WeightTensor> weights, string path);
}
