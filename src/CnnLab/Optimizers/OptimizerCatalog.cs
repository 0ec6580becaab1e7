namespace CnnLab.Optimizers;

/// <summary>Optimizers by Keras name, with Keras' defaults, as <c>model.compile(optimizer="adam")</c> accepts them.</summary>
public static class OptimizerCatalog
{
    private static readonly Dictionary<string, Func<double?, Optimizer>> Factories = new(StringComparer.OrdinalIgnoreCase)
    {
        ["adam"] = lr => lr is double r ? new Adam(r) : new Adam(),
        ["rmsprop"] = lr => lr is double r ? new RMSprop(r) : new RMSprop(),
        ["sgd"] = lr => lr is double r ? new SGD(r) : new SGD(),
    };

    /// <summary>The names <see cref="Get"/> knows.</summary>
    public static IReadOnlyCollection<string> Names => Factories.Keys;

    /// <summary>The optimizer of that name, with Keras' defaults or the given learning rate.</summary>
    public static Optimizer Get(string name, double? learningRate = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Factories.TryGetValue(name, out var factory)
            ? factory(learningRate)
            : throw new ArgumentException(
                $"Could not interpret optimizer identifier: {name}. Expected one of: {string.Join(", ", Factories.Keys)}.", nameof(name));
    }
}
