using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML.Attention.Text;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using TorchSharp;

namespace Microsoft.ML.Attention;

/// <summary>
/// Writes word vectors taken from a fitted text featurizer (a pretrained or fine-tuned Transformer) as a word2vec text
/// file, for the <see cref="AttentionTextTrainingOptions.PretrainedVectorsPath"/> of the hierarchical attention network
/// or the self-attention featurizer trained from scratch.
/// </summary>
/// <remarks>
/// <para>Why: the fast components learn their vocabulary from the task, so a word they saw a few times means little to
/// them, where a pretrained Transformer knows it. Each word of the training texts, encoded alone by the Transformer, gives
/// the student a starting point that carries that knowledge (the idea of Model2Vec's static embeddings). With a
/// fine-tuned teacher this is the second half of distillation: the teacher's scores teach what to predict, its word
/// vectors what the words mean (docs/distillation.md).</para>
/// <para>Words are the tokens the students read (the same tokenizer, lower-casing and punctuation setting), counted over
/// <c>data</c>; those seen fewer than <c>minimumWordCount</c> times are left out, as the students leave them out of their
/// vocabulary. Each vector is L2-normalized and scaled by √dimension, so its entries have about the spread of a freshly
/// initialized embedding and training starts at the usual scale whatever the featurizer's norms are.</para>
/// <para>A student takes the file's dimension as its embedding size (the featurizer needs its <c>Width</c> equal to it),
/// so a Transformer's 384 or 768 dimensions make a student slower than its own default. <c>dimension</c> keeps the
/// student's size: the normalized vectors, centered, are projected on their first principal components (the
/// directions in which the words differ most), then normalized and scaled as above.</para>
/// </remarks>
public static class WordVectorFile
{
    /// <summary>Encodes every word of the texts through <paramref name="featurizer"/> and writes the vectors to <paramref name="path"/>.</summary>
    /// <param name="mlContext">The ML.NET context.</param>
    /// <param name="featurizer">A fitted transformer that maps the text column to a known-size vector of Single, such as the
    /// featurizer of a pretrained encoder, or a whole fitted pipeline that contains one and whose steps read no column but
    /// the text (a pipeline that begins by keying the label needs the rows' label: pass its featurizer instead).</param>
    /// <param name="data">The texts whose words to write (typically the students' training data).</param>
    /// <param name="path">The file to write (replaced if it exists).</param>
    /// <param name="textColumnName">The text column of <paramref name="data"/>, also the featurizer's input column.</param>
    /// <param name="vectorColumnName">The featurizer's output column of vectors.</param>
    /// <param name="minimumWordCount">Words seen fewer times are left out; use the students' <c>MinimumWordCount</c>.</param>
    /// <param name="lowerCase">Lower-case words, as the students' <c>LowerCase</c> option.</param>
    /// <param name="keepPunctuation">Write punctuation tokens too, as the students' <c>KeepPunctuation</c> option.</param>
    /// <param name="dimension">The vectors' dimension in the file: 0 keeps the featurizer's; a smaller one keeps that many
    /// principal components (for example the hierarchical attention network's default <c>EmbeddingSize</c>, 200).</param>
    /// <returns>The number of words written.</returns>
    public static int Write(MLContext mlContext, ITransformer featurizer, IDataView data, string path,
        string textColumnName = "Text", string vectorColumnName = "Embedding", int minimumWordCount = 2,
        bool lowerCase = true, bool keepPunctuation = true, int dimension = 0)
    {
        IHostEnvironment env = mlContext ?? throw new ArgumentNullException(nameof(mlContext));
        var host = env.Register(nameof(WordVectorFile));
        host.CheckValue(featurizer, nameof(featurizer));
        host.CheckValue(data, nameof(data));
        host.CheckNonEmpty(path, nameof(path));
        host.CheckUserArg(minimumWordCount >= 1, nameof(minimumWordCount), "must be at least 1");
        host.CheckUserArg(dimension >= 0, nameof(dimension), "must be 0 (the featurizer's) or positive");
        var text = TextColumn.Find(host, data.Schema, textColumnName);

        var words = CountWords(host, data, text, minimumWordCount, lowerCase, keepPunctuation);
        var (unit, featurizerSize) = Encode(host, featurizer, words, textColumnName, vectorColumnName,
            size => dimension > size ? host.ExceptUserArg(nameof(dimension), $"is {dimension}, more than the {size} of the featurizer's column '{vectorColumnName}'") : null);
        int size = dimension == 0 ? featurizerSize : dimension;
        var written = WordVectorReduction.Reduce(unit, size);
        using var writer = new StreamWriter(path);
        writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{words.Count} {size}"));
        for (int w = 0; w < written.Length; w++)
        {
            host.CheckAlive();
            writer.Write(words[w]);
            foreach (float v in written[w])
            {
                writer.Write(' ');
                writer.Write(v.ToString("R", CultureInfo.InvariantCulture));
            }
            writer.WriteLine();
        }
        return written.Length;
    }

