using System.Globalization;
using CnnLab.Core;
using CnnLab.Layers;

namespace CnnLab.Models;

/// <summary>The checks and the order of a functional model's graph, before any weight exists.</summary>
internal static class FunctionalGraph
{
    /// <summary>
    /// The layer outputs that lead from <paramref name="input"/> to <paramref name="output"/>, each after the tensors it
    /// is computed from. Refuses a graph that needs another input (Keras' "Graph disconnected") or has more layers than
    /// <see cref="ModelLimits.MaxLayers"/>. Tensors cannot be changed once made, so the graph has no cycle.
    /// </summary>
    public static List<KerasTensor> Order(KerasTensor input, KerasTensor output)
    {
        var order = new List<KerasTensor>();
        var done = new HashSet<KerasTensor>(ReferenceEqualityComparer.Instance);
        // Depth-first without recursion: a chain of 10,000 layers must not exhaust the stack.
        var stack = new Stack<(KerasTensor Tensor, bool Expanded)>();
        stack.Push((output, false));
        while (stack.Count > 0)
        {
            var (tensor, expanded) = stack.Pop();
            if (done.Contains(tensor))
            {
                continue;
            }
            if (tensor.IsInput)
            {
                if (!ReferenceEquals(tensor, input))
                {
                    throw new ArgumentException($"Graph disconnected: the output depends on input \"{tensor.InputName}\" " +
                        $"{tensor.Shape}, which is not the model's input \"{input.InputName}\". A CnnLab model takes one input: " +
                        "call every layer on tensors that come from it.");
                }
                done.Add(tensor);
                continue;
            }
            if (expanded)
            {
                done.Add(tensor);
                order.Add(tensor);
                if (order.Count > ModelLimits.MaxLayers)
                {
                    throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                        $"The model has more than {ModelLimits.MaxLayers:N0} layers, more than CnnLab builds."));
                }
                continue;
            }
            stack.Push((tensor, true));
            foreach (var inbound in tensor.Inbound.Reverse())
            {
                if (!done.Contains(inbound))
                {
                    stack.Push((inbound, false));
                }
            }
        }
        // The order the layers were called in (a topological order too), as Keras lists a functional model's layers.
        return order.OrderBy(t => t.Sequence).ToList();
    }

    /// <summary>Keras' automatic names (conv2d, conv2d_1, ...) beside the names given, which must be unique.</summary>
    public sealed class Names
    {
        private readonly HashSet<string> _taken = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);

        public Names(string inputName, IEnumerable<Layer> layers)
        {
            _taken.Add(inputName);
            foreach (var layer in layers.Where(l => l.HasExplicitName))
            {
                if (!_taken.Add(layer.Name))
                {
                    throw new ArgumentException($"The name \"{layer.Name}\" is used 2 times in the model. All layer names should be " +
                        "unique.");
                }
            }
        }

        public string Unique(Layer layer)
        {
            if (layer.HasExplicitName)
            {
                return layer.Name;
            }
            var prefix = layer.DefaultNamePrefix;
            while (true)
            {
                _counts.TryGetValue(prefix, out var count);
                _counts[prefix] = count + 1;
                var candidate = count == 0 ? prefix : $"{prefix}_{count}";
                if (_taken.Add(candidate))
                {
                    return candidate;
                }
            }
        }
    }
}
