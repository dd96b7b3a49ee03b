using System.Runtime.CompilerServices;

// The main library builds its text components on these internal types; its tests check them directly.
[assembly: InternalsVisibleTo("Microsoft.ML.Attention")]
[assembly: InternalsVisibleTo("Microsoft.ML.Attention.Tests")]
