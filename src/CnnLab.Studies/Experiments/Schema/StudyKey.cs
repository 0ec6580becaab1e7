using System.Globalization;
using CnnLab.Layers;

namespace CnnLab.Studies.Experiments.Schema;

/// <summary>What a study key holds, as the parser reads it and the JSON Schema and key reference describe it.</summary>
public enum StudyKeyType
{
    /// <summary>Non-empty text.</summary>
    Text,

    /// <summary>A whole number within <see cref="StudyKey.Minimum"/> (and <see cref="StudyKey.Maximum"/>).</summary>
    Integer,

    /// <summary>A number within the key's bounds.</summary>
    Number,

    /// <summary>true or false.</summary>
    Boolean,

    /// <summary>One of <see cref="StudyKey.Allowed"/>.</summary>
    Choice,

    /// <summary>A whole number, or a list of them.</summary>
    IntegerOrList,

    /// <summary>A list of whole numbers.</summary>
    IntegerList,

    /// <summary>A list of lists of whole numbers (a template's filters per convolution, per block).</summary>
    Blocks,

    /// <summary>Keras' list of layers: each entry one layer name holding its settings.</summary>
    Layers,

    /// <summary>A mapping with the keys of section <see cref="StudyKey.Of"/>.</summary>
    Mapping,

    /// <summary>A list of mappings with the keys of section <see cref="StudyKey.Of"/>.</summary>
    MappingList,

    /// <summary>Text, or a mapping with the keys of section <see cref="StudyKey.Of"/>.</summary>
    TextOrMapping,

    /// <summary>A model: a notebook model's name or a file's path, or a template, list of layers or file mapping.</summary>
    Model,

    /// <summary>A search space: run keys, each with its values (<see cref="Experiments.SearchSpace"/>).</summary>
    SearchSpace,
}

/// <summary>The column of the report's run settings table a key's value is listed in.</summary>
public enum ReportColumn
{
    /// <summary>Not listed (the key is shown elsewhere, or only shapes the study).</summary>
    None,

    /// <summary>With the optimizer's name.</summary>
    Optimizer,

    /// <summary>With the augmentation.</summary>
    Augmentation,
}

/// <summary>
/// One key of a study file, declared once: the parser takes its allowed keys, bounds, defaults and error wording
/// from here, and the JSON Schema (schemas/study.schema.json), the key reference (docs/study-keys.md) and the
/// report's settings table are written from it. A key with <see cref="Optimizer"/> or <see cref="Layer"/> needs
/// nothing else: its value is kept in <see cref="RunDefinition.Settings"/> and applied by <see cref="RunRecipe"/>.
/// </summary>
public sealed record StudyKey(string Section, string Name, StudyKeyType Type, string Description)
{
    /// <summary>
    /// The section of a <see cref="StudyKeyType.Mapping"/>,
    /// <see cref="StudyKeyType.MappingList"/> or <see cref="StudyKeyType.TextOrMapping"/>.
    /// </summary>
    public string? Of { get; init; }

    /// <summary>The value taken when the key is absent (a number, text, true/false or a list), or null for none.</summary>
    public object? Default { get; init; }

    /// <summary>The default in words where it depends on other keys ("the optimizer's"); else <see cref="Default"/> is shown.</summary>
    public string? DefaultText { get; init; }

    /// <summary>The smallest value allowed (numbers and whole numbers).</summary>
    public double? Minimum { get; init; }

    /// <summary>Whether <see cref="Minimum"/> itself is refused.</summary>
    public bool MinimumExcluded { get; init; }

    /// <summary>The largest value allowed (numbers).</summary>
    public double? Maximum { get; init; }

    /// <summary>Whether <see cref="Maximum"/> itself is refused.</summary>
    public bool MaximumExcluded { get; init; }

    /// <summary>The values of a <see cref="StudyKeyType.Choice"/>, or the known values of a text key (for editors).</summary>
    public IReadOnlyList<string>? Allowed { get; init; }

    /// <summary>Whether the mapping needs the key.</summary>
    public bool Required { get; init; }

    /// <summary>
    /// The study schema version (<see cref="StudySchema.Version"/>) that added the key; results folders of older
    /// versions lack it, which is no difference while the study leaves it at its default.
    /// </summary>
    public int Since { get; init; } = 1;

    /// <summary>Where the report's settings table lists the key's value (keys kept in <see cref="RunDefinition.Settings"/>).</summary>
    public ReportColumn Column { get; init; }

    /// <summary>Sets the value on the run's optimizer: a run key kept in <see cref="RunDefinition.Settings"/>.</summary>
    public Action<Optimizers.Optimizer, double>? Optimizer { get; init; }

    /// <summary>The augmentation layer of the value: an augmentation key kept in <see cref="RunDefinition.Settings"/>.</summary>
    public Func<double, Layer>? Layer { get; init; }

    /// <summary>Whether the value lives in <see cref="RunDefinition.Settings"/> (no property of its own anywhere).</summary>
    public bool InSettings => Optimizer is not null || Layer is not null;

    /// <summary>The range in the parser's words: "[0, 1)", "(0, 1000000]"; "&gt;= 1" for whole numbers.</summary>
    public string Bounds => Type == StudyKeyType.Integer || Maximum is null
        ? $"{(MinimumExcluded ? ">" : ">=")} {Format(Minimum ?? 0)}"
        : $"{(MinimumExcluded ? "(" : "[")}{Format(Minimum ?? 0)}, {Format(Maximum.Value)}{(MaximumExcluded ? ")" : "]")}";

    /// <summary>Whether <paramref name="value"/> is within the key's bounds.</summary>
    public bool InBounds(double value) =>
        (Minimum is not { } min || (MinimumExcluded ? value > min : value >= min)) &&
        (Maximum is not { } max || (MaximumExcluded ? value < max : value <= max));

    /// <summary>A number as the parser's errors have always written it (1E-12, 1000000).</summary>
    public static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);
}
