using System;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>16-bit floating-point formats found in checkpoints, widened to float32.</summary>
internal static class HalfPrecision
{
    /// <summary>IEEE 754 binary16 (F16).</summary>
    public static float FromHalf(ushort bits) => (float)BitConverter.UInt16BitsToHalf(bits);

    /// <summary>bfloat16 (BF16): the upper 16 bits of a float32.</summary>
    public static float FromBFloat16(ushort bits) => BitConverter.Int32BitsToSingle(bits << 16);
}
