namespace Microsoft.ML.Attention;

/// <summary>Which attention the token-weights output column reports.</summary>
public enum TokenAttentionSource
{
    /// <summary>The attention each token received, averaged over heads, queries and all layers.</summary>
    AllLayers = 0,

    /// <summary>The attention each token received in the last layer, averaged over heads and queries.</summary>
    LastLayer = 1,
}
