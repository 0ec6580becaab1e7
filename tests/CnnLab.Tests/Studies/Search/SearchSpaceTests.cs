using System.Text.Json.Nodes;
using CnnLab.Studies.Experiments;
using CnnLab.Studies.Search;
using YamlDotNet.RepresentationModel;

namespace CnnLab.Tests.Studies.Search;

public class SearchSpaceTests
{
    private const string Space = """
        optimizer: {choice: [adam, rmsprop, sgd]}
        learning_rate: {float: [0.0001, 0.01], log: true}
        momentum: {float: [0.8, 0.99], when: {optimizer: sgd}}
        training.batch_size: {int: [32, 128]}
        model.blocks.2: {choice: [[60], [96, 96]]}
        """;

    [Fact]
    public void A_space_reads_choices_ranges_logs_and_conditions_with_the_condition_first()
    {
        var space = Parse(Space);

        Assert.Equal(new[] { "optimizer", "learning_rate", "momentum", "training.batch_size", "model.blocks.2" },
            space.Parameters.Select(p => p.Key));
        Assert.Equal("choice of 3", space["optimizer"].Describe());
        Assert.Equal("float 0.0001 to 0.01, log", space["learning_rate"].Describe());
        Assert.Equal("integer 32 to 128", space["training.batch_size"].Describe());
        Assert.Equal("[[96,96]]", new JsonArray(space["model.blocks.2"].Choices[1]!.DeepClone()).ToJsonString());
        Assert.Equal("optimizer", space["momentum"].When!.Key);
    }

    [Fact]
    public void A_condition_listed_after_the_parameter_it_steers_is_still_drawn_first()
    {
        var space = Parse("momentum: {float: [0.8, 0.99], when: {optimizer: [sgd]}}\noptimizer: {choice: [adam, sgd]}");

        Assert.Equal(new[] { "optimizer", "momentum" }, space.Parameters.Select(p => p.Key));
    }

    [Fact]
    public void Random_sampling_is_seeded_keeps_every_value_in_range_and_sets_a_conditional_key_only_when_it_applies()
    {
        var space = Parse(Space);
        var sampler = new RandomSampler();
        var first = Enumerable.Range(0, 300).Select(i => sampler.Sample(space, Array.Empty<Observation>(), new Random(i))).ToList();
        var again = Enumerable.Range(0, 300).Select(i => sampler.Sample(space, Array.Empty<Observation>(), new Random(i))).ToList();

        Assert.Equal(first.Select(d => space.Describe(d)), again.Select(d => space.Describe(d)));
        foreach (var drawn in first)
        {
            Assert.Equal(drawn["optimizer"] == 2, drawn.ContainsKey("momentum"));
            Assert.InRange(drawn["learning_rate"], 0.0001, 0.01);
            Assert.InRange(drawn["training.batch_size"], 32, 128);
            Assert.Equal(Math.Floor(drawn["training.batch_size"]), drawn["training.batch_size"]);
        }
        // Both ends of an integer range are reachable, and a log scale puts about half the draws below the geometric middle.
        Assert.Contains(first, d => d["training.batch_size"] == 32);
        Assert.Contains(first, d => d["training.batch_size"] == 128);
        Assert.InRange(first.Count(d => d["learning_rate"] < 0.001), 120, 180);
    }

    [Fact]
    public void Describe_names_each_value_as_the_study_file_would_write_it()
    {
        var space = Parse(Space);
        var drawn = new Dictionary<string, double>
        {
            ["optimizer"] = 2, ["learning_rate"] = 0.00123456, ["momentum"] = 0.9, ["training.batch_size"] = 64, ["model.blocks.2"] = 1,
        };

        Assert.Equal("optimizer=sgd, learning_rate=0.001235, momentum=0.9, training.batch_size=64, model.blocks.2=[96,96]",
            space.Describe(drawn));
    }

