using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Attention.Augmentation;
using Microsoft.ML.Attention.Text;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.Transforms;

namespace Microsoft.ML.Attention;

/// <summary>
/// Distillation without unlabeled text: the text augmentation of Tang et al. (2019), scored by the teacher. Turns a
/// fitted teacher and a labelled view into a larger teacher-scored view for a student's
/// <see cref="AttentionTrainingOptions.TeacherScoreColumnName"/>: every row of the view, then up to
/// <see cref="Options.CopiesPerRow"/> augmented copies of its text whose label is missing, so that the student learns
/// from the teacher alone on them. Reached as <c>mlContext.Data.AugmentForDistillation(...)</c>.
/// </summary>
/// <remarks>
/// <para>A copy is made word by word: a word is masked (<see cref="Options.MaskToken"/>) with probability
/// <see cref="Options.MaskProbability"/>, else swapped with probability <see cref="Options.SwapProbability"/> for one
/// of its <see cref="Options.SwapNeighbourCount"/> nearest words by the teacher's word vectors (Tang et al. swap within
/// a part of speech; the teacher's neighbours play that role without a tagger); then, with probability
/// <see cref="Options.NGramProbability"/>, only a run of 1 to <see cref="Options.MaximumNGramLength"/> words is kept.
/// Copies equal to the text or to an earlier copy are dropped; a text without words (empty or missing) has none.</para>
/// <para>The teacher's word vectors the swaps use are attached to the result's text column, so that a student trained on
/// it starts from them as from a <see cref="WordVectorFile"/> (<see cref="Options.AttachTeacherWordVectors"/>).</para>
/// <para>The view is made as it is read: nothing is held but the current row's copies, and the teacher scores each row
/// as it is read, at every pass. A student's Fit reads it once; to read it several times, cache it
/// (<c>mlContext.Data.Cache</c>) or save it.</para>
/// </remarks>
public static class DistillationAugmentation
{
    /// <summary>The defaults of <see cref="Options"/> and of the catalog's parameters.</summary>
    internal static class Defaults
    {
        /// <summary>The text column.</summary>
        public const string TextColumnName = "Text";

        /// <summary>The label column.</summary>
        public const string LabelColumnName = "Label";

        /// <summary>The teacher's score column (ML.NET's classifiers write <c>Score</c>).</summary>
        public const string TeacherScoreColumnName = "Score";

        /// <summary>The teacher's text vector column its word vectors are read from (the pretrained encoder's default output).</summary>
        public const string TeacherVectorColumnName = "Embedding";

        /// <summary>Tang et al.'s p_mask.</summary>
        public const double MaskProbability = 0.1;

        /// <summary>Tang et al.'s p_pos, here a swap for a neighbour.</summary>
        public const double SwapProbability = 0.1;

        /// <summary>Tang et al.'s p_ng.</summary>
        public const double NGramProbability = 0.25;

        /// <summary>Tang et al.'s largest n.</summary>
        public const int MaximumNGramLength = 5;

        /// <summary>Tang et al.'s n_iter.</summary>
        public const int CopiesPerRow = 20;

        /// <summary>Rows of the result at most (originals included), bounding the teacher's scoring and the student's training.</summary>
        public const int MaximumRows = 50_000;

        /// <summary>Nearest words a swap chooses from.</summary>
        public const int SwapNeighbourCount = 10;

        /// <summary>Words seen fewer times are neither swapped nor swapped in (the students' own vocabulary limit).</summary>
        public const int MinimumWordCount = 2;

        /// <summary>The most frequent words that take part in swaps, bounding the teacher's word encoding and the neighbour search.</summary>
        public const int MaximumSwapWords = 20_000;

        /// <summary>The text a masked word becomes.</summary>
        public const string MaskToken = "[MASK]";

        /// <summary>The teacher's word vectors go with the view to the student.</summary>
        public const bool AttachTeacherWordVectors = true;

        /// <summary>Words times dimension of the teacher's word vectors at most (a bag of n-grams' width times many words would not fit in memory).</summary>
        public const long MaximumWordVectorValues = 1L << 25;
    }

    /// <summary>Settings of <c>mlContext.Data.AugmentForDistillation</c>.</summary>
    public sealed class Options
    {
        /// <summary>The text column (String); empty or missing text is a valid row, without copies.</summary>
        public string TextColumnName { get; set; } = Defaults.TextColumnName;

