using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Core;

// Every number the library hands to libtorch is a Scalar from here, a module field or a `using` local.
//
// Why: TorchSharp's Scalar holds a raw native handle and frees it in a finalizer. A temporary one (what an implicit
// conversion makes for `x * 2.0`, `masked_fill(mask, 0)`, `clamp_min(1)` or `arange(n)`) is unreachable as soon as
// its handle has been read, so a garbage collection during the native call may free the value while libtorch still
// reads it. A long masked-token benchmark run failed that way ("c10::Scalar::toFloat", "Expected false to be true").
// ScalarUseTests scans the compiled library for such temporaries.
internal static class Scalars
{
    public static readonly Scalar Zero = 0.0.ToScalar();
    public static readonly Scalar One = 1.0.ToScalar();
    public static readonly Scalar NegativeInfinity = double.NegativeInfinity.ToScalar();
    private static readonly Scalar IntegerZero = 0L.ToScalar();
    public static readonly Scalar IntegerOne = 1L.ToScalar();

    // 0, 1, ..., count - 1. The one-argument torch.arange makes its start and step as temporaries.
    public static Tensor Range(long count, ScalarType dtype, Device? device = null)
    {
        using var end = count.ToScalar();
        return arange(IntegerZero, end, IntegerOne, dtype: dtype, device: device);
    }
}
