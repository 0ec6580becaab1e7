using CnnLab.Core;
using CnnLab.Layers;
using static TorchSharp.torch;

namespace CnnLab.Models;

/// <summary>One layer of a model's graph: the value slots it reads (0 is the model's input) and the one it writes.</summary>
internal sealed record GraphStep(Layer Layer, int[] Inputs, int Output);

/// <summary>
/// The forward pass of every model: the steps in order, each reading its slots and writing its own. A
/// <see cref="Sequential"/> is the chain where step i reads slot i; a functional <see cref="Model"/> any graph.
/// </summary>
internal static class GraphExecutor
{
    /// <summary>The steps of a chain: each layer reads the one before it (the first, the input).</summary>
    public static List<GraphStep> Chain(IReadOnlyList<Layer> layers) =>
        layers.Select((layer, i) => new GraphStep(layer, new[] { i }, i + 1)).ToList();

    /// <summary>
    /// The outputs for <paramref name="input"/>; with <paramref name="logits"/> the last step's scores before its
    /// softmax. Each intermediate result is released after its last reader (never the caller's input, nor a result a
    /// layer computed in place); bfloat16 outputs of mixed precision come back as float32.
    /// </summary>
    public static Tensor Run(IReadOnlyList<GraphStep> steps, Shape? inputShape, Tensor input, bool logits)
    {
        // An input shape without the channel axis takes single-channel images (N, 1, H, W): the same values as (N, H, W).
        using var withoutChannels = inputShape is { Rank: 2 } shape && input.dim() == 4 && input.shape[1] == 1
            ? input.reshape(input.shape[0], shape.Dimensions[0], shape.Dimensions[1]) : null;
        var start = withoutChannels ?? input;
        var values = new Tensor?[steps.Count + 1];
        values[0] = start;
        var readers = new int[values.Length];
        foreach (var slot in steps.SelectMany(s => s.Inputs))
        {
            readers[slot]++;
        }
        var result = start;
        try
        {
            for (var i = 0; i < steps.Count; i++)
            {
                var step = steps[i];
                var inputs = step.Inputs.Select(s => values[s]!).ToList();
                result = logits && i == steps.Count - 1 ? step.Layer.ForwardLogits(inputs[0]) : step.Layer.Forward(inputs);
                foreach (var slot in step.Inputs)
                {
                    if (--readers[slot] == 0 && slot != 0 && values[slot] is { } done && !ReferenceEquals(done, result))
                    {
                        done.Dispose();
                        values[slot] = null;
                    }
                }
                values[step.Output] = result;
            }
        }
        catch
        {
            // A layer that fails (a shape error, out of memory) leaves the intermediates still held: released here.
            foreach (var held in values.Skip(1).OfType<Tensor>().Distinct().Where(t => !ReferenceEquals(t, start)))
            {
                held.Dispose();
            }
            throw;
        }
        if (result.dtype == ScalarType.BFloat16)
        {
            // A model's outputs are float32 whatever it computed in (Keras' mixed precision advice).
            var wide = result.to(ScalarType.Float32);
            if (!ReferenceEquals(result, start))
            {
                result.Dispose();
            }
            return wide;
        }
        return ReferenceEquals(result, start) ? result.alias() : result;
    }
}
