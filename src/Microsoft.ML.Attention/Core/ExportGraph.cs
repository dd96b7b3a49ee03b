using System;
using System.Linq;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Core;

/// <summary>
/// The graph a fitted module writes its scoring computation into when a pipeline is exported: standard ONNX operators
/// (opset 11 semantics: reduction and squeeze axes are attributes) over named tensors. Core's modules describe their
/// inference path here, next to their TorchSharp forward; Infrastructure's <c>OnnxGraphWriter</c> puts the nodes into
/// ML.NET's ONNX context.
/// </summary>
internal abstract class ExportGraph
{
    /// <summary>The lowest ONNX opset whose operators the exported modules use (Range, Pad with input pads).</summary>
    public const int MinimumOpset = 11;

    /// <summary>Adds a node of the standard operator <paramref name="opType"/>; returns the name of its output.</summary>
    /// <param name="opType">An operator of the default ONNX domain.</param>
    /// <param name="inputs">Names of the input tensors, in the operator's order.</param>
    /// <param name="attributes">Attributes: long, float, long[], float[] or string values.</param>
    public abstract string Op(string opType, string[] inputs, params (string Name, object Value)[] attributes);

    /// <summary>A constant float tensor of the given shape (no shape: a scalar for one value, else a vector).</summary>
    public abstract string Constant(float[] values, params long[] shape);

    /// <summary>A constant int64 tensor of the given shape (no shape: a scalar for one value, else a vector).</summary>
    public abstract string Constant(long[] values, params long[] shape);

    /// <summary>A fitted weight, as a constant of its own shape.</summary>
    public string Weight(Tensor weight)
    {
        using var values = weight.detach().cpu().to_type(ScalarType.Float32).contiguous();
        return Constant(values.data<float>().ToArray(), weight.shape);
    }

    /// <summary>The transpose of a 2-D weight [out, in] as [in, out], so that <c>x @ result</c> is the Linear layer's product.</summary>
    public string TransposedWeight(Tensor weight)
    {
        if (weight.dim() != 2)
            throw new ArgumentException($"Expected a 2-D weight, got [{string.Join(", ", weight.shape)}].", nameof(weight));
        using var transposed = weight.detach().t();
        return Weight(transposed);
    }

    /// <summary>A Linear layer's product <c>x @ weightᵀ + bias</c> for x [..., in], weight [out, in] and bias [out] (or none).</summary>
    public string Linear(string x, Tensor weight, Tensor? bias)
    {
        var product = MatMul(x, TransposedWeight(weight));
        return bias is null ? product : Add(product, Weight(bias));
    }

    /// <summary>
    /// Layer normalization over the last axis (LayerNormalization needs opset 17): (x - mean) / sqrt(variance + epsilon),
    /// scaled by <paramref name="weight"/> and shifted by <paramref name="bias"/>, the biased variance as libtorch's.
    /// </summary>
    public string LayerNorm(string x, Tensor weight, Tensor bias, double epsilon)
    {
        var centered = Sub(x, Op("ReduceMean", new[] { x }, ("axes", new[] { -1L }), ("keepdims", 1L)));
        var variance = Op("ReduceMean", new[] { Mul(centered, centered) }, ("axes", new[] { -1L }), ("keepdims", 1L));
        var normed = Div(centered, Unary("Sqrt", Add(variance, Scalar((float)epsilon))));
        return Add(Mul(normed, Weight(weight)), Weight(bias));
    }

    /// <summary>GELU with erf (libtorch's default): 0.5 x (1 + erf(x / sqrt 2)).</summary>
    public string Gelu(string x)
        => Mul(Mul(x, Scalar(0.5f)), Add(Unary("Erf", Div(x, Scalar((float)Math.Sqrt(2.0)))), Scalar(1f)));

    /// <summary>A fixed Boolean mask (a bool tensor) as a constant of its shape.</summary>
    public string Mask(Tensor mask)
    {
        using var numbers = mask.detach().cpu().to_type(ScalarType.Int64).contiguous();
        return ToBool(Constant(numbers.data<long>().ToArray(), mask.shape));
    }

