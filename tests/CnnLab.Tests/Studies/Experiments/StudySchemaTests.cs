using System.Globalization;
using System.Text.Json.Nodes;
using CnnLab.Studies.Experiments;
using CnnLab.Studies.Experiments.Schema;
using Json.Schema;
using YamlDotNet.RepresentationModel;

namespace CnnLab.Tests.Studies.Experiments;

/// <summary>
/// The study keys are declared once (StudyKeys): the committed JSON Schema and key reference are what the
/// declarations write, every study file here passes the schema as an editor would check it, and the schema flags
/// a misspelt key as the parser does.
/// </summary>
public sealed class StudySchemaTests
{
    private const string Regenerate = "dotnet run --project src/CnnLab.Cli -- study schema --out .";

    private static readonly JsonSchema Schema =
        JsonSchema.FromText(File.ReadAllText(Path.Combine(TestSupport.RepositoryRoot(), StudySchema.SchemaPath)));

    public static TheoryData<string> StudyFiles() => StudyParserFuzzTests.StudyFiles();

    [Theory]
    [InlineData(StudySchema.SchemaPath)]
    [InlineData(StudySchema.ReferencePath)]
    public void The_committed_schema_and_key_reference_are_what_the_declarations_write(string path)
    {
        var expected = path == StudySchema.SchemaPath ? StudySchema.JsonSchema() : StudySchema.KeyReference();
        var committed = File.ReadAllText(Path.Combine(TestSupport.RepositoryRoot(), path)).Replace("\r\n", "\n", StringComparison.Ordinal);

        Assert.True(expected == committed, $"{path} is out of date with StudyKeys; regenerate it: {Regenerate}");
    }

    [Fact]
    public void The_schema_is_a_valid_draft_07_schema()
    {
        var text = File.ReadAllText(Path.Combine(TestSupport.RepositoryRoot(), StudySchema.SchemaPath));

        var results = MetaSchemas.Draft7.Evaluate(JsonNode.Parse(text), new EvaluationOptions { OutputFormat = OutputFormat.List });

        Assert.True(results.IsValid, Describe(results));
        Assert.Equal("http://json-schema.org/draft-07/schema#", JsonNode.Parse(text)!["$schema"]!.GetValue<string>());
    }

    [Theory]
    [MemberData(nameof(StudyFiles))]
    public void Every_study_file_names_the_schema_and_passes_it(string name)
    {
        var text = File.ReadAllText(Path.Combine(TestSupport.RepositoryRoot(), "experiments", name));

        Assert.StartsWith("# yaml-language-server: $schema=../schemas/study.schema.json\n", text, StringComparison.Ordinal);
        var results = Evaluate(text);
        Assert.True(results.IsValid, $"{name}: {Describe(results)}");
    }

    [Theory]
    [InlineData("    optimizer: adam\n", "    optimiser: adam\n", "/runs/0/optimiser")]
    [InlineData("  epochs: 4\n", "  epochz: 4\n", "/training/epochz")]
    [InlineData("    augmentation: {random_flip: horizontal}\n", "    augmentation: {random_flip: horizontal, random_zoon: 0.1}\n",
        "/runs/1/augmentation/random_zoon")]
    public void A_misspelt_key_is_flagged_where_it_is_as_an_editor_would(string key, string misspelt, string location)
    {
        var fast = File.ReadAllText(Path.Combine(TestSupport.RepositoryRoot(), "experiments", "fast.yaml"));
        Assert.Contains(key, fast, StringComparison.Ordinal);
        var edited = ReplaceFirst(fast, key, misspelt);

        var results = Evaluate(edited);

        Assert.False(results.IsValid);
        Assert.Contains(results.Details, d => d.InstanceLocation.ToString() == location && !d.IsValid);
        Assert.Throws<StudyFileException>(() => StudyParser.Parse(edited, "fast.yaml"));
    }

    [Theory]
    [InlineData("  epochs: 4\n", "  epochs: 0\n", "/training/epochs")]
    [InlineData("  validation_split: 0\n", "  validation_split: 1\n", "/training/validation_split")]
    [InlineData("    test_time_augmentation: horizontal_flip\n", "    test_time_augmentation: rotate\n", "/runs/1/test_time_augmentation")]
    public void A_value_out_of_bounds_is_flagged_by_the_schema_and_the_parser(string key, string wrong, string location)
    {
        var fast = File.ReadAllText(Path.Combine(TestSupport.RepositoryRoot(), "experiments", "fast.yaml"));
        var edited = ReplaceFirst(fast, key, wrong);

        var results = Evaluate(edited);

        Assert.False(results.IsValid);
        Assert.Contains(results.Details, d => d.InstanceLocation.ToString() == location && !d.IsValid);
        Assert.Throws<StudyFileException>(() => StudyParser.Parse(edited, "fast.yaml"));
    }

    [Fact]
    public void Every_section_the_parser_reads_is_declared_and_every_declared_mapping_has_its_section()
    {
        var sections = StudyKeys.Sections.Select(s => s.Name).ToHashSet();

        Assert.All(StudyKeys.All, k => Assert.Contains(k.Section, sections));
        Assert.All(StudyKeys.All.Where(k => k.Of is not null), k => Assert.Contains(k.Of!, sections));
        Assert.All(StudyKeys.All.Where(k => k.InSettings),
            k => Assert.Contains(k.Type, new[] { StudyKeyType.Number, StudyKeyType.Boolean }));
        // Keys kept in RunDefinition.Settings share one dictionary per run: their names must not collide.
        Assert.Equal(StudyKeys.All.Where(k => k.InSettings).Select(k => k.Name).Distinct().Count(), StudyKeys.All.Count(k => k.InSettings));
    }

    private static EvaluationResults Evaluate(string yaml) =>
        Schema.Evaluate(ToJson(yaml), new EvaluationOptions { OutputFormat = OutputFormat.List });

    private static string Describe(EvaluationResults results) => string.Join("; ", results.Details.Where(d => d.HasErrors)
        .Select(d => $"{d.InstanceLocation}: {string.Join(", ", d.Errors!.Select(e => $"{e.Key} {e.Value}"))}"));

    private static string ReplaceFirst(string text, string old, string replacement)
    {
        var at = text.IndexOf(old, StringComparison.Ordinal);
        return text[..at] + replacement + text[(at + old.Length)..];
    }

    /// <summary>YAML as yaml-language-server reads it: plain scalars typed as YAML 1.2's core schema, quoted ones as text.</summary>
    public static JsonNode? ToJson(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return Convert(stream.Documents[0].RootNode);
    }

    private static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode mapping =>
            new JsonObject(mapping.Children.Select(c => KeyValuePair.Create(((YamlScalarNode)c.Key).Value!, Convert(c.Value)))),
        YamlSequenceNode sequence => new JsonArray(sequence.Children.Select(Convert).ToArray()),
        YamlScalarNode { Style: not YamlDotNet.Core.ScalarStyle.Plain } quoted => JsonValue.Create(quoted.Value),
        YamlScalarNode { Value: null or "" or "~" or "null" } => null,
        YamlScalarNode { Value: "true" or "false" } flag => JsonValue.Create(flag.Value == "true"),
        YamlScalarNode scalar
            when long.TryParse(scalar.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole) =>
            JsonValue.Create(whole),
        YamlScalarNode scalar when double.TryParse(scalar.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) =>
            JsonValue.Create(number),
        YamlScalarNode scalar => JsonValue.Create(scalar.Value),
        _ => throw new InvalidDataException($"line {node.Start.Line}: aliases are not used in study files"),
    };
}
