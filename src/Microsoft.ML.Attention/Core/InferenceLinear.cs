using System;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Core;

/// <summary>
/// Linear layers at inference (eval mode, gradients off, float32 on the CPU) through libtorch's oneDNN kernels, with
/// the weights kept in oneDNN's layout: several layers of one input as one product (<see cref="Forward"/>), and a
/// feed-forward block (linear, GELU, linear) without leaving oneDNN's tensors in between (<see cref="FeedForward"/>).
/// Anything else, and any machine where the path is unavailable, goes through the layers themselves. Same values
/// within float rounding (the products are summed in another order).
/// </summary>
/// <remarks>
/// Why: libtorch runs float matrix products through MKL, which takes its AVX2 code on AMD processors even where they
/// have AVX-512; oneDNN, linked into the same libtorch, picks its kernels from the instruction set alone. On the
/// 2-core AMD EPYC machine of docs/benchmarks.md a BERT layer's products ran 1.9–2.2 times as fast through oneDNN
/// (1456 x 1536 x 384: 9.5 ms against 20.6 ms on one thread), and frozen MiniLM scoring went from 0.53 to 0.82 times
/// ONNX Runtime's speed. Entering and leaving oneDNN's tensors copies the
/// activations, so consecutive products stay inside it. The oneDNN operators are reached through TorchScript
/// functions, since TorchSharp does not bind them. Packed weights remember the version counters of the weights they
/// were made from: an optimizer step, a checkpoint copied in, any in-place change makes the next call repack, so
/// fine-tuning and validation in between never see stale weights. The path is checked once against libtorch's own
/// result before it is used, is x64 only, and <see cref="Switch"/> set to false turns it off.
/// </remarks>
internal static class InferenceLinear
{
    /// <summary>AppContext switch, default on: false runs every linear layer through libtorch's default kernels.</summary>
    public const string Switch = "Microsoft.ML.Attention.UseOneDnnLinear";

    private const string Script = @"
def linear(x: Tensor, weight: Tensor, bias: Tensor) -> Tensor:
    return torch.mkldnn_linear(x.to_mkldnn(), weight, bias).to_dense()
def feed_forward(x: Tensor, up: Tensor, up_bias: Tensor, down: Tensor, down_bias: Tensor) -> Tensor:
    hidden = torch.gelu(torch.mkldnn_linear(x.to_mkldnn(), up, up_bias))
    return torch.mkldnn_linear(hidden, down, down_bias).to_dense()
def pack(weight: Tensor) -> Tensor:
    return weight.to_mkldnn()
def version(weight: Tensor) -> int:
    return torch._version(weight)
";

    private static readonly Lazy<jit.CompilationUnit?> Functions = new(Load);
    // Keyed by the first layer of a call: a call site passes the same layers every time.
    private static readonly ConditionalWeakTable<Linear, Packed> PackedWeights = new();

    /// <summary>True when the oneDNN path is in use on this machine.</summary>
    public static bool Available => Functions.Value is not null;

    /// <summary>
    /// Each layer applied to x [..., in]: [..., out] per layer. Layers of one call are one product; the results are
    /// views of its output.
    /// </summary>
    public static Tensor[] Forward(Tensor x, params Linear[] layers)
    {
        if (!Applies(x, layers) || Functions.Value is not { } functions)
            return layers.Select(layer => layer.call(x)).ToArray();
        using var scope = torch.NewDisposeScope();
        var (weight, bias) = PackedFor(functions, layers);
        var y = Restore((Tensor)functions.invoke("linear", Flat(x), weight, bias), x);
        var outputs = new Tensor[layers.Length];
        long start = 0;
        for (int i = 0; i < layers.Length; i++)
        {
            long width = layers[i].weight!.shape[0];
            outputs[i] = scope.MoveToOuter(y.narrow(-1, start, width));
            start += width;
        }
        return outputs;
    }

    /// <summary>down(GELU(up(x))) for x [..., in], GELU with erf as BERT's.</summary>
    public static Tensor FeedForward(Tensor x, Linear up, Linear down)
    {
        if (!Applies(x, up, down) || Functions.Value is not { } functions)
            return down.call(nn.functional.gelu(up.call(x)));
        using var scope = torch.NewDisposeScope();
        var (upWeight, upBias) = PackedFor(functions, up);
        var (downWeight, downBias) = PackedFor(functions, down);
        return scope.MoveToOuter(Restore((Tensor)functions.invoke("feed_forward", Flat(x), upWeight, upBias, downWeight, downBias), x));
    }

    /// <summary>Drops the packed weights of every linear layer of a module (called when the module is disposed).</summary>
    public static void Release(nn.Module module)
    {
        foreach (var (_, child) in module.named_modules())
            if (child is Linear linear && PackedWeights.TryGetValue(linear, out var packed))
            {
                PackedWeights.Remove(linear);
                packed.Dispose();
            }
    }