    /// <summary>A float scalar constant.</summary>
    public string Scalar(float value) => Constant(new[] { value });

    public string MatMul(string a, string b) => Op("MatMul", new[] { a, b });

    public string Add(string a, string b) => Op("Add", new[] { a, b });

    public string Sub(string a, string b) => Op("Sub", new[] { a, b });

    public string Mul(string a, string b) => Op("Mul", new[] { a, b });

    public string Div(string a, string b) => Op("Div", new[] { a, b });

    public string Max(string a, string b) => Op("Max", new[] { a, b });

    public string Unary(string opType, string x) => Op(opType, new[] { x });

    /// <summary><c>condition ? whenTrue : whenFalse</c>, with broadcasting.</summary>
    public string Where(string condition, string whenTrue, string whenFalse) => Op("Where", new[] { condition, whenTrue, whenFalse });

    public string Unsqueeze(string x, params long[] axes) => Op("Unsqueeze", new[] { x }, ("axes", axes));

    public string Squeeze(string x, params long[] axes) => Op("Squeeze", new[] { x }, ("axes", axes));

    /// <summary>Swaps the last two axes of a 3-D tensor.</summary>
    public string TransposeLast(string x) => Op("Transpose", new[] { x }, ("perm", new long[] { 0, 2, 1 }));

    public string ReduceSum(string x, long axis, bool keepDims) => Op("ReduceSum", new[] { x }, ("axes", new[] { axis }), ("keepdims", keepDims ? 1L : 0L));

    public string ReduceMax(string x, long axis, bool keepDims) => Op("ReduceMax", new[] { x }, ("axes", new[] { axis }), ("keepdims", keepDims ? 1L : 0L));

    public string ReduceMin(string x, long axis, bool keepDims) => Op("ReduceMin", new[] { x }, ("axes", new[] { axis }), ("keepdims", keepDims ? 1L : 0L));

    /// <summary>Casts to float (1) or bool (9), the two element types the modules mix.</summary>
    public string ToFloat(string x) => Op("Cast", new[] { x }, ("to", 1L));

    public string ToBool(string x) => Op("Cast", new[] { x }, ("to", 9L));

    /// <summary>The positions 0 … n-1 (float) along <paramref name="axis"/> of <paramref name="x"/>, counted from the end when negative.</summary>
    public string Positions(string x, long axis) => ToFloat(IntegerPositions(x, axis));

    /// <summary>The positions 0 … n-1 (int64) along <paramref name="axis"/> of <paramref name="x"/>, counted from the end when negative.</summary>
    public string IntegerPositions(string x, long axis)
    {
        var size = Op("Gather", new[] { Op("Shape", new[] { x }), Constant(new[] { axis }) }, ("axis", 0L));
        return Op("Range", new[] { Constant(new[] { 0L }), size, Constant(new[] { 1L }) });
    }

    /// <summary>The rows of an embedding table [entries, D] at int64 <paramref name="ids"/> [...] → [..., D].</summary>
    public string Lookup(Tensor table, string ids) => Op("Gather", new[] { Weight(table), ids }, ("axis", 0L));

    /// <summary>Element-wise <c>x ≤ limit</c> (LessOrEqual needs opset 12).</summary>
    public string AtMost(string x, string limit) => Unary("Not", Op("Greater", new[] { x, limit }));

    /// <summary>A Linear layer applied to x [..., in]: x · weightᵀ + bias → [..., out].</summary>
    public string Linear(string x, TorchSharp.Modules.Linear layer) => Linear(x, layer.weight!, layer.bias);

    /// <summary>A LayerNorm module over the last axis (see <see cref="LayerNorm(string, Tensor, Tensor, double)"/>).</summary>
    public string LayerNorm(string x, TorchSharp.Modules.LayerNorm norm, double epsilon) => LayerNorm(x, norm.weight!, norm.bias!, epsilon);

    /// <summary>The element-wise mean of same-shaped tensors.</summary>
    public string Mean(string[] xs) => xs.Length == 1 ? xs[0] : Op("Mean", xs.ToArray());
}