    /// <summary>
    /// Each word encoded alone by <paramref name="featurizer"/>: its vector, L2-normalized (zero stays zero), in double
    /// precision, and the featurizer's dimension. <paramref name="checkSize"/> may refuse the dimension before any word is read.
    /// </summary>
    internal static (double[][] Unit, int Size) Encode(IHost host, ITransformer featurizer, IReadOnlyList<string> words,
        string textColumnName, string vectorColumnName, Func<int, Exception?>? checkSize = null)
    {
        var wordRows = DataViewConstructionUtils.CreateFromEnumerable(host, words.Select(w => new WordRow { Text = w }), WordSchema(textColumnName));
        var encoded = featurizer.Transform(wordRows);
        var vectors = encoded.Schema.GetColumnOrNull(vectorColumnName)
            ?? throw host.ExceptSchemaMismatch(nameof(featurizer), "vector", vectorColumnName);
        if (vectors.Type is not VectorDataViewType { Size: > 0 } type || type.ItemType != NumberDataViewType.Single)
            throw host.ExceptSchemaMismatch(nameof(featurizer), "vector", vectorColumnName, "known-size vector of Single", vectors.Type.ToString());
        if (checkSize?.Invoke(type.Size) is { } problem)
            throw problem;
        return (ReadNormalized(host, encoded, vectors, words, type.Size), type.Size);
    }

    /// <summary>The featurizer's vector of each word, L2-normalized (zero stays zero), in double precision.</summary>
    private static double[][] ReadNormalized(IHost host, IDataView encoded, DataViewSchema.Column vectors, IReadOnlyList<string> words, int size)
    {
        var result = new double[words.Count][];
        using var cursor = encoded.GetRowCursor(new[] { vectors });
        var getter = cursor.GetGetter<VBuffer<float>>(vectors);
        var buffer = default(VBuffer<float>);
        var values = new float[size];
        int w = 0;
        while (cursor.MoveNext())
        {
            host.CheckAlive();
            getter(ref buffer);
            buffer.CopyTo(values);
            // A NaN or infinite value makes the norm, and so every entry, NaN.
            var unit = WordVectorReduction.Unit(values);
            if (!unit.All(double.IsFinite))
                throw host.Except($"The featurizer's column '{vectors.Name}' gave a NaN or infinite value for the word '{words[w]}'.");
            result[w++] = unit;
        }
        return result;
    }

    /// <summary>The words of the texts as the students tokenize them, most frequent first (ties in ordinal order).</summary>
    internal static IReadOnlyList<string> CountWords(IHost host, IDataView data, DataViewSchema.Column text, int minimumWordCount,
        bool lowerCase, bool keepPunctuation)
    {
        var tokenizer = new DocumentTokenizer(new DocumentTokenizerOptions { LowerCase = lowerCase, KeepPunctuation = keepPunctuation });
        var counts = new VocabularyBuilder(minimumWordCount);
        using (var cursor = data.GetRowCursor(new[] { text }))
        {
            var read = TextColumn.Reader(cursor, text);
            while (cursor.MoveNext())
            {
                host.CheckAlive();
                counts.Add(tokenizer.Tokenize(read()));
            }
        }
        return counts.Build().Words.Skip(Vocabulary.FirstWordId).ToList();
    }

    private static SchemaDefinition WordSchema(string textColumnName)
    {
        var schema = SchemaDefinition.Create(typeof(WordRow));
        schema[nameof(WordRow.Text)].ColumnName = textColumnName;
        return schema;
    }

    private sealed class WordRow
    {
        public string Text { get; set; } = "";
    }
}
