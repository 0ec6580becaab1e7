using System.Globalization;
using System.Text.Json.Nodes;

namespace CnnLab.Studies.Experiments;

/// <summary>How a parameter's values are drawn.</summary>
public enum ParameterKind
{
    /// <summary>One of listed values (any YAML value: a name, a number, a list of blocks, a layer list).</summary>
    Choice,

    /// <summary>An integer in [low, high], both included.</summary>
    Integer,

    /// <summary>A real number in [low, high].</summary>
    Float,
}

/// <summary>
/// One dimension of a search space: the run key it sets (a dotted path into a run, as a study file writes it:
/// <c>optimizer</c>, <c>training.batch_size</c>, <c>model.blocks.2</c>), how its values are drawn, and the condition
/// under which it applies at all.
/// </summary>
public sealed record SearchParameter(string Key, ParameterKind Kind)
{
    /// <summary>The values of a <see cref="ParameterKind.Choice"/>, as JSON (YAML's values, typed).</summary>
    public IReadOnlyList<JsonNode?> Choices { get; init; } = Array.Empty<JsonNode?>();

    /// <summary>The lower bound of a numeric range.</summary>
    public double Low { get; init; }

    /// <summary>The upper bound of a numeric range.</summary>
    public double High { get; init; }

    /// <summary>Whether a numeric range is drawn uniformly in its logarithm (learning rates, widths).</summary>
    public bool Log { get; init; }

    /// <summary>The parameter applies only when another parameter (by key) took one of these values; null: always.</summary>
    public SearchCondition? When { get; init; }

    /// <summary>A value drawn uniformly (in the log where <see cref="Log"/>): a choice's index, or the number.</summary>
    public double Draw(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        return Kind switch
        {
            ParameterKind.Choice => random.Next(Choices.Count),
            ParameterKind.Integer => Clamp(Math.Floor(FromUnit(random.NextDouble(), Low, High + 1))),
            _ => Clamp(FromUnit(random.NextDouble(), Low, High)),
        };
    }

    /// <summary>Where <paramref name="value"/> lies in the parameter's sampling scale, 0 to 1 (for samplers' kernels).</summary>
    public double ToUnit(double value) => Kind == ParameterKind.Choice ? value
        : Log ? (Math.Log(value) - Math.Log(Low)) / (Math.Log(Kind == ParameterKind.Integer ? High + 1 : High) - Math.Log(Low))
        : (value - Low) / ((Kind == ParameterKind.Integer ? High + 1 : High) - Low);

    /// <summary>The value at <paramref name="unit"/> (0 to 1) of the sampling scale, rounded down and clamped for integers.</summary>
    public double FromUnit(double unit) => Kind == ParameterKind.Integer
        ? Clamp(Math.Floor(FromUnit(unit, Low, High + 1)))
        : Clamp(FromUnit(unit, Low, High));

    /// <summary>The JSON value a drawn number stands for: the choice itself, an integer, or the real number.</summary>
    public JsonNode? ValueOf(double drawn) => Kind switch
    {
        ParameterKind.Choice => Choices[(int)drawn]?.DeepClone(),
        ParameterKind.Integer => JsonValue.Create((long)drawn),
        _ => JsonValue.Create(drawn),
    };

    /// <summary>Text for tables and errors: "choice of 3", "integer 8 to 64", "float 0.0001 to 0.01, log".</summary>
    public string Describe() => Kind switch
    {
        ParameterKind.Choice => string.Create(CultureInfo.InvariantCulture, $"choice of {Choices.Count}"),
        _ => string.Create(CultureInfo.InvariantCulture,
            $"{(Kind == ParameterKind.Integer ? "integer" : "float")} {Low:G6} to {High:G6}{(Log ? ", log" : "")}"),
    };

    private double FromUnit(double unit, double low, double high) =>
        Log ? Math.Exp(Math.Log(low) + unit * (Math.Log(high) - Math.Log(low))) : low + unit * (high - low);

    private double Clamp(double value) => Math.Min(Math.Max(value, Low), High);
}

/// <summary>A parameter applies only when the parameter <see cref="Key"/> took one of <see cref="Values"/>.</summary>
public sealed record SearchCondition(string Key, IReadOnlyList<JsonNode?> Values)
{
    /// <summary>Whether <paramref name="value"/> is one of the values.</summary>
    public bool Holds(JsonNode? value) => Values.Any(v => JsonNode.DeepEquals(v, value));
}