        /// <summary>
        /// The label column, carried to the result: a copy's label is missing (key 0, NaN, empty text). A Boolean label
        /// has no missing value: key it first (<c>MapValueToKey</c>). Null: the result has no label column.
        /// </summary>
        public string? LabelColumnName { get; set; } = Defaults.LabelColumnName;

        /// <summary>The teacher's output column of scores (Single or vector of Single), kept under its name in the result.</summary>
        public string TeacherScoreColumnName { get; set; } = Defaults.TeacherScoreColumnName;

        /// <summary>
        /// Where swaps find the teacher's word vectors when <see cref="WordVectorsPath"/> is not set: the teacher's output
        /// column of text vectors (each word is encoded alone, as <see cref="WordVectorFile"/> does).
        /// </summary>
        public string TeacherVectorColumnName { get; set; } = Defaults.TeacherVectorColumnName;

        /// <summary>
        /// A word-vector file (word2vec text, GloVe or fastText .vec; e.g. written by <see cref="WordVectorFile.Write"/>
        /// from the teacher) whose nearest words are the swaps' candidates, instead of <see cref="TeacherVectorColumnName"/>.
        /// </summary>
        public string? WordVectorsPath { get; set; }

        /// <summary>Probability that a word is masked, in [0, 1].</summary>
        public double MaskProbability { get; set; } = Defaults.MaskProbability;

        /// <summary>Probability that a word (not masked) is swapped for a neighbour, in [0, 1]; 0 needs no word vectors.</summary>
        public double SwapProbability { get; set; } = Defaults.SwapProbability;

        /// <summary>Probability that a copy keeps only an n-gram of its words, in [0, 1].</summary>
        public double NGramProbability { get; set; } = Defaults.NGramProbability;

        /// <summary>The longest n-gram kept; n is drawn uniformly from 1 to this.</summary>
        public int MaximumNGramLength { get; set; } = Defaults.MaximumNGramLength;

        /// <summary>Copies drawn per row (duplicates are dropped, so a row may get fewer); 0 adds none.</summary>
        public int CopiesPerRow { get; set; } = Defaults.CopiesPerRow;

        /// <summary>
        /// Rows of the result at most, originals included: when the view's N rows times 1 + <see cref="CopiesPerRow"/>
        /// would exceed it, each row gets ⌊(MaximumRows − N) / N⌋ copies (every original row is kept).
        /// </summary>
        public int MaximumRows { get; set; } = Defaults.MaximumRows;

        /// <summary>Nearest words a swap chooses from, uniformly.</summary>
        public int SwapNeighbourCount { get; set; } = Defaults.SwapNeighbourCount;

        /// <summary>Words seen fewer times in the view's texts are neither swapped nor swapped in.</summary>
        public int MinimumWordCount { get; set; } = Defaults.MinimumWordCount;

        /// <summary>
        /// The most frequent words of the view that take part in swaps (the others are kept as they are) and whose
        /// teacher vectors are attached: bounds the teacher's encoding of words, the vectors held, and the nearest-word
        /// search, whose time grows with the square of this number.
        /// </summary>
        public int MaximumSwapWords { get; set; } = Defaults.MaximumSwapWords;

        /// <summary>The text a masked word becomes (the teacher and the student read it as text).</summary>
        public string MaskToken { get; set; } = Defaults.MaskToken;

        /// <summary>
        /// Attach the teacher's word vectors (of the words that take part in swaps, punctuation included) to the result's
        /// text column, so that a hierarchical attention network or a featurizer trained on it starts from them, reduced
        /// to its own embedding size, as it would from a <see cref="WordVectorFile"/> given as its
        /// <c>PretrainedVectorsPath</c> (which wins when set). Without a vector column in the teacher or a
        /// <see cref="WordVectorsPath"/>, or when the vectors are wider than the students read, none are attached.
        /// </summary>
        public bool AttachTeacherWordVectors { get; set; } = Defaults.AttachTeacherWordVectors;

        /// <summary>The seed of the copies; null takes the next number of the MLContext's generator.</summary>
        public int? Seed { get; set; }
    }

