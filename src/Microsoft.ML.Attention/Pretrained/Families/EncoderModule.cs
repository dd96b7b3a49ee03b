using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Attention.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>
/// A family's encoder without task heads: word pieces in, one state per token out. Its state dictionary keys are the
/// family's Hugging Face names, and its input embeddings sit under "embeddings." (as in every family read so far).
/// </summary>
internal abstract class EncoderModule : nn.Module
{
    /// <summary>The prefix of the input embeddings' weights, which <c>FreezeEmbeddings</c> freezes.</summary>
    public const string EmbeddingsPrefix = "embeddings.";

    /// <param name="name">The module's name.</param>
    protected EncoderModule(string name) : base(name)
    {
    }

    /// <summary>The configuration it was built from.</summary>
    public abstract IEncoderConfig Config { get; }

    /// <summary>
    /// ids [B, T] (int64), mask bool [B, T] true at real tokens. Returns the states [B, T, hidden] and, when asked for,
    /// each layer's attention weights [B, heads, T, T]; without them attention runs in libtorch's fused kernel.
    /// </summary>
    public (Tensor States, IReadOnlyList<Tensor> Weights) Forward(Tensor ids, Tensor mask, bool needWeights = false)
    {
        using var scope = torch.NewDisposeScope();
        var (states, weights) = Encode(ids, mask.reshape(mask.shape[0], 1, 1, mask.shape[1]), needWeights);
        return (scope.MoveToOuter(states), weights.Select(w => scope.MoveToOuter(w)).ToArray());
    }

    /// <summary>The family's computation: ids [B, T], keyMask bool [B, 1, 1, T] → states and, when asked for, weights.</summary>
    protected abstract (Tensor States, IReadOnlyList<Tensor> Weights) Encode(Tensor ids, Tensor keyMask, bool needWeights);

    /// <summary>
    /// <see cref="Forward"/> at inference in an exported graph: ids int64 [B, T] (every id valid), mask bool [B, T]
    /// true at real tokens → the states [B, T, hidden] and each layer's attention weights [B, heads, T, T].
    /// </summary>
    public (string States, IReadOnlyList<string> Weights) Export(ExportGraph g, string ids, string mask) => ExportEncode(g, ids, g.Unsqueeze(mask, 1, 2));

    /// <summary>The family's nodes: ids [B, T], keyMask bool [B, 1, 1, T] → states [B, T, hidden] and each layer's weights.</summary>
    protected abstract (string States, IReadOnlyList<string> Weights) ExportEncode(ExportGraph g, string ids, string keyMask);
}
