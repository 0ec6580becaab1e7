using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using CnnLab.Studies.Experiments;
using CnnLab.Studies.Search;

namespace CnnLab.Tests.Studies.Search;

/// <summary>The example searches in experiments/: their baselines, and that their spaces draw runs that build.</summary>
public class ExampleSearchTests
{
    [Theory]
    [InlineData("search-notebook.yaml", "m3-leaky", 56_318)]
    [InlineData("search-fast.yaml", "fast, 19 epochs, bf16", 177_314)]
    public void The_baseline_is_the_named_model_and_every_drawn_configuration_of_its_budget_builds_for_fashion_mnist(string file,
        string baseline, int parameters)
    {
        var study = StudyParser.ParseFile(Path.Combine(TestSupport.RepositoryRoot(), "experiments", file));
        var planner = new SearchPlanner(study.Search!, study.Runs[0].Training.Epochs);

        var records = new List<JsonObject>();
        var trials = study.Search!.Trials;
        for (var trial = 0; trial < trials; trial++)
        {
            records.AddRange(planner.Next(records, _ => true, SearchPlannerTests.BuildsForFashionMnist).Records);
        }

        Assert.Equal(baseline, study.Runs[0].Name);
        using (var model = RunRecipe.CompiledModel(study.Runs[0], CnnLab.Core.Shape.Image(28, 28, 1), 10, seed: 0))
        {
            Assert.Equal(parameters, model.ParamCount);
        }
        Assert.Equal(trials, SearchState.Replay(records).Trials.Count);
    }

    [Fact]
    public void The_fast_search_limits_training_time_and_searches_nesterov_sgd_and_batch_normalization_without_scale()
    {
        var search = StudyParser.ParseFile(Path.Combine(TestSupport.RepositoryRoot(), "experiments", "search-fast.yaml")).Search!;

        Assert.Equal(180, search.MaxTrainSeconds);
        Assert.Equal("optimizer", search.ParsedSpace["nesterov"].When!.Key);
        Assert.Contains("model.batch_norm_scale", search.ParsedSpace.Parameters.Select(p => p.Key));
    }

    [Theory]
    [InlineData("searched, trial 59", "best 1: trial 59")]
    [InlineData("searched, trial 58", "best 3: trial 58")]
    public void The_searched_notebook_runs_are_the_third_searchs_verdict_runs_to_the_last_digit(string run, string verdictRun)
    {
        var root = TestSupport.RepositoryRoot();
        var study = StudyParser.ParseFile(Path.Combine(root, "experiments", "notebook-searched.yaml"));
        var recorded = JsonNode.Parse(File.ReadAllText(Path.Combine(root, "docs", "search-notebook-report", "verdict", "study.json")))!;
        var options = new JsonSerializerOptions { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

        var expected = recorded["Runs"]!.AsArray().Single(r => r!["Name"]!.GetValue<string>() == verdictRun)!.AsObject();
        var actual = JsonSerializer.SerializeToNode(study.Runs.Single(r => r.Name == run), options)!.AsObject();
        expected.Remove("Name");
        actual.Remove("Name");

        Assert.Equal(expected.ToJsonString(), actual.ToJsonString());
    }
}
