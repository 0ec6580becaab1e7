namespace CnnLab.Optimizers;

/// <summary>Optimizers by Keras name, with Keras' defaults, as <c>model.compile(optimizer="adam")</c> accepts them.</summary>
public static class OptimizerCatalog
{
    private static readonly Dictionary<string, Func<double?, double?, Optimizer>> Factories = new(StringComparer.OrdinalIgnoreCase)
    {
        ["adam"] = (lr, wd) => new Adam(lr ?? 0.001, weightDecay: wd ?? 0),
        ["adamw"] = (lr, wd) => new AdamW(lr ?? 0.001, wd ?? 0.004),
        ["rmsprop"] = (lr, wd) => new RMSprop(lr ?? 0.001, weightDecay: wd ?? 0),
        ["sgd"] = (lr, wd) => new SGD(lr ?? 0.01, weightDecay: wd ?? 0),
    };

    /// <summary>The names <see cref="Get"/> knows.</summary>
    public static IReadOnlyCollection<string> Names => Factories.Keys;

    /// <summary>The optimizer of that name, with Keras' defaults or the given learning rate and weight decay.</summary>
    public static Optimizer Get(string name, double? learningRate = null, double? weightDecay = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Factories.TryGetValue(name, out var factory)
            ? factory(learningRate, weightDecay)
            : throw new ArgumentException(
                $"Could not interpret optimizer identifier: {name}. Expected one of: {string.Join(", ", Factories.Keys)}.", nameof(name));
    }
}
