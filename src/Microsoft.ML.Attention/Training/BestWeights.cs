using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Training;

/// <summary>
/// The weights of the epoch with the best validation loss, kept for early stopping until training ends: float32
/// tensors in a temporary file (gone when training ends, or with the process), anything else as an in-memory copy.
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
    private FileStream? _file;

    /// <summary>True once <see cref="Save"/> has run.</summary>
    public bool Saved { get; private set; }

    /// <summary>True when the float32 tensors are in the temporary file (false when it could not be written).</summary>
    public bool InFile => _file != null;

    /// <summary>The temporary file's path (already unlinked on Linux and macOS), while there is one.</summary>
    public string? FilePath => _file?.Name;

    /// <summary>The temporary file's permissions (Unix), read from the open file, which has no name any more; null without one.</summary>
    public UnixFileMode? FileMode => _file is null || OperatingSystem.IsWindows() ? null : File.GetUnixFileMode(_file.SafeFileHandle);

    /// <summary>Bytes in the temporary file, 0 without one.</summary>
    public long FileBytes => _file?.Length ?? 0;

    /// <summary>Keeps the module's current weights, replacing what was kept before.</summary>
    public void Save(nn.Module module)
    {
        Clear();
        var state = module.state_dict();
        try
        {
            _file ??= CreateFile();
            _file.SetLength(0);
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
                    _file.Write(MemoryMarshal.AsBytes(buffer.AsSpan(0, count)));
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            CloseFile();
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
        _file?.Seek(0, SeekOrigin.Begin);
        var buffer = _file == null ? Array.Empty<float>() : new float[SliceElements];
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
                    _file!.ReadExactly(MemoryMarshal.AsBytes(buffer.AsSpan(0, count)));
                    accessor.CopyFrom(buffer.AsSpan(0, count), 0, start);
                }
            tensor.copy_(values);
        }
    }

    // One file per training run, open until it ends. It disappears with the process however that ends: on Windows the
    // system deletes it when the handle closes; elsewhere its name is removed at once and the open handle keeps the data.
    // Created readable by the owner only: a model's weights are the user's data, and the temporary folder is shared.
    private static FileStream CreateFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"Microsoft.ML.Attention-best-weights-{Guid.NewGuid():N}.bin");
        var options = new FileStreamOptions
        {
            Mode = System.IO.FileMode.CreateNew, Access = FileAccess.ReadWrite, Share = FileShare.None, BufferSize = 0,
            Options = OperatingSystem.IsWindows() ? FileOptions.DeleteOnClose : FileOptions.None,
        };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        var stream = new FileStream(path, options);
        if (!OperatingSystem.IsWindows())
            File.Delete(path);
        return stream;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Clear();
        CloseFile();
    }

    private void Clear()
    {
        foreach (var tensor in _inMemory.Values)
            tensor.Dispose();
        _inMemory.Clear();
        Saved = false;
    }

    private void CloseFile()
    {
        try
        {
            _file?.Dispose();
        }
        catch (IOException)
        {
            // Closing a temporary file that failed to write: nothing of the user's is in it.
        }
        _file = null;
    }
}
