using System.IO;

namespace Microsoft.ML.Attention.Tests.Pretrained;

/// <summary>
/// <see cref="RandomBert"/>'s stand-in "pretrained" model as an XLM-RoBERTa folder (model_type "xlm-roberta", keys
/// under "roberta.", one token type, positions after pad_token_id 1) with Data/tiny-xlmr's SentencePiece tokenizer.
/// </summary>
internal static class RandomXlmRoberta
{
    /// <summary>Tokens a window holds, as <see cref="RandomBert"/>'s.</summary>
    public const int Positions = RandomBert.Positions;

    public static string Write(string folder, int seed = 11)
    {
        Directory.CreateDirectory(folder);
        foreach (var file in XlmRobertaFamilyTests.TokenizerFiles)
            File.Copy(Path.Combine(XlmRobertaFamilyTests.Folder, file), Path.Combine(folder, file));
        int vocabulary = XlmRobertaFamilyTests.VocabularySize;
        File.WriteAllText(Path.Combine(folder, "config.json"), $$"""
            {"model_type": "xlm-roberta", "hidden_act": "gelu", "hidden_size": {{RandomBert.Hidden}}, "num_hidden_layers": {{RandomBert.Layers}},
             "num_attention_heads": {{RandomBert.Heads}}, "intermediate_size": {{RandomBert.Intermediate}}, "max_position_embeddings": {{Positions + 2}},
             "type_vocab_size": 1, "vocab_size": {{vocabulary}}, "layer_norm_eps": 1e-5, "pad_token_id": 1,
             "hidden_dropout_prob": 0.0, "attention_probs_dropout_prob": 0.0}
            """);
        RandomBert.WriteWeights(Path.Combine(folder, "model.safetensors"), seed, vocabulary, Positions + 2, 1, "roberta.");
        return folder;
    }
}