    /// <summary>The teacher-scored view of <paramref name="data"/> and its augmented copies.</summary>
    internal static IDataView Apply(IHostEnvironment env, ITransformer teacher, IDataView data, Options options)
    {
        var host = env.Register(nameof(DistillationAugmentation));
        host.CheckValue(teacher, nameof(teacher));
        host.CheckValue(data, nameof(data));
        host.CheckValue(options, nameof(options));
        Validate(host, options);
        var text = TextColumn.Find(host, data.Schema, options.TextColumnName);
        DataViewSchema.Column? label = null;
        if (options.LabelColumnName is { } labelName)
        {
            label = data.Schema.GetColumnOrNull(labelName) ?? throw host.ExceptSchemaMismatch(nameof(data), "label", labelName);
            bool hasMissing = label.Value.Type is KeyDataViewType or TextDataViewType
                || label.Value.Type == NumberDataViewType.Single || label.Value.Type == NumberDataViewType.Double;
            if (!hasMissing)
                throw host.ExceptSchemaMismatch(nameof(data), "label", labelName,
                    "key, String, Single or Double (a type with a missing value, which the augmented rows take)",
                    label.Value.Type + (label.Value.Type is BooleanDataViewType ? "; key a Boolean label first (MapValueToKey)" : ""));
        }
        int seed = options.Seed ?? host.Rand.Next();
        // The teacher's column is checked before the words are encoded, which takes a while.
        var teacherOutput = teacher.GetOutputSchema(AugmentedTextView.SchemaOf(text, label));
        var score = teacherOutput.GetColumnOrNull(options.TeacherScoreColumnName)
            ?? throw host.ExceptSchemaMismatch(nameof(teacher), Training.TeacherScores.Role, options.TeacherScoreColumnName);
        bool scores = score.Type == NumberDataViewType.Single
            || score.Type is VectorDataViewType { IsKnownSize: true } vector && vector.ItemType == NumberDataViewType.Single;
        if (!scores)
            throw host.ExceptSchemaMismatch(nameof(teacher), Training.TeacherScores.Role, options.TeacherScoreColumnName,
                "Single or known-size vector of Single", score.Type.ToString());

        using var channel = host.Start(nameof(DistillationAugmentation));
        long rows = data.GetRowCount() ?? CountRows(host, data, text);
        int copies = rows == 0 ? 0 : (int)Math.Min(options.CopiesPerRow, Math.Max(0, (options.MaximumRows - rows) / rows));
        bool swaps = options.SwapProbability > 0 && copies > 0;
        bool attach = options.AttachTeacherWordVectors && rows > 0 && CanAttach(channel, teacherOutput, options, swaps);
        var (words, vectors) = swaps || attach ? WordVectors(host, teacher, data, text, options) : (Array.Empty<string>(), Array.Empty<double[]>());
        var neighbours = swaps ? SwapNeighbours(words, vectors, options.SwapNeighbourCount) : WordNeighbours.None;
        DataViewSchema.Annotations? annotations = null;
        if (attach && words.Count > 0 && vectors[0].Length <= TeacherWordVectors.MaximumDimension)
            annotations = TeacherWordVectors.Attach(text.Annotations, words, vectors);
        else if (attach && words.Count > 0)
            channel.Warning($"The teacher's word vectors have {vectors[0].Length} dimensions, more than the {TeacherWordVectors.MaximumDimension} " +
                "a student reads; they are not attached.");
        var augmenter = new WordAugmenter(options.MaskProbability, options.SwapProbability, options.NGramProbability,
            options.MaximumNGramLength, options.MaskToken, neighbours);
        var augmented = new AugmentedTextView(host, data, text, label, augmenter, copies, seed, annotations);
        channel.Info($"Augmentation for distillation: {rows} rows, up to {copies} copies each (at most {rows * (1 + copies)} rows); " +
            $"{neighbours.Count} words have swap neighbours" +
            (annotations != null ? $"; the teacher's vectors of {words.Count} words are attached to the column '{text.Name}'." : "."));

        var keep = new List<string> { text.Name };
        if (label is { } l)
            keep.Add(l.Name);
        keep.Add(score.Name);
        return new ColumnSelectingTransformer(host, keep.Distinct().ToArray(), null, keepHidden: false, ignoreMissing: false).Transform(teacher.Transform(augmented));
    }

