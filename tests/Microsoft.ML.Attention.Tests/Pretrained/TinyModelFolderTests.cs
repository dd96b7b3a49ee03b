using System;
using System.IO;
using Microsoft.ML.Attention.Pretrained;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Microsoft.ML.Attention.Tests.Pretrained;

/// <summary>Tests that damage a fresh tiny BERT folder (written before each test, deleted after) and expect a clear load error.</summary>
public abstract class TinyModelFolderTests
{
    /// <summary>The tiny model's folder.</summary>
    protected string Folder { get; private set; } = "";

    [TestInitialize]
    public void WriteTinyModel() => Folder = new TinyBert().WriteFolder(Path.Combine(Path.GetTempPath(), $"bad-bert-{Environment.ProcessId}-{Guid.NewGuid():N}"));

    [TestCleanup]
    public void Remove() => Directory.Delete(Folder, recursive: true);

    /// <summary>A file of the tiny model's folder.</summary>
    protected string FilePath(string name) => Path.Combine(Folder, name);

    /// <summary>Loading <paramref name="path"/> fails with exactly <typeparamref name="TException"/>, whose message holds every fragment.</summary>
    protected static void Fails<TException>(string path, params string[] fragments) where TException : Exception
    {
        var error = Assert.ThrowsExactly<TException>(() => PretrainedEncoder.Load(path).Dispose());
        foreach (var fragment in fragments)
            StringAssert.Contains(error.Message, fragment, $"the error was: {error.Message}");
    }
}
