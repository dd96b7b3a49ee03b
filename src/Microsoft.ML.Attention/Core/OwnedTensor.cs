using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Core;

/// <summary>
/// Copies of managed arrays into libtorch-owned memory. <c>torch.tensor(array)</c> wraps the managed array, whose
/// address varies from call to call; vectorised kernels then split their work differently and round differently in
/// the last bit. An owned (aligned) copy computes the same way every time, so equal inputs give bit-identical outputs.
/// </summary>
internal static class OwnedTensor
{
    public static Tensor From(float[] values, params long[] shape) => Own(tensor(values, shape));

    public static Tensor From(long[] values, params long[] shape) => Own(tensor(values, shape));

    public static Tensor From(bool[] values, params long[] shape) => Own(tensor(values, shape));

    private static Tensor Own(Tensor wrapped)
    {
        using (wrapped)
            return wrapped.clone();
    }
}
