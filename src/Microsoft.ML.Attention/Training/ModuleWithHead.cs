using TorchSharp;
using TorchSharp.Modules;
using Parameter = TorchSharp.Modules.Parameter;
using static TorchSharp.torch;

namespace Microsoft.ML.Attention.Training;

/// <summary>
/// A model being trained together with a linear head, so that one optimizer and one best-epoch snapshot cover both.
/// The body outlives it in the transformer; the head is disposed after training, or kept by a classifier.
/// </summary>
internal sealed class ModuleWithHead<TBody> : nn.Module, ITemporaryHead where TBody : nn.Module
{
    private readonly TBody body;
    private readonly Linear head;

    public ModuleWithHead(TBody body, int inputs, int outputs) : base(nameof(ModuleWithHead<TBody>))
    {
        this.body = body;
        head = nn.Linear(inputs, outputs);
        RegisterComponents();
    }

    public TBody Body => body;

    public Tensor Head(Tensor x) => head.call(x);

    /// <summary>The trained head, for a component that keeps it (its weights are the best epoch's once training ends).</summary>
    public Linear TrainedHead => head;

    public void DisposeHead() => head.Dispose();

    public System.Collections.Generic.IEnumerable<Parameter> HeadParameters() => head.parameters();
}

/// <summary>A model in training whose head is temporary, so the loop can give the head a learning rate of its own.</summary>
internal interface ITemporaryHead
{
    System.Collections.Generic.IEnumerable<Parameter> HeadParameters();
}
