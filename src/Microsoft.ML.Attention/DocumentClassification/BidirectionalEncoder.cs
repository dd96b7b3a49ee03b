using System.Linq;
using Microsoft.ML.Attention.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.DocumentClassification;

/// <summary>
/// A one-layer bidirectional GRU or LSTM over padded sequences [N, L, input] with their lengths (each at
/// least 1). Packing skips the padding, so a sequence's states never depend on how long its neighbours are.
/// Returns [N, L, 2 x hidden], zero at padded positions.
/// </summary>
internal sealed class BidirectionalEncoder : nn.Module
{
    // Exactly one of the two is set; its name is the checkpoint key prefix.
    private readonly GRU? gru;
    private readonly LSTM? lstm;

    public BidirectionalEncoder(RecurrentKind kind, int inputSize, int hiddenSize) : base(nameof(BidirectionalEncoder))
    {
        if (kind == RecurrentKind.Gru)
            gru = nn.GRU(inputSize, hiddenSize, numLayers: 1, bidirectional: true, batchFirst: true);
        else
            lstm = nn.LSTM(inputSize, hiddenSize, numLayers: 1, bidirectional: true, batchFirst: true);
        RegisterComponents();
    }

    public Tensor Encode(Tensor padded, Tensor lengths)
    {
        using var scope = torch.NewDisposeScope();
        var totalLength = padded.shape[1];
        var packed = nn.utils.rnn.pack_padded_sequence(padded, lengths, batch_first: true, enforce_sorted: false);
        var output = gru is not null ? gru.call(packed, null).Item1 : lstm!.call(packed, null).Item1;
        var (states, _) = nn.utils.rnn.pad_packed_sequence(output, batch_first: true, total_length: totalLength);
        return states.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The same encoder in an exported graph: ONNX's bidirectional GRU or LSTM over padded [N, L, input] with
    /// <paramref name="lengths"/> (int32 [N]; a length of 0 gives zeros, where the forward pass has no such sequence).
    /// Returns [N, L, 2 x hidden], forward then backward states, zero at padded positions.
    /// </summary>
    public string Export(ExportGraph g, string padded, string lengths)
    {
        using var scope = torch.NewDisposeScope();
        var parameters = named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var prefix = gru is not null ? "gru." : "lstm.";
        Tensor Get(string name) => parameters[prefix + name];
        // PyTorch's gate blocks, in the order ONNX expects them: GRU (r, z, n) → (z, r, h), LSTM (i, f, g, o) → (i, o, f, c).
        var order = gru is not null ? new[] { 1, 0, 2 } : new[] { 0, 3, 1, 2 };
        long hidden = Get("weight_hh_l0").shape[1];
        // W and R [2, gates x hidden, ...]; B [2, 2 x gates x hidden]: input biases then recurrent biases, per direction.
        string Stack(string name) => g.Weight(torch.stack(new[] { Reorder(Get(name), order), Reorder(Get(name + "_reverse"), order) }));
        var biases = torch.stack(new[]
        {
            torch.cat(new[] { Reorder(Get("bias_ih_l0"), order), Reorder(Get("bias_hh_l0"), order) }),
            torch.cat(new[] { Reorder(Get("bias_ih_l0_reverse"), order), Reorder(Get("bias_hh_l0_reverse"), order) }),
        });
        var inputs = new[] { g.Op("Transpose", new[] { padded }, ("perm", new long[] { 1, 0, 2 })),   // [L, N, input]
            Stack("weight_ih_l0"), Stack("weight_hh_l0"), g.Weight(biases), lengths };
        var states = gru is not null
            ? g.Op("GRU", inputs, ("hidden_size", hidden), ("direction", "bidirectional"), ("linear_before_reset", 1L))
            : g.Op("LSTM", inputs, ("hidden_size", hidden), ("direction", "bidirectional"));
        // Y [L, 2, N, hidden] → [N, L, 2, hidden] → [N, L, 2 x hidden].
        var batchFirst = g.Op("Transpose", new[] { states }, ("perm", new long[] { 2, 0, 1, 3 }));
        return g.Op("Reshape", new[] { batchFirst, g.Constant(new long[] { 0, 0, 2 * hidden }) });
    }

    // The gate blocks of a [gates x hidden, ...] weight or bias, in the given order.
    private static Tensor Reorder(Tensor weight, int[] order)
    {
        var blocks = weight.detach().chunk(order.Length, 0);
        return torch.cat(order.Select(i => blocks[i]).ToArray());
    }
}
