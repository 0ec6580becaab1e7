using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace CnnLab.Studies.Experiments;

/// <summary>
/// The space of a search: parameters keyed by the run key each one sets, in an order where every condition's parameter
/// comes before the parameters it steers. Read from a study file's <c>search.space</c> mapping:
/// <code>
/// optimizer: {choice: [adam, rmsprop, sgd]}
/// learning_rate: {float: [0.0001, 0.01], log: true}
/// momentum: {float: [0.8, 0.99], when: {optimizer: sgd}}
/// model.blocks.2: {choice: [[60], [96, 96]]}
/// </code>
/// </summary>
public sealed partial class SearchSpace
{
    /// <summary>The most parameters a space may have.</summary>
    public const int MaxParameters = 64;

    /// <summary>The most values one choice may list.</summary>
    public const int MaxChoices = 1_000;

    /// <summary>The most segments in a key's path.</summary>
    public const int MaxPathSegments = 8;

    private static readonly string[] Kinds = { "choice", "int", "float" };

    private SearchSpace(IReadOnlyList<SearchParameter> parameters) => Parameters = parameters;

    /// <summary>The parameters, conditions before the parameters they steer.</summary>
    public IReadOnlyList<SearchParameter> Parameters { get; }

    /// <summary>The parameter that sets <paramref name="key"/>.</summary>
    public SearchParameter this[string key] => Parameters.First(p => p.Key == key);

