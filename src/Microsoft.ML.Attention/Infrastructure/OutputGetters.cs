using System;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Infrastructure;

/// <summary>Getters that copy a scored float vector into the caller's buffer, reusing its storage.</summary>
internal static class OutputGetters
{
    public static ValueGetter<VBuffer<float>> ForVector(Func<float[]> current)
        => (ref VBuffer<float> destination) =>
        {
            var values = current();
            var editor = VBufferEditor.Create(ref destination, values.Length);
            values.AsSpan().CopyTo(editor.Values);
            destination = editor.Commit();
        };
}
