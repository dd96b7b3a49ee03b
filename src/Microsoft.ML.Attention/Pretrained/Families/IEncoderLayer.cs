using Microsoft.ML.Attention.Core;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>One layer of a family's encoder, as <see cref="LayerStack{TLayer}"/> stacks them.</summary>
internal interface IEncoderLayer
{
    /// <summary>x [B, T, hidden], mask bool [B, 1, 1, T]. Returns [B, T, hidden] and the weights [B, heads, T, T] when asked for.</summary>
    (Tensor Output, Tensor? Weights) Forward(Tensor x, Tensor mask, bool needWeights);

    /// <summary>
    /// <see cref="Forward"/> at inference in an exported graph: x [B, T, hidden], keyMask bool [B, 1, 1, T] → [B, T, hidden]
    /// and the weights [B, heads, T, T] (nodes that no output reads are left out of the graph by the runtime).
    /// </summary>
    (string Output, string Weights) Export(ExportGraph g, string x, string keyMask);
}
