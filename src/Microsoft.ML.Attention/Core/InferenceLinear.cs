using System;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Core;

/// <summary>
/// Linear layers at inference (eval mode, gradients off, float32 on the CPU) through oneDNN's linear kernel in
/// libtorch, with the weights packed once in oneDNN's blocked layout: several layers of one input as one product
/// (<see cref="Forward(Tensor, Linear[])"/>), a layer followed by GELU (<see cref="ForwardGelu"/>) or by the addition
/// of a residual (<see cref="ForwardAdd"/>) in the same pass over the output. Anything else, and any machine where
/// the path is unavailable, goes through the layers themselves. Same values within float rounding (the products are
/// summed in another order).
/// </summary>
/// <remarks>
/// Why: libtorch runs float matrix products through MKL, which takes its AVX2 code on AMD processors even where they
/// have AVX-512; oneDNN, linked into the same libtorch, picks its kernels from the instruction set alone, and ran a
/// BERT layer's products about twice as fast on such a machine (docs/benchmarks.md, "Measurements behind the code").
/// The kernel is libtorch's <c>mkldnn::_linear_pointwise</c> (the one its own compiler uses for fused linear
/// layers): it reads and writes ordinary tensors, so no activation is copied into or out of oneDNN's tensors, and it
/// applies GELU or the residual's addition while the output is still in cache. TorchSharp does not bind it and
/// <c>torch.jit.compile</c> cannot reach it, so it is called through a TorchScript module loaded from source
/// (<see cref="TorchScriptArchive"/>). A compile error there would end the process, so the module is only loaded on
/// x64 with libtorch 2.2 to 2.x, where the operators and their signatures are known; it is then checked once
/// against libtorch's own result, and <see cref="Switch"/> set to false turns the path off. Packed weights remember
/// the version counters of the weights they were made from: an optimizer step, a checkpoint copied in, any in-place
/// change makes the next call repack, so fine-tuning and validation in between never see stale weights.
/// </remarks>
internal static class InferenceLinear
{
    /// <summary>AppContext switch, default on: false runs every linear layer through libtorch's default kernels.</summary>
    public const string Switch = "Microsoft.ML.Attention.UseOneDnnLinear";

