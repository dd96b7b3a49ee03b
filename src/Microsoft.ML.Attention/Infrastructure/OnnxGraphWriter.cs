using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.CompilerServices;
using Microsoft.ML.Attention.Core;
using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Attention.Infrastructure;

/// <summary>
/// Writes a transformer's nodes into ML.NET's ONNX context (<c>mlContext.Model.ConvertToOnnx</c>): the graph's
/// tensors for the input columns, the modules' operators, and the output columns under their names. Intermediate
/// tensors are named after the component, so that they cannot take the name of a column of the pipeline.
/// </summary>
internal sealed class OnnxGraphWriter : ExportGraph
{
    // The token-id inputs each conversion's components declared, with the file of the tokenizer that makes the ids.
    private static readonly ConditionalWeakTable<OnnxContext, Dictionary<string, (string Component, byte[] Tokenizer)>> Declared = new();

    private readonly OnnxContext _context;
    private readonly IExceptionContext _ectx;
    private readonly string _component;

    /// <param name="context">ML.NET's ONNX context of the conversion.</param>
    /// <param name="ectx">Where errors are raised.</param>
    /// <param name="component">The component's name, for errors and the prefix of intermediate tensors.</param>
    public OnnxGraphWriter(OnnxContext context, IExceptionContext ectx, string component)
    {
        _context = context;
        _ectx = ectx;
        _component = component;
        // ML.NET names the opset in its message: "... is lower than AttentionPoolingTransformer's minimum OpSet version requirement: 11".
        context.CheckOpSetVersion(MinimumOpset, component);
    }

    /// <summary>The tensor of input column <paramref name="column"/>, which an earlier step of the pipeline must have exported.</summary>
    public string Input(string column)
    {
        if (!_context.ContainsColumn(column))
            throw _ectx.Except($"{_component} cannot be exported to ONNX: its input column '{column}' is not in the ONNX graph " +
                "(a step before it could not be exported).");
        return _context.GetVariableName(column);
    }

    /// <summary>
    /// The graph input of column <paramref name="column"/>: the data's own column when the data given to
    /// <c>ConvertToOnnx</c> has it, otherwise a graph input of <paramref name="type"/> declared here, for a component
    /// whose graph starts at a column its pipeline does not hold (token ids). <paramref name="tokenizer"/> is the saved
    /// file of the tokenizer that makes the ids: two components of one pipeline may share the input only when their
    /// tokenizers are the same, else the second is refused (one graph input cannot hold two kinds of ids).
    /// </summary>
    public string DeclaredInput(string column, DataViewType type, byte[] tokenizer)
    {
        var declared = Declared.GetOrCreateValue(_context);
        lock (declared)
        {
            if (declared.TryGetValue(column, out var earlier) && !earlier.Tokenizer.AsSpan().SequenceEqual(tokenizer))
                throw _ectx.Except($"{_component} cannot be exported to ONNX: its token-ids input '{column}' is already the input of {earlier.Component}, "
                    + "which tokenizes the text differently. Give the second component its own text column (e.g. CopyColumns) so that its ids have their own input.");
            declared[column] = (_component, tokenizer);
        }
        if (!_context.ContainsColumn(column))
        {
            // ML.NET's public OnnxContext cannot declare inputs; the context ConvertToOnnx passes (OnnxContextImpl, in
            // Microsoft.ML.OnnxConverter, which this library does not reference) declares the data's columns with this method.
            var declare = _context.GetType().GetMethod("AddInputVariable", new[] { typeof(DataViewType), typeof(string) })
                ?? throw _ectx.Except($"{_component} cannot declare its graph input '{column}' in this version of ML.NET's ONNX converter: "
                    + $"add a column '{column}' of type {type} to the data given to ConvertToOnnx.");
            declare.Invoke(_context, new object[] { type, column });
        }
        return _context.GetVariableName(column);
    }

    /// <summary>
    /// The token ids a component's graph starts at (int64 [rows, ids]): the Int64 vector input <paramref name="column"/>
    /// (see <see cref="DeclaredInput"/>), made by the tokenizer that <paramref name="saveTokenizer"/> writes.
    /// </summary>
    public string TokenIds(string column, Action<Stream> saveTokenizer)
    {
        using var file = new MemoryStream();
        saveTokenizer(file);
        return Op("Cast", new[] { DeclaredInput(column, new VectorDataViewType(NumberDataViewType.Int64), file.ToArray()) }, ("to", 7L));
    }

    /// <summary>Makes <paramref name="value"/> the tensor of output column <paramref name="column"/> of type <paramref name="type"/>.</summary>
    public void Output(string column, DataViewType type, string value)
    {
        var output = _context.AddIntermediateVariable(type, column);
        _context.CreateNode("Identity", value, output, _context.GetNodeName(_component + ".Identity"), "");
    }

    /// <inheritdoc/>
    public override string Op(string opType, string[] inputs, params (string Name, object Value)[] attributes)
    {
        var output = _context.AddIntermediateVariable(null, $"{_component}.{opType}", true);
        var node = _context.CreateNode(opType, inputs, new[] { output }, _context.GetNodeName($"{_component}.{opType}"), "");
        foreach (var (name, value) in attributes)
        {
            switch (value)
            {
                case long number: node.AddAttribute(name, number); break;
                case float number: node.AddAttribute(name, (double)number); break;
                case long[] numbers: node.AddAttribute(name, (IEnumerable<long>)numbers); break;
                case float[] numbers: node.AddAttribute(name, (IEnumerable<float>)numbers); break;
                case string text: node.AddAttribute(name, text); break;
                default: throw new ArgumentException($"Attribute '{name}' of {opType} has an unsupported type {value?.GetType().Name}.", nameof(attributes));
            }
        }
        return output;
    }

    /// <inheritdoc/>
    public override string Constant(float[] values, params long[] shape)
        => shape.Length == 0 && values.Length == 1
            ? _context.AddInitializer(values[0], $"{_component}.Constant")
            : _context.AddInitializer(values, shape.Length == 0 ? new long[] { values.Length } : shape, $"{_component}.Constant");

    /// <inheritdoc/>
    public override string Constant(long[] values, params long[] shape)
        => shape.Length == 0 && values.Length == 1
            ? _context.AddInitializer(values[0], $"{_component}.Constant")
            : _context.AddInitializer(values, shape.Length == 0 ? new long[] { values.Length } : shape, $"{_component}.Constant");
}
