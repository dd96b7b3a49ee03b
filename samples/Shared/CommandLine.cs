using System;
using System.Collections.Generic;

/// <summary>The samples' command-line reading: each sample lists its options, so all of them fail the same way.</summary>
internal static class CommandLine
{
    /// <summary>Applies each option in turn to <paramref name="settings"/>; a handler calls its second argument to take the option's value.</summary>
    public static T Parse<T>(string[] args, T settings, Dictionary<string, Func<T, Func<string>, T>> options)
    {
        for (int i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (!options.TryGetValue(name, out var apply))
                throw new ArgumentException($"Unknown option {name}. Options: {string.Join(", ", options.Keys)}.");
            settings = apply(settings, () => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value."));
        }
        return settings;
    }

    public static int Positive(string value, string name)
        => int.TryParse(value, out var number) && number > 0 ? number : throw new ArgumentException($"{name} needs a positive whole number, not '{value}'.");

}
