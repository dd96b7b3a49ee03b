using System;
using System.Collections.Generic;
using System.IO;

namespace Microsoft.ML.Attention.Pretrained;

/// <summary>
/// A kind of <see cref="SubwordTokenizer"/> as <see cref="SubwordTokenizers"/> chooses it: by tokenizer_config.json's
/// tokenizer_class, else by its file in the model folder; and how it reads that folder and a saved model.
/// </summary>
/// <param name="Name">The saved kind ("WordPiece").</param>
/// <param name="FileName">Its file in a Hugging Face folder ("vocab.txt").</param>
/// <param name="TokenizerClasses">The tokenizer_class values (without "Fast") whose tokenization it computes.</param>
/// <param name="Read">Builds it from a model's files.</param>
/// <param name="Load">Reads what <see cref="SubwordTokenizer.Save"/> wrote; the string names the part in errors.</param>
internal sealed record TokenizerKind(
    string Name,
    string FileName,
    IReadOnlyList<string> TokenizerClasses,
    Func<TokenizerFiles, SubwordTokenizer> Read,
    Func<BinaryReader, string, SubwordTokenizer> Load);
