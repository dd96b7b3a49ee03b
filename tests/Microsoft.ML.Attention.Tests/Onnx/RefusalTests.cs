using System;
using System.IO;
using Microsoft.ML;
using Microsoft.ML.Attention.Tests.Pretrained;
using Microsoft.ML.Attention.Tests.TextFeaturization;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.Onnx;

/// <summary>
/// Components without an ONNX export make <c>ConvertToOnnx</c> fail with an error naming them, instead of writing a
/// graph that declares their outputs as inputs and breaks when first run.
/// </summary>
[TestClass]
public sealed class RefusalTests
{
    [TestMethod]
    public void FeaturizerFromScratchIsRefusedNamingTheFeaturizer()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(OrderTask.Generate(40, seed: 1));
        var model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Text.SelfAttentionFeaturize(FeaturizerTestSettings.Small(epochs: 1)))
            .Append(ml.Transforms.NormalizeMinMax("Embedding"))
            .Fit(data);
        AssertRefused(ml, model, data, "SelfAttentionFeaturizingTransformer");
        (model as IDisposable)?.Dispose();
    }

    private static void AssertRefused(MLContext ml, ITransformer model, IDataView data, string component)
    {
        using var stream = new MemoryStream();
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Model.ConvertToOnnx(model, data, stream));
        StringAssert.Contains(error.Message, $"{component} cannot be exported to ONNX yet");
        Assert.AreEqual(0, stream.Length, "nothing was written");
    }
}