    // Checked before the functions are first needed, so training never compiles them.
    private static bool Applies(Tensor x, params Linear[] layers)
        => !torch.is_grad_enabled() && x.dtype == ScalarType.Float32 && x.device_type == DeviceType.CPU && x.dim() >= 2
            && x.NumberOfElements > 0 && layers.All(l => !l.training && l.bias is not null && l.weight!.dtype == ScalarType.Float32);

    private static Tensor Flat(Tensor x) => x.reshape(-1, x.shape[^1]).contiguous();

    private static Tensor Restore(Tensor y, Tensor x)
    {
        var shape = (long[])x.shape.Clone();
        shape[^1] = y.shape[1];
        return y.reshape(shape);
    }

    private static (Tensor Weight, Tensor Bias) PackedFor(jit.CompilationUnit functions, Linear[] layers)
    {
        var versions = layers.Select(l => Version(functions, l.weight!) + Version(functions, l.bias!)).ToArray();
        var sources = layers.SelectMany(l => new[] { l.weight!.Handle, l.bias!.Handle }).ToArray();
        if (!PackedWeights.TryGetValue(layers[0], out var packed) || !packed.Matches(versions, sources))
        {
            // Packed for the first time, or the weights changed since. The old copy is left to its finalizer, since
            // another scoring thread may still be reading it.
            packed = Pack(functions, layers, versions, sources);
            PackedWeights.AddOrUpdate(layers[0], packed);
        }
        return (packed.Weight, packed.Bias);
    }

    private static (Tensor Weight, Tensor Bias) PackedFor(jit.CompilationUnit functions, Linear layer) => PackedFor(functions, new[] { layer });

    private static long Version(jit.CompilationUnit functions, Tensor tensor)
    {
        using var counter = (Scalar)functions.invoke("version", tensor);
        return counter.ToInt64();
    }

    private static Packed Pack(jit.CompilationUnit functions, Linear[] layers, long[] versions, IntPtr[] sources)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var weight = layers.Length == 1 ? layers[0].weight!.detach() : torch.cat(layers.Select(l => l.weight!.detach()).ToArray(), 0);
        var bias = layers.Length == 1 ? layers[0].bias!.detach().clone() : torch.cat(layers.Select(l => l.bias!.detach()).ToArray(), 0);
        var packed = (Tensor)functions.invoke("pack", weight.contiguous());
        return new Packed(packed.DetachFromDisposeScope(), bias.DetachFromDisposeScope(), versions, sources);
    }

    private static jit.CompilationUnit? Load()
    {
        if (AppContext.TryGetSwitch(Switch, out var enabled) && !enabled)
            return null;
        if (RuntimeInformation.ProcessArchitecture != Architecture.X64)
            return null;
        jit.CompilationUnit? functions = null;
        try
        {
            functions = torch.jit.compile(Script);
            return Probe(functions) ? functions : Discard(functions);
        }
        catch (Exception e) when (e is ExternalException or InvalidOperationException or ArgumentException or NotSupportedException)
        {
            // A libtorch built without oneDNN: the layers' own kernels it is.
            return functions is null ? null : Discard(functions);
        }
    }

    // Small products through both paths: a build whose oneDNN kernels are missing or wrong is not used.
    private static bool Probe(jit.CompilationUnit functions)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        using var generator = new Generator(7);
        var x = torch.randn(new long[] { 15, 24 }, generator: generator);
        var up = torch.randn(new long[] { 40, 24 }, generator: generator);
        var upBias = torch.randn(new long[] { 40 }, generator: generator);
        var down = torch.randn(new long[] { 16, 40 }, generator: generator);
        var downBias = torch.randn(new long[] { 16 }, generator: generator);
        var (packedUp, packedDown) = ((Tensor)functions.invoke("pack", up), (Tensor)functions.invoke("pack", down));
        var linear = (Tensor)functions.invoke("linear", x, packedUp, upBias);
        var feedForward = (Tensor)functions.invoke("feed_forward", x, packedUp, upBias, packedDown, downBias);
        var expectedLinear = nn.functional.linear(x, up, upBias);
        var expectedFeedForward = nn.functional.linear(nn.functional.gelu(expectedLinear), down, downBias);
        return linear.allclose(expectedLinear, rtol: 1e-4, atol: 1e-4) && feedForward.allclose(expectedFeedForward, rtol: 1e-4, atol: 1e-3);
    }

    private static jit.CompilationUnit? Discard(jit.CompilationUnit functions)
    {
        functions.Dispose();
        return null;
    }

    private sealed class Packed : IDisposable
    {
        private readonly long[] _versions;
        private readonly IntPtr[] _sources;

        public Packed(Tensor weight, Tensor bias, long[] versions, IntPtr[] sources)
            => (Weight, Bias, _versions, _sources) = (weight, bias, versions, sources);

        public Tensor Weight { get; }

        public Tensor Bias { get; }

        public bool Matches(long[] versions, IntPtr[] sources) => _versions.SequenceEqual(versions) && _sources.SequenceEqual(sources);

        public void Dispose()
        {
            Weight.Dispose();
            Bias.Dispose();
        }
    }
}
