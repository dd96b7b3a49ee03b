using System;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Attention.Tests.Pretrained;
using Microsoft.ML.Attention.Tests.TextFeaturization;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.Onnx;

/// <summary>
/// Components without an ONNX export make <c>ConvertToOnnx</c> fail with an error naming them, instead of writing a
/// graph that declares their outputs as inputs and breaks when first run; so does the featurizer holding a pretrained
/// encoder (the obsolete <c>PretrainedModelPath</c>), naming the option.
/// </summary>
[TestClass]
public sealed class RefusalTests
{
    [TestMethod]
    public void FeaturizerWithTheObsoletePretrainedPathIsRefusedNamingTheOption()
    {
        var folder = RandomBert.Write(Path.Combine(Path.GetTempPath(), $"random-bert-onnx-{Environment.ProcessId}-{Guid.NewGuid():N}"));
        try
        {
            var ml = new MLContext(seed: 1);
            var data = ml.Data.LoadFromEnumerable(OrderTask.Generate(8, seed: 1));
#pragma warning disable CS0618 // the obsolete path is what is refused
            var options = new SelfAttentionFeaturizingEstimator.Options { PretrainedModelPath = folder };
#pragma warning restore CS0618
            var model = ml.Transforms.Text.SelfAttentionFeaturize(options).Append(ml.Transforms.NormalizeMinMax("Embedding")).Fit(data);
            using var stream = new MemoryStream();
            var error = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Model.ConvertToOnnx(model, data, stream));
            StringAssert.Contains(error.Message, "SelfAttentionFeaturizingTransformer holding a pretrained encoder (the obsolete PretrainedModelPath) cannot be exported to ONNX");
            Assert.AreEqual(0, stream.Length, "nothing was written");
            var featurizer = ((System.Collections.Generic.IEnumerable<ITransformer>)model).OfType<SelfAttentionFeaturizingTransformer>().Single();
            error = Assert.ThrowsExactly<InvalidOperationException>(() => featurizer.GetTokenizer());
            StringAssert.Contains(error.Message, "PretrainedModelPath");
            (model as IDisposable)?.Dispose();
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void AssertRefused(MLContext ml, ITransformer model, IDataView data, string component)
    {
        using var stream = new MemoryStream();
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Model.ConvertToOnnx(model, data, stream));
        StringAssert.Contains(error.Message, $"{component} cannot be exported to ONNX yet");
        Assert.AreEqual(0, stream.Length, "nothing was written");
    }
}
