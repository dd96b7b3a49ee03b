using System.Runtime.CompilerServices;

[assembly: IgnoresAccessChecksTo("Microsoft.ML.Core")]
[assembly: IgnoresAccessChecksTo("Microsoft.ML.Data")]
[assembly: InternalsVisibleTo("Microsoft.ML.Attention.Tests")]
