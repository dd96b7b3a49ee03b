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
}
