namespace Microsoft.ML.Attention;

/// <summary>The recurrent cell of the hierarchical attention network's encoders.</summary>
public enum RecurrentKind
{
    /// <summary>Gated recurrent unit, as in the paper; fewer parameters and faster than LSTM.</summary>
    Gru = 0,

    /// <summary>Long short-term memory.</summary>
    Lstm = 1,
}
