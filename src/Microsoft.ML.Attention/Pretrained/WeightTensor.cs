using System;
using System.Linq;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>One tensor read from a checkpoint file: its name there, its shape and its values as float32, row-major.</summary>
internal sealed record WeightTensor(string Name, long[] Shape, float[] Values)
{
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);

    public string ShapeText => "[" + string.Join(", ", Shape) + "]";

    /// <summary>The matrix [rows, columns] transposed to [columns, rows] (ONNX MatMul weights are [in, out], torch Linear's [out, in]).</summary>
    public WeightTensor Transposed(string name)
    {
        if (Shape.Length != 2)
            throw new InvalidOperationException($"Only a matrix can be transposed; '{Name}' has shape {ShapeText}.");
        long rows = Shape[0], columns = Shape[1];
        var values = new float[Values.Length];
        for (long r = 0; r < rows; r++)
            for (long c = 0; c < columns; c++)
                values[c * rows + r] = Values[r * columns + c];
        return new WeightTensor(name, new[] { columns, rows }, values);
    }
}