    private static void Validate(IHost host, Options o)
    {
        static bool Probability(double p) => p >= 0 && p <= 1;
        host.CheckUserArg(Probability(o.MaskProbability), nameof(o.MaskProbability), "must lie in [0, 1]");
        host.CheckUserArg(Probability(o.SwapProbability), nameof(o.SwapProbability), "must lie in [0, 1]");
        host.CheckUserArg(o.MaskProbability + o.SwapProbability <= 1, nameof(o.SwapProbability),
            "plus MaskProbability must be at most 1: one draw per word decides between the two");
        host.CheckUserArg(Probability(o.NGramProbability), nameof(o.NGramProbability), "must lie in [0, 1]");
        host.CheckUserArg(o.MaximumNGramLength >= 1, nameof(o.MaximumNGramLength), "must be at least 1");
        host.CheckUserArg(o.CopiesPerRow >= 0, nameof(o.CopiesPerRow), "must be 0 or more");
        host.CheckUserArg(o.MaximumRows >= 1, nameof(o.MaximumRows), "must be at least 1");
        host.CheckUserArg(o.SwapNeighbourCount >= 1, nameof(o.SwapNeighbourCount), "must be at least 1");
        host.CheckUserArg(o.MinimumWordCount >= 1, nameof(o.MinimumWordCount), "must be at least 1");
        host.CheckUserArg(o.MaximumSwapWords >= 2, nameof(o.MaximumSwapWords), "must be at least 2");
        host.CheckUserArg(o.MaskToken != null, nameof(o.MaskToken), "must not be null (an empty string deletes masked words)");
        host.CheckNonEmpty(o.TextColumnName, nameof(o.TextColumnName));
        host.CheckNonEmpty(o.TeacherScoreColumnName, nameof(o.TeacherScoreColumnName));
    }

    private static long CountRows(IHost host, IDataView data, DataViewSchema.Column text)
    {
        long count = 0;
        using var cursor = data.GetRowCursor(new[] { text });
        while (cursor.MoveNext())
        {
            host.CheckAlive();
            count++;
        }
        return count;
    }

    /// <summary>
    /// Whether the teacher's word vectors can be attached without swaps needing them: a word-vector file is given or the
    /// teacher writes its vector column; otherwise nothing is attached, with a warning (swaps would fail, naming the column).
    /// </summary>
    private static bool CanAttach(IChannel channel, DataViewSchema teacherOutput, Options options, bool swaps)
    {
        if (options.WordVectorsPath != null
            || teacherOutput.GetColumnOrNull(options.TeacherVectorColumnName) != null)
            return true;
        if (!swaps)
            channel.Warning($"The teacher writes no column '{options.TeacherVectorColumnName}' (TeacherVectorColumnName) and no WordVectorsPath " +
                "is set: no word vectors are attached for the student.");
        return false;
    }

    /// <summary>
    /// The view's most frequent words (as the students count them, punctuation included) that have a vector, and their
    /// unit vectors: the teacher's, each word encoded alone, or those of <see cref="Options.WordVectorsPath"/>.
    /// </summary>
    private static (IReadOnlyList<string> Words, double[][] Unit) WordVectors(IHost host, ITransformer teacher, IDataView data,
        DataViewSchema.Column text, Options options)
    {
        // Most frequent first: the cap keeps the words a swap meets most often.
        var words = WordVectorFile.CountWords(host, data, text, options.MinimumWordCount, lowerCase: true, keepPunctuation: true)
            .Take(options.MaximumSwapWords).ToList();
        if (options.WordVectorsPath is { } path)
        {
            var inView = new HashSet<string>(words, StringComparer.Ordinal);
            var file = PretrainedVectors.Load(path, inView.Contains);
            if (CheckSize(host, words.Count, file.Dimension, nameof(Options.WordVectorsPath)) is { } tooLarge)
                throw tooLarge;
            var known = words.Where(w => file.TryGet(w, out _)).ToList();
            return (known, known.Select(w => { file.TryGet(w, out var v); return WordVectorReduction.Unit(v!); }).ToArray());
        }
        return (words, WordVectorFile.Encode(host, teacher, words, text.Name, options.TeacherVectorColumnName,
            size => CheckSize(host, words.Count, size, nameof(Options.TeacherVectorColumnName))).Unit);
    }

    private static Exception? CheckSize(IHost host, int words, int dimension, string option)
        => (long)words * dimension > Defaults.MaximumWordVectorValues
            ? host.ExceptUserArg(option, $"gives vectors of {dimension} dimensions for {words} words, more than the " +
                $"{Defaults.MaximumWordVectorValues} values held at once: lower {nameof(Options.MaximumSwapWords)}, or give word vectors of fewer dimensions")
            : null;

    /// <summary>The swap candidates: each word's nearest words by the vectors, punctuation neither swapped nor swapped in.</summary>
    private static WordNeighbours SwapNeighbours(IReadOnlyList<string> words, double[][] vectors, int count)
    {
        var punctuation = new WordTokenizer(lowerCase: true, keepPunctuation: false);
        var isWord = Enumerable.Range(0, words.Count).Where(i => punctuation.Tokenize(words[i]).Count > 0).ToArray();
        return WordNeighbours.Nearest(isWord.Select(i => words[i]).ToList(), isWord.Select(i => vectors[i]).ToList(), count);
    }
}