    /// <summary>
    /// The parameters that apply to a configuration whose earlier parameters drew <paramref name="drawn"/>, in order:
    /// each parameter is asked only after the parameter its condition names.
    /// </summary>
    public bool Applies(SearchParameter parameter, IReadOnlyDictionary<string, double> drawn)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        ArgumentNullException.ThrowIfNull(drawn);
        if (parameter.When is not { } when)
        {
            return true;
        }
        return drawn.TryGetValue(when.Key, out var value) && when.Holds(this[when.Key].ValueOf(value));
    }

    /// <summary>Reads the <c>space</c> mapping; <paramref name="source"/> names the file in errors.</summary>
    public static SearchSpace Parse(YamlNode node, string source)
    {
        ArgumentNullException.ThrowIfNull(node);
        StudyFileException Error(YamlNode at, string message) => new($"{source}, line {at.Start.Line}: {message}.");
        if (node is not YamlMappingNode mapping || mapping.Children.Count == 0)
        {
            throw Error(node, "`search.space` must be a mapping with at least one parameter, e.g. " +
                "`learning_rate: {float: [0.0001, 0.01], log: true}`: an empty space has nothing to search");
        }
        if (mapping.Children.Count > MaxParameters)
        {
            throw Error(node, $"`search.space` has {mapping.Children.Count} parameters, more than the {MaxParameters} allowed");
        }
        var parsed = new List<(SearchParameter Parameter, YamlNode Node)>();
        foreach (var (keyNode, value) in mapping.Children)
        {
            var key = keyNode is YamlScalarNode { Value: { } k } ? k : throw Error(keyNode, "a parameter's key must be plain text");
            if (!KeyPattern().IsMatch(key) || key.Split('.').Length > MaxPathSegments)
            {
                throw Error(keyNode, $"`{Cut(key)}` is not a run key: give the dotted path of a key a run has, such as `optimizer`, " +
                    $"`training.batch_size` or `model.blocks.2` (letters, digits and underscores, at most {MaxPathSegments} parts)");
            }
            if (parsed.FirstOrDefault(p => p.Parameter.Key == key || p.Parameter.Key.StartsWith(key + ".", StringComparison.Ordinal)
                    || key.StartsWith(p.Parameter.Key + ".", StringComparison.Ordinal)) is { Parameter: { } clash })
            {
                throw Error(keyNode, $"`{key}` and `{clash.Key}` set the same part of a run; keep one of them");
            }
            parsed.Add((Parameter(key, value, Error), value));
        }
        var keys = parsed.Select(p => p.Parameter.Key).ToList();
        foreach (var (parameter, at) in parsed)
        {
            if (parameter.When is not { } when)
            {
                continue;
            }
            var steering = parsed.FirstOrDefault(p => p.Parameter.Key == when.Key).Parameter;
            if (steering is null)
            {
                throw Error(at, $"`{parameter.Key}` applies when `{when.Key}` has a value, but `{when.Key}` is not a parameter of the " +
                    $"space. Parameters: {string.Join(", ", keys)}");
            }
            if (steering.Kind == ParameterKind.Choice && !steering.Choices.Any(when.Holds))
            {
                throw Error(at, $"`{parameter.Key}` would never apply: `{when.Key}` takes none of the values its `when` names");
            }
        }
        return new SearchSpace(InConditionOrder(parsed, Error));
    }

    /// <summary>Text naming a drawn configuration: "optimizer=adam, learning_rate=0.0012".</summary>
    public string Describe(IReadOnlyDictionary<string, double> drawn)
    {
        ArgumentNullException.ThrowIfNull(drawn);
        return string.Join(", ", Parameters.Where(p => drawn.ContainsKey(p.Key)).Select(p =>
        {
            var value = p.ValueOf(drawn[p.Key]);
            var text = value is JsonValue v && v.TryGetValue<double>(out var number) && p.Kind == ParameterKind.Float
                ? number.ToString("G4", CultureInfo.InvariantCulture)
                : value?.ToJsonString() ?? "null";
            return $"{p.Key}={text.Trim('"')}";
        }));
    }

    private static SearchParameter Parameter(string key, YamlNode node, Func<YamlNode, string, StudyFileException> error)
    {
        if (node is not YamlMappingNode spec)
        {
            throw error(node, $"`{key}` must be a mapping with one of {string.Join(", ", Kinds)}, e.g. `{{choice: [adam, rmsprop]}}`");
        }
        var allowed = new[] { "choice", "int", "float", "log", "when" };
        var fields = new Dictionary<string, YamlNode>();
        foreach (var (fieldNode, value) in spec.Children)
        {
            var field = (fieldNode as YamlScalarNode)?.Value ?? "";
            if (!allowed.Contains(field))
            {
                throw error(fieldNode, $"unknown key `{Cut(field)}` in `{key}`. Allowed keys: {string.Join(", ", allowed)}");
            }
            fields[field] = value;
        }
        var kinds = Kinds.Where(fields.ContainsKey).ToList();
        if (kinds.Count != 1)
        {
            throw error(node, $"`{key}` must give exactly one of {string.Join(", ", Kinds)}; it gives " +
                (kinds.Count == 0 ? "none" : string.Join(" and ", kinds)));
        }
        var log = fields.TryGetValue("log", out var logNode) && (logNode is YamlScalarNode { Value: "true" or "false" } l
            ? l.Value == "true"
            : throw error(logNode, $"`{key}.log` must be true or false"));
        SearchCondition? when = fields.TryGetValue("when", out var whenNode) ? Condition(key, whenNode, error) : null;
        if (kinds[0] == "choice")
        {
            if (log)
            {
                throw error(logNode!, $"`{key}` is a choice, and `log` applies to int and float ranges only");
            }
            var list = fields["choice"] as YamlSequenceNode;
            if (list is null || list.Children.Count is 0 or > MaxChoices)
            {
                throw error(fields["choice"], $"`{key}.choice` must be a list of 1 to {MaxChoices:N0} values");
            }
            var values = list.Children.Select(c => YamlJson.ToJson(c, 0, (n, m) => error(n, m))).ToList();
            return new SearchParameter(key, ParameterKind.Choice) { Choices = values, When = when };
        }
        var range = fields[kinds[0]];
        var bounds = (range as YamlSequenceNode)?.Children.Select(c => c is YamlScalarNode { Value: { } t }
            && double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) && double.IsFinite(x) ? x : double.NaN)
            .ToList();
        var integer = kinds[0] == "int";
        if (bounds is not { Count: 2 } || bounds.Any(double.IsNaN) || bounds[0] > bounds[1] || (!integer && bounds[0] == bounds[1])
            || (integer && bounds.Any(b => b != Math.Floor(b) || Math.Abs(b) > 1e9)) || bounds.Any(b => Math.Abs(b) > 1e12))
        {
            throw error(range, $"`{key}.{kinds[0]}` must be [low, high] with low {(integer ? "<=" : "<")} high" +
                (integer ? ", whole numbers within ±10^9" : ", finite numbers within ±10^12"));
        }
        if (log && bounds[0] <= 0)
        {
            throw error(range, $"`{key}` is drawn on a log scale, so its low bound must be above 0; received {bounds[0]:G6}");
        }
        return new SearchParameter(key, integer ? ParameterKind.Integer : ParameterKind.Float)
        {
            Low = bounds[0], High = bounds[1], Log = log, When = when,
        };
    }

    private static SearchCondition Condition(string key, YamlNode node, Func<YamlNode, string, StudyFileException> error)
    {
        if (node is not YamlMappingNode { Children.Count: 1 } map || map.Children.First().Key is not YamlScalarNode { Value: { } other })
        {
            throw error(node, $"`{key}.when` must name one parameter and its value(s), e.g. `when: {{optimizer: sgd}}`");
        }
        if (other == key)
        {
            throw error(node, $"`{key}` cannot apply depending on itself");
        }
        var value = map.Children.First().Value;
        var values = value is YamlSequenceNode list ? list.Children : new[] { value };
        if (values.Count is 0 or > MaxChoices)
        {
            throw error(value, $"`{key}.when` must list 1 to {MaxChoices:N0} values");
        }
        return new SearchCondition(other, values.Select(v => YamlJson.ToJson(v, 0, (n, m) => error(n, m))).ToList());
    }

    /// <summary>Steering parameters first (Kahn's order, stable in the file's order); a loop of conditions is refused.</summary>
    private static List<SearchParameter> InConditionOrder(List<(SearchParameter Parameter, YamlNode Node)> parsed,
        Func<YamlNode, string, StudyFileException> error)
    {
        var ordered = new List<SearchParameter>();
        var left = parsed.ToList();
        while (left.Count > 0)
        {
            var ready = left.FirstOrDefault(p => p.Parameter.When is null || ordered.Any(o => o.Key == p.Parameter.When.Key));
            if (ready.Parameter is null)
            {
                var loop = left.Select(p => $"`{p.Parameter.Key}` (when `{p.Parameter.When!.Key}`)");
                throw error(left[0].Node, $"the conditions form a loop: {string.Join(", ", loop)}; each parameter's condition must " +
                    "name one that does not depend on it");
            }
            ordered.Add(ready.Parameter);
            left.Remove(ready);
        }
        return ordered;
    }

    private static string Cut(string text) => text.Length <= 60 ? text : text[..60] + "...";

    [GeneratedRegex(@"^[a-z_][a-z0-9_]*(\.([a-z_][a-z0-9_]*|[0-9]{1,3}))*$")]
    private static partial Regex KeyPattern();
}