    // The batch size oneDNN lays the packed weights out for; any number of rows is still computed correctly. Scoring
    // groups hold up to 1,024 padded tokens.
    private const string Methods = @"  def linear(self, x: Tensor, weight: Tensor, bias: Tensor) -> Tensor:
    return ops.mkldnn._linear_pointwise(x, weight, bias, ""none"", [], """")
  def linear_gelu(self, x: Tensor, weight: Tensor, bias: Tensor) -> Tensor:
    return ops.mkldnn._linear_pointwise(x, weight, bias, ""gelu"", [], ""none"")
  def linear_add(self, x: Tensor, residual: Tensor, weight: Tensor, bias: Tensor) -> Tensor:
    return ops.mkldnn._linear_pointwise(x, residual, weight, bias, ""add"")
  def pack(self, weight: Tensor) -> Tensor:
    return ops.mkldnn._reorder_linear_weight(weight, 1024)
  def version(self, weight: Tensor) -> int:
    return torch._version(weight)
";

    private static readonly Lazy<jit.ScriptModule?> Functions = new(Load);
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
        var y = (Tensor)functions.invoke("linear", x, weight, bias);
        var outputs = new Tensor[layers.Length];
        long start = 0;
        for (int i = 0; i < layers.Length; i++)
        {
            long width = layers[i].weight!.shape[0];
            outputs[i] = scope.MoveToOuter(layers.Length == 1 ? y : y.narrow(-1, start, width));
            start += width;
        }
        return outputs;
    }

    /// <summary>GELU(layer(x)) for x [..., in], GELU with erf as BERT's.</summary>
    public static Tensor ForwardGelu(Tensor x, Linear layer)
    {
        if (!Applies(x, layer) || Functions.Value is not { } functions)
            return nn.functional.gelu(layer.call(x));
        using var scope = torch.NewDisposeScope();
        var (weight, bias) = PackedFor(functions, new[] { layer });
        return scope.MoveToOuter((Tensor)functions.invoke("linear_gelu", x, weight, bias));
    }

    /// <summary>layer(x) + residual for x [..., in] and residual [..., out].</summary>
    public static Tensor ForwardAdd(Tensor x, Linear layer, Tensor residual)
    {
        if (!Applies(x, layer) || residual.dtype != ScalarType.Float32 || residual.device_type != DeviceType.CPU
            || residual.dim() != x.dim() || residual.shape[^1] != layer.weight!.shape[0] || Functions.Value is not { } functions)
            return layer.call(x).add(residual, Scalars.One);
        using var scope = torch.NewDisposeScope();
        var (weight, bias) = PackedFor(functions, new[] { layer });
        return scope.MoveToOuter((Tensor)functions.invoke("linear_add", x, residual, weight, bias));
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

    private static (Tensor Weight, Tensor Bias) PackedFor(jit.ScriptModule functions, Linear[] layers)
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

    private static long Version(jit.ScriptModule functions, Tensor tensor)
    {
        using var counter = (Scalar)functions.invoke("version", tensor);
        return counter.ToInt64();
    }

    private static Packed Pack(jit.ScriptModule functions, Linear[] layers, long[] versions, IntPtr[] sources)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var weight = layers.Length == 1 ? layers[0].weight!.detach() : torch.cat(layers.Select(l => l.weight!.detach()).ToArray(), 0);
        var bias = layers.Length == 1 ? layers[0].bias!.detach().clone() : torch.cat(layers.Select(l => l.bias!.detach()).ToArray(), 0);
        var packed = (Tensor)functions.invoke("pack", weight.contiguous());
        return new Packed(packed.DetachFromDisposeScope(), bias.DetachFromDisposeScope(), versions, sources);
    }

    private static jit.ScriptModule? Load()
    {
        if (AppContext.TryGetSwitch(Switch, out var enabled) && !enabled)
            return null;
        if (RuntimeInformation.ProcessArchitecture != Architecture.X64 || !KnownLibtorch(torch.__version__))
            return null;
        jit.ScriptModule? functions = null;
        try
        {
            functions = torch.jit.load(TorchScriptArchive.Module("InferenceLinear", Methods));
            return Probe(functions) ? functions : Discard(functions);
        }
        catch (Exception e) when (e is ExternalException or InvalidOperationException or ArgumentException or NotSupportedException)
        {
            // A libtorch whose oneDNN kernels refuse these shapes or types: the layers' own kernels it is.
            return functions is null ? null : Discard(functions);
        }
    }

    // The operators' signatures above are those of libtorch 2.2 to 2.10 (the version TorchSharp 0.107 loads); a later
    // major version may have changed them, and a mismatch would end the process at load.
    internal static bool KnownLibtorch(string version)
    {
        var parts = version.Split('.');
        return parts.Length >= 2 && int.TryParse(parts[0], out int major) && int.TryParse(parts[1], out int minor)
            && major == 2 && minor >= 2;
    }

    // Small products through both paths, with a batch that is not the packing's: a build whose oneDNN kernels are
    // missing or wrong is not used.
    private static bool Probe(jit.ScriptModule functions)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        using var generator = new Generator(7);
        var x = torch.randn(new long[] { 3, 5, 24 }, generator: generator);
        var weight = torch.randn(new long[] { 40, 24 }, generator: generator);
        var bias = torch.randn(new long[] { 40 }, generator: generator);
        var residual = torch.randn(new long[] { 3, 5, 40 }, generator: generator);
        var packed = (Tensor)functions.invoke("pack", weight);
        var expected = nn.functional.linear(x, weight, bias);
        return Close((Tensor)functions.invoke("linear", x, packed, bias), expected)
            && Close((Tensor)functions.invoke("linear_gelu", x, packed, bias), nn.functional.gelu(expected))
            && Close((Tensor)functions.invoke("linear_add", x, residual, packed, bias), expected.add(residual, Scalars.One));
    }

    private static bool Close(Tensor actual, Tensor expected)
        => actual.shape.SequenceEqual(expected.shape) && actual.allclose(expected, rtol: 1e-4, atol: 1e-4);

    private static jit.ScriptModule? Discard(jit.ScriptModule functions)
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
