using System.Runtime.CompilerServices;

[assembly: IgnoresAccessChecksTo("Microsoft.ML.Core")]
[assembly: IgnoresAccessChecksTo("Microsoft.ML.Data")]
[assembly: InternalsVisibleTo("Microsoft.ML.Attention.Tests")]

// The text front end moved to Microsoft.ML.Attention.Tokenizers (no TorchSharp): code compiled against this assembly
// finds its public types there.
[assembly: TypeForwardedTo(typeof(Microsoft.ML.Attention.HanTokenizer))]
[assembly: TypeForwardedTo(typeof(Microsoft.ML.Attention.LongTextHandling))]