    [Theory]
    [InlineData("{}", "search.yaml, line 1: `search.space` must be a mapping with at least one parameter, e.g. `learning_rate: " +
        "{float: [0.0001, 0.01], log: true}`: an empty space has nothing to search.")]
    [InlineData("a: {float: [1, 2], when: {b: 1}}\nb: {choice: [1, 2], when: {a: 1.5}}",
        "search.yaml, line 1: the conditions form a loop: `a` (when `b`), `b` (when `a`); each parameter's condition must name one that " +
        "does not depend on it.")]
    [InlineData("a: {float: [1, 2], when: {a: 1}}", "search.yaml, line 1: `a` cannot apply depending on itself.")]
    [InlineData("momentum: {float: [0.8, 0.9], when: {optimizer: sgd}}",
        "search.yaml, line 1: `momentum` applies when `optimizer` has a value, but `optimizer` is not a parameter of the space. " +
        "Parameters: momentum.")]
    [InlineData("optimizer: {choice: [adam]}\nmomentum: {float: [0.8, 0.9], when: {optimizer: sgd}}",
        "search.yaml, line 2: `momentum` would never apply: `optimizer` takes none of the values its `when` names.")]
    [InlineData("learning_rate: {float: [0, 0.1], log: true}",
        "search.yaml, line 1: `learning_rate` is drawn on a log scale, so its low bound must be above 0; received 0.")]
    [InlineData("learning_rate: {float: [0.1, 0.1]}",
        "search.yaml, line 1: `learning_rate.float` must be [low, high] with low < high, finite numbers within ±10^12.")]
    [InlineData("filters: {int: [1, 1000000000000]}",
        "search.yaml, line 1: `filters.int` must be [low, high] with low <= high, whole numbers within ±10^9.")]
    [InlineData("optimizer: {choice: [adam], int: [1, 2]}", "search.yaml, line 1: `optimizer` must give exactly one of choice, int, " +
        "float; it gives choice and int.")]
    [InlineData("optimizer: {choices: [adam]}", "search.yaml, line 1: unknown key `choices` in `optimizer`. Allowed keys: choice, " +
        "int, float, log, when.")]
    [InlineData("optimizer: {choice: []}", "search.yaml, line 1: `optimizer.choice` must be a list of 1 to 1,000 values.")]
    [InlineData("model: {choice: [m3-leaky]}\nmodel.blocks.0: {choice: [[8]]}",
        "search.yaml, line 2: `model.blocks.0` and `model` set the same part of a run; keep one of them.")]
    [InlineData("../etc: {choice: [1]}", "search.yaml, line 1: `../etc` is not a run key: give the dotted path of a key a run has, " +
        "such as `optimizer`, `training.batch_size` or `model.blocks.2` (letters, digits and underscores, at most 8 parts).")]
    public void A_hostile_or_mistaken_space_is_refused_in_one_line(string yaml, string message)
    {
        var error = Assert.Throws<StudyFileException>(() => Parse(yaml));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void More_parameters_than_the_limit_are_refused_before_any_is_read()
    {
        var yaml = string.Join("\n", Enumerable.Range(0, SearchSpace.MaxParameters + 1).Select(i => $"p{i}: {{int: [1, 2]}}"));

        var error = Assert.Throws<StudyFileException>(() => Parse(yaml));

        Assert.Equal("search.yaml, line 1: `search.space` has 65 parameters, more than the 64 allowed.", error.Message);
    }

    [Fact]
    public void A_conditional_value_is_checked_against_base_with_its_condition_and_the_keys_that_share_it()
    {
        const string Study = "base: {name: b, model: m2-leaky, optimizer: adam}\nsearch:\n  space:\n" +
            "    optimizer: {choice: [adam, sgd]}\n{0}";
        var conditional = "    momentum: {float: [0.8, 0.9], when: {optimizer: sgd}}\n" +
            "    nesterov: {choice: [true, false], when: {optimizer: sgd}}\n";

        var study = StudyParser.Parse(Study.Replace("{0}", conditional, StringComparison.Ordinal), "s.yaml");
        var error = Assert.Throws<StudyFileException>(() =>
            StudyParser.Parse(Study.Replace("{0}", "    nesterov: {choice: [true, false]}\n", StringComparison.Ordinal), "s.yaml"));

        Assert.Equal(3, study.Search!.ParsedSpace.Parameters.Count);
        Assert.Equal("s.yaml, line 5: with nesterov = true, `base` is not a valid run: run \"check\": `nesterov` is an argument of sgd; " +
            "this run's optimizer is adam.", error.Message);
    }

    internal static SearchSpace Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return SearchSpace.Parse(stream.Documents[0].RootNode, "search.yaml");
    }
}
