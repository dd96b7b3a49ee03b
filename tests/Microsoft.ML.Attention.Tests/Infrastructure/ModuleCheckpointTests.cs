using System.IO;
using System.Linq;
using Microsoft.ML.Attention.Infrastructure;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Tests.Infrastructure;

[TestClass]
public sealed class ModuleCheckpointTests
{
    /// <summary>A small module whose shape depends on its architecture options.</summary>
    private sealed class TwoLayers : nn.Module
    {
        public readonly int Width;
        private readonly TorchSharp.Modules.Linear first;
        private readonly TorchSharp.Modules.Linear second;

        public TwoLayers(int width) : base(nameof(TwoLayers))
        {
            Width = width;
            first = nn.Linear(3, width);
            second = nn.Linear(width, 2);
            RegisterComponents();
        }

        public Tensor Forward(Tensor x) => second.forward(first.forward(x).tanh());
    }

    private static byte[] Save(TwoLayers module)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream))
            ModuleCheckpoint.Write(writer, module, w => w.Write(module.Width));
        return stream.ToArray();
    }

    private static TwoLayers Load(byte[] bytes, int? forceWidth = null)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes));
        return ModuleCheckpoint.Read(reader, r => new TwoLayers(forceWidth ?? r.ReadInt32()));
    }

    [TestMethod]
    public void RoundTripRebuildsArchitectureAndRestoresEveryTensorExactly()
    {
        torch.random.manual_seed(5);
        using var original = new TwoLayers(7);
        var bytes = Save(original);

        torch.random.manual_seed(6); // a different initialisation, which loading must overwrite
        using var loaded = Load(bytes);
        Assert.AreEqual(7, loaded.Width);
        var expected = original.state_dict();
        var actual = loaded.state_dict();
        CollectionAssert.AreEqual(expected.Keys.ToList(), actual.Keys.ToList());
        foreach (var key in expected.Keys)
            CollectionAssert.AreEqual(expected[key].data<float>().ToArray(), actual[key].data<float>().ToArray(), key);

        using var input = torch.tensor(new float[] { 0.5f, -1f, 2f }, new long[] { 1, 3 });
        using var a = original.Forward(input);
        using var b = loaded.Forward(input);
        CollectionAssert.AreEqual(a.data<float>().ToArray(), b.data<float>().ToArray());
    }

    [TestMethod]
    public void ShapeMismatchIsReportedWithTheTensorName()
    {
        using var original = new TwoLayers(7);
        var bytes = Save(original);
        var error = Assert.ThrowsExactly<InvalidDataException>(() => Load(bytes, forceWidth: 5));
        StringAssert.Contains(error.Message, "first.weight");
        StringAssert.Contains(error.Message, "[7, 3]");
    }

    [TestMethod]
    public void ForeignOrDamagedDataIsRejected()
    {
        var error = Assert.ThrowsExactly<InvalidDataException>(() => Load(new byte[] { 3, 65, 66, 67, 0, 0, 0, 0 }));
        StringAssert.Contains(error.Message, "Not a TorchSharp module checkpoint");

        using var original = new TwoLayers(4);
        var bytes = Save(original);
        Assert.ThrowsExactly<InvalidDataException>(() => Load(bytes.Take(bytes.Length - 10).ToArray()));
    }
}
