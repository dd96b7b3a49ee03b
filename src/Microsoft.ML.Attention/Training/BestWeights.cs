using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Training;

/// <summary>
/// The weights of the epoch with the best validation loss, kept for early stopping until training ends: float32
/// tensors in a temporary file (deleted on dispose), anything else as an in-memory copy.
/// </summary>
/// <remarks>
/// Why a file: the copy waits unread through the later epochs, and in memory it would add the whole model to the
/// training's peak (87 MiB for all-MiniLM-L6-v2, beside its gradients and AdamW's state), allocated in the middle
/// of the heap the training batches then fragment around. Writing and reading it back takes a fraction of a second
/// per epoch. Should the file fail (no temporary folder, a full disk), the copy stays in memory, as before.
/// </remarks>
internal sealed class BestWeights : IDisposable
{
    // Values moved per slice between a tensor and the file: 64 KiB, below the large-object heap's 85,000 bytes. A large
    // buffer each epoch would bring background collections of the whole heap, which run beside the training thread
    // while TorchSharp's optimizers hand libtorch temporary Scalars (see Core/Scalars.cs).
    private const int SliceElements = 1 << 14;

    private readonly Dictionary<string, Tensor> _inMemory = new();
    private string? _file;

    /// <summary>True once <see cref="Save"/> has run.</summary>
    public bool Saved { get; private set; }

    /// <summary>True when the float32 tensors are in the temporary file (false when it could not be written).</summary>
    public bool InFile => _file != null;

    /// <summary>The temporary file, while there is one.</summary>
    public string? FilePath => _file;

    /// <summary>Keeps the module's current weights, replacing what was kept before.</summary>
    public void Save(nn.Module module)
    {
        Clear();
        var state = module.state_dict();
        try
        {
            _file = Path.Combine(Path.GetTempPath(), $"Microsoft.ML.Attention-best-weights-{Guid.NewGuid():N}.bin");
            using var stream = new FileStream(_file, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
            var buffer = new float[SliceElements];
            foreach (var (name, tensor) in state)
            {
                if (tensor.dtype != ScalarType.Float32)
                    continue;
                using var values = tensor.detach().contiguous();
                using var accessor = values.data<float>();
                for (long start = 0; start < values.NumberOfElements; start += SliceElements)
                {
                    int count = (int)Math.Min(SliceElements, values.NumberOfElements - start);
                    accessor.CopyTo(buffer, 0, start);
                    stream.Write(MemoryMarshal.AsBytes(buffer.AsSpan(0, count)));
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            DeleteFile();
        }
        foreach (var (name, tensor) in state)
            if (_file == null || tensor.dtype != ScalarType.Float32)
                _inMemory[name] = tensor.detach().clone();
        Saved = true;
    }

    /// <summary>Copies the kept weights back into the module (the same module <see cref="Save"/> read).</summary>
    public void Restore(nn.Module module)
    {
        if (!Saved)
            throw new InvalidOperationException("No weights were kept.");
        using var noGrad = torch.no_grad();
        using var stream = _file == null ? null : new FileStream(_file, FileMode.Open, FileAccess.Read, FileShare.None, bufferSize: 0);
        var buffer = stream == null ? Array.Empty<float>() : new float[SliceElements];
        foreach (var (name, tensor) in module.state_dict())
        {
            if (_inMemory.TryGetValue(name, out var kept))
            {
                tensor.copy_(kept);
                continue;
            }
            // Read into a contiguous tensor of the same shape, then copied in: the module's tensor may be a view.
            using var values = torch.empty(tensor.shape, ScalarType.Float32);
            using (var accessor = values.data<float>())
                for (long start = 0; start < values.NumberOfElements; start += SliceElements)
                {
                    int count = (int)Math.Min(SliceElements, values.NumberOfElements - start);
                    stream!.ReadExactly(MemoryMarshal.AsBytes(buffer.AsSpan(0, count)));
                    accessor.CopyFrom(buffer.AsSpan(0, count), 0, start);
                }
            tensor.copy_(values);
        }
    }

    /// <inheritdoc/>
    public void Dispose() => Clear();

    private void Clear()
    {
        foreach (var tensor in _inMemory.Values)
            tensor.Dispose();
        _inMemory.Clear();
        DeleteFile();
        Saved = false;
    }

    private void DeleteFile()
    {
        if (_file == null)
            return;
        try
        {
            File.Delete(_file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A temporary file left behind is the system's to clean; training goes on.
        }
        _file = null;
    }
}
