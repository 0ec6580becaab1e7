using System.Reflection;
using System.Text.Json.Nodes;
using CnnLab.Formats.Json;

namespace CnnLab.Layers;

/// <summary>
/// Every layer CnnLab has, by Keras class name (Conv2D) and Keras' snake_case name (conv2d): found, not listed, so a
/// new layer is one file: a <see cref="Layer"/> subclass with <c>WriteConfig</c> and
/// <c>public static Layer FromConfig(LayerConfigReader)</c>. Saved models, study files and Keras files all create
/// their layers here.
/// </summary>
public static class LayerRegistry
{
    private static readonly IReadOnlyDictionary<string, Func<LayerConfigReader, Layer>> Factories = Discover();

    /// <summary>The layer classes, in Keras' class names, sorted.</summary>
    public static IReadOnlyList<string> ClassNames { get; } = Factories.Keys.Order(StringComparer.Ordinal).ToList();

    /// <summary>The layer classes in Keras' snake_case names (conv2d, max_pooling2d, leaky_re_lu), sorted.</summary>
    public static IReadOnlyList<string> SnakeCaseNames { get; } =
        ClassNames.Select(Layer.ToSnakeCase).Order(StringComparer.Ordinal).ToList();

    /// <summary>Every concrete layer type; those without a <c>FromConfig</c> are missing from <see cref="ClassNames"/>.</summary>
    public static IReadOnlyList<Type> LayerTypes { get; } = typeof(Layer).Assembly.GetTypes()
        .Where(t => t.IsSubclassOf(typeof(Layer)) && !t.IsAbstract).OrderBy(t => t.Name, StringComparer.Ordinal).ToList();

    /// <summary>The Keras class name for "Conv2D" or "conv2d"; null when CnnLab has no such layer.</summary>
    public static string? ClassName(string name) =>
        Factories.ContainsKey(name) ? name : ClassNames.FirstOrDefault(c => Layer.ToSnakeCase(c) == name);

    /// <summary>
    /// A new, unbuilt layer of class <paramref name="className"/> (Keras class or snake_case name) from its config.
    /// Errors are <see cref="InvalidDataException"/>s starting with <paramref name="at"/>, the class and the layer's name.
    /// Strict: a key the layer does not read is an error; otherwise those <paramref name="harmless"/> names for the
    /// created layer are skipped (a Keras import passes <see cref="Layer.KerasIgnoredKeys"/>).
    /// </summary>
    public static Layer Create(string className, JsonObject config, string at, bool strict,
        Func<Layer, IReadOnlyCollection<string>>? harmless = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        var resolved = ClassName(className) ?? throw new InvalidDataException(
            $"{at}: CnnLab has no layer \"{className}\". Layers: " +
            $"{string.Join(", ", strict && char.IsLower(className.FirstOrDefault()) ? SnakeCaseNames : ClassNames)}.");
        var name = JsonFields.OptionalText(config, "name", $"{at} ({resolved})");
        var where = name is null ? $"{at} ({resolved})" : $"{at} ({resolved} \"{name}\")";
        var reader = new LayerConfigReader(config, where, strict);
        Layer layer;
        try
        {
            layer = Factories[resolved](reader);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or NotSupportedException)
        {
            var message = e is ArgumentException { ParamName: { } parameter }
                ? e.Message.Replace($" (Parameter '{parameter}')", "", StringComparison.Ordinal) : e.Message;
            throw new InvalidDataException($"{where}: {message}");
        }
        try
        {
            reader.CheckUnread(harmless?.Invoke(layer));
        }
        catch
        {
            layer.Dispose();
            throw;
        }
        return layer;
    }

    private static Dictionary<string, Func<LayerConfigReader, Layer>> Discover()
    {
        var factories = new Dictionary<string, Func<LayerConfigReader, Layer>>(StringComparer.Ordinal);
        foreach (var type in typeof(Layer).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(Layer)) && !t.IsAbstract))
        {
            var method = type.GetMethod("FromConfig", BindingFlags.Public | BindingFlags.Static, new[] { typeof(LayerConfigReader) });
            if (method is not null && method.ReturnType == typeof(Layer))
            {
                factories[type.Name] = method.CreateDelegate<Func<LayerConfigReader, Layer>>();
            }
        }
        return factories;
    }
}
