namespace Microsoft.ML.Attention;

/// <summary>The optimizer that trains a model.</summary>
public enum OptimizerKind
{
    /// <summary>Adam: adaptive step sizes; works with little tuning (learning rate about 1e-3).</summary>
    Adam = 0,

    /// <summary>Stochastic gradient descent with momentum 0.9 (learning rate about 1e-2 to 1e-1).</summary>
    SgdMomentum = 1,

    /// <summary>
    /// Adam with decoupled weight decay (<c>WeightDecay</c>), as pretrained Transformers are fine-tuned (learning rate
    /// about 2e-5 to 1e-4).
    /// </summary>
    AdamW = 2,
}
