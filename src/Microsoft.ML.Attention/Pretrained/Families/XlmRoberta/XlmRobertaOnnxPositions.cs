using System;
using System.Collections.Generic;
using System.Linq;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>
/// Whether an ONNX export computes RoBERTa's position ids: the position table's Gather takes indices derived from a
/// running count (CumSum) of the non-padding ids, as Hugging Face's create_position_ids_from_input_ids writes them.
/// BERT's and DistilBERT's exports take a stored or generated range instead; the weights alone cannot tell them apart.
/// </summary>
internal static class XlmRobertaOnnxPositions
{
    // The count sits a few operators above the Gather (Equal, Not, Cast, CumSum, Mul, Cast, Add): a bounded walk up.
    private const int MaxSteps = 12;

    public static bool CountedFromIds(OnnxGraph graph)
        => graph.Nodes
            .Where(n => n.OperatorType == "Gather" && n.Inputs.Count == 2 && n.Inputs[0].EndsWith("embeddings.position_embeddings.weight", StringComparison.Ordinal))
            .Any(gather => ReachesCumSum(gather.Inputs[1], graph.ProducedBy));

    private static bool ReachesCumSum(string value, IReadOnlyDictionary<string, OnnxNode> producedBy)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var level = new List<string> { value };
        for (int step = 0; step < MaxSteps && level.Count > 0; step++)
        {
            var next = new List<string>();
            foreach (var name in level)
            {
                if (!seen.Add(name) || !producedBy.TryGetValue(name, out var node))
                    continue;
                if (node.OperatorType == "CumSum")
                    return true;
                next.AddRange(node.Inputs);
            }
            level = next;
        }
        return false;
    }
}
